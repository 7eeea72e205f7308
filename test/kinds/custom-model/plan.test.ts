import { describe, expect, it } from "vitest";
import { parseDescription, withTrailer } from "../../../src/reconcile/trailer.js";
import {
  dataset,
  desired,
  environment,
  file,
  freshLive,
  model,
  needsOf,
  planOf,
  testConfig,
  secretDigest,
} from "../../reconcile/builders.js";
import { newServer, observe, simulate } from "../../reconcile/simulate.js";
import { applied, AT, only, planFor, types } from "../plan-helpers.js";

describe("buildPlan: new objects", () => {
  it("creates a model, one clean version with every file, its dependency build and its test, in order", () => {
    const m = model("fraud", {
      files: [file("custom.py", "x"), file("requirements.txt", "pandas\n")],
      hasRequirements: true,
      test: testConfig(),
    });
    const plan = planFor(newServer(freshLive()), desired({ models: [m] }));
    expect(types(plan)).toEqual([
      "createModel fraud",
      "createVersion fraud",
      "buildDependencies fraud",
      "runTest fraud",
    ]);
    const version = only(plan, "createVersion");
    expect(version.mode).toBe("clean");
    expect(version.uploads.map((u) => u.path)).toEqual(["custom.py", "requirements.txt"]);
    expect(version.dependsOn).toEqual(["createModel:acme/models/fraud"]);
    expect(version.model).toEqual({ fromAction: "createModel:acme/models/fraud" });
    expect(version.fingerprint).toMatch(/^sha256:/);
    expect(only(plan, "runTest").dependsOn).toEqual(["buildDependencies:acme/models/fraud"]);
    const body = only(plan, "createModel").body;
    expect(body.userProvidedId).toBe("acme/models/fraud");
    expect(parseDescription(body.description).trailer?.key).toBe("acme/models/fraud");
    expect(plan.summary.total).toBe(4);
  });

  it("builds a new environment first and leaves the version fingerprint to apply (known after apply)", () => {
    const env = environment("py311");
    const m = model("fraud", { environment: { ref: "py311" } });
    const plan = planFor(newServer(freshLive()), desired({ models: [m], environments: [env] }));
    expect(types(plan)).toEqual([
      "createEnvironment py311",
      "buildEnvironmentVersion py311",
      "createModel fraud",
      "createVersion fraud",
    ]);
    const version = only(plan, "createVersion");
    expect(version.fingerprint).toBeNull();
    expect(version.version.environment).toEqual({ fromAction: "buildEnvironmentVersion:acme/models/py311" });
    expect(version.dependsOn).toContain("buildEnvironmentVersion:acme/models/py311");
  });

  it("uploads a dataset once per content and finds it again by its digest-bearing name", () => {
    const train = dataset("train");
    const m = model("fraud", { trainingData: { dataset: { ref: "train" }, partitionColumn: "fold" } });
    const state = desired({ models: [m], datasets: [train] });
    const server = applied(state);
    expect(server.live.datasets.filter((d) => !d.id.startsWith("ds-e")).map((d) => d.name)).toEqual([
      `train-${train.content.type === "file" ? train.content.sha256.slice(0, 12) : ""}`,
    ]);
    const plan = planFor(server, state);
    expect(plan.actions).toEqual([]);
    expect(plan.unchanged).toEqual(["acme/models/fraud", "acme/models/train"]);
  });

  it("refuses a reference it cannot resolve, pointing at the manifest", () => {
    const m = model("fraud", { environment: { name: "No such env" } });
    const plan = planFor(newServer(freshLive()), desired({ models: [m] }));
    expect(plan.actions).toEqual([]);
    expect(plan.refusals).toEqual([
      {
        key: "acme/models/fraud",
        reason: 'manifests/fraud.yaml:1: no execution environment is named "No such env"',
        blocking: true,
      },
    ]);
  });
});

