import { isAbsolute, relative, sep } from "node:path";
import { z } from "zod";
import { isNormalPosixAbsolute } from "../spec/digest.js";
import type { Project } from "../spec/project.js";

/**
 * Desired and live state, one slot per resource kind (keyed by the kind's name; see `desiredOf` and
 * `liveOf` in src/kinds/kind.ts). Pure data: everything downstream of them (pair, diff, buildPlan)
 * is a function of the two.
 */

/** Where a desired object was declared (file relative to the project root), for messages. */
export const SourceLocationSchema = z.object({
  file: z.string(),
  line: z.number().int(),
  /** Positions of the fields a plan may refuse (`spec.environment` → its line and column). */
  fields: z.record(z.string(), z.object({ line: z.number().int(), column: z.number().int() })).optional(),
});
export type SourceLocation = z.infer<typeof SourceLocationSchema>;

/** `file:line:column` of a field of a desired object, else of its document: where a refusal points. */
export function sourceOf(d: { source: SourceLocation }, field?: string): string {
  const at = field === undefined ? undefined : d.source.fields?.[field];
  return at ? `${d.source.file}:${at.line}:${at.column}` : `${d.source.file}:${d.source.line}`;
}

/** What every desired object has, whatever its kind. */
export interface DesiredBase {
  /** `<namespace>/<metadata.name>`. */
  key: string;
  name: string;
  source: SourceLocation;
  labels: Readonly<Record<string, string>>;
}

export interface DesiredState {
  namespace: string;
  /** Kind name -> its desired objects, in manifest order. */
  resources: Readonly<Record<string, readonly DesiredBase[]>>;
}

export interface LiveState {
  namespace: string;
  /** Kind name -> that kind's live part (its own shape, see each kind's live.ts). */
  resources: Readonly<Record<string, unknown>>;
}

/** What turning a validated manifest into desired state may read: data only, no I/O. */
export interface DesiredInputs {
  project: Project;
  /** The live state as listed: credentials, environments and datasets that references resolve to. */
  live: LiveState;
  env: Readonly<Record<string, string | undefined>>;
  /** The key sensitive values are digested with (DRGITOPS_PLAN_KEY, else derived from the API token). */
  secretKey: string;
}

export function emptyDesiredState(namespace: string): DesiredState {
  return { namespace, resources: {} };
}

/**
 * The base of a desired object: its key, name, labels and where it was declared (root-relative).
 * Kinds add their fields with `Object.assign(desiredBase(...), {...})`, not `{...desiredBase(...),
 * ...}`: in Node 20's V8 every property written after a leading spread costs about a microsecond
 * (bench: 16 µs for one desired model, 0.4 µs with Object.assign; 15 ms of each watch cycle).
 */
export function desiredBase(
  loaded: {
    key: string;
    name: string;
    file: string;
    line: number;
    manifest: { metadata: { labels?: Record<string, string> | undefined } };
    locate(path: readonly (string | number)[]): { line: number; column: number };
  },
  root: string,
  /** Dotted field paths whose positions refusals may point at. */
  located: readonly string[] = [],
): DesiredBase {
  const source: SourceLocation = { file: relativePosix(root, loaded.file), line: loaded.line };
  if (located.length > 0) {
    // Positions are read only when a refusal points at one, and locating needs the YAML nodes: a
    // manifest from the parse cache would be parsed again for them (1,000 full parses in a cold plan,
    // 6,000 locates in every watch cycle). An enumerable getter, computed once, looks like data.
    let fields: SourceLocation["fields"];
    Object.defineProperty(source, "fields", {
      enumerable: true,
      configurable: true,
      get: () =>
        (fields ??= Object.fromEntries(located.map((path) => [path, loaded.locate(path.split("."))]))),
    });
  }
  return {
    key: loaded.key,
    name: loaded.name,
    source,
    labels: loaded.manifest.metadata.labels ?? {},
  };
}

/** `to` relative to `from`, with `/` separators; unchanged when it is not inside `from`. */
export function relativePosix(from: string, to: string): string {
  // Normal absolute POSIX paths: the part after `from/`, without path.relative's two resolves (once
  // per resource in every plan and watch cycle).
  if (isNormalPosixAbsolute(from) && isNormalPosixAbsolute(to)) {
    if (to === from) return to;
    const prefix = from === "/" ? "/" : `${from}/`;
    return to.startsWith(prefix) ? to.slice(prefix.length) : to;
  }
  const rel = relative(from, to);
  const outside = rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel);
  return outside ? to : rel.split(sep).join("/");
}
