import { join, resolve } from "node:path";
import { InvalidArgumentError } from "commander";
import type { EmulatorOptions } from "../../emulator/index.js";
import { UsageError } from "../../errors.js";
import { makeStateDir, STATE_DIR } from "../../spec/state-dir.js";
import { ExitCode } from "../exit-codes.js";
import type { RegisterCommand } from "./index.js";

function integer(min: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min)
      throw new InvalidArgumentError(`expected an integer >= ${min}, got "${value}"`);
    return Number(value);
  };
}

function probability(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0 || n > 1)
    throw new InvalidArgumentError(`expected a number between 0 and 1, got "${value}"`);
  return n;
}

interface Flags {
  port: number;
  host: string;
  data?: string;
  token?: string;
  jobDuration: number;
  scenario?: string;
  seed?: string;
  maxUpload?: number;
  latency: number;
  errorRate: number;
  rateLimit: number;
  dropRate: number;
  publicUrl?: string;
}

/** `drgitops emulator`: a local DataRobot API server (DESIGN.md §10) until SIGINT/SIGTERM. */
export const register: RegisterCommand = (program, ctx, run) => {
  program
    .command("emulator")
    .description("Run a local DataRobot API emulator (models, versions, tests, builds, datasets)")
    .option("--port <n>", "port to listen on (0 = any free port)", integer(0), 8080)
    .option("--host <host>", "address to bind (use 0.0.0.0 to accept remote clients)", "127.0.0.1")
    .option("--data <dir>", "data directory (database and blobs)", undefined)
    .option("--token <token>", "API token clients must send (default: a random one, printed)")
    .option("--job-duration <ms>", "how long builds, tests and other jobs take", integer(0), 0)
    .option("--scenario <file>", "YAML file scripting outcomes per model or environment")
    .option("--seed <file>", "YAML file of credentials and environments created at start")
    .option("--max-upload <bytes>", "largest accepted request body (default 1 GiB)", integer(1))
    .option("--latency <ms>", "delay added to every API request", integer(0), 0)
    .option("--error-rate <p>", "share of API requests answered with 500/502/503", probability, 0)
    .option("--rate-limit <n>", "GET requests per second before 429 (0 = off)", integer(0), 0)
    .option("--drop-rate <p>", "share of API requests whose connection is reset", probability, 0)
    .option("--public-url <url>", "base URL clients reach the emulator at (for Location and next links)")
    .addHelpText(
      "after",
      "\nData defaults to .drgitops/emulator/ under the current directory. Admin routes (same token):\n" +
        "  GET/PUT /__emulator/faults, GET /__emulator/stats, POST /__emulator/stats/reset, POST /__emulator/reset\n",
    )
    .action((flags: Flags) =>
      run(async () => {
        const dataDir = resolve(ctx.cwd, flags.data ?? join(STATE_DIR, "emulator"));
        const options: EmulatorOptions = {
          port: flags.port,
          host: flags.host,
          dataDir,
          jobDurationMs: flags.jobDuration,
          faults: {
            latencyMs: flags.latency,
            errorRate: flags.errorRate,
            rateLimit: flags.rateLimit,
            dropRate: flags.dropRate,
          },
          ...(flags.token ? { token: flags.token } : {}),
          ...(flags.scenario ? { scenarioFile: resolve(ctx.cwd, flags.scenario) } : {}),
          ...(flags.seed ? { seedFile: resolve(ctx.cwd, flags.seed) } : {}),
          ...(flags.maxUpload ? { maxUploadBytes: flags.maxUpload } : {}),
          ...(flags.publicUrl ? { publicUrl: flags.publicUrl } : {}),
        };
        // Loaded lazily: fastify and SQLite would otherwise slow the start of every other command.
        const { startEmulator } = await import("../../emulator/index.js");
        // Under .drgitops/ (the default) the folder gets its .gitignore first.
        await makeStateDir(dataDir);
        const emulator = await startEmulator(options).catch((error: unknown) => {
          if ((error as NodeJS.ErrnoException).code === "EADDRINUSE")
            throw new UsageError(
              `Port ${flags.port} on ${flags.host} is already in use; choose another with --port (0 = any free port)`,
              { cause: error },
            );
          throw error;
        });
        ctx.stdout.write(`DataRobot API emulator listening on ${emulator.url}\n`);
        // A token the user chose is theirs already; only a generated one is shown, once.
        ctx.stdout.write(flags.token ? "Token: the one given with --token\n" : `Token: ${emulator.token}\n`);
        ctx.stdout.write(`Data: ${emulator.dataDir}\n`);
        ctx.stdout.write(
          `Try: DATAROBOT_ENDPOINT=${emulator.url} DATAROBOT_API_TOKEN=<token> drgitops plan <manifests>\n`,
        );
        await new Promise<void>((done) => {
          if (ctx.signal.aborted) done();
          else ctx.signal.addEventListener("abort", () => done(), { once: true });
        });
        ctx.stderr.write("Stopping the emulator...\n");
        await emulator.stop();
        return ExitCode.ok;
      }),
    );
};
