import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { createClient, type DataRobotClient } from "../../src/client/index.js";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import { EXAMPLES, emulatorEnv, exampleRepo } from "./harness.js";

/** A stream that claims to be a terminal, as process.stdin/stdout do in an interactive shell. */
function terminal(): PassThrough & { isTTY: boolean } {
  return Object.assign(new PassThrough(), { isTTY: true });
}

describe("apply asks before changing anything on a terminal", { timeout: 120_000 }, () => {
  let emu: RunningEmulator;
  let repo: Awaited<ReturnType<typeof exampleRepo>>;
  let client: DataRobotClient;

  async function applyAnswering(answer: string, ...flags: string[]): Promise<{ code: number; out: string }> {
    const stdin = terminal();
    const stdout = terminal();
    const chunks: Buffer[] = [];
    stdout.on("data", (c: Buffer) => {
      chunks.push(c);
      // Answer once the question is on screen, as a person would.
      if (c.toString().includes('Only "yes" proceeds')) stdin.write(`${answer}\n`);
    });
    const code = await main(["node", "drgitops", "apply", ...flags], {
      cwd: repo.dir,
      env: emulatorEnv(emu, repo.dir),
      stdin,
      stdout,
      stderr: new PassThrough(),
    });
    return { code, out: Buffer.concat(chunks).toString() };
  }
  async function modelCount(): Promise<number> {
    let n = 0;
    for await (const _ of client.customModels.listAll({})) n++;
    return n;
  }

  beforeAll(async () => {
    emu = await startEmulator({ seedFile: join(EXAMPLES, "emulator-seed.yaml"), quiet: true });
    client = createClient({ endpoint: emu.url, token: emu.token });
    repo = await exampleRepo();
  });
  afterAll(async () => {
    await emu.stop();
    await repo.cleanup();
  });

  it("anything but yes cancels with exit 1 and changes nothing", async () => {
    const { code, out } = await applyAnswering("y");
    expect(out).toMatch(/Apply \d+ actions\? Only "yes" proceeds/);
    expect(code).toBe(1);
    expect(await modelCount()).toBe(0);
  });

  it("yes applies the plan", async () => {
    const { code } = await applyAnswering("yes");
    expect(code).toBe(0);
    expect(await modelCount()).toBe(5);
  });
});