describe("buildPlan: changes to an applied model", () => {
  const base = model("fraud", {
    files: [file("custom.py", "v1"), file("model.pkl", "weights"), file("old.txt", "old")],
  });

  it("is empty right after apply and needs no file digests or tests to know it", () => {
    const state = desired({ models: [base] });
    const server = applied(state);
    expect(needsOf(state, { ...server.live, versionFiles: {} }, "fileDigests")).toEqual([]);
    const plan = planFor(server, state);
    expect(plan.actions).toEqual([]);
    expect(plan.unchanged).toEqual(["acme/models/fraud"]);
  });

  it("one edited file and one removed file make exactly one version uploading only that file", () => {
    const server = applied(desired({ models: [base] }));
    const edited = model("fraud", { files: [file("custom.py", "v2"), file("model.pkl", "weights")] });
    const state = desired({ models: [edited] });
    const listed = { ...server.live, versionFiles: {} };
    expect(needsOf(state, listed, "fileDigests").map((v) => v["modelKey"])).toEqual(["acme/models/fraud"]);
    const plan = planFor(server, state);
    expect(types(plan)).toEqual(["createVersion fraud"]);
    const version = only(plan, "createVersion");
    expect(version.mode).toBe("fromPrevious");
    expect(version.uploads.map((u) => u.path)).toEqual(["custom.py"]);
    const oldItem = server.live.models[0]!.latestVersion!.items.find((i) => i.filePath === "old.txt")!;
    expect(version.deletions).toEqual([{ itemId: oldItem.id, path: "old.txt" }]);
    expect(version.changes.map((c) => (c.kind === "file" ? `${c.change} ${c.path}` : c.path))).toEqual([
      "modified custom.py",
      "removed old.txt",
    ]);
    expect(plan.drift).toEqual([]);
  });

  it("without live digests uploads every file rather than assuming them equal", () => {
    const server = applied(desired({ models: [base] }));
    const edited = desired({ models: [model("fraud", { files: [file("custom.py", "v2")] })] });
    const live = { ...observe(server, edited), versionFiles: {} };
    const version = only(planOf(edited, live, { createdAt: AT }), "createVersion");
    expect(version.uploads.map((u) => u.path)).toEqual(["custom.py"]);
    expect(version.reasons).toContain("live file digests unavailable: every file is uploaded");
  });

  it("puts every version-level change in the same createVersion", () => {
    const server = applied(desired({ models: [base] }));
    const changed = model("fraud", {
      files: [file("custom.py", "v2"), file("model.pkl", "weights"), file("old.txt", "old")],
      resources: { maximumMemory: 2 ** 31, replicas: 2 },
      runtimeParameters: [{ source: "literal", name: "MODE", type: "string", value: "fast" }],
    });
    const plan = planFor(server, desired({ models: [changed] }));
    expect(types(plan)).toEqual(["createVersion fraud"]);
    expect(only(plan, "createVersion").changes.map((c) => c.path)).toEqual([
      "custom.py",
      "resources.maximumMemory",
      "resources.replicas",
      "runtimeParameters.MODE",
    ]);
  });

  it("asks for a major version when the latest one is frozen", () => {
    const state = desired({ models: [model("fraud", { test: testConfig() })] });
    const server = applied(state);
    expect(server.live.models[0]!.latestVersion!.isFrozen).toBe(true);
    const plan = planFor(
      server,
      desired({ models: [model("fraud", { test: testConfig(), files: [file("custom.py", "v9")] })] }),
    );
    expect(only(plan, "createVersion").isMajorUpdate).toBe(true);
  });

  it("patches model-level fields once, with the trailer recording what was applied", () => {
    const server = applied(desired({ models: [base] }));
    const renamed = model("fraud", {
      files: base.files,
      fields: { name: "Fraud v2", targetName: "y", description: "new" },
    });
    const plan = planFor(server, desired({ models: [renamed] }));
    expect(types(plan)).toEqual(["updateModel fraud"]);
    const update = only(plan, "updateModel");
    expect(update.patch.name).toBe("Fraud v2");
    expect(parseDescription(update.patch.description!).body).toBe("new");
    expect(update.reasons).toEqual(["name, description changed in the manifest"]);
    expect(plan.drift).toEqual([]);
  });

  it("calls a UI edit that removed the model's trailer drift, not a manifest change", () => {
    const described = model("fraud", {
      files: base.files,
      fields: { name: "fraud", targetName: "y", description: "from git" },
    });
    const server = applied(desired({ models: [described] }));
    // Typing a new description in the UI replaces the whole text, trailer included.
    server.live.models[0]!.description = "typed in the UI";
    server.live.models[0]!.trailer = null;
    const plan = planFor(server, desired({ models: [described] }));
    expect(plan.drift.map((d) => [d.key, d.subject])).toEqual([["acme/models/fraud", "model"]]);
    expect(only(plan, "updateModel").reasons).toEqual(["restore description changed outside drgitops"]);
    expect(parseDescription(only(plan, "updateModel").patch.description!).trailer?.key).toBe(
      "acme/models/fraud",
    );
  });

  it("adopts a model made elsewhere whose fields equal the manifest: its trailer is recorded, no drift", () => {
    const server = applied(desired({ models: [base] }));
    server.live.models[0]!.description = "";
    server.live.models[0]!.trailer = null;
    const plan = planFor(server, desired({ models: [base] }));
    expect(plan.drift).toEqual([]);
    expect(only(plan, "updateModel").reasons).toEqual([
      "record drgitops ownership in the model's description trailer",
    ]);
  });

  it("leaves fields listed in lifecycle.ignoreChanges alone", () => {
    const server = applied(desired({ models: [base] }));
    server.live.models[0]!.description = withTrailer("edited in the UI", server.live.models[0]!.trailer!);
    const ignoring = model("fraud", {
      files: base.files,
      fields: { name: "fraud", targetName: "y", description: "from git" },
      lifecycle: { protected: false, ignoreChanges: ["description"] },
    });
    const plan = planFor(server, desired({ models: [ignoring] }));
    expect(plan.actions).toEqual([]);
  });

  it("records protection in the trailer, so prune still sees it after the manifest is gone", () => {
    const server = applied(desired({ models: [base] }));
    const protectedModel = model("fraud", {
      files: base.files,
      lifecycle: { protected: true, ignoreChanges: [] },
    });
    const plan = planFor(server, desired({ models: [protectedModel] }));
    const update = only(plan, "updateModel");
    expect(parseDescription(update.patch.description!).trailer?.protected).toBe(true);
    expect(update.changes).toContainEqual({
      kind: "value",
      path: "lifecycle.protected",
      before: false,
      after: true,
    });
  });

  it("refuses a targetType change instead of patching it", () => {
    const server = applied(desired({ models: [base] }));
    const plan = planFor(
      server,
      desired({ models: [model("fraud", { files: base.files, targetType: "Binary" })] }),
    );
    expect(plan.actions).toEqual([]);
    expect(plan.refusals[0]?.reason).toContain("targetType cannot change (live Regression, manifest Binary)");
    expect(plan.refusals[0]?.blocking).toBe(true);
  });
});

