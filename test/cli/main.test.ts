import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { main, exitCodeForError } from "../../src/cli/main.js";
import { DrgitopsError } from "../../src/errors.js";

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

describe("cli main", () => {
  it("prints help and exits 0", async () => {
    const out = capture();
    const code = await main(["node", "drgitops", "--help"], { stdout: out.stream });
    expect(code).toBe(0);
    expect(out.text()).toContain("Usage: drgitops");
  });

  it("exits 1 on an unknown command", async () => {
    const err = capture();
    const code = await main(["node", "drgitops", "frobnicate"], { stderr: err.stream });
    expect(code).toBe(1);
    expect(err.text()).toMatch(/unknown command|too many arguments/);
  });

  it("maps a DrgitopsError to its exit code and anything else to 1", () => {
    expect(exitCodeForError(new DrgitopsError("stale", "stale plan", { exitCode: 5 }))).toBe(5);
    expect(exitCodeForError(new Error("boom"))).toBe(1);
  });
});
