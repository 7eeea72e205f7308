import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type DataRobotClient } from "../../src/client/index.js";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import { applyPlan } from "../../src/reconcile/apply.js";
import { observeAndPlan } from "../../src/reconcile/observe.js";
import type { Plan } from "../../src/reconcile/plan-file.js";
import { loadProject } from "../../src/spec/index.js";

/**
 * Apply-then-plan-is-empty over generated manifest sets, on the real emulator with real files and
 * the real I/O path (observe, plan, execute), then again after a generated edit of the same set.
 */

const ENV_ID = "5e8c889607389fe0f466c72d";
const ENV_VERSION_ID = "5e8c889607389fe0f466c72e";

interface GenModel {
  targetType: "Unstructured" | "Regression" | "Binary";
  description: string | null;
  files: Record<string, string>;
  memory: "256Mi" | "512Mi" | null;
  replicas: number | null;
  params: { P_NUM?: number; P_STR?: string; P_BOOL?: boolean };
  ignoreDescription: boolean;
}

const modelArb: fc.Arbitrary<GenModel> = fc.record({
  targetType: fc.constantFrom("Unstructured", "Regression", "Binary"),
  description: fc.option(fc.constantFrom("Scores things", "Second opinion", ""), { nil: null }),
  files: fc.dictionary(
    fc.constantFrom("a.txt", "b.json", "lib/util.py", "data/x.csv"),
    fc.constantFrom("1\n", "2\n", "{}\n"),
    {
      maxKeys: 3,
    },
  ),
  memory: fc.constantFrom("256Mi", "512Mi", null),
  replicas: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
  params: fc.record(
    { P_NUM: fc.integer({ min: 0, max: 100 }), P_STR: fc.constantFrom("x", "y"), P_BOOL: fc.boolean() },
    { requiredKeys: [] },
  ),
  ignoreDescription: fc.boolean(),
});
const setArb = fc.uniqueArray(fc.tuple(fc.constantFrom("alpha", "beta", "gamma", "delta"), modelArb), {
  minLength: 1,
  maxLength: 3,
  selector: ([name]) => name,
});

async function writeProject(dir: string, models: [string, GenModel][]): Promise<void> {
  await rm(join(dir, "manifests"), { recursive: true, force: true });
  await rm(join(dir, "models"), { recursive: true, force: true });
  await mkdir(join(dir, "manifests"), { recursive: true });
  await writeFile(join(dir, "drgitops.yaml"), "namespace: prop/test\npaths: [manifests]\n");
  // Structured models must be tested with a dataset: one shared Dataset manifest.
  await mkdir(join(dir, "data"), { recursive: true });
  await writeFile(join(dir, "data", "test.csv"), "x,y\n1,2\n");
  await writeFile(
    join(dir, "manifests", "testdata.yaml"),
    "apiVersion: drgitops/v1\nkind: Dataset\nmetadata: {name: testdata}\nspec: {file: ../data/test.csv}\n",
  );
  for (const [name, m] of models) {
    const src = join(dir, "models", name);
    await mkdir(join(src, "lib"), { recursive: true });
    await mkdir(join(src, "data"), { recursive: true });
    await writeFile(join(src, "custom.py"), `# ${name}\ndef score(data, model, **kw):\n    return data\n`);
    for (const [path, text] of Object.entries(m.files)) await writeFile(join(src, path), text);
    await writeFile(
      join(src, "model-metadata.yaml"),
      `name: ${name}\ntype: inference\ntargetType: ${m.targetType.toLowerCase()}\nruntimeParameterDefinitions:\n` +
        "  - {fieldName: P_NUM, type: numeric, defaultValue: 1, minValue: 0, maxValue: 100}\n" +
        "  - {fieldName: P_STR, type: string}\n  - {fieldName: P_BOOL, type: boolean}\n",
    );
    const lines = [
      "apiVersion: drgitops/v1",
      "kind: CustomModel",
      `metadata: {name: ${name}}`,
      "spec:",
      `  targetType: ${m.targetType}`,
      ...(m.targetType === "Unstructured" ? [] : ["  targetName: y"]),
      ...(m.targetType === "Binary" ? ['  positiveClassLabel: "1"', '  negativeClassLabel: "0"'] : []),
      ...(m.description === null ? [] : [`  description: ${JSON.stringify(m.description)}`]),
      "  language: python",
      `  environment: {id: ${ENV_ID}, versionId: ${ENV_VERSION_ID}}`,
      `  source: {path: ../models/${name}}`,
      ...(m.memory || m.replicas
        ? [
            `  resources: {${[m.memory ? `memory: ${m.memory}` : "", m.replicas ? `replicas: ${m.replicas}` : ""].filter(Boolean).join(", ")}}`,
          ]
        : []),
      ...(Object.keys(m.params).length > 0
        ? [
            "  runtimeParameters:",
            ...Object.entries(m.params).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`),
          ]
        : []),
      ...(m.targetType === "Unstructured" ? [] : ["  test: {dataset: {ref: testdata}}"]),
      ...(m.ignoreDescription ? ["  lifecycle: {ignoreChanges: [description]}"] : []),
    ];
    await writeFile(join(dir, "manifests", `${name}.yaml`), `${lines.join("\n")}\n`);
  }
}

describe("apply converges for generated manifest sets", () => {
  let emu: RunningEmulator;
  let client: DataRobotClient;

  beforeAll(async () => {
    emu = await startEmulator({ quiet: true });
    client = createClient({ endpoint: emu.url, token: emu.token });
  });
  afterAll(async () => {
    await emu.stop();
  });

  async function plan(dir: string): Promise<Plan> {
    const load = await loadProject({ paths: [], cwd: dir, hash: true });
    expect(load.issues.filter((i) => i.severity === "error")).toEqual([]);
    const result = await observeAndPlan({ client, project: load.project, env: {}, planOptions: {} });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    return result.plan;
  }

  async function apply(dir: string, p: Plan): Promise<void> {
    const results = await applyPlan(p, {
      parallelism: 4,
      savedPlan: false,
      context: {
        client,
        provenance: undefined,
        projectRoot: dir,
        env: {},
        secretKey: "k",
        waitTimeoutMs: 30_000,
      },
    });
    expect(results.filter((r) => r.outcome !== "succeeded")).toEqual([]);
  }

  it(
    "apply, then plan is empty; edit, apply, plan is empty again with at most one version per model",
    { timeout: 240_000 },
    async () => {
      await fc.assert(
        fc.asyncProperty(setArb, setArb, async (first, edited) => {
          await fetch(`${emu.origin}/__emulator/reset`, {
            method: "POST",
            headers: { authorization: `Bearer ${emu.token}` },
          });
          const dir = await mkdtemp(join(tmpdir(), "drgitops-prop-"));
          try {
            await writeProject(dir, first);
            await apply(dir, await plan(dir));
            expect((await plan(dir)).actions).toEqual([]);

            // Same model names where both sets have them: an edit; others appear (and old ones stay, no prune).
            const merged = new Map(first);
            for (const [name, m] of edited) merged.set(name, m);
            await writeProject(dir, [...merged]);
            const second = await plan(dir);
            const versionsPerModel = new Map<string, number>();
            for (const a of second.actions)
              if (a.type === "createVersion")
                versionsPerModel.set(a.key, (versionsPerModel.get(a.key) ?? 0) + 1);
            expect([...versionsPerModel.values()].every((n) => n === 1)).toBe(true);
            await apply(dir, second);
            expect((await plan(dir)).actions).toEqual([]);
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        }),
        { numRuns: 15, seed: 5 },
      );
    },
  );
});
