import { basename, join } from "node:path";
import { contextDigest } from "../kinds/execution-environment/desired.js";
import { EXECUTION_ENVIRONMENT } from "../kinds/execution-environment/schema.js";
import { UsageError } from "../errors.js";
import { hashProject } from "../spec/hash-project.js";
import { CACHE_DIR, loadProject } from "../spec/index.js";
import type { Project } from "../spec/project.js";
import { findProjectRoot } from "../spec/project-root.js";
import { ResourceNameSchema } from "../spec/schema/common.js";
import type { Digest } from "../spec/digest.js";

/** What an import needs to know of the project it writes into (DESIGN.md §13). */
export interface ImportProject {
  project: Project;
  /** The folder manifests go under (`<dir>/manifests/`) and files under (`<dir>/models/`, `<dir>/envs/`). */
  dir: string;
  namespace: string;
  /** ExecutionEnvironment manifests, with the digest of their docker context: a model may `{ref}` them. */
  environments: { name: string; key: string; contextDigest: Digest }[];
  /** metadata.name -> file, per kind, of the manifests already there (a second one would be a duplicate key). */
  names: Map<string, Map<string, string>>;
}

/**
 * The project around `dir` (its git root, else `dir`), loaded the way `validate` loads it: the
 * namespace every command agrees on (`namespaceFor`: flag, drgitops.yaml, the git remote; else the
 * root folder's name), and the manifests already there. Only docker contexts are hashed.
 */
export async function importProject(dir: string, resolved: string | undefined): Promise<ImportProject> {
  const root = await findProjectRoot(dir);
  const namespace = resolved ?? basename(root);
  const loaded = await loadProject({ paths: [], cwd: root, namespace });
  const project = loaded.project;
  const envs = project.resources.filter((r) => r.kind === EXECUTION_ENVIRONMENT);
  await hashProject({ ...project, resources: envs }, join(root, CACHE_DIR));
  const environments = envs.flatMap((e) => {
    const files = e.paths["dockerContext"]?.files;
    return files ? [{ name: e.name, key: e.key, contextDigest: contextDigest(files) }] : [];
  });
  const names = new Map<string, Map<string, string>>();
  for (const r of project.resources) {
    const byKind = names.get(r.kind) ?? new Map<string, string>();
    byKind.set(r.name, r.file);
    names.set(r.kind, byKind);
  }
  return { project, dir, namespace, environments, names };
}

/** `--name` must be a metadata.name (DESIGN.md §3). */
export function checkName(name: string): string {
  const parsed = ResourceNameSchema.safeParse(name);
  if (!parsed.success)
    throw new UsageError(
      `--name "${name}" is not a valid metadata.name: 1-63 lowercase letters, digits and "-", starting with a letter or digit`,
    );
  return name;
}

/** A manifest of `kind` named `name` in another file than `file` would make a duplicate key. */
export function refuseDuplicateName(p: ImportProject, kind: string, name: string, file: string): void {
  const other = p.names.get(kind)?.get(name);
  if (other !== undefined && other !== file)
    throw new UsageError(
      `a ${kind} named "${name}" is already declared in ${other}; choose another --name (keys must be unique)`,
    );
}
