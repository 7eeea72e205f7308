import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { ExitCode } from "../../src/cli/exit-codes.js";

async function help(command: string): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  expect(await main(["node", "drgitops", command, "--help"], { stdout: out })).toBe(0);
  return Buffer.concat(chunks).toString("utf8");
}

describe("operator commands' help", () => {
  it.each([
    ["status", ["--format <format>", "--namespace", "--endpoint", "--token", "Exit codes: 0"]],
    [
      "logs",
      [
        "--test",
        "--build",
        "--environment",
        "--follow",
        "[REDACTED]",
        "8 there is no such log",
        "7 the test failed",
      ],
    ],
    ["cancel", ["--test", "--build", "--namespace", "8 nothing was running"]],
  ])("%s --help names its flags and exit codes", async (command, wanted) => {
    const text = await help(command);
    for (const w of wanted) expect(text).toContain(w);
  });

  it("exit code 8 is the one for nothing to show or cancel", () => {
    expect(ExitCode.nothingToShowOrCancel).toBe(8);
    expect(new Set(Object.values(ExitCode)).size).toBe(Object.values(ExitCode).length);
  });
});
