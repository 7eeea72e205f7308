/** Turning pending issues (a document and a field path) into located ones, and ordering them. */
import type { Issue, PendingIssue } from "./issue.js";
import { locate, quoteCut } from "./yaml-doc.js";
import type { YamlDoc } from "./yaml-doc.js";

/** An fs failure while loading, as a finding: one unreadable file must not hide the others' issues. */
export function ioIssue(file: string, error: unknown): Issue {
  const reason = error instanceof Error ? error.message : String(error);
  return {
    code: "io-error",
    severity: "error",
    file,
    line: 1,
    column: 1,
    path: [],
    message: `could not read what this manifest needs: ${reason}; check the file permissions`,
  };
}

/** kind and metadata.name of a document, as far as they can be read before any schema check. */
export function identify(data: unknown): { kind?: string; name?: string } {
  const record = (typeof data === "object" && data !== null ? data : {}) as Record<string, unknown>;
  const metadata = record["metadata"] as Record<string, unknown> | undefined;
  const kind = record["kind"];
  const name = typeof metadata === "object" && metadata !== null ? metadata["name"] : undefined;
  return { ...(typeof kind === "string" ? { kind } : {}), ...(typeof name === "string" ? { name } : {}) };
}

/**
 * Places a pending issue at its node. A CustomModel field that the manifest does not contain but
 * drgitops.yaml `defaults` does came from the defaults, so the issue points there.
 */
export function placer(configDoc: YamlDoc | undefined) {
  return (p: PendingIssue, doc: YamlDoc, ident: { kind?: string; name?: string }): Issue => {
    let target = doc;
    let pos = locate(doc, p.path, p.atKey);
    if (!pos.exact && configDoc && ident.kind === "CustomModel" && p.path[0] === "spec") {
      const inDefaults = locate(configDoc, ["defaults", ...p.path.slice(1)], p.atKey);
      if (inDefaults.exact) {
        target = configDoc;
        pos = inDefaults;
      }
    }
    return {
      code: p.code,
      severity: p.severity ?? "error",
      file: target.file,
      line: pos.line,
      column: pos.column,
      ...(ident.kind !== undefined ? { kind: ident.kind } : {}),
      ...(ident.name !== undefined ? { name: ident.name } : {}),
      path: p.path,
      message: p.message,
    };
  };
}

export function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    // A bad default in drgitops.yaml is found once per model; say it once.
    const id = `${i.file}:${i.line}:${i.column}:${i.code}:${i.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** Issues shown per file: past that, one line says how many more there are. */
export const MAX_ISSUES_PER_FILE = 25;

/**
 * At most MAX_ISSUES_PER_FILE issues per file (in order), then one `too-many-issues` issue counting the
 * rest: a binary or generated file must not bury everything else. Messages are cut to a readable size.
 */
export function capPerFile(issues: readonly Issue[]): Issue[] {
  const shown = new Map<string, number>();
  const hidden = new Map<string, { count: number; errors: number; at: Issue }>();
  const out: Issue[] = [];
  for (const issue of issues) {
    const n = shown.get(issue.file) ?? 0;
    if (n < MAX_ISSUES_PER_FILE) {
      shown.set(issue.file, n + 1);
      out.push({ ...issue, message: quoteCut(issue.message, 500) });
      continue;
    }
    const h = hidden.get(issue.file) ?? { count: 0, errors: 0, at: issue };
    h.count += 1;
    if (issue.severity === "error") h.errors += 1;
    hidden.set(issue.file, h);
  }
  for (const [file, h] of hidden)
    out.push({
      code: "too-many-issues",
      severity: h.errors > 0 ? "error" : "warning",
      file,
      line: h.at.line,
      column: h.at.column,
      path: [],
      message: `${h.count} more issue${h.count === 1 ? "" : "s"} in this file not shown (the first ${MAX_ISSUES_PER_FILE} are above)`,
    });
  return out.sort(byLocation);
}

/** File, then line, then column: the order a reader fixes things in. */
export function byLocation(a: Issue, b: Issue): number {
  return a.file !== b.file ? (a.file < b.file ? -1 : 1) : a.line - b.line || a.column - b.column;
}