describe("buildPlan: drift", () => {
  const m = model("fraud", { files: [file("custom.py", "v1")] });
  const state = desired({ models: [m] });

  it("reports a version created in the UI as drift and restores the manifest with one version", () => {
    const server = applied(state);
    const latest = server.live.models[0]!.latestVersion!;
    // A UI upload: new version without trailer, different custom.py.
    const uiVersion = { ...latest, id: "ver-ui", label: "2.0", description: "", trailer: null };
    server.live.models[0]!.latestVersion = uiVersion;
    server.live.versionFiles["ver-ui"] = [{ path: "custom.py", sha256: "f".repeat(64), size: 3 }];
    const plan = planFor(server, state);
    expect(plan.drift).toHaveLength(1);
    expect(plan.drift[0]).toMatchObject({ key: "acme/models/fraud", subject: "version" });
    expect(types(plan)).toEqual(["createVersion fraud"]);
    expect(only(plan, "createVersion").uploads.map((u) => u.path)).toEqual(["custom.py"]);
  });

  it("annotates a trailer-less latest version equal to the manifest (e.g. a crash before the PATCH), no drift", () => {
    const server = applied(state);
    const latest = server.live.models[0]!.latestVersion!;
    latest.description = "";
    latest.trailer = null;
    const plan = planFor(server, state);
    expect(plan.drift).toEqual([]);
    expect(types(plan)).toEqual(["annotateVersion fraud"]);
    expect(only(plan, "annotateVersion").trailer.fingerprint).toMatch(/^sha256:/);
  });

  it("tells a model field changed in the UI (drift) from one changed in the manifest", () => {
    const server = applied(state);
    const live = server.live.models[0]!;
    live.name = "renamed in the UI";
    const plan = planFor(server, state);
    expect(plan.drift).toEqual([
      {
        key: "acme/models/fraud",
        subject: "model",
        summary: "name changed outside drgitops",
        changes: [{ kind: "value", path: "name", before: "renamed in the UI", after: "fraud" }],
      },
    ]);
    expect(only(plan, "updateModel").patch).toEqual({ name: "fraud" });
  });
});

