import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Issue } from "./issue.js";

/** Folders never searched for manifests: tool state and dependencies hold YAML that is not ours. */
const SKIPPED_DIRS = new Set([".git", "node_modules", ".drgitops"]);
const YAML_FILE = /\.ya?ml$/i;

/**
 * The YAML files named by `paths` (files as given, folders searched recursively), absolute, sorted,
 * without duplicates. A path that does not exist is an error issue.
 */
export async function discoverManifestFiles(
  paths: readonly string[],
  cwd: string,
  options: { skip?: ReadonlySet<string> } = {},
): Promise<{ files: string[]; issues: Issue[] }> {
  const found = new Set<string>();
  const issues: Issue[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    const s = await stat(abs).catch(() => undefined);
    if (s === undefined) {
      issues.push({
        code: "path-not-found",
        severity: "error",
        file: abs,
        line: 1,
        column: 1,
        path: [],
        message: `${p} does not exist; give manifest files or folders`,
      });
    } else if (s.isDirectory()) {
      await walk(abs, found, options.skip);
    } else {
      found.add(abs);
    }
  }
  return { files: [...found].sort(), issues };
}

async function walk(dir: string, found: Set<string>, skip?: ReadonlySet<string>): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const abs = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) await walk(abs, found, skip);
    } else if ((entry.isFile() || entry.isSymbolicLink()) && YAML_FILE.test(entry.name) && !skip?.has(abs)) {
      found.add(abs);
    }
  }
}
