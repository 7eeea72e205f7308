import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createClient, type DataRobotClient } from "../../src/client/index.js";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import { totals } from "../../src/cli/views/outcome-table.js";
import { ActionSchema, type Action } from "../../src/kinds/index.js";
import { applyPlan } from "../../src/reconcile/apply.js";
import type { ApplyEvent } from "../../src/reconcile/events.js";
import type { ApplyContext } from "../../src/reconcile/io.js";
import type { Plan } from "../../src/reconcile/plan-file.js";
import { parseDescription, withTrailer } from "../../src/reconcile/trailer.js";
import { VersionFileCache, versionCacheDir } from "../../src/reconcile/version-cache.js";

const sha = (text: string): string => createHash("sha256").update(text).digest("hex");
const KEY = "acme/models/m1";

let emu: RunningEmulator;
let client: DataRobotClient;
let dir: string;

/** A plan around hand-made actions, validated by the plan file schema like a saved plan would be. */
function planOf(actions: unknown[], unchanged: string[] = []): Plan {
  return {
    formatVersion: 1,
    createdAt: "2026-01-01T00:00:00.000Z",
    namespace: "acme/models",
    options: {
      prune: false,
      maxDeletions: 5,
      targets: [],
      selector: {},
      skipTests: false,
      allowEmpty: false,
      secretKeyId: null,
    },
    actions: actions.map((a) => ActionSchema.parse(a)),
    drift: [],
    unchanged,
    gate: [],
    untested: [],
    refusals: [],
    summary: {
      actions: {},
      total: actions.length,
      drift: 0,
      unchanged: 0,
      gate: 0,
      untested: 0,
      refusals: 0,
    },
  };
}

function base(type: Action["type"], id: string, extra: Record<string, unknown>, dependsOn: string[] = []) {
  return { type, id, key: KEY, reasons: ["test"], changes: [], dependsOn, expected: null, ...extra };
}

function context(): ApplyContext {
  return { client, provenance: undefined, projectRoot: dir, env: {}, secretKey: "k", waitTimeoutMs: 30_000 };
}

async function run(plan: Plan, savedPlan = false) {
  const events: ApplyEvent[] = [];
  const results = await applyPlan(plan, {
    context: context(),
    parallelism: 2,
    savedPlan,
    onEvent: (e) => events.push(e),
  });
  const produced = (id: string) => results.find((r) => r.id === id)?.produced;
  return { results, totals: totals(results), events, produced };
}

async function requests(pattern: RegExp): Promise<number> {
  const s = (await (
    await fetch(`${emu.origin}/__emulator/stats`, { headers: { authorization: `Bearer ${emu.token}` } })
  ).json()) as { requests: Record<string, number> };
  return Object.entries(s.requests)
    .filter(([k]) => pattern.test(k))
    .reduce((n, [, v]) => n + v, 0);
}

beforeAll(async () => {
  emu = await startEmulator({ quiet: true });
  client = createClient({ endpoint: emu.url, token: emu.token });
});
afterAll(async () => {
  await emu.stop();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "drgitops-handlers-"));
  await fetch(`${emu.origin}/__emulator/reset`, {
    method: "POST",
    headers: { authorization: `Bearer ${emu.token}` },
  });
  return () => rm(dir, { recursive: true, force: true });
});

