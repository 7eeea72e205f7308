import { join, resolve } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  escapeData,
  escapeProperty,
  formatAnnotation,
  isGitHubActions,
  issueAnnotations,
} from "../../src/ci/github/workflow-commands.js";
import { loadProject, type Issue } from "../../src/spec/index.js";
import { anIssue, INVALID_FIXTURES as FIXTURES, REPO_ROOT } from "./issues.js";

/** The runner's decoding (actions/runner ActionCommand): each escape back to its character, `%` last. */
function unescape(text: string, property: boolean): string {
  const mappings: [string, string][] = [
    ["%0D", "\r"],
    ["%0A", "\n"],
    ...(property
      ? ([
          ["%3A", ":"],
          ["%2C", ","],
        ] as [string, string][])
      : []),
    ["%25", "%"],
  ];
  return mappings.reduce((acc, [escaped, raw]) => acc.replaceAll(escaped, raw), text);
}

/** Parses `::name k=v,k2=v2::message` the way the runner does: split on `,` then on the first `=`. */
function parseCommand(line: string): { name: string; properties: Record<string, string>; message: string } {
  const match = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/s.exec(line);
  if (match === null) throw new Error(`not a workflow command: ${line}`);
  const properties: Record<string, string> = {};
  for (const pair of (match[2] ?? "").split(",").filter((p) => p !== "")) {
    const at = pair.indexOf("=");
    properties[pair.slice(0, at)] = unescape(pair.slice(at + 1), true);
  }
  return { name: match[1]!, properties, message: unescape(match[3]!, false) };
}

describe("escaping", () => {
  it("escapes data and properties exactly as GitHub documents", () => {
    expect(escapeData("100% done\r\nnext: a,b")).toBe("100%25 done%0D%0Anext: a,b");
    expect(escapeProperty("100% done\r\nnext: a,b")).toBe("100%25 done%0D%0Anext%3A a%2Cb");
  });

  it.each([
    ["percent", "50% of %0A is not a newline"],
    ["comma and colon", "spec.a, spec.b: both set"],
    ["CR and LF", "line one\r\nline two\nline three\r"],
    ["already escaped", "%25%2C%3A%0D%0A"],
  ])("round-trips a message and a title with %s through the runner's decoding", (_name, text) => {
    const line = formatAnnotation({
      level: "error",
      file: "a,b:c.yaml",
      line: 1,
      title: text,
      message: text,
    });
    expect(line).not.toMatch(/[\r\n]/);
    const parsed = parseCommand(line);
    expect(parsed.message).toBe(text);
    expect(parsed.properties["title"]).toBe(text);
    expect(parsed.properties["file"]).toBe("a,b:c.yaml");
  });

  it("round-trips any text (property test)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (title, message) => {
        const parsed = parseCommand(formatAnnotation({ level: "warning", title, message }));
        expect(parsed).toEqual({ name: "warning", properties: { title }, message });
      }),
    );
  });
});

describe("formatAnnotation", () => {
  it("orders file, line, col, title and omits what is absent", () => {
    expect(formatAnnotation({ level: "notice", message: "hi" })).toBe("::notice::hi");
    expect(
      formatAnnotation({ level: "error", file: "m.yaml", line: 3, col: 5, title: "x", message: "m" }),
    ).toBe("::error file=m.yaml,line=3,col=5,title=x::m");
    expect(formatAnnotation({ level: "warning", line: 2, message: "m" })).toBe("::warning line=2::m");
  });
});

describe("issueAnnotations", () => {
  it("places an issue of a real invalid fixture at its file (from the repo root), line and column", async () => {
    const dir = join(FIXTURES, "unknown-field");
    const result = await loadProject({ paths: [dir], cwd: dir });
    expect(result.issues).toHaveLength(1);
    const issue = result.issues[0]!;
    const [line] = issueAnnotations(result.issues, { repoRoot: REPO_ROOT });
    expect(line).toBe(
      `::error file=test/fixtures/invalid/unknown-field/manifest.yaml,line=${issue.line},col=${issue.column},title=unknown-field::${escapeData(issue.message)}`,
    );
    const parsed = parseCommand(line!);
    expect(parsed.properties).toEqual({
      file: "test/fixtures/invalid/unknown-field/manifest.yaml",
      line: String(issue.line),
      col: String(issue.column),
      title: issue.code,
    });
    expect(parsed.message).toBe(issue.message);
  });

  it("gives every issue of several fixtures its own line, errors as ::error", async () => {
    const dirs = ["out-of-range", "dangling-ref", "metadata-invalid-default"].map((f) => join(FIXTURES, f));
    const result = await loadProject({ paths: dirs, cwd: REPO_ROOT });
    const lines = issueAnnotations(result.issues, { repoRoot: REPO_ROOT });
    expect(lines).toHaveLength(result.issues.length);
    expect(result.issues.length).toBeGreaterThanOrEqual(3);
    for (const [i, issue] of result.issues.entries()) {
      const parsed = parseCommand(lines[i]!);
      expect(parsed.name).toBe("error");
      expect(join(REPO_ROOT, parsed.properties["file"]!)).toBe(issue.file);
      expect(parsed.properties["file"]).not.toContain("\\");
      expect(Number(parsed.properties["line"])).toBe(issue.line);
      expect(Number(parsed.properties["col"])).toBe(issue.column);
    }
  });

  const issue = (over: Partial<Issue>): Issue =>
    anIssue({
      code: "target-name-ignored",
      severity: "warning",
      file: join(REPO_ROOT, "manifests/m.yaml"),
      line: 7,
      path: ["spec", "targetName"],
      message: "ignored for Anomaly models, 100%",
      ...over,
    });

  it("turns warnings into ::warning", () => {
    expect(issueAnnotations([issue({})], { repoRoot: REPO_ROOT })).toEqual([
      "::warning file=manifests/m.yaml,line=7,col=3,title=target-name-ignored::ignored for Anomaly models, 100%25",
    ]);
  });

  it("names a file outside the repository in the message instead of placing it", () => {
    const outside = resolve(REPO_ROOT, "../elsewhere/m.yaml");
    const [line] = issueAnnotations([issue({ file: outside, severity: "error", code: "x" })], {
      repoRoot: REPO_ROOT,
    });
    const parsed = parseCommand(line!);
    expect(parsed.properties).toEqual({ title: "x" });
    expect(parsed.message).toBe(`${outside}:7:3: ignored for Anomaly models, 100%`);
  });
});

describe("isGitHubActions", () => {
  it("is true only for GITHUB_ACTIONS=true", () => {
    expect(isGitHubActions({ GITHUB_ACTIONS: "true" })).toBe(true);
    expect(isGitHubActions({ GITHUB_ACTIONS: "false" })).toBe(false);
    expect(isGitHubActions({ CI: "true" })).toBe(false);
    expect(isGitHubActions({})).toBe(false);
  });
});
