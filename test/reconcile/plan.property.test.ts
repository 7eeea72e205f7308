import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DesiredDataset } from "../../src/kinds/dataset/desired.js";
import type { DesiredEnvironment } from "../../src/kinds/execution-environment/desired.js";
import type { DesiredModel, DesiredRuntimeParameter } from "../../src/kinds/custom-model/desired.js";
import type { EnvironmentRef } from "../../src/kinds/custom-model/schema.js";
import type { Plan } from "../../src/reconcile/plan-file.js";
import type { BuildPlanOptions } from "../../src/reconcile/plan.js";
import type { DesiredState } from "../../src/reconcile/state.js";
import { withTrailer } from "../../src/reconcile/trailer.js";
import {
  dataset,
  desired,
  environment,
  file,
  freshLive,
  model,
  modelsOf,
  NS,
  planOf,
  testConfig,
  secretDigest,
} from "./builders.js";
import { newServer, observe, simulate, type Server } from "./simulate.js";

/**
 * Reconciler invariants over generated manifests: apply converges (plan after apply is empty), one
 * version per model per plan, uploads only what changed, prune never touches protected or deployed
 * models, and a run stopped anywhere converges when re-run.
 */

const AT = "2026-01-01T00:00:00.000Z";
const PATHS = ["custom.py", "model.pkl", "requirements.txt", "src/util.py", "data/lookup.bin"];
const TEXTS = ["a", "b", "c", "print(1)\n"];
const SECRETS = ["s3cr3t-one", "s3cr3t-two"];
const CREDENTIAL_ID = "cred-123";
/** model-metadata.yaml of every generated model: each parameter the generator may set. */
const DEFINITIONS: DesiredModel["runtimeParameterDefinitions"] = [
  { name: "MODE", type: "string" },
  { name: "CUTOFF", type: "numeric" },
  { name: "FLAG", type: "boolean" },
  { name: "KEY", type: "credential" },
  { name: "SECRET", type: "string" },
];

interface World {
  state: DesiredState;
  env: Record<string, string>;
}

const envArb = (name: string): fc.Arbitrary<DesiredEnvironment> =>
  fc.constantFrom("FROM a\n", "FROM b\n").map((text) => environment(name, text));
const datasetArb = (name: string): fc.Arbitrary<DesiredDataset> =>
  fc.constantFrom("x\n1\n", "x\n2\n").map((text) => dataset(name, text));

function modelArb(
  name: string,
  envs: string[],
  datasets: string[],
): fc.Arbitrary<[DesiredModel, Record<string, string>]> {
  const envRef: fc.Arbitrary<EnvironmentRef> = fc.oneof(
    fc.constant({ id: "env-public" }),
    fc.constant({ id: "env-public", versionId: "envv-public-1" }),
    fc.constant({ name: "[DataRobot] Python 3.11 Drop-In" }),
    ...envs.map((e) => fc.constant({ ref: e })),
  );
  const datasetRef = fc.oneof(
    fc.constant({ id: "ds-external" }),
    ...datasets.map((d) => fc.constant({ ref: d })),
  );
  const files = fc
    .uniqueArray(fc.constantFrom(...PATHS), { minLength: 1, maxLength: PATHS.length })
    .chain((paths) => fc.tuple(...paths.map((p) => fc.constantFrom(...TEXTS).map((t) => file(p, t)))));
  const params = fc.record(
    {
      mode: fc.constantFrom("fast", "slow"),
      cutoff: fc.constantFrom(0.5, 0.7),
      flag: fc.boolean(),
      credential: fc.constant(true),
      secret: fc.constantFrom(...SECRETS),
    },
    { requiredKeys: [] },
  );
  return fc
    .record({
      files,
      env: envRef,
      memory: fc.option(fc.constantFrom(2 ** 30, 2 ** 31), { nil: undefined }),
      replicas: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
      params,
      training: fc.option(
        fc.record({
          dataset: datasetRef,
          partitionColumn: fc.option(fc.constant("fold"), { nil: undefined }),
        }),
        {
          nil: null,
        },
      ),
      test: fc.option(
        fc.record({ dataset: datasetRef, mode: fc.constantFrom("fail" as const, "warn" as const) }),
        { nil: null },
      ),
      description: fc.option(fc.constantFrom("first", "second"), { nil: undefined }),
      displayName: fc.constantFrom(name, `${name} model`),
      protect: fc.boolean(),
      ignore: fc.subarray(["description", "resources", "runtimeParameters"]),
    })
    .map((g) => {
      const runtimeParameters: DesiredRuntimeParameter[] = [];
      const env: Record<string, string> = {};
      if (g.params.mode)
        runtimeParameters.push({ source: "literal", name: "MODE", type: "string", value: g.params.mode });
      if (g.params.cutoff !== undefined)
        runtimeParameters.push({
          source: "literal",
          name: "CUTOFF",
          type: "numeric",
          value: g.params.cutoff,
        });
      if (g.params.flag !== undefined)
        runtimeParameters.push({ source: "literal", name: "FLAG", type: "boolean", value: g.params.flag });
      if (g.params.credential)
        runtimeParameters.push({
          source: "credential",
          name: "KEY",
          type: "credential",
          credentialName: "openai",
          credentialId: CREDENTIAL_ID,
        });
      if (g.params.secret) {
        const envVar = `${name.toUpperCase()}_SECRET`;
        env[envVar] = g.params.secret;
        runtimeParameters.push({
          source: "sensitive",
          name: "SECRET",
          type: "string",
          envVar,
          valueHash: secretDigest(g.params.secret),
        });
      }
      const m = model(name, {
        files: g.files,
        hasRequirements: g.files.some((f) => f.path === "requirements.txt"),
        environment: g.env,
        resources: {
          ...(g.memory !== undefined ? { maximumMemory: g.memory } : {}),
          ...(g.replicas !== undefined ? { replicas: g.replicas } : {}),
        },
        runtimeParameters,
        runtimeParameterDefinitions: DEFINITIONS,
        trainingData: g.training
          ? {
              dataset: g.training.dataset,
              ...(g.training.partitionColumn ? { partitionColumn: g.training.partitionColumn } : {}),
            }
          : null,
        test: g.test
          ? testConfig({ dataset: g.test.dataset, configuration: { errorCheck: g.test.mode } })
          : null,
        fields: {
          name: g.displayName,
          targetName: "y",
          ...(g.description !== undefined ? { description: g.description } : {}),
        },
        lifecycle: { protected: g.protect, ignoreChanges: g.ignore },
      });
      return [m, env] as [DesiredModel, Record<string, string>];
    });
}

