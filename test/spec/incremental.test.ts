import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { IncrementalProject, type FileEvent } from "../../src/spec/incremental.js";
import { loadProject, type LoadResult } from "../../src/spec/index.js";
import { makeProject, MODEL_FILES, modelYaml } from "./project-builder.js";
import { observable } from "./observable-load.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(): Promise<{ root: string; project: IncrementalProject }> {
  const p = await makeProject({
    ...MODEL_FILES,
    "other/custom.py": "print('other')\n",
    "manifests/alpha.yaml": modelYaml("alpha", "", "../model"),
    "manifests/beta.yaml": modelYaml("beta", "", "../other"),
  });
  cleanups.push(p.cleanup);
  const project = await IncrementalProject.open({ paths: ["manifests"], cwd: p.root, namespace: "acme" });
  return { root: p.root, project };
}

/** The incremental result must be the one a fresh load gives for the files as they are now. */
async function expectFresh(root: string, result: LoadResult): Promise<void> {
  const fresh = await loadProject({ paths: ["manifests"], cwd: root, namespace: "acme", hash: true });
  expect(observable(result)).toEqual(observable(fresh));
}

describe("IncrementalProject", () => {
  it("re-reads no manifest for a source edit, re-gathers only that model, and matches a fresh load", async () => {
    const { root, project } = await setup();
    await expectFresh(root, project.result);
    const file = join(root, "model", "custom.py");
    await writeFile(file, "def score(data, model, **kwargs):\n    return data * 2\n");
    const update = await project.update([{ type: "change", path: file }]);
    expect([update.changed, update.filesRead, update.documentsGathered]).toEqual([true, 0, 1]);
    await expectFresh(root, update.result);
  });

  it("says nothing changed when a save leaves the content as it was", async () => {
    const { root, project } = await setup();
    const file = join(root, "model", "custom.py");
    await writeFile(file, MODEL_FILES["model/custom.py"]);
    const update = await project.update([{ type: "change", path: file }]);
    expect(update.changed).toBe(false);
  });

  it("follows manifests as they are added, broken, fixed, moved to another source and removed", async () => {
    const { root, project } = await setup();
    const steps: [string, () => Promise<FileEvent[]>][] = [
      [
        "a new manifest file",
        async () => {
          const path = join(root, "manifests", "gamma.yaml");
          await writeFile(path, modelYaml("gamma", "", "../model"));
          return [{ type: "add", path }];
        },
      ],
      [
        "an invalid manifest",
        async () => {
          const path = join(root, "manifests", "gamma.yaml");
          await writeFile(path, modelYaml("gamma", "  replicas: lots", "../model"));
          return [{ type: "change", path }];
        },
      ],
      [
        "a duplicate key across files (a cross-document rule)",
        async () => {
          const path = join(root, "manifests", "gamma.yaml");
          await writeFile(path, modelYaml("alpha", "", "../model"));
          return [{ type: "change", path }];
        },
      ],
      [
        "a source.path that does not exist yet",
        async () => {
          const path = join(root, "manifests", "gamma.yaml");
          await writeFile(path, modelYaml("gamma", "", "../later/src"));
          return [{ type: "change", path }];
        },
      ],
      [
        "the missing source folder created",
        async () => {
          const dir = join(root, "later", "src");
          await mkdir(dir, { recursive: true });
          await writeFile(join(dir, "custom.py"), "print(1)\n");
          return [
            { type: "addDir", path: join(root, "later") },
            { type: "add", path: join(dir, "custom.py") },
          ];
        },
      ],
      [
        "a model-metadata.yaml added to a source",
        async () => {
          const path = join(root, "later", "src", "model-metadata.yaml");
          await writeFile(path, "name: g\ntype: inference\ntargetType: regression\n");
          return [{ type: "add", path }];
        },
      ],
      [
        "a manifest file renamed",
        async () => {
          const from = join(root, "manifests", "beta.yaml");
          const to = join(root, "manifests", "beta-renamed.yml");
          await rename(from, to);
          return [
            { type: "unlink", path: from },
            { type: "add", path: to },
          ];
        },
      ],
      [
        "a manifest file deleted",
        async () => {
          const path = join(root, "manifests", "gamma.yaml");
          await rm(path);
          return [{ type: "unlink", path }];
        },
      ],
      [
        "a source folder deleted",
        async () => {
          await rm(join(root, "other"), { recursive: true });
          return [{ type: "unlinkDir", path: join(root, "other") }];
        },
      ],
      [
        "drgitops.yaml created with defaults",
        async () => {
          const path = join(root, "drgitops.yaml");
          await writeFile(path, "defaults:\n  resources: {replicas: 3}\n");
          return [{ type: "add", path }];
        },
      ],
    ];
    for (const [what, step] of steps) {
      const update = await project.update(await step());
      expect(update.changed, what).toBe(true);
      await expectFresh(root, update.result);
    }
    expect(project.result.project.resources.map((r) => r.key)).toEqual(["acme/alpha", "acme/beta"]);
  });

  it("on a rescan of a folder, re-reads every manifest and source under it that changed unreported", async () => {
    const { root, project } = await setup();
    await writeFile(join(root, "manifests", "alpha.yaml"), modelYaml("alpha", "", "../other"));
    await writeFile(join(root, "other", "late.py"), "z = 3\n");
    const nothing = await project.update([{ type: "rescan", path: join(root, "model") }]);
    expect(nothing.changed).toBe(false);
    const update = await project.update([
      { type: "rescan", path: join(root, "manifests") },
      { type: "rescan", path: join(root, "other") },
    ]);
    expect([update.changed, update.filesRead]).toEqual([true, 2]);
    await expectFresh(root, update.result);
    const sources = update.result.project.resources.map((r) => r.paths["source"]?.files?.map((f) => f.path));
    expect(sources).toEqual([
      ["custom.py", "late.py"],
      ["custom.py", "late.py"],
    ]);
  });

  it("loads everything again when drgitops.yaml reads otherwise, not on an event that left its text alone", async () => {
    const { root, project } = await setup();
    const config = join(root, "drgitops.yaml");
    expect(project.configFile).toBe(config);
    expect((await project.update([{ type: "rescan", path: config }])).reloaded).toBe(false);
    await writeFile(config, "defaults: {language: python}\n");
    const added = await project.update([{ type: "add", path: config }]);
    expect([added.reloaded, added.changed]).toEqual([true, true]);
    const touched = await project.update([{ type: "change", path: config }]);
    expect([touched.reloaded, touched.changed]).toEqual([false, false]);
    await rm(config);
    expect((await project.update([{ type: "unlink", path: config }])).reloaded).toBe(true);
  });

  it("sees a source's parent folder swapped for a symlink leaving the root between updates", async () => {
    const p = await makeProject({
      "models/alpha/custom.py": "x = 1\n",
      "manifests/alpha.yaml": modelYaml("alpha", "", "../models/alpha"),
    });
    cleanups.push(p.cleanup);
    const project = await IncrementalProject.open({ paths: ["manifests"], cwd: p.root, namespace: "acme" });
    expect(project.result.issues).toEqual([]);
    const outside = await mkdtemp(join(tmpdir(), "drgitops-outside-"));
    cleanups.push(() => rm(outside, { recursive: true, force: true }));
    await rename(join(p.root, "models"), join(outside, "models"));
    await symlink(join(outside, "models"), join(p.root, "models"));
    const file = join(p.root, "models", "alpha", "custom.py");
    await writeFile(file, "x = 2\n");
    const update = await project.update([{ type: "change", path: file }]);
    expect(update.result.issues).toMatchObject([
      { code: "path-escapes-root", path: ["spec", "source", "path"] },
    ]);
    await expectFresh(p.root, update.result);
  });

  it("wants the inputs, drgitops.yaml and every local path watched, missing ones included", async () => {
    const { root, project } = await setup();
    await writeFile(join(root, "manifests", "gamma.yaml"), modelYaml("gamma", "", "../not/yet"));
    await project.update([{ type: "add", path: join(root, "manifests", "gamma.yaml") }]);
    expect(project.wantedPaths()).toEqual(
      [
        join(root, "drgitops.yaml"),
        join(root, "manifests"),
        join(root, "model"),
        join(root, "not", "yet"),
        join(root, "other"),
      ].sort(),
    );
    expect(project.ignores(join(root, "model", ".git"))).toBe(true);
    expect(project.ignores(join(root, "model", "x.py"))).toBe(false);
  });
});