describe("buildPlan: tests and the gate", () => {
  const withTest = (configuration = { errorCheck: "fail" as const }) =>
    desired({ models: [model("fraud", { test: testConfig({ configuration }) })] });

  it("keeps a failed test failing the gate on re-run, with nothing else to do", () => {
    const server = applied(withTest(), { testOutcome: () => "failed" });
    expect(needsOf(withTest(), server.live, "latestTest")).toEqual([]);
    const plan = planFor(server, withTest());
    expect(plan.actions).toEqual([]);
    expect(plan.gate).toHaveLength(1);
    expect(plan.gate[0]).toMatchObject({ key: "acme/models/fraud", outcome: "failed" });
  });

  it("re-runs the test when only its configuration changed", () => {
    const server = applied(withTest(), { testOutcome: () => "failed" });
    const changed = withTest({ errorCheck: "warn" } as never);
    const plan = planFor(server, changed);
    expect(types(plan)).toEqual(["runTest fraud"]);
    expect(plan.gate).toEqual([]);
  });

  it("with ignoreChanges: [test], a new test configuration waits for the next version", () => {
    const server = applied(withTest());
    const ignoring = desired({
      models: [
        model("fraud", {
          test: testConfig({ configuration: { errorCheck: "warn" } }),
          lifecycle: { protected: false, ignoreChanges: ["test"] },
        }),
      ],
    });
    expect(planFor(server, ignoring).actions).toEqual([]);
  });

  it("without a recorded outcome, fetches the latest test and records it (a failure still gates)", () => {
    const server = applied(withTest(), { testOutcome: () => "failed" });
    const v = server.live.models[0]!.latestVersion!;
    const trailer = { ...v.trailer! };
    delete trailer.test;
    v.description = withTrailer("", trailer);
    v.trailer = parseDescription(v.description).trailer;
    expect(needsOf(withTest(), server.live, "latestTest")).toEqual([
      { modelKey: "acme/models/fraud", modelId: server.live.models[0]!.id },
    ]);
    const plan = planFor(server, withTest());
    expect(types(plan)).toEqual(["annotateVersion fraud"]);
    expect(only(plan, "annotateVersion").trailer.test?.outcome).toBe("failed");
    expect(plan.gate).toHaveLength(1);
  });

  it("a new version clears the gate: its own test decides", () => {
    const server = applied(withTest(), { testOutcome: () => "failed" });
    const fixed = desired({
      models: [model("fraud", { test: testConfig(), files: [file("custom.py", "fixed")] })],
    });
    const plan = planFor(server, fixed);
    expect(types(plan)).toEqual(["createVersion fraud", "runTest fraud"]);
    expect(plan.gate).toEqual([]);
  });

  it("--skip-tests plans no test run", () => {
    const plan = planFor(newServer(freshLive()), withTest(), { skipTests: true });
    expect(types(plan)).toEqual(["createModel fraud", "createVersion fraud"]);
  });
});

