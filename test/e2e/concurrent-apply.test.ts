import { cp, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type DataRobotClient } from "../../src/client/index.js";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import {
  EXAMPLES,
  duplicateReport,
  duplicatesIn,
  emulatorEnv,
  exampleRepo,
  resetStats,
  runCli,
  stats,
  writeRequests,
} from "./harness.js";

/** Two applies of one namespace at the same time, from two checkouts (two CI jobs, say). */
describe("concurrent applies", { timeout: 240_000 }, () => {
  let emu: RunningEmulator;
  let client: DataRobotClient;
  let repo: Awaited<ReturnType<typeof exampleRepo>>;
  let other: string;

  beforeAll(async () => {
    emu = await startEmulator({
      seedFile: join(EXAMPLES, "emulator-seed.yaml"),
      jobDurationMs: 30,
      quiet: true,
    });
    client = createClient({ endpoint: emu.url, token: emu.token });
    repo = await exampleRepo();
    other = `${repo.dir}-second`;
    await cp(repo.dir, other, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await emu.stop();
    await repo.cleanup();
    await rm(other, { recursive: true, force: true });
  });

  it("end with no duplicate model, environment, dataset or fingerprint, and a third apply is a no-op", async () => {
    const [a, b] = await Promise.all([
      runCli(["apply"], { cwd: repo.dir, env: emulatorEnv(emu, repo.dir) }),
      runCli(["apply"], { cwd: other, env: emulatorEnv(emu, other) }),
    ]);
    expect([a.code, b.code], `${a.stderr}\n----\n${b.stderr}`).toEqual([0, 0]);
    // One of them waited for the other, then found nothing left to do.
    expect(`${a.stderr}${b.stderr}`).toContain("waiting for the apply lock of namespace drgitops-examples");
    expect(duplicatesIn(await duplicateReport(client))).toEqual([]);
    await resetStats(emu);
    const third = await runCli(["apply"], { cwd: repo.dir, env: emulatorEnv(emu, repo.dir) });
    expect(third.code).toBe(0);
    expect(third.stdout).toContain("No changes.");
    // Nothing to do writes nothing, not even the lock.
    expect(writeRequests(await stats(emu))).toEqual({});
  });
});