const worldArb: fc.Arbitrary<World> = fc
  .record({
    envCount: fc.integer({ min: 0, max: 2 }),
    datasetCount: fc.integer({ min: 0, max: 2 }),
    modelNames: fc.uniqueArray(fc.constantFrom("m0", "m1", "m2", "m3"), { minLength: 1, maxLength: 4 }),
  })
  .chain(({ envCount, datasetCount, modelNames }) => {
    const envNames = ["e0", "e1"].slice(0, envCount);
    const datasetNames = ["d0", "d1"].slice(0, datasetCount);
    return fc
      .record({
        environments: fc.tuple(...envNames.map(envArb)),
        datasets: fc.tuple(...datasetNames.map(datasetArb)),
        models: fc.tuple(...modelNames.map((n) => modelArb(n, envNames, datasetNames))),
      })
      .map(({ environments, datasets, models }) => ({
        state: desired({ environments, datasets, models: models.map(([m]) => m) }),
        env: Object.assign({}, ...models.map(([, e]) => e)) as Record<string, string>,
      }));
  });

function serverWithCredential(): Server {
  const server = newServer(freshLive());
  server.live.credentials = { openai: CREDENTIAL_ID };
  return server;
}

function plan(server: Server, state: DesiredState, options: BuildPlanOptions = {}): Plan {
  return planOf(state, observe(server, state), { createdAt: AT, ...options });
}

function expectEmpty(p: Plan): void {
  expect(p.actions.map((a) => `${a.type} ${a.key}: ${a.reasons.join("; ")}`)).toEqual([]);
  expect(p.drift).toEqual([]);
  expect(p.refusals).toEqual([]);
}

function versionsPerKey(p: Plan): Map<string, number> {
  const counts = new Map<string, number>();
  for (const a of p.actions) if (a.type === "createVersion") counts.set(a.key, (counts.get(a.key) ?? 0) + 1);
  return counts;
}

// FC_RUNS=1000 for a longer hunt; the default keeps the suite fast.
const RUNS = { numRuns: Number(process.env.FC_RUNS ?? 60) };

