import { describe, expect, it } from "vitest";
import { failureDetail } from "../../src/ci/failure-detail.js";

const TOKEN = "NjQ5ZTAxYmQ-secret-token";

describe("failureDetail", () => {
  it("keeps the last 20 lines by default and counts the rest", () => {
    const log = Array.from({ length: 50 }, (_, i) => `line ${i}`).join("\n") + "\n\n\n";
    const detail = failureDetail(log);
    expect(detail.lines).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 30}`));
    expect(detail.omitted).toBe(30);
  });

  it("keeps a short log whole", () => {
    expect(failureDetail("ERROR: no matching distribution\r\n")).toEqual({
      lines: ["ERROR: no matching distribution"],
      omitted: 0,
    });
    expect(failureDetail("")).toEqual({ lines: [], omitted: 0 });
  });

  it("redacts every secret, before lines are cut so no piece of one survives", () => {
    const log = [
      `Authorization: Bearer ${TOKEN}`,
      `${"x".repeat(195)}${TOKEN}`,
      `two secrets: ${TOKEN} and hunter2-password`,
    ].join("\n");
    const detail = failureDetail(log, { secrets: [TOKEN, "hunter2-password"] });
    expect(detail.lines[0]).toBe("Authorization: Bearer [REDACTED]");
    expect(detail.lines[1]).toBe(`${"x".repeat(195)}[RED…`);
    expect(detail.lines[2]).toBe("two secrets: [REDACTED] and [REDACTED]");
    for (const line of detail.lines)
      for (let n = 6; n <= TOKEN.length; n++) expect(line).not.toContain(TOKEN.slice(0, n));
  });

  it("finds a secret split by terminal colour codes", () => {
    const log = `token=\u001b[31m${TOKEN.slice(0, 10)}\u001b[0m${TOKEN.slice(10)}`;
    expect(failureDetail(log, { secrets: [TOKEN] }).lines).toEqual(["token=[REDACTED]"]);
  });

  it("cuts long lines to maxLineLength characters, without splitting a character", () => {
    const detail = failureDetail(`${"é".repeat(10)}😀😀😀`, { maxLineLength: 12 });
    expect(detail.lines).toEqual([`${"é".repeat(10)}😀…`]);
    expect(failureDetail("abcdef", { maxLineLength: 6 }).lines).toEqual(["abcdef"]);
  });

  it("honours maxLines, shows what a terminal shows of \\r progress lines and drops control characters", () => {
    const log = "Collecting torch\n  10%\r  50%\r 100%\nbell\u0007 done\nlast";
    expect(failureDetail(log, { maxLines: 3 })).toEqual({
      lines: [" 100%", "bell done", "last"],
      omitted: 1,
    });
    expect(failureDetail(log, { maxLines: 0 })).toEqual({ lines: [], omitted: 4 });
  });
});
