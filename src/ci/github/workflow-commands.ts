/**
 * GitHub Actions workflow commands (`::error file=…::message`), escaped exactly as the runner and
 * @actions/core do, so a message holding `%`, `:`, `,` or newlines arrives intact.
 */
import type { Issue } from "../../spec/index.js";
import { repoRelativePath } from "../issue-location.js";
import type { CiEnv } from "../env.js";

export type AnnotationLevel = "error" | "warning" | "notice";

export interface Annotation {
  level: AnnotationLevel;
  /** Path from the repository root, POSIX separators; GitHub places the annotation on that file. */
  file?: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  col?: number;
  /** Shown as the annotation's heading (drgitops uses the issue code). */
  title?: string;
  message: string;
}

/** True when running as a GitHub Actions step (the runner sets `GITHUB_ACTIONS=true`). */
export function isGitHubActions(env: CiEnv): boolean {
  return env["GITHUB_ACTIONS"] === "true";
}

/** Escapes a command's message: `%`, CR and LF (the runner decodes them back). */
export function escapeData(text: string): string {
  return text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

/** Escapes a property value: as data, plus `:` and `,`, which delimit the properties. */
export function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
}

/** `::error file=a.yaml,line=3,col=5,title=unknown-field::message` (properties omitted when absent). */
export function formatAnnotation(annotation: Annotation): string {
  const properties: [string, string | number | undefined][] = [
    ["file", annotation.file],
    ["line", annotation.line],
    ["col", annotation.col],
    ["title", annotation.title],
  ];
  const props = properties
    .filter((p): p is [string, string | number] => p[1] !== undefined)
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(",");
  return `::${annotation.level}${props === "" ? "" : ` ${props}`}::${escapeData(annotation.message)}`;
}

/**
 * One workflow-command line per validation issue (errors as `::error`, warnings as `::warning`),
 * placed at the issue's file, line and column. `repoRoot` is the checkout's root (the project root
 * drgitops found, which is the git root in CI); a file outside it is named in the message instead.
 */
export function issueAnnotations(issues: readonly Issue[], options: { repoRoot: string }): string[] {
  return issues.map((issue) => {
    const file = repoRelativePath(issue.file, options.repoRoot);
    const annotation: Annotation =
      file === undefined
        ? {
            level: issue.severity,
            title: issue.code,
            message: `${issue.file}:${issue.line}:${issue.column}: ${issue.message}`,
          }
        : {
            level: issue.severity,
            file,
            line: issue.line,
            col: issue.column,
            title: issue.code,
            message: issue.message,
          };
    return formatAnnotation(annotation);
  });
}