describe("buildPlan: prune", () => {
  const keep = model("keep");
  const gone = ["a", "b", "c"].map((n) => model(n));
  const all = desired({ models: [keep, ...gone] });

  it("refuses to prune when no manifest was loaded at all, unless --allow-empty says so", () => {
    const server = applied(all);
    const nothing = desired();
    const refused = planFor(server, nothing, { prune: true, maxDeletions: 10 });
    expect(refused.actions).toEqual([]);
    expect(refused.refusals.map((r) => [r.key, r.blocking])).toEqual([[null, true]]);
    expect(refused.refusals[0]?.reason).toContain("no manifests were loaded");
    const allowed = planFor(server, nothing, { prune: true, maxDeletions: 10, allowEmpty: true });
    expect(types(allowed)).toEqual(["deleteModel a", "deleteModel b", "deleteModel c", "deleteModel keep"]);
    // --max-deletions still holds with --allow-empty.
    expect(planFor(server, nothing, { prune: true, allowEmpty: true, maxDeletions: 2 }).actions).toEqual([]);
  });

  it("is off unless asked, and deletes managed models with no manifest when asked", () => {
    const server = applied(all);
    const remaining = desired({ models: [keep] });
    expect(planFor(server, remaining).actions).toEqual([]);
    expect(types(planFor(server, remaining, { prune: true }))).toEqual([
      "deleteModel a",
      "deleteModel b",
      "deleteModel c",
    ]);
  });

  it("never deletes protected or deployed models, and says why", () => {
    const server = applied(
      desired({
        models: [keep, model("a", { lifecycle: { protected: true, ignoreChanges: [] } }), ...gone.slice(1)],
      }),
    );
    server.live.models.find((m) => m.key.endsWith("/b"))!.deploymentsCount = 2;
    const plan = planFor(server, desired({ models: [keep] }), { prune: true });
    expect(types(plan)).toEqual(["deleteModel c"]);
    expect(plan.refusals.map((r) => [r.key, r.blocking])).toEqual([
      ["acme/models/a", false],
      ["acme/models/b", false],
    ]);
    expect(plan.refusals[0]!.reason).toContain("protected");
    expect(plan.refusals[1]!.reason).toContain("2 deployment(s)");
  });

  it("refuses every deletion beyond --max-deletions, blocking the plan", () => {
    const server = applied(all);
    const plan = planFor(server, desired({ models: [keep] }), { prune: true, maxDeletions: 2 });
    expect(plan.actions).toEqual([]);
    expect(plan.refusals).toHaveLength(1);
    expect(plan.refusals[0]!.blocking).toBe(true);
    expect(plan.refusals[0]!.reason).toContain("more than --max-deletions 2");
  });

  it("does not delete what --target or --selector merely filtered out", () => {
    const server = applied(all);
    const remaining = desired({ models: [keep] });
    expect(types(planFor(server, remaining, { prune: true, targets: ["keep"] }))).toEqual([]);
    expect(types(planFor(server, remaining, { prune: true, targets: ["a"] }))).toEqual(["deleteModel a"]);
    expect(types(planFor(server, remaining, { prune: true, selector: { team: "risk" } }))).toEqual([]);
  });

  it("never sees models outside the namespace", () => {
    const server = applied(all);
    server.live.models.push({ ...server.live.models[0]!, id: "foreign", key: "other/ns/x" });
    const plan = planFor(server, desired({ models: [keep] }), { prune: true, maxDeletions: 10 });
    expect(plan.actions.map((a) => a.key)).not.toContain("other/ns/x");
  });
});

