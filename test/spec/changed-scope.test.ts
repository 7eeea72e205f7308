import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { changedScope, scopeId, type ScopeDocument } from "../../src/spec/changed-scope.js";
import { loadProject } from "../../src/spec/index.js";
import { models } from "./loaded.js";
import { makeProject, modelYaml } from "./project-builder.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const doc = (kind: string, name: string, over: Partial<ScopeDocument> = {}): ScopeDocument => ({
  id: scopeId(kind, `ns/${name}`),
  key: `ns/${name}`,
  file: `/r/manifests/${name}.yaml`,
  localPaths: [`/r/src/${name}`],
  references: [],
  ...over,
});

describe("changedScope", () => {
  const env = doc("ExecutionEnvironment", "env", { localPaths: ["/r/envs/env"] });
  const data = doc("Dataset", "data", { localPaths: ["/r/data/d.csv"] });
  const uses = [env.id, data.id];
  const a = doc("CustomModel", "a", { references: uses });
  const b = doc("CustomModel", "b", { references: [env.id] });
  const c = doc("CustomModel", "c");
  const all = [env, data, a, b, c];

  it("takes what a changed file touches, what depends on it, and what those need", () => {
    expect(changedScope(all, ["/r/src/a/custom.py"], undefined)).toMatchObject({
      changed: ["ns/a"],
      dependents: [],
      dependencies: ["ns/data", "ns/env"],
      unchanged: ["ns/b", "ns/c"],
    });
    const envChanged = changedScope(all, ["/r/envs/env/Dockerfile"], undefined);
    expect(envChanged).toMatchObject({
      changed: ["ns/env"],
      dependents: ["ns/a", "ns/b"],
      dependencies: ["ns/data"],
    });
    expect(envChanged.inScope.has(c.id)).toBe(false);
    // A manifest file and a dataset file count; a sibling path with the same prefix does not.
    expect(changedScope(all, ["/r/manifests/c.yaml", "/r/src/ab/x"], undefined).changed).toEqual(["ns/c"]);
    expect(changedScope(all, ["/r/data/d.csv"], undefined).dependents).toEqual(["ns/a"]);
  });

  it("puts everything in scope when drgitops.yaml changed, and nothing when no resource did", () => {
    const everything = changedScope(all, ["/r/drgitops.yaml"], "/r/drgitops.yaml");
    expect(everything.inScope.size).toBe(all.length);
    expect(everything.everything).toMatch(/drgitops\.yaml changed/);
    expect(changedScope(all, ["/r/README.md"], "/r/drgitops.yaml").inScope.size).toBe(0);
  });
});

describe("loadProject with changedFiles", () => {
  it("never lists, reads or hashes what is out of scope, but still checks names and references across all", async () => {
    const p = await makeProject({
      "a/custom.py": "print('a')\n",
      "b/custom.py": "print('b')\n",
      "m.yaml": `${modelYaml("alpha", "", "./a")}---\n${modelYaml("beta", "", "./b")}---\n`,
      // Out of scope: its missing source folder is not looked at; its duplicate name still is.
      "other.yaml": `${modelYaml("gamma", "", "./missing")}---\n${modelYaml("alpha", "", "./missing")}`,
    });
    cleanups.push(p.cleanup);
    const cacheDir = join(p.root, "cache");
    const result = await loadProject({
      paths: ["m.yaml", "other.yaml"],
      cwd: p.root,
      namespace: "ns",
      hash: true,
      cacheDir,
      changedFiles: [join(p.root, "b", "custom.py")],
    });
    expect(models(result.project).map((m) => m.key)).toEqual(["ns/beta"]);
    expect(result.scope).toMatchObject({ changed: ["ns/beta"], unchanged: ["ns/alpha", "ns/gamma"] });
    expect(result.issues.map((i) => i.code)).toEqual(["duplicate-key"]);
    const cache = JSON.parse(await readFile(join(cacheDir, "digests.json"), "utf8")) as {
      entries: [string][];
    };
    expect(cache.entries.map(([path]) => path)).toEqual([join(p.root, "b", "custom.py")]);
  });
});
