import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CiError } from "../../src/ci/errors.js";
import { formatOutput, setOutputs } from "../../src/ci/github/outputs.js";
import { appendStepSummary, STEP_SUMMARY_LIMIT_BYTES } from "../../src/ci/github/step-summary.js";
import { parseOutputFile } from "./runner.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "drgitops-ci-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("appendStepSummary", () => {
  it("appends to what is already there, never truncating", async () => {
    const file = join(dir, "summary.md");
    await writeFile(file, "# Earlier step\n");
    expect(await appendStepSummary("### drgitops plan\n\nNo changes.", { GITHUB_STEP_SUMMARY: file })).toBe(
      true,
    );
    expect(await appendStepSummary("second\n", { GITHUB_STEP_SUMMARY: file })).toBe(true);
    expect(await readFile(file, "utf8")).toBe("# Earlier step\n### drgitops plan\n\nNo changes.\nsecond\n");
  });

  it("creates the file when the runner has not yet", async () => {
    const file = join(dir, "new.md");
    await appendStepSummary("x\n", { GITHUB_STEP_SUMMARY: file });
    expect(await readFile(file, "utf8")).toBe("x\n");
  });

  it("is a no-op returning false without GITHUB_STEP_SUMMARY", async () => {
    expect(await appendStepSummary("x", {})).toBe(false);
    expect(await appendStepSummary("x", { GITHUB_STEP_SUMMARY: "" })).toBe(false);
  });

  it("reports an unwritable file clearly", async () => {
    const file = join(dir, "missing-dir", "summary.md");
    const error = await appendStepSummary("x", { GITHUB_STEP_SUMMARY: file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CiError);
    expect(error).toMatchObject({ code: "ci-io" });
    expect((error as Error).message).toBe(
      `cannot append to the job summary file ${file} (GITHUB_STEP_SUMMARY): ENOENT`,
    );
    await mkdir(join(dir, "a-dir"));
    await expect(appendStepSummary("x", { GITHUB_STEP_SUMMARY: join(dir, "a-dir") })).rejects.toThrow(
      /GITHUB_STEP_SUMMARY\): EISDIR/,
    );
  });

  it("cuts what would push the step's summary over 1 MiB, keeping what was there", async () => {
    const file = join(dir, "summary.md");
    await writeFile(file, "x".repeat(1000) + "\n");
    const line = "| `drgitops-examples/model` | create | é |\n";
    await appendStepSummary(line.repeat(40_000), { GITHUB_STEP_SUMMARY: file });
    const text = await readFile(file, "utf8");
    expect((await stat(file)).size).toBeLessThanOrEqual(STEP_SUMMARY_LIMIT_BYTES);
    expect((await stat(file)).size).toBeGreaterThan(STEP_SUMMARY_LIMIT_BYTES - 1000);
    expect(text.startsWith("x".repeat(1000) + "\n" + line)).toBe(true);
    expect(text).toMatch(/limited to 1 MiB/);
  });
});

describe("formatOutput", () => {
  it("writes GitHub's multiline syntax with a random delimiter", () => {
    const text = formatOutput("plan-file", "line 1\nline 2", () => "abc");
    expect(text).toBe("plan-file<<ghadelimiter_abc\nline 1\nline 2\nghadelimiter_abc\n");
  });

  it("draws a new delimiter while the value contains it", () => {
    const ids = ["one", "two", "three"];
    const value = "ghadelimiter_one\nghadelimiter_two";
    const text = formatOutput("x", value, () => ids.shift()!);
    expect(text).toBe(`x<<ghadelimiter_three\n${value}\nghadelimiter_three\n`);
    expect(parseOutputFile(text)).toEqual({ x: value });
  });

  it("uses a different delimiter each time", () => {
    const a = formatOutput("x", "v").split("\n")[0];
    const b = formatOutput("x", "v").split("\n")[0];
    expect(a).toMatch(/^x<<ghadelimiter_[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
  });

  it.each(["", "has space", "a\nb", "x<<y", "1st", "a=b"])("refuses the output name %j", (name) => {
    expect(() => formatOutput(name, "v")).toThrow(CiError);
  });
});

describe("setOutputs", () => {
  it("appends every output so the runner reads the values back exactly", async () => {
    const file = join(dir, "output");
    await writeFile(file, "earlier=1\n");
    const outputs = {
      exitcode: "2",
      "has-changes": "true",
      tricky: "a=b\nEOF\nname<<x\n\n  trailing spaces  ",
      empty: "",
    };
    expect(await setOutputs(outputs, { GITHUB_OUTPUT: file })).toBe(true);
    expect(parseOutputFile(await readFile(file, "utf8"))).toEqual({ earlier: "1", ...outputs });
  });

  it("is a no-op returning false without GITHUB_OUTPUT, and an error when the file cannot be written", async () => {
    expect(await setOutputs({ a: "1" }, {})).toBe(false);
    await expect(setOutputs({ a: "1" }, { GITHUB_OUTPUT: join(dir, "no", "such") })).rejects.toThrow(
      /GITHUB_OUTPUT\): ENOENT/,
    );
  });
});