describe("buildPlan: scope", () => {
  it("--target keeps the targeted model and what it depends on", () => {
    const env = environment("py311");
    const a = model("a", { environment: { ref: "py311" } });
    const b = model("b");
    const plan = planFor(newServer(freshLive()), desired({ models: [a, b], environments: [env] }), {
      targets: ["a"],
    });
    expect(new Set(plan.actions.map((x) => x.key))).toEqual(new Set(["acme/models/a", "acme/models/py311"]));
  });

  it("refuses a --target that matches nothing, instead of planning nothing", () => {
    const plan = planFor(newServer(freshLive()), desired({ models: [model("a")] }), { targets: ["typo"] });
    expect(plan.actions).toEqual([]);
    expect(plan.refusals).toEqual([
      {
        key: null,
        reason: "--target typo matches no manifest and no managed model in acme/models; check the name",
        blocking: true,
      },
    ]);
  });

  it("--selector matches labels", () => {
    const a = model("a", { labels: { team: "risk" } });
    const b = model("b", { labels: { team: "ops" } });
    const plan = planFor(newServer(freshLive()), desired({ models: [a, b] }), { selector: { team: "risk" } });
    expect(new Set(plan.actions.map((x) => x.key))).toEqual(new Set(["acme/models/a"]));
  });
});

describe("buildPlan: secrets", () => {
  it("never shows a live text value, which may have been set as sensitive", () => {
    const secret = "was-sensitive-before";
    const sensitiveParam = {
      source: "sensitive" as const,
      name: "TOKEN",
      type: "string" as const,
      envVar: "TOKEN",
      valueHash: secretDigest(secret),
    };
    const server = applied(desired({ models: [model("fraud", { runtimeParameters: [sensitiveParam] })] }), {
      env: { TOKEN: secret },
    });
    const literal = desired({
      models: [
        model("fraud", {
          runtimeParameters: [{ source: "literal", name: "TOKEN", type: "string", value: "x" }],
        }),
      ],
    });
    const plan = planFor(server, literal);
    expect(only(plan, "createVersion").changes).toEqual([
      { kind: "value", path: "runtimeParameters.TOKEN", before: "(current value hidden)", after: "x" },
    ]);
    expect(JSON.stringify(plan)).not.toContain(secret);
  });

  it("holds only the hash of a sensitive value and shows that it changed", () => {
    const secret = "hunter2-very-secret";
    const param = (value: string) => ({
      source: "sensitive" as const,
      name: "WEBHOOK",
      type: "string" as const,
      envVar: "WEBHOOK_URL",
      valueHash: secretDigest(value),
    });
    const state = desired({ models: [model("fraud", { runtimeParameters: [param(secret)] })] });
    const server = applied(state, { env: { WEBHOOK_URL: secret } });
    expect(planFor(server, state).actions).toEqual([]);
    const rotated = desired({ models: [model("fraud", { runtimeParameters: [param("rotated-secret")] })] });
    const plan = planFor(server, rotated);
    expect(only(plan, "createVersion").changes).toEqual([
      { kind: "sensitive", path: "runtimeParameters.WEBHOOK" },
    ]);
    const json = JSON.stringify(plan);
    expect(json).not.toContain(secret);
    expect(json).not.toContain("rotated-secret");
  });
});

describe("lazy observation", () => {
  it("asks for the latest test of a version it can only presume changed, so a failure keeps gating", () => {
    const state = desired({ models: [model("fraud", { test: testConfig() })] });
    const server = applied(state, { testOutcome: () => "failed" });
    // A crash between creating a version and writing its trailer, after a test had failed on it.
    const v = server.live.models[0]!.latestVersion!;
    v.description = "";
    v.trailer = null;
    const listed = { ...server.live, versionFiles: {}, latestTests: {} };
    expect(needsOf(state, listed, "fileDigests").map((x) => x["versionId"])).toEqual([v.id]);
    expect(needsOf(state, listed, "latestTest").map((x) => x["modelKey"])).toEqual(["acme/models/fraud"]);
    const plan = planFor(server, state);
    expect(types(plan)).toEqual(["annotateVersion fraud"]);
    expect(plan.gate).toHaveLength(1);
  });
});

