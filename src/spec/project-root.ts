import { readFile, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { Issue } from "./issue.js";
import { PROJECT_CONFIG_FILE, ProjectConfigSchema } from "./schema/project-config.js";
import type { ProjectConfig } from "./schema/project-config.js";
import { locate, parseYaml } from "./yaml-doc.js";
import type { YamlDoc } from "./yaml-doc.js";
import { parseWith } from "./zod-issues.js";

/** The nearest folder upward holding `.git` (a folder, or a file for worktrees), else `cwd`. */
export async function findProjectRoot(cwd: string): Promise<string> {
  let dir = resolve(cwd);
  for (;;) {
    if (await exists(join(dir, ".git"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(cwd);
    dir = parent;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export interface LoadedConfig {
  config: ProjectConfig;
  file?: string;
  doc?: YamlDoc;
  issues: Issue[];
}

/** Reads `<root>/drgitops.yaml` when present; a broken file is reported, and its defaults not used. */
export async function loadProjectConfig(root: string): Promise<LoadedConfig> {
  const file = join(root, PROJECT_CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return { config: {}, issues: [] };
  }
  const { docs, issues } = parseYaml(file, text);
  const doc = docs[0];
  if (issues.length > 0 || doc === undefined || doc.data === undefined || doc.data === null) {
    return { config: {}, file, issues };
  }
  const parsed = parseWith(ProjectConfigSchema, doc.data);
  if (parsed.data !== undefined) return { config: parsed.data, file, doc, issues: [] };
  return {
    config: {},
    file,
    issues: parsed.issues.map((p) => {
      const pos = locate(doc, p.path, p.atKey);
      return {
        code: p.code,
        severity: p.severity ?? "error",
        file,
        line: pos.line,
        column: pos.column,
        path: p.path,
        message: p.message,
      };
    }),
  };
}
