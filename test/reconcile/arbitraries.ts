/** Generated manifests for the reconciler's property tests (fast-check), with the server they plan against. */
import fc from "fast-check";
import type { DesiredDataset } from "../../src/kinds/dataset/desired.js";
import type { DesiredEnvironment } from "../../src/kinds/execution-environment/desired.js";
import type { DesiredModel, DesiredRuntimeParameter } from "../../src/kinds/custom-model/desired.js";
import type { EnvironmentRef } from "../../src/kinds/custom-model/schema.js";
import type { Plan } from "../../src/reconcile/plan-file.js";
import type { BuildPlanOptions } from "../../src/reconcile/plan.js";
import type { DesiredState } from "../../src/reconcile/state.js";
import {
  dataset,
  desired,
  environment,
  file,
  freshLive,
  model,
  planOf,
  secretDigest,
  testConfig,
} from "./builders.js";
import { newServer, observe, type Server } from "./simulate.js";

export const AT = "2026-01-01T00:00:00.000Z";
const PATHS = ["custom.py", "model.pkl", "requirements.txt", "src/util.py", "data/lookup.bin"];
const TEXTS = ["a", "b", "c", "print(1)\n"];
export const SECRETS = ["s3cr3t-one", "s3cr3t-two"];
export const CREDENTIAL_ID = "cred-123";
/** model-metadata.yaml of every generated model: each parameter the generator may set. */
export const DEFINITIONS: DesiredModel["runtimeParameterDefinitions"] = [
  { name: "MODE", type: "string" },
  { name: "CUTOFF", type: "numeric" },
  { name: "FLAG", type: "boolean" },
  { name: "KEY", type: "credential" },
  { name: "SECRET", type: "string" },
];

export interface World {
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

export const worldArb: fc.Arbitrary<World> = fc
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

export function serverWithCredential(): Server {
  const server = newServer(freshLive());
  server.live.credentials = { openai: CREDENTIAL_ID };
  return server;
}

export function plan(server: Server, state: DesiredState, options: BuildPlanOptions = {}): Plan {
  return planOf(state, observe(server, state), { createdAt: AT, ...options });
}