describe("buildPlan: environments", () => {
  const env = environment("py311");
  const m = model("fraud", { environment: { ref: "py311" } });
  const state = desired({ models: [m], environments: [env] });

  it("after apply, models use the built version and nothing is left to do", () => {
    const server = applied(state);
    const liveEnv = server.live.environments.find((e) => e.key === "acme/models/py311")!;
    expect(server.live.models[0]!.latestVersion!.baseEnvironmentVersionId).toBe(liveEnv.latestVersion!.id);
    expect(planFor(server, state).actions).toEqual([]);
  });

  it("a changed docker context builds one new version and moves the model onto it", () => {
    const server = applied(state);
    const changed = desired({ models: [m], environments: [environment("py311", "FROM python:3.12\n")] });
    const plan = planFor(server, changed);
    expect(types(plan)).toEqual(["buildEnvironmentVersion py311", "createVersion fraud"]);
    expect(only(plan, "createVersion").dependsOn).toEqual(["buildEnvironmentVersion:acme/models/py311"]);
    expect(only(plan, "createVersion").uploads).toEqual([]);
  });

  it("reuses an earlier build when the context is reverted to it, as apply would, instead of building", () => {
    const server = applied(state);
    const changed = desired({ models: [m], environments: [environment("py311", "FROM python:3.12\n")] });
    simulate(server, planFor(server, changed));
    // Back to the first context: neither listed version (latest, latest successful) has its digest.
    const listed = { ...server.live, environmentVersions: {} };
    expect(needsOf(state, listed, "versions")).toEqual([{ environmentId: server.live.environments[1]!.id }]);
    const plan = planFor(server, state);
    expect(types(plan)).toEqual(["createVersion fraud"]);
    const first = server.live.environmentVersions[server.live.environments[1]!.id]!.at(-1)!;
    expect(only(plan, "createVersion").version.environment).toEqual({
      id: server.live.environments[1]!.id,
      versionId: first.id,
    });
    simulate(server, plan);
    expect(planFor(server, state).actions).toEqual([]);
  });

  it("builds again when the last build of the same context failed", () => {
    const server = applied(state);
    const liveEnv = server.live.environments.find((e) => e.key === "acme/models/py311")!;
    liveEnv.latestVersion!.buildStatus = "failed";
    liveEnv.latestSuccessfulVersion = null;
    const build = only(planFor(server, state), "buildEnvironmentVersion");
    expect(build.reasons[0]).toContain("the last build of this docker context failed");
  });

  it("patches name, description and use cases; refuses a language change", () => {
    const server = applied(state);
    const edited = structuredClone(env);
    edited.fields = {
      name: "Python 3.11",
      description: "team env",
      programmingLanguage: "r",
      useCases: ["customModel", "notebook"],
    };
    const plan = planFor(server, desired({ models: [m], environments: [edited] }));
    const update = only(plan, "updateEnvironment");
    expect(update.patch.name).toBe("Python 3.11");
    expect(parseDescription(update.patch.description!)).toMatchObject({
      body: "team env",
      trailer: { key: "acme/models/py311" },
    });
    expect(update.patch.useCases).toEqual(["customModel", "notebook"]);
    expect(plan.refusals.map((r) => r.reason)).toEqual([
      "programmingLanguage cannot change (live python, manifest r); give the environment a new name to create another one",
    ]);
  });

  it("tells an environment renamed in the UI (drift) from one renamed in the manifest", () => {
    const server = applied(state);
    server.live.environments.find((e) => e.key === "acme/models/py311")!.name = "renamed in the UI";
    const plan = planFor(server, state);
    expect(plan.drift).toEqual([
      {
        key: "acme/models/py311",
        subject: "environment",
        summary: "name changed outside drgitops",
        changes: [{ kind: "value", path: "name", before: "renamed in the UI", after: "py311" }],
      },
    ]);
    expect(only(plan, "updateEnvironment").patch).toEqual({ name: "py311" });
    const renamed = structuredClone(env);
    renamed.fields.name = "Python 3.11";
    expect(planFor(server, desired({ models: [m], environments: [renamed] })).drift).toEqual([]);
  });

  it("finds its environment by trailer even when another one has the same name", () => {
    const server = applied(state);
    const ours = server.live.environments.find((e) => e.key === "acme/models/py311")!;
    server.live.environments.unshift({ ...ours, id: "impostor", key: null, description: "", trailer: null });
    expect(planFor(server, state).actions).toEqual([]);
  });

  it("refuses a dataset or environment id DataRobot does not have, at plan time, at the field's line", () => {
    const at = {
      file: "manifests/fraud.yaml",
      line: 1,
      fields: { "spec.trainingData.dataset": { line: 9, column: 14 } },
    };
    const missing = model("fraud", { source: at, trainingData: { dataset: { id: "ds-nope" } } });
    const plan = planFor(newServer(freshLive()), desired({ models: [missing] }));
    expect(plan.actions).toEqual([]);
    expect(plan.refusals).toEqual([
      {
        key: "acme/models/fraud",
        reason:
          "manifests/fraud.yaml:9:14: no catalog dataset has id ds-nope; check the id (or use {ref: <Dataset manifest>})",
        blocking: true,
      },
    ]);
    const testData = model("fraud", { test: testConfig({ dataset: { id: "ds-gone" } }) });
    expect(planFor(newServer(freshLive()), desired({ models: [testData] })).refusals[0]?.reason).toContain(
      "no catalog dataset has id ds-gone",
    );
    const badVersion = model("fraud", { environment: { id: "env-public", versionId: "envv-never" } });
    const server = newServer(freshLive());
    // An environment version the listing does not show is looked up before it is judged.
    expect(needsOf(desired({ models: [badVersion] }), server.live, "versions")).toEqual([
      { environmentId: "env-public" },
    ]);
    expect(planFor(server, desired({ models: [badVersion] })).refusals[0]?.reason).toContain(
      "has no version envv-never",
    );
  });

  it("refuses a Dataset manifest naming a catalog id that does not exist, at its spec.id", () => {
    const existing = { ...dataset("train"), content: { type: "existing" as const, id: "ds-missing" } };
    existing.source = {
      file: "manifests/train.yaml",
      line: 1,
      fields: { "spec.id": { line: 5, column: 7 } },
    };
    const plan = planFor(newServer(freshLive()), desired({ datasets: [existing] }));
    expect(plan.refusals).toEqual([
      {
        key: "acme/models/train",
        reason:
          "manifests/train.yaml:5:7: no catalog dataset has id ds-missing; check the id, or give the Dataset a file to upload",
        blocking: true,
      },
    ]);
    const found = { ...existing, content: { type: "existing" as const, id: "ds-external" } };
    expect(planFor(newServer(freshLive()), desired({ datasets: [found] })).unchanged).toEqual([
      "acme/models/train",
    ]);
  });

  it("uses an existing catalog dataset by id without uploading anything", () => {
    const withData = desired({
      models: [model("fraud", { trainingData: { dataset: { id: "ds-existing" } } })],
    });
    const plan = planFor(newServer(freshLive()), withData);
    expect(types(plan)).toEqual(["createModel fraud", "createVersion fraud"]);
    expect(only(plan, "createModel").body.isTrainingDataForVersionsPermanentlyEnabled).toBe(true);
    expect(only(plan, "createVersion").version.trainingData).toEqual({ dataset: { id: "ds-existing" } });
  });
});
