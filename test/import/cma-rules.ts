import { readdir, readFile, stat } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { parse } from "yaml";

/**
 * The file list custom-models-action uploads for a model, from its documented rules (README "Model
 * Definition" notes, model_controller.py `collect_datarobot_model_files`, model_file_path.py),
 * written for the tests apart from src/import/cma: every file of the repository is tested against
 * each pattern as a whole path, where the converter walks folders the way Python's glob does.
 *
 * - A pattern is relative to the model's root; `/` or `$ROOT/` at its start means the repository root.
 * - A trailing `/` means the folder, recursively (`**` is appended).
 * - `*`, `?`, `[...]`, `[!...]` match within one name; a `**` component matches any number of
 *   folders; a name starting with `.` matches only a pattern component starting with `.`.
 * - No include pattern means every file under the model's root; an exclude naming an existing
 *   folder excludes everything in it.
 * - The upload path is relative to the model's root, or to the repository root for a file outside it.
 */

export interface Upload {
  path: string;
  fromRoot: boolean;
}

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await allFiles(p)));
    else out.push(p);
  }
  return out;
}

function nameMatches(pattern: string, name: string): boolean {
  if (name.startsWith(".") && !pattern.startsWith(".")) return false;
  const re = pattern
    .replace(/[.+^${}()|\\]/g, "\\$&")
    .replace(/\[!/g, "[^")
    .replace(/\*+/g, "[^/]*")
    .replace(/\?/g, "[^/]");
  return new RegExp(`^${re}$`).test(name);
}

function segmentsMatch(pattern: string[], path: string[]): boolean {
  if (pattern.length === 0) return path.length === 0;
  const [head, ...rest] = pattern;
  if (head === "**") {
    for (let skip = 0; skip <= path.length; skip++) {
      if (path.slice(0, skip).some((n) => n.startsWith("."))) break;
      if (segmentsMatch(rest, path.slice(skip))) return true;
    }
    return false;
  }
  return path.length > 0 && nameMatches(head!, path[0]!) && segmentsMatch(rest, path.slice(1));
}

const posix = (p: string): string => p.split(sep).join("/");

function matcher(repoDir: string, modelDir: string, raw: string): (file: string) => boolean {
  const pattern = raw.endsWith("/") ? `${raw}**` : raw;
  const rooted = /^(\/|\$ROOT\/)/.exec(pattern);
  const base = rooted ? repoDir : modelDir;
  const parts = (rooted ? pattern.slice(rooted[0].length) : pattern)
    .split("/")
    .filter((p) => p !== "" && p !== ".");
  return (file) => {
    const rel = posix(relative(base, file));
    return !rel.startsWith("..") && segmentsMatch(parts, rel.split("/"));
  };
}

export async function cmaUploads(
  repoDir: string,
  modelDir: string,
  include: readonly string[],
  exclude: readonly string[],
): Promise<Upload[]> {
  const files = await allFiles(repoDir);
  const includes =
    include.length > 0
      ? include.map((p) => matcher(repoDir, modelDir, p))
      : [matcher(repoDir, modelDir, "**")];
  const excludes = await Promise.all(
    exclude.map(async (p) => {
      const rooted = /^(\/|\$ROOT\/)/.exec(p);
      const literal = join(rooted ? repoDir : modelDir, rooted ? p.slice(rooted[0].length) : p);
      const isFolder =
        !/[*?[]/.test(p) &&
        (await stat(literal).then(
          (s) => s.isDirectory(),
          () => false,
        ));
      return matcher(repoDir, modelDir, isFolder ? `${p.replace(/\/$/, "")}/**` : p);
    }),
  );
  return files
    .filter((f) => includes.some((m) => m(f)) && !excludes.some((m) => m(f)))
    .map((f) => {
      const inModel = posix(relative(modelDir, f));
      return inModel.startsWith("..")
        ? { path: posix(relative(repoDir, f)), fromRoot: true }
        : { path: inModel, fromRoot: false };
    })
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** One model of a CMA definition file, read with the yaml package (the fixtures use plain YAML). */
export interface FixtureModel {
  id: string;
  modelDir: string;
  definition: {
    user_provided_model_id: string;
    target_type: string;
    settings: Record<string, unknown>;
    version: {
      model_environment_id: string;
      model_environment_version_id?: string;
      include_glob_pattern?: string[];
      exclude_glob_pattern?: string[];
      memory?: string | number;
      replicas?: number;
      egress_network_policy?: string;
      training_dataset_id?: string;
      partitioning_column?: string;
      holdout_dataset_id?: string;
    };
    test?: {
      skip?: boolean;
      test_data_id?: string;
      memory?: string | number;
      checks?: Record<string, unknown>;
    };
    model_registry?: { model_name?: string; model_description?: string; global?: boolean };
  };
}

/** The models of the given CMA definition files (paths relative to the repository). */
export async function fixtureModels(repoDir: string, files: string[]): Promise<FixtureModel[]> {
  const out: FixtureModel[] = [];
  for (const file of files) {
    const data = parse(await readFile(join(repoDir, file), "utf8")) as
      | FixtureModel["definition"]
      | { datarobot_models: { model_path: string; model_metadata: FixtureModel["definition"] }[] };
    if ("datarobot_models" in data) {
      for (const entry of data.datarobot_models) {
        const rooted = /^(\/|\$ROOT\/)/.exec(entry.model_path);
        const modelDir = rooted
          ? join(repoDir, entry.model_path.slice(rooted[0].length))
          : join(repoDir, dirname(file), entry.model_path);
        out.push({
          id: entry.model_metadata.user_provided_model_id,
          modelDir,
          definition: entry.model_metadata,
        });
      }
    } else {
      out.push({ id: data.user_provided_model_id, modelDir: join(repoDir, dirname(file)), definition: data });
    }
  }
  return out;
}
