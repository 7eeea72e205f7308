import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenOf } from "../cli/helpers/screen.js";
import { CLI, runCli, type CliResult } from "./harness.js";
import { timedWorld, type TimedWorld } from "./timed-world.js";

const IRIS = "examples/models/iris-classifier/custom.py";

/** util-linux `script` gives the CLI a pseudo-terminal without a native module (node-pty). */
function hasScript(): boolean {
  try {
    return execFileSync("script", ["--version"], { encoding: "utf8" }).includes("util-linux");
  } catch {
    return false;
  }
}

const execFileAsync = promisify(execFile);

/** Runs the built CLI on a 120x50 pseudo-terminal; resolves with everything it drew and its exit code. */
async function onTerminal(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CliResult> {
  const quoted = [process.execPath, CLI, ...args].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
  const command = `stty cols 120 rows 50; exec ${quoted}`;
  try {
    const { stdout, stderr } = await execFileAsync("script", ["-qfec", command, "/dev/null"], { cwd, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

describe("apply's live view", { timeout: 240_000 }, () => {
  let world: TimedWorld;

  beforeAll(async () => {
    if (!hasScript()) throw new Error("these tests need util-linux `script` for a pseudo-terminal");
    world = await timedWorld();
    // Builds and tests take a few seconds, so the clocks have time to move.
    await world.setJobDuration(3_000);
  }, 180_000);
  afterAll(async () => {
    await world.stop();
  });

  it("on a terminal: elapsed times and the overall line, redrawn in place, then the outcome table with durations", async () => {
    await appendFile(join(world.repo.dir, IRIS), "# live\n");
    const { NO_COLOR: _unset, ...env } = world.env({ TERM: "xterm-256color" });
    const r = await onTerminal(["apply", "--yes"], world.repo.dir, env);
    expect(r.code).toBe(0);
    const drawn = r.stdout;
    // eslint-disable-next-line no-control-regex -- colours off, to read the words
    const plain = drawn.replace(/\x1b\[[0-9;]*m/g, "");
    // The running actions with their clocks and plain words, and the overall line.
    expect(plain).toMatch(/\d+\.\ds {2}drgitops-examples\/iris-classifier: building dependencies/);
    expect(plain).toMatch(/\d+\.\ds {2}drgitops-examples\/iris-classifier: testing/);
    expect(plain).toMatch(/\d+\/3 actions, 0 failed, \d+\.\ds/);
    // Clocks moved between events: the same running line drawn with two different times.
    const times = [...plain.matchAll(/(\d+\.\d)s {2}drgitops-examples\/iris-classifier: testing/g)].map(
      (m) => m[1],
    );
    expect(new Set(times).size).toBeGreaterThan(1);
    // Redrawn in place, with the cursor hidden meanwhile and shown again at the end.
    // eslint-disable-next-line no-control-regex -- the cursor-up and clear-to-end sequences
    expect(drawn).toMatch(/\x1b\[\d+F\x1b\[0J/);
    expect(drawn).toContain("\x1b[?25l");
    expect(drawn.lastIndexOf("\x1b[?25h")).toBeGreaterThan(drawn.lastIndexOf("\x1b[?25l"));

    // What stays on the screen: the finished lines and the outcome table, no live area.
    const screen = screenOf(drawn);
    expect(screen.some((l) => /actions, \d+ failed/.test(l))).toBe(false);
    expect(screen).toContainEqual(
      expect.stringMatching(
        /^done {5}runTest drgitops-examples\/iris-classifier: test succeeded \[\d+\.\ds\]$/,
      ),
    );
    expect(screen).toContainEqual(expect.stringMatching(/^RESOURCE\s+OUTCOME\s+DURATION\s+DETAIL$/));
    expect(screen).toContainEqual(
      expect.stringMatching(
        /^drgitops-examples\/iris-classifier\s+succeeded\s+\d+\.\ds\s+createVersion; buildDependencies; runTest$/,
      ),
    );
    expect(screen).toContainEqual(expect.stringMatching(/^drgitops-examples\/churn-classifier\s+unchanged$/));
    expect(screen.at(-1)).toMatch(
      /^Resources: 1 succeeded, 0 failed, 0 skipped, 16 unchanged; total time \d+\.\ds\.$/,
    );
  });

  it("without a terminal: plain lines, every done and FAILED line with its duration", async () => {
    await appendFile(join(world.repo.dir, IRIS), "# piped\n");
    const r = await runCli(["apply", "--yes"], { cwd: world.repo.dir, env: world.env() });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("\x1b[");
    const finished = r.stdout.split("\n").filter((l) => /^(done|FAILED) /.test(l));
    expect(finished).toHaveLength(3);
    for (const line of finished) expect(line).toMatch(/ \[(\d+\.\ds|\d+s|\d+m\d{2}s)\]$/);
    expect(r.stdout).toMatch(/total time \d/);
  });

  it("TERM=dumb on a terminal gets the plain lines too (narrow terminals and NO_COLOR: the view's unit tests)", async () => {
    await appendFile(join(world.repo.dir, IRIS), "# dumb\n");
    const { NO_COLOR: _unset, ...env } = world.env({ TERM: "dumb" });
    const r = await onTerminal(["apply", "--yes"], world.repo.dir, env);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("\x1b[?25l");
    expect(r.stdout).toMatch(/^start {4}createVersion drgitops-examples\/iris-classifier\r?$/m);
    expect(r.stdout).toMatch(
      /^done {5}buildDependencies drgitops-examples\/iris-classifier: dependencies built \[\d+\.\ds\]\r?$/m,
    );
  });
});
