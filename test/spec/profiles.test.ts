import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadProject } from "../../src/spec/index.js";
import { models } from "./loaded.js";
import { makeProject, MODEL_FILES, modelYaml } from "./project-builder.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
async function project(files: Record<string, string>): Promise<string> {
  const p = await makeProject(files);
  cleanups.push(p.cleanup);
  return p.root;
}

const CONFIG = [
  "namespace: team/ns",
  "defaults:",
  "  resources: {memory: 1Gi, replicas: 1}",
  "  language: python",
  "profiles:",
  "  prod:",
  "    namespace: team/prod",
  "    defaults:",
  "      resources: {replicas: 2}",
  "  broken:",
  "    defaults:",
  "      resources: {memory: 2 gigs}",
  "",
].join("\n");

describe("loadProject with a profile (DESIGN §9)", () => {
  it("takes the profile's namespace and merges its defaults over the top-level ones, under the manifest", async () => {
    const root = await project({
      ...MODEL_FILES,
      "drgitops.yaml": CONFIG,
      "m.yaml": `${modelYaml("alpha")}---\n${modelYaml("beta", "  resources: {replicas: 5}")}`,
    });
    const plain = await loadProject({ paths: ["m.yaml"], cwd: root });
    expect(plain.project.profile).toBeUndefined();
    expect(models(plain.project).map((m) => [m.key, m.manifest.spec.resources])).toEqual([
      ["team/ns/alpha", { memory: 1024 ** 3, replicas: 1 }],
      ["team/ns/beta", { memory: 1024 ** 3, replicas: 5 }],
    ]);
    const prod = await loadProject({ paths: ["m.yaml"], cwd: root, profile: "prod" });
    expect(prod.issues).toEqual([]);
    expect(prod.project).toMatchObject({ namespace: "team/prod", profile: "prod" });
    expect(
      models(prod.project).map((m) => [m.key, m.manifest.spec.resources, m.manifest.spec.language]),
    ).toEqual([
      ["team/prod/alpha", { memory: 1024 ** 3, replicas: 2 }, "python"],
      ["team/prod/beta", { memory: 1024 ** 3, replicas: 5 }, "python"],
    ]);
    // The caller's --namespace still wins over the profile's.
    const flagged = await loadProject({ paths: ["m.yaml"], cwd: root, profile: "prod", namespace: "x/y" });
    expect(flagged.project.namespace).toBe("x/y");
  });

  it("points a bad profile default at its line in drgitops.yaml, and only with that profile", async () => {
    const root = await project({ ...MODEL_FILES, "drgitops.yaml": CONFIG, "m.yaml": modelYaml("alpha") });
    const broken = await loadProject({ paths: ["m.yaml"], cwd: root, profile: "broken" });
    expect(broken.issues).toMatchObject([
      { code: "invalid-memory", file: join(root, "drgitops.yaml"), line: 12, column: 27 },
    ]);
    expect((await loadProject({ paths: ["m.yaml"], cwd: root, profile: "prod" })).ok).toBe(true);
  });

  it("validates profiles: a token, mixed endpoint forms, a token variable without an endpoint", async () => {
    const root = await project({
      "drgitops.yaml": [
        "profiles:",
        "  a: {endpoint: https://x.example.com, token: abcdef123456}",
        "  b: {endpoint: https://x.example.com, endpointEnv: X_URL, tokenEnv: X_TOKEN}",
        "  c: {tokenEnv: X_TOKEN}",
        "  d: {endpointEnv: not a variable}",
        "",
      ].join("\n"),
    });
    const result = await loadProject({ paths: [], cwd: root });
    expect(result.issues.map((i) => [i.code, i.line, i.path.join(".")])).toEqual([
      ["token-in-config", 2, "profiles.a.token"],
      ["conflicting-fields", 3, "profiles.b.endpointEnv"],
      ["missing-field", 4, "profiles.c.tokenEnv"],
      ["invalid-format", 5, "profiles.d.endpointEnv"],
    ]);
    expect(JSON.stringify(result.issues)).not.toContain("abcdef123456");
  });
});