describe("apply handlers on the emulator", () => {
  it("uploads a dataset once per content: a second run finds it by its digest-bearing name", async () => {
    const file = join(dir, "train.csv");
    const text = "a,b\n1,2\n";
    await writeFile(file, text);
    const upload = base("uploadDataset", "u", {
      localPath: "train.csv",
      sha256: sha(text),
      size: text.length,
      catalogName: `train-${sha(text).slice(0, 12)}`,
    });
    const first = await run(planOf([upload]));
    const second = await run(planOf([upload]));
    expect(first.results[0]?.message).toMatch(/^uploaded/);
    expect(second.results[0]?.message).toMatch(/^found/);
    expect(await requests(/^POST \/api\/v2\/datasets\/fromFile/)).toBe(1);
    expect(second.produced("u")?.["datasetId"]).toBe(first.produced("u")?.["datasetId"]);
    expect(first.produced("u")?.["datasetId"]).toMatch(/^[0-9a-f]{24}$/);
  });

  it("refuses as stale a dataset file edited after the plan, without uploading it", async () => {
    const file = join(dir, "train.csv");
    await writeFile(file, "a,b\n1,2\n");
    const upload = base("uploadDataset", "u", {
      localPath: "train.csv",
      sha256: sha("something else"),
      size: 8,
      catalogName: "train-000000000000",
    });
    const uploadsBefore = await requests(/^POST \/api\/v2\/datasets\/fromFile/);
    const result = await run(planOf([upload]));
    expect(result.results[0]).toMatchObject({ outcome: "skipped", reason: "stale" });
    expect(result.totals.stale).toBe(1);
    expect(await requests(/^POST \/api\/v2\/datasets\/fromFile/)).toBe(uploadsBefore);
  });

  it("builds an environment version once per context digest", async () => {
    const context = join(dir, "ctx");
    await mkdir(context);
    await writeFile(join(context, "Dockerfile"), "FROM python:3.11\n");
    const digest = `sha256:${sha("context")}`;
    const actions = [
      base("createEnvironment", "e", {
        body: {
          name: "Env",
          description: withTrailer("", { key: KEY }),
          programmingLanguage: "python",
          useCases: ["customModel"],
        },
      }),
      base(
        "buildEnvironmentVersion",
        "b",
        {
          environment: { fromAction: "e" },
          dockerContext: "ctx",
          contextDigest: digest,
          description: "",
        },
        ["e"],
      ),
    ];
    const first = await run(planOf(actions));
    expect(first.totals.succeeded).toBe(2);
    const envId = first.produced("e")!["environmentId"]!;
    const again = await run(
      planOf([
        base("buildEnvironmentVersion", "b", {
          environment: { id: envId },
          dockerContext: "ctx",
          contextDigest: digest,
          description: "",
        }),
      ]),
    );
    expect(again.results[0]?.message).toMatch(/^reused/);
    const versions = [];
    for await (const v of client.environmentVersions.listAll(envId)) versions.push(v);
    expect(versions).toHaveLength(1);
    expect(parseDescription(versions[0]!.description ?? "").trailer?.fingerprint).toBe(digest);
  });

  it("creates a model idempotently, creates a version with its trailer, tests it and records the outcome", async () => {
    const src = join(dir, "src");
    await mkdir(src);
    await writeFile(join(src, "custom.py"), "def score(data, model, **kw):\n    return data\n");
    const custom = "def score(data, model, **kw):\n    return data\n";
    const model = base("createModel", "m", {
      body: {
        name: "M1",
        description: "",
        targetType: "Unstructured",
        customModelType: "inference",
        userProvidedId: KEY,
      },
    });
    const fingerprint = `sha256:${sha("fp")}`;
    const version = base(
      "createVersion",
      "v",
      {
        model: { fromAction: "m" },
        mode: "clean",
        uploads: [
          { path: "custom.py", localPath: "src/custom.py", sha256: sha(custom), size: custom.length },
        ],
        deletions: [],
        isMajorUpdate: true,
        version: {
          files: [{ path: "custom.py", sha256: sha(custom) }],
          environment: { id: "5e8c889607389fe0f466c72d", versionId: "5e8c889607389fe0f466c72e" },
          resources: null,
          runtimeParameterValues: null,
          trainingData: null,
          holdoutData: null,
          unmanaged: [],
        },
        enableTrainingDataForVersions: false,
        fingerprint,
      },
      ["m"],
    );
    const digest = `sha256:${sha("config")}`;
    const test = base(
      "runTest",
      "t",
      {
        model: { fromAction: "m" },
        version: { fromAction: "v" },
        dataset: null,
        configuration: {},
        parameters: {},
        predictionDataset: null,
        configDigest: digest,
      },
      ["v"],
    );
    const first = await run(planOf([model, version, test]));
    expect(first.results.map((r) => r.outcome)).toEqual(["succeeded", "succeeded", "succeeded"]);
    const created = await client.customModels.get(first.produced("m")!["modelId"]!);
    expect(parseDescription(created.latestVersion!.description ?? "").trailer).toEqual({
      key: KEY,
      fingerprint,
      test: { outcome: "succeeded", configDigest: digest },
    });
    // The version cache knows the new version's files: the next plan needs no download.
    const cached = await new VersionFileCache(versionCacheDir(dir)).get(created.latestVersion!.id);
    expect(cached?.files).toEqual([{ path: "custom.py", sha256: sha(custom), size: custom.length }]);

    const again = await run(planOf([model]));
    expect(again.results[0]?.message).toBe(`already existed as ${created.id}`);
  });

  it("re-checks a saved plan's expectations: a moved model is stale, its dependents skipped", async () => {
    const { model } = await client.customModels.create({
      name: "X",
      targetType: "Unstructured",
      userProvidedId: KEY,
    });
    const expected = { id: model.id, latestVersionId: null, updated: model.updated ?? null };
    await client.customModels.update(model.id, { description: "edited in the UI" });
    const update = { ...base("updateModel", "u", { modelId: model.id, patch: { name: "Y" } }), expected };
    const del = { ...base("deleteModel", "d", { modelId: model.id }, ["u"]), expected };
    const result = await run(planOf([update, del]), true);
    expect(result.results.map((r) => [r.outcome, r.reason])).toEqual([
      ["skipped", "stale"],
      ["skipped", "dependency-failed"],
    ]);
    expect((await client.customModels.get(model.id)).name).toBe("X");
  });

  it("never deletes a protected model, even when the plan says so", async () => {
    const { model } = await client.customModels.create({
      name: "P",
      targetType: "Unstructured",
      userProvidedId: KEY,
      description: withTrailer("", { key: KEY, protected: true }),
    });
    const result = await run(planOf([base("deleteModel", "d", { modelId: model.id })]));
    expect(result.results[0]).toMatchObject({ outcome: "failed" });
    expect(result.results[0]?.message).toContain("protected");
    expect((await client.customModels.get(model.id)).id).toBe(model.id);
  });
});
