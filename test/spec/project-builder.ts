import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** A throwaway git-rooted project (a `.git` folder is all root detection needs). */
export async function makeProject(
  files: Record<string, string>,
): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), "drgitops-spec-"));
  await mkdir(join(root, ".git"));
  await writeFiles(root, files);
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

/** A valid Regression model manifest; `extra` lines are appended under spec. */
export function modelYaml(name: string, extra = "", source = "./model"): string {
  return [
    "apiVersion: drgitops/v1",
    "kind: CustomModel",
    "metadata:",
    `  name: ${name}`,
    "spec:",
    "  targetType: Regression",
    "  targetName: y",
    "  environment: {id: env-1}",
    `  source: {path: ${source}}`,
    "  test: {dataset: {id: ds-1}}",
    extra,
  ]
    .filter((l) => l !== "")
    .join("\n")
    .concat("\n");
}

export const MODEL_FILES = {
  "model/custom.py": "def score(data, model, **kwargs):\n    return data\n",
  "model/requirements.txt": "pandas\n",
};
