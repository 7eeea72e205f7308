import { createHash } from "node:crypto";
import { readFile, symlink } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadProject } from "../../src/spec/index.js";
import { makeProject, MODEL_FILES, modelYaml } from "./project-builder.js";
import { datasets, environments, models } from "./loaded.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
async function project(files: Record<string, string>): Promise<string> {
  const p = await makeProject(files);
  cleanups.push(p.cleanup);
  return p.root;
}

describe("loadProject", () => {
  it("loads every document of a multi-document file and keys models by namespace", async () => {
    const root = await project({
      ...MODEL_FILES,
      "manifests/all.yaml": `${modelYaml("alpha", "", "../model")}---\n${modelYaml("beta", "", "../model")}---\n# only a comment\n`,
    });
    const result = await loadProject({ paths: ["manifests"], cwd: root, namespace: "acme/models" });
    expect(result.issues).toEqual([]);
    expect(result.ok).toBe(true);
    expect(models(result.project).map((m) => [m.key, m.line, m.documentIndex])).toEqual([
      ["acme/models/alpha", 1, 0],
      ["acme/models/beta", 1 + modelYaml("alpha").split("\n").length, 1],
    ]);
    expect(models(result.project)[0]?.paths["source"]?.abs).toBe(join(root, "model"));
    expect(models(result.project)[0]?.paths["source"]?.listing?.map((f) => f.path)).toContain(
      "requirements.txt",
    );
  });

  it("lets later layers locate any field of a loaded manifest (plan-time issues point at the value)", async () => {
    const root = await project({
      ...MODEL_FILES,
      "manifests/all.yaml": `${modelYaml("alpha", "", "../model")}---\n${modelYaml("beta", "", "../model")}`,
    });
    const result = await loadProject({ paths: ["manifests"], cwd: root });
    const beta = models(result.project)[1]!;
    const lines = modelYaml("beta", "", "../model").split("\n");
    const targetLine = lines.findIndex((l) => l.includes("targetType:"));
    expect(beta.locate(["spec", "targetType"])).toEqual({
      line: beta.line + targetLine,
      column: lines[targetLine]!.indexOf(":") + 3,
    });
    // An absent field resolves to its deepest existing parent, never to nothing.
    expect(beta.locate(["spec", "nope", "deeper"]).line).toBeGreaterThanOrEqual(beta.line);
  });

  it("skips documents of other tools with a note, not an error", async () => {
    const root = await project({
      ...MODEL_FILES,
      "manifests/mixed.yaml": `apiVersion: apps/v1\nkind: Deployment\n---\n${modelYaml("alpha", "", "../model")}---\nplain: data\n`,
    });
    const result = await loadProject({ paths: ["manifests"], cwd: root });
    expect(result.ok).toBe(true);
    expect(models(result.project)).toHaveLength(1);
    expect(result.notes.map((n) => [n.code, n.line, n.message])).toEqual([
      ["skipped-document", 1, expect.stringContaining('apiVersion "apps/v1"')],
      ["skipped-document", 15, expect.stringContaining("no apiVersion")],
    ]);
  });

  it("reports a YAML syntax error at its position and still loads the other documents", async () => {
    const root = await project({
      ...MODEL_FILES,
      "m.yaml": `${modelYaml("alpha")}---\nkind: [unclosed\n`,
    });
    const result = await loadProject({ paths: ["m.yaml"], cwd: root });
    expect(result.ok).toBe(false);
    expect(models(result.project).map((m) => m.name)).toEqual(["alpha"]);
    expect(result.issues).toMatchObject([{ code: "yaml-syntax", file: join(root, "m.yaml"), line: 13 }]);
  });

  it("reports an alias bomb as a finding instead of expanding it", async () => {
    const root = await project({
      "bomb.yaml": [
        "a: &a [x, x, x, x, x, x, x, x, x, x]",
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
        "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
        "",
      ].join("\n"),
    });
    const result = await loadProject({ paths: ["bomb.yaml"], cwd: root });
    expect(result.issues).toMatchObject([{ code: "yaml-syntax", line: 1, column: 1 }]);
    expect(result.issues[0]?.message).toMatch(/alias/i);
  });

  it("expands YAML merge keys and aliases like other tools do", async () => {
    const yaml = modelYaml("alpha", "  trainingData: {dataset: *ds}")
      .replace("  targetType: Regression\n", "  <<: {targetType: Regression}\n")
      .replace("test: {dataset: {id: ds-1}}", "test: {dataset: &ds {id: ds-1}}");
    const root = await project({ ...MODEL_FILES, "m.yaml": yaml });
    const result = await loadProject({ paths: ["m.yaml"], cwd: root });
    expect(result.issues).toEqual([]);
    expect(models(result.project)[0]?.manifest.spec.targetType).toBe("Regression");
    expect(models(result.project)[0]?.manifest.spec.trainingData).toEqual({ dataset: { id: "ds-1" } });
  });

  it("reports every problem of every file in one run", async () => {
    const root = await project({
      ...MODEL_FILES,
      "a.yaml": modelYaml("alpha", "  resources: {memory: lots, replicas: 0}"),
      "b.yaml": modelYaml("Beta"),
      "c.yaml": modelYaml("gamma", "  predictionThreshold: 0.5", "./nowhere"),
    });
    const result = await loadProject({ paths: ["."], cwd: root });
    expect(result.issues.map((i) => [basename(i.file), i.code])).toEqual([
      ["a.yaml", "invalid-memory"],
      ["a.yaml", "out-of-range"],
      ["b.yaml", "invalid-format"],
      ["c.yaml", "source-missing"],
      ["c.yaml", "threshold-not-allowed"],
    ]);
  });

  it("reports a manifest it cannot read (a dangling symlink) instead of crashing", async () => {
    const root = await project({ ...MODEL_FILES, "ok.yaml": modelYaml("alpha") });
    await symlink(join(root, "gone.yaml"), join(root, "broken.yaml"));
    const result = await loadProject({ paths: ["."], cwd: root });
    expect(result.issues).toMatchObject([{ code: "io-error", file: join(root, "broken.yaml") }]);
    expect(result.issues[0]?.message).toContain("ENOENT");
    expect(models(result.project).map((m) => m.name)).toEqual(["alpha"]);
  });

  it("a missing path on the command line is an error", async () => {
    const root = await project({});
    const result = await loadProject({ paths: ["nope"], cwd: root });
    expect(result.ok).toBe(false);
    expect(result.issues).toMatchObject([{ code: "path-not-found", file: join(root, "nope") }]);
  });

  it("uses drgitops.yaml: namespace, default paths (from the root) and defaults merged under each model", async () => {
    const root = await project({
      ...MODEL_FILES,
      "drgitops.yaml":
        "namespace: team/ns\npaths: [manifests]\ndefaults:\n  resources: {memory: 1Gi, replicas: 2}\n  language: python\n",
      "manifests/m.yaml": modelYaml("alpha", "  resources: {replicas: 3}", "../model"),
      "other/ignored.yaml": modelYaml("ignored"),
    });
    const result = await loadProject({ paths: [], cwd: join(root, "manifests") });
    expect(result.issues).toEqual([]);
    expect(result.project.namespace).toBe("team/ns");
    expect(models(result.project).map((m) => m.key)).toEqual(["team/ns/alpha"]);
    expect(models(result.project)[0]?.manifest.spec.resources).toEqual({ memory: 1024 ** 3, replicas: 3 });
    expect(models(result.project)[0]?.manifest.spec.language).toBe("python");
    // The caller's namespace (e.g. from the git remote) wins over the file.
    const overridden = await loadProject({ paths: [], cwd: root, namespace: "from/remote" });
    expect(models(overridden.project)[0]?.key).toBe("from/remote/alpha");
  });

  it("points a bad default at drgitops.yaml, once, even when several models inherit it", async () => {
    const root = await project({
      ...MODEL_FILES,
      "drgitops.yaml": "defaults:\n  resources:\n    memory: 2 gigs\n",
      "m.yaml": `${modelYaml("alpha")}---\n${modelYaml("beta")}`,
    });
    const result = await loadProject({ paths: ["m.yaml"], cwd: root });
    expect(result.issues).toMatchObject([
      {
        code: "invalid-memory",
        file: join(root, "drgitops.yaml"),
        line: 3,
        column: 13,
        path: ["spec", "resources", "memory"],
      },
    ]);
  });

  it("reports an invalid drgitops.yaml with its position", async () => {
    const root = await project({ "drgitops.yaml": "namespace: ok\nparalelism: 4\n" });
    const result = await loadProject({ paths: [], cwd: root });
    expect(result.issues).toMatchObject([
      {
        code: "unknown-field",
        file: join(root, "drgitops.yaml"),
        line: 2,
        column: 1,
      },
    ]);
    expect(result.issues[0]?.message).toContain('did you mean "parallelism"');
  });

  it("defaults the namespace to the root folder's name and the paths to the cwd", async () => {
    const root = await project({ ...MODEL_FILES, "m.yaml": modelYaml("alpha") });
    const result = await loadProject({ paths: [], cwd: root });
    expect(result.project.root).toBe(root);
    expect(result.project.namespace).toBe(basename(root));
    expect(models(result.project)).toHaveLength(1);
  });

  it("finds the project root at the nearest .git above the cwd", async () => {
    const root = await project({ ...MODEL_FILES, "deep/er/m.yaml": modelYaml("alpha", "", "../../model") });
    const result = await loadProject({ paths: ["."], cwd: join(root, "deep/er") });
    expect(result.project.root).toBe(root);
    expect(result.ok).toBe(true);
  });

  it("refuses a source folder that is a symlink leaving the root", async () => {
    const outside = await project({ "custom.py": "x = 1\n" });
    const root = await project({ "m.yaml": modelYaml("alpha", "", "./linked") });
    await symlink(outside, join(root, "linked"));
    const result = await loadProject({ paths: ["m.yaml"], cwd: root });
    expect(result.issues).toMatchObject([
      { code: "path-escapes-root", path: ["spec", "source", "path"], line: 9 },
    ]);
    expect(result.issues[0]?.message).toContain("symlink");
  });

  it("refuses a source folder whose parent folder is a symlink leaving the root", async () => {
    const outside = await project({ "model/custom.py": "x = 1\n" });
    const root = await project({ "m.yaml": modelYaml("alpha", "", "./linked/model") });
    await symlink(outside, join(root, "linked"));
    const result = await loadProject({ paths: ["m.yaml"], cwd: root });
    expect(result.issues).toMatchObject([{ code: "path-escapes-root", path: ["spec", "source", "path"] }]);
    expect(result.issues[0]?.message).toContain("symlink");
  });

  it("refuses a symlink inside a source that leaves the root, and follows one that stays inside", async () => {
    const outside = await project({ "secret.txt": "s3cr3t\n" });
    const root = await project({ ...MODEL_FILES, "shared/util.py": "y = 2\n", "m.yaml": modelYaml("alpha") });
    await symlink(join(outside, "secret.txt"), join(root, "model/leak.txt"));
    await symlink(join(root, "shared"), join(root, "model/shared"));
    const result = await loadProject({ paths: ["m.yaml"], cwd: root, hash: true });
    expect(result.issues).toMatchObject([{ code: "path-escapes-root" }]);
    expect(result.issues[0]?.message).toContain('"leak.txt"');
    // No digest for a source that cannot be uploaded as it is.
    expect(models(result.project)[0]?.paths["source"]?.files).toBeUndefined();

    const ok = await project({ ...MODEL_FILES, "shared/util.py": "y = 2\n", "m.yaml": modelYaml("alpha") });
    await symlink(join(ok, "shared"), join(ok, "model/shared"));
    const good = await loadProject({ paths: ["m.yaml"], cwd: ok, hash: true });
    expect(good.issues).toEqual([]);
    expect(models(good.project)[0]?.paths["source"]?.files?.map((f) => f.path)).toEqual([
      "custom.py",
      "requirements.txt",
      "shared/util.py",
    ]);
  });

  it("hashes sources, docker contexts and dataset files when asked, and caches digests under .drgitops/cache", async () => {
    const root = await project({
      ...MODEL_FILES,
      "env/Dockerfile": "FROM python:3.11\n",
      "data/d.csv": "a\n1\n",
      "m.yaml": [
        modelYaml("alpha"),
        "---\napiVersion: drgitops/v1\nkind: ExecutionEnvironment\nmetadata: {name: env}\nspec: {dockerContext: ./env}\n",
        "---\napiVersion: drgitops/v1\nkind: Dataset\nmetadata: {name: d}\nspec: {file: ./data/d.csv}\n",
      ].join(""),
    });
    const unhashed = await loadProject({ paths: ["m.yaml"], cwd: root });
    expect(models(unhashed.project)[0]?.paths["source"]?.files).toBeUndefined();
    const result = await loadProject({ paths: ["m.yaml"], cwd: root, hash: true });
    expect(result.issues).toEqual([]);
    const [model] = models(result.project);
    expect(model?.paths["source"]?.files?.map((f) => [f.path, f.size])).toEqual([
      ["custom.py", MODEL_FILES["model/custom.py"].length],
      ["requirements.txt", 7],
    ]);
    expect(environments(result.project)[0]?.paths["dockerContext"]?.files?.map((f) => f.path)).toEqual([
      "Dockerfile",
    ]);
    expect(datasets(result.project)[0]?.paths["file"]?.files?.[0]?.sha256).toBe(
      createHash("sha256").update("a\n1\n").digest("hex"),
    );
    const cache = JSON.parse(await readFile(join(root, ".drgitops/cache/digests.json"), "utf8")) as {
      entries: [string][];
    };
    expect(cache.entries.map(([path]) => path)).toEqual(
      expect.arrayContaining([join(root, "model/custom.py"), join(root, "data/d.csv")]),
    );
  });

  it("validates the shipped examples cleanly", async () => {
    const repo = resolve(import.meta.dirname, "../..");
    const result = await loadProject({ paths: [], cwd: repo });
    expect(result.issues).toEqual([]);
    expect(result.project.namespace).toBe("drgitops-examples");
    const types = models(result.project)
      .map((m) => m.manifest.spec.targetType)
      .sort();
    expect(types).toEqual(["Binary", "Multiclass", "Regression", "TextGeneration", "Unstructured"]);
    expect(environments(result.project)).toHaveLength(2);
    const regressor = models(result.project).find((m) => m.manifest.spec.targetType === "Regression");
    expect(
      regressor?.paths["source"]?.metadata?.parsed?.runtimeParameterDefinitions?.map((d) => d.type),
    ).toEqual(expect.arrayContaining(["numeric", "string", "credential"]));
  });
});
