import { createHash } from "node:crypto";
import { sep } from "node:path";
import type { Issue } from "../../spec/index.js";
import { documentText, fieldPathText, repoRelativePath } from "../issue-location.js";

/** The severities GitLab's code-quality widget knows. */
export type CodeClimateSeverity = "info" | "minor" | "major" | "critical" | "blocker";

/** One entry of a GitLab code-quality report (the Code Climate issue subset GitLab reads). */
export interface CodeClimateIssue {
  type: "issue";
  description: string;
  check_name: string;
  /** Stable across runs while the problem stays: GitLab pairs issues of two reports by it. */
  fingerprint: string;
  severity: CodeClimateSeverity;
  categories: string[];
  location: { path: string; lines: { begin: number } };
}

const SEVERITY: Record<Issue["severity"], CodeClimateSeverity> = { error: "major", warning: "minor" };

/**
 * Validation issues as a GitLab code-quality report (`artifacts: reports: codequality`), ready for
 * `JSON.stringify`. Paths are relative to `repoRoot` (the checkout root). The fingerprint hashes
 * the path, document, code, field path and message, so moving lines does not make an issue "new";
 * two issues that share all of those are told apart by their order.
 */
export function codeClimateReport(
  issues: readonly Issue[],
  options: { repoRoot: string },
): CodeClimateIssue[] {
  const seen = new Map<string, number>();
  return issues.map((issue) => {
    const path = repoRelativePath(issue.file, options.repoRoot) ?? issue.file.split(sep).join("/");
    const document = documentText(issue);
    const field = fieldPathText(issue.path);
    const identity = JSON.stringify([path, document ?? null, issue.code, issue.path, issue.message]);
    const occurrence = (seen.get(identity) ?? 0) + 1;
    seen.set(identity, occurrence);
    const fingerprint = createHash("sha256")
      .update(occurrence === 1 ? identity : `${identity}#${occurrence}`)
      .digest("hex");
    return {
      type: "issue",
      description: `${document === undefined ? "" : `${document} `}${field}: ${issue.message}`,
      check_name: issue.code,
      fingerprint,
      severity: SEVERITY[issue.severity],
      categories: ["Bug Risk"],
      location: { path, lines: { begin: issue.line } },
    };
  });
}
