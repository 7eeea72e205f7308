import { readFile, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { Issue } from "./issue.js";
import { PROJECT_CONFIG_FILE, ProjectConfigSchema } from "./schema/project-config.js";
import type { ProjectConfig } from "./schema/project-config.js";
import { locate, parseYaml } from "./yaml-doc.js";
import type { YamlDoc } from "./yaml-doc.js";
import { parseWith } from "./zod-issues.js";

/** How the project root was found: a git repository above the working directory, or none (the directory itself). */
export type RootSource = "git" | "cwd";

/** The nearest folder upward holding `.git` (a folder, or a file for worktrees), else `cwd`, and which it was. */
export async function locateProjectRoot(cwd: string): Promise<{ root: string; source: RootSource }> {
  let dir = resolve(cwd);
  for (;;) {
    if (await exists(join(dir, ".git"))) return { root: dir, source: "git" };
    const parent = dirname(dir);
    if (parent === dir) return { root: resolve(cwd), source: "cwd" };
    dir = parent;
  }
}

/** The nearest folder upward holding `.git`, else `cwd`. */
export async function findProjectRoot(cwd: string): Promise<string> {
  return (await locateProjectRoot(cwd)).root;
}

/** The root in words, for messages about leaving it. */
export function describeRoot(root: string, source: RootSource): string {
  return source === "git"
    ? `${root}, the git repository holding the working directory`
    : `${root}, the working directory (no .git found above it)`;
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
  /** The text it was read from (absent with the file): a watch reloads only when this changes. */
  text?: string;
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
    return { config: {}, file, text, issues };
  }
  const parsed = parseWith(ProjectConfigSchema, doc.data);
  if (parsed.data !== undefined) return { config: parsed.data, file, text, doc, issues: [] };
  return {
    config: {},
    file,
    text,
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