describe("reconciler invariants (fast-check)", () => {
  it("apply then plan is empty, from an empty DataRobot", () => {
    fc.assert(
      fc.property(worldArb, ({ state, env }) => {
        const server = serverWithCredential();
        const first = plan(server, state);
        expect([...versionsPerKey(first).values()].every((n) => n === 1)).toBe(true);
        simulate(server, first, { env });
        expectEmpty(plan(server, state));
      }),
      RUNS,
    );
  });

  it("changing manifests converges in one apply, with one version per model, uploading only changed files", () => {
    fc.assert(
      fc.property(worldArb, worldArb, (before, after) => {
        const server = serverWithCredential();
        simulate(server, plan(server, before.state), { env: before.env });
        const liveDigests = new Map(
          server.live.models.map((m) => [
            m.key,
            new Map((server.live.versionFiles[m.latestVersion!.id] ?? []).map((f) => [f.path, f.sha256])),
          ]),
        );
        const change = plan(server, after.state);
        for (const n of versionsPerKey(change).values()) expect(n).toBe(1);
        for (const a of change.actions) {
          if (a.type !== "createVersion" || a.mode !== "fromPrevious") continue;
          const live = liveDigests.get(a.key)!;
          for (const u of a.uploads) expect(live.get(u.path)).not.toBe(u.sha256);
        }
        simulate(server, change, { env: after.env });
        expectEmpty(plan(server, after.state));
        // The manifest lists every override: one it no longer sets is back to its default.
        for (const m of modelsOf(after.state)) {
          if (m.lifecycle.ignoreChanges.includes("runtimeParameters")) continue;
          const live = server.live.models.find((l) => l.key === m.key)!.latestVersion!;
          const overridden = live.runtimeParameters.filter((p) => p.overrideValue !== null);
          expect(overridden.map((p) => p.fieldName).sort()).toEqual(
            m.runtimeParameters.map((p) => p.name).sort(),
          );
        }
      }),
      RUNS,
    );
  });

  it("a run stopped before any action converges when re-run, without duplicates", () => {
    fc.assert(
      fc.property(worldArb, fc.nat(), ({ state, env }, stopAt) => {
        const server = serverWithCredential();
        const first = plan(server, state);
        simulate(server, first, { env, before: (_a, i) => i < stopAt % (first.actions.length + 1) });
        simulate(server, plan(server, state), { env });
        expectEmpty(plan(server, state));
        const keys = server.live.models.map((m) => m.key);
        expect(new Set(keys).size).toBe(keys.length);
        const datasetNames = server.live.datasets.map((d) => d.name);
        expect(new Set(datasetNames).size).toBe(datasetNames.length);
      }),
      RUNS,
    );
  });

  it("prune never selects protected or deployed models, nor more than --max-deletions", () => {
    const liveModelArb = fc.record({
      protect: fc.boolean(),
      deployments: fc.constantFrom(0, 0, 1),
      keep: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(liveModelArb, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 6 }),
        (specs, maxDeletions) => {
          const server = serverWithCredential();
          const models = specs.map((s, i) =>
            model(`p${i}`, { lifecycle: { protected: s.protect, ignoreChanges: [] } }),
          );
          simulate(server, plan(server, desired({ models })));
          specs.forEach((s, i) => {
            const m = server.live.models.find((x) => x.key === `${NS}/p${i}`)!;
            m.deploymentsCount = s.deployments;
          });
          const kept = desired({ models: models.filter((_m, i) => specs[i]!.keep) });
          // --allow-empty: keeping no manifest at all is a case of the selection under test here.
          const p = plan(server, kept, { prune: true, maxDeletions, allowEmpty: true });
          const deletions = p.actions.filter((a) => a.type === "deleteModel");
          expect(deletions.length).toBeLessThanOrEqual(maxDeletions);
          for (const d of deletions) {
            const i = Number(d.key.slice(`${NS}/p`.length));
            expect(specs[i]).toMatchObject({ protect: false, deployments: 0, keep: false });
          }
          const eligible = specs.filter((s) => !s.keep && !s.protect && s.deployments === 0).length;
          if (eligible > maxDeletions) expect(p.refusals.some((r) => r.blocking)).toBe(true);
          else expect(deletions).toHaveLength(eligible);
        },
      ),
      RUNS,
    );
  });

  it("a version made outside drgitops is either annotated (equal) or drift (different), never silently kept", () => {
    fc.assert(
      fc.property(worldArb, fc.boolean(), ({ state, env }, differs) => {
        const server = serverWithCredential();
        simulate(server, plan(server, state), { env });
        const target = server.live.models[0]!;
        const v = target.latestVersion!;
        const files = server.live.versionFiles[v.id]!;
        const uiFiles = differs
          ? files.map((f, i) => (i === 0 ? { ...f, sha256: "0".repeat(64) } : f))
          : files;
        target.latestVersion = {
          ...v,
          id: "ver-ui",
          description: withTrailer("", { key: "someone/else" }),
          trailer: { key: "someone/else" },
        };
        server.live.versionFiles["ver-ui"] = uiFiles;
        const p = plan(server, state);
        const forKey = p.actions.filter((a) => a.key === target.key).map((a) => a.type);
        if (differs) {
          expect(p.drift.map((d) => d.key)).toContain(target.key);
          expect(forKey).toContain("createVersion");
        } else {
          expect(p.drift).toEqual([]);
          expect(forKey).toContain("annotateVersion");
          expect(forKey).not.toContain("createVersion");
        }
      }),
      RUNS,
    );
  });
});
