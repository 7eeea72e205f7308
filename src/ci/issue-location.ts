import { isAbsolute, relative, sep } from "node:path";
import type { Issue } from "../spec/index.js";

/**
 * The file of an issue as CI systems want it: relative to the repository root, with `/` separators.
 * `undefined` when the file lies outside the root (a CI system could not place it in the checkout).
 */
export function repoRelativePath(file: string, repoRoot: string): string | undefined {
  const rel = relative(repoRoot, file);
  if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return rel.split(sep).join("/");
}

/** `spec.test.checks[0]`: an issue's field path as a reader writes it; the document root is `-`. */
export function fieldPathText(path: Issue["path"]): string {
  const text = path
    .map((segment, i) => (typeof segment === "number" ? `[${segment}]` : i === 0 ? segment : `.${segment}`))
    .join("");
  return text === "" ? "-" : text;
}

/** `CustomModel/fraud-detector`, or undefined for an issue outside any document (YAML syntax). */
export function documentText(issue: Pick<Issue, "kind" | "name">): string | undefined {
  return issue.kind === undefined ? undefined : `${issue.kind}/${issue.name ?? "?"}`;
}
