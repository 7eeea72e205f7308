import { describe, expect, it } from "vitest";
import { renderHuman, renderJson, renderMarkdown, shouldColor, type ReadText } from "../../../src/cli/views/index.js";
import { parsePlan, PlanFileError, type Plan } from "../../../src/reconcile/plan-file.js";
import { desired, environment, file, freshLive, model, planOf, sha, testConfig, secretDigest } from "../../reconcile/builders.js";
import { newServer, observe, simulate } from "../../reconcile/simulate.js";
import { expectGolden } from "./golden.js";

/**
 * Golden files of the three renderers on one plan that has a bit of everything (paired fixtures in
 * gitops-engine's style: an applied state, then edited manifests). `UPDATE_GOLDEN=1` rewrites them.
 */

const SECRET = "hunter2-sensitive-value";
const TOKEN = "drtoken-abc123-never-printed";


const TEXTS = new Map<string, string>();
function text(path: string, content: string) {
  TEXTS.set(sha(content), content);
  return file(path, content);
}
const readText: ReadText = ({ sha256 }) => TEXTS.get(sha256);

const SCORE_V1 = "import pickle\n\ndef load_model(path):\n    return pickle.load(open(path, 'rb'))\n\ndef score(data, model):\n    return model.predict(data)\n";
const SCORE_V2 = "import pickle\n\ndef load_model(path):\n    with open(path, 'rb') as f:\n        return pickle.load(f)\n\ndef score(data, model):\n    return model.predict(data)\n";

const sensitive = (value: string) => ({
  source: "sensitive" as const,
  name: "WEBHOOK_URL",
  type: "string" as const,
  envVar: "FRAUD_WEBHOOK_URL",
  valueHash: secretDigest(value),
});

/** Applied state, then edited manifests: the plan every golden file renders. */
function scenario(): Plan {
  const env = environment("py311");
  const fraud = (score: string, secret: string, replicas: number) =>
    model("fraud", {
      environment: { ref: "py311" },
      files: [text("custom.py", score), file("model.pkl", "\u0000binary-weights"), text("requirements.txt", "scikit-learn==1.5.0\n")],
      hasRequirements: true,
      resources: { replicas },
      runtimeParameters: [{ source: "literal", name: "SCORE_CUTOFF", type: "numeric", value: 0.7 }, sensitive(secret)],
      test: testConfig(),
    });
  const churn = model("churn", { fields: { name: "Churn", targetName: "churned", description: "Monthly churn" } });
  const scorer = model("scorer", { test: testConfig() });
  const legacy = model("legacy");
  const vault = model("vault", { lifecycle: { protected: true, ignoreChanges: [] } });
  const before = desired({ environments: [env], models: [fraud(SCORE_V1, "old-secret", 1), churn, scorer, legacy, vault] });
  const server = newServer(freshLive());
  simulate(server, planOf(before, observe(server, before), { createdAt: "t" }), {
    env: { FRAUD_WEBHOOK_URL: "old-secret" },
    testOutcome: (key) => (key.endsWith("/scorer") ? "failed" : "succeeded"),
  });
  // Behind drgitops' back: someone renamed churn in the UI.
  server.live.models.find((m) => m.key.endsWith("/churn"))!.name = "Churn (edited)";

  const pricing = model("pricing", { environment: { ref: "py311" }, targetType: "Binary", fields: { name: "Pricing", targetName: "buy", positiveClassLabel: "1", negativeClassLabel: "0" } });
  const after = desired({
    environments: [environment("py311", "FROM python:3.12\n")],
    models: [fraud(SCORE_V2, SECRET, 2), churn, scorer, pricing],
  });
  return planOf(after, observe(server, after), { createdAt: "2026-01-01T00:00:00.000Z", prune: true });
}

