import { sep } from "node:path";

/**
 * `--changed-since` (DESIGN §12): which manifests a change touches. Pure: the loader gives each
 * document's manifest file, the local paths it names and the documents it references; the changed
 * files come from git. No file is read here, which is the point: what is out of scope is never
 * listed, read or hashed.
 */

/** One manifest document as the scope sees it. */
export interface ScopeDocument {
  /** Unique per document kind and key (`scopeId`). */
  id: string;
  key: string;
  /** Absolute path of the YAML file. */
  file: string;
  /** Absolute paths of the files and folders the manifest names (each kind's `localPaths`). */
  localPaths: readonly string[];
  /** Ids of the documents it references (`{ref: name}`): what it depends on. */
  references: readonly string[];
}

export interface ChangedScope {
  /** Ids of the documents loaded, hashed and planned. */
  inScope: ReadonlySet<string>;
  /** Keys whose manifest or files changed. */
  changed: string[];
  /** Keys brought in because they depend on a changed one (a model of a changed environment). */
  dependents: string[];
  /** Keys brought in because something in scope needs them (the environment of a changed model). */
  dependencies: string[];
  /** Keys left out: neither read nor planned. */
  unchanged: string[];
  /** Set when everything is in scope, saying why (drgitops.yaml changed). */
  everything?: string;
}

/** The id of a document of `kind` with `key`: keys are unique per kind only. */
export function scopeId(kind: string, key: string): string {
  return `${kind}\u0000${key}`;
}

/** True when `changed` is `path` or lies inside it. */
function touches(path: string, changed: string): boolean {
  return changed === path || changed.startsWith(path.endsWith(sep) ? path : `${path}${sep}`);
}

/**
 * The scope of a change: the documents whose manifest file or local paths hold a changed file,
 * everything that depends on them (transitively: a changed environment brings its models), and
 * everything those need (transitively: a changed model keeps its environment and datasets). A
 * changed drgitops.yaml (namespace, defaults, profiles) puts every document in scope.
 */
export function changedScope(
  documents: readonly ScopeDocument[],
  changedFiles: readonly string[],
  configFile: string | undefined,
): ChangedScope {
  const byId = new Map(documents.map((d) => [d.id, d]));
  const sorted = (ids: Iterable<string>): string[] =>
    [...new Set([...ids].map((id) => byId.get(id)?.key ?? id))].sort();
  if (configFile !== undefined && changedFiles.includes(configFile)) {
    return {
      inScope: new Set(byId.keys()),
      changed: sorted(byId.keys()),
      dependents: [],
      dependencies: [],
      unchanged: [],
      everything: "drgitops.yaml changed (it applies to every manifest)",
    };
  }
  const seeds = new Set(
    documents
      .filter((d) => changedFiles.some((f) => f === d.file || d.localPaths.some((p) => touches(p, f))))
      .map((d) => d.id),
  );
  const dependentsOf = new Map<string, string[]>();
  for (const d of documents)
    for (const r of d.references) dependentsOf.set(r, [...(dependentsOf.get(r) ?? []), d.id]);
  const closure = (start: Iterable<string>, next: (id: string) => readonly string[]): Set<string> => {
    const seen = new Set<string>();
    const stack = [...start];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id) || !byId.has(id)) continue;
      seen.add(id);
      stack.push(...next(id));
    }
    return seen;
  };
  const withDependents = closure(seeds, (id) => dependentsOf.get(id) ?? []);
  const inScope = closure(withDependents, (id) => byId.get(id)?.references ?? []);
  return {
    inScope,
    changed: sorted(seeds),
    dependents: sorted([...withDependents].filter((id) => !seeds.has(id))),
    dependencies: sorted([...inScope].filter((id) => !withDependents.has(id))),
    unchanged: sorted([...byId.keys()].filter((id) => !inScope.has(id))),
  };
}
