import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { codeClimateReport } from "../../src/ci/gitlab/codeclimate.js";
import { loadProject, type Issue } from "../../src/spec/index.js";
import { anIssue, INVALID_FIXTURES as FIXTURES, REPO_ROOT } from "./issues.js";

/**
 * What GitLab reads from a code-quality report (docs.gitlab.com/ci/testing/code_quality, "Code
 * Quality report format"): a JSON array; per entry description, check_name, fingerprint, severity
 * (info | minor | major | critical | blocker), location.path (relative, no leading ./) and
 * location.lines.begin (or location.positions.begin.line).
 */
const GitLabCodeQualitySchema = z.array(
  z.object({
    description: z.string().min(1),
    check_name: z.string().min(1),
    fingerprint: z.string().min(1),
    severity: z.enum(["info", "minor", "major", "critical", "blocker"]),
    location: z.object({
      path: z
        .string()
        .min(1)
        .refine(
          (p) => !p.startsWith("./") && !p.startsWith("/") && !p.includes("\\"),
          "a relative POSIX path",
        ),
      lines: z.object({ begin: z.number().int().positive() }),
    }),
  }),
);

const issue = anIssue;

describe("codeClimateReport", () => {
  it("reports real invalid fixtures in the shape GitLab reads, one entry per issue", async () => {
    const dirs = ["unknown-field", "out-of-range", "dangling-ref", "metadata-invalid-default", "yaml-syntax"];
    const result = await loadProject({ paths: dirs.map((d) => join(FIXTURES, d)), cwd: REPO_ROOT });
    expect(result.issues.length).toBeGreaterThanOrEqual(dirs.length);
    const report = codeClimateReport(result.issues, { repoRoot: REPO_ROOT });
    // What `validate --format codeclimate` prints must survive a JSON round trip and GitLab's schema.
    const parsed = GitLabCodeQualitySchema.parse(JSON.parse(JSON.stringify(report)));
    expect(parsed).toHaveLength(result.issues.length);
    for (const [i, entry] of parsed.entries()) {
      const source = result.issues[i]!;
      expect(join(REPO_ROOT, entry.location.path)).toBe(source.file);
      expect(entry.location.lines.begin).toBe(source.line);
      expect(entry.check_name).toBe(source.code);
      expect(entry.severity).toBe("major");
      expect(entry.description).toContain(source.message);
    }
    expect(new Set(parsed.map((e) => e.fingerprint)).size).toBe(parsed.length);
    expect(parsed.find((e) => e.check_name === "unknown-field")).toMatchObject({
      location: { path: "test/fixtures/invalid/unknown-field/manifest.yaml", lines: { begin: 11 } },
      description:
        'CustomModel/fixture-model spec.runtimeParamters: unknown field "runtimeParamters" (did you mean "runtimeParameters"?)',
    });
  });

  it("maps warnings to minor and keeps the Code Climate type", () => {
    const [entry] = codeClimateReport([issue({ severity: "warning", code: "target-name-ignored" })], {
      repoRoot: REPO_ROOT,
    });
    expect(entry).toMatchObject({ type: "issue", severity: "minor", check_name: "target-name-ignored" });
  });

  it("writes an issue outside any document without a kind, and the root field path as -", () => {
    const [entry] = codeClimateReport(
      [issue({ kind: undefined, name: undefined, path: [], code: "yaml-syntax" })],
      {
        repoRoot: REPO_ROOT,
      },
    );
    expect(entry!.description).toBe('-: unknown field "runtimeParamters"');
  });

  it("keeps a fingerprint when only the line or column moves", () => {
    const [a] = codeClimateReport([issue()], { repoRoot: REPO_ROOT });
    const [b] = codeClimateReport([issue({ line: 40, column: 9 })], { repoRoot: REPO_ROOT });
    expect(b!.fingerprint).toBe(a!.fingerprint);
    expect(a!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each<[string, Partial<Issue>]>([
    ["path", { file: join(REPO_ROOT, "manifests/other.yaml") }],
    ["code", { code: "invalid-type" }],
    ["field path", { path: ["spec", "resources"] }],
    ["message", { message: "something else" }],
    ["document", { name: "churn" }],
  ])("changes the fingerprint when the %s changes", (_what, over) => {
    const [a] = codeClimateReport([issue()], { repoRoot: REPO_ROOT });
    const [b] = codeClimateReport([issue(over)], { repoRoot: REPO_ROOT });
    expect(b!.fingerprint).not.toBe(a!.fingerprint);
  });

  it("tells apart identical issues in one report (GitLab shows only one per fingerprint)", () => {
    const report = codeClimateReport([issue({ line: 3 }), issue({ line: 9 })], { repoRoot: REPO_ROOT });
    expect(report[0]!.fingerprint).not.toBe(report[1]!.fingerprint);
    expect(codeClimateReport([issue({ line: 3 }), issue({ line: 9 })], { repoRoot: REPO_ROOT })).toEqual(
      report,
    );
  });

  it("is an empty array for a valid project", () => {
    expect(codeClimateReport([], { repoRoot: REPO_ROOT })).toEqual([]);
  });
});