describe("plan renderers (golden files)", () => {
  const plan = scenario();

  it("human", async () => {
    await expectGolden("plan.txt", await renderHuman(plan, { color: false, readText }));
  });

  it("markdown", async () => {
    await expectGolden("plan.md", await renderMarkdown(plan, { readText }));
  });

  it("json (the plan file)", async () => {
    const json = renderJson(plan);
    await expectGolden("plan.json", json);
    expect(parsePlan(JSON.parse(json), "plan.json")).toEqual(plan);
  });

  it("no changes", async () => {
    const state = desired({ models: [model("a")] });
    const server = newServer(freshLive());
    simulate(server, planOf(state, observe(server, state)));
    const empty = planOf(state, observe(server, state), { createdAt: "2026-01-01T00:00:00.000Z" });
    await expectGolden("empty.txt", await renderHuman(empty, { color: false }));
    await expectGolden("empty.md", await renderMarkdown(empty));
  });
});

describe("plan renderers: what narrows the plan", () => {
  it("name the profile, the shard and --changed-since in the heading, and nothing for a plain plan", async () => {
    const plan = scenario();
    const narrowed: Plan = { ...plan, profile: "prod", shard: { index: 2, count: 3 }, changedSince: "origin/main" };
    const human = await renderHuman(narrowed, { color: false, readText });
    expect(human.split("\n")[0]).toBe(
      "drgitops plan for namespace acme/models (profile prod, shard 2/3, changed since origin/main)",
    );
    const markdown = await renderMarkdown({ ...plan, profile: "prod" }, { readText });
    expect(markdown.split("\n")[0]).toBe("### drgitops plan for `acme/models` (profile `prod`)");
    // Everything below the heading is the plan as it always reads.
    expect(human.split("\n").slice(1)).toEqual((await renderHuman(plan, { color: false, readText })).split("\n").slice(1));
    expect(parsePlan(JSON.parse(renderJson(narrowed)), "plan.json")).toEqual(narrowed);
  });
});

describe("plan renderers: safety", () => {
  const plan = scenario();

  it("never print a sensitive value or a token, in any format, while showing that it changed", async () => {
    const outputs = [
      await renderHuman(plan, { color: true, readText }),
      await renderHuman(plan, { color: false, readText }),
      await renderMarkdown(plan, { readText }),
      renderJson(plan),
    ];
    for (const output of outputs) {
      expect(output).not.toContain(SECRET);
      expect(output).not.toContain("old-secret");
      expect(output).not.toContain(TOKEN);
    }
    expect(outputs[1]).toContain("runtimeParameters.WEBHOOK_URL: (sensitive, changed)");
  });

  it("keep a sensitive value out even when it equals the API token", async () => {
    const state = desired({ models: [model("a", { runtimeParameters: [sensitive(TOKEN)] })] });
    const p = planOf(state, freshLive());
    for (const output of [await renderHuman(p, { color: false }), await renderMarkdown(p), renderJson(p)])
      expect(output).not.toContain(TOKEN);
  });

  it("color only on a TTY without NO_COLOR, and no escape codes otherwise", async () => {
    expect(shouldColor({ isTTY: true }, {})).toBe(true);
    expect(shouldColor({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(shouldColor({ isTTY: true }, { TERM: "dumb" })).toBe(false);
    expect(shouldColor({ isTTY: false }, {})).toBe(false);
    expect(shouldColor({}, {})).toBe(false);
    expect(await renderHuman(plan, { color: false, readText })).not.toContain("\u001b[");
    expect(await renderHuman(plan, { color: true, readText })).toContain("\u001b[");
  });

  it("show binary and unreadable files by size and digest, never as text", async () => {
    const out = await renderHuman(plan, { color: false, readText: () => undefined });
    expect(out).toContain("binary or unavailable: size and digest only");
    expect(out).not.toContain("@@");
  });

  it("reject a saved plan that is not formatVersion 1, naming the field", () => {
    expect(() => parsePlan({ ...plan, formatVersion: 2 }, "plan.json")).toThrow(PlanFileError);
    expect(() => parsePlan({ ...plan, formatVersion: 2 }, "plan.json")).toThrow(/plan\.json: .*formatVersion/);
    expect(() => parsePlan({ ...plan, actions: [{ type: "dropDatabase" }] }, "p.json")).toThrow(/actions\.0/);
  });
});
