import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type DataRobotClient } from "../../src/client/index.js";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import type { Action } from "../../src/kinds/index.js";
import { applyPlan } from "../../src/reconcile/apply.js";
import type { ApplyEvent } from "../../src/reconcile/events.js";
import { cleanVersionFields, handContext, planOf, sha } from "./hand-plan.js";

/**
 * A failed test or dependency build brings the redacted end of its log into the outcome (DESIGN
 * §12), so CI can show why without anyone opening DataRobot.
 */
const TOKEN = "emu-token-0123456789-SECRET";
const SENSITIVE = "s3nsitive-runtime-value";
const CUSTOM = "def score(data, model, **kw):\n    return data\n";

let emu: RunningEmulator;
let client: DataRobotClient;
let dir: string;

/** createModel, createVersion (custom.py plus `files`) and then `then` for the model `name`. */
function modelActions(name: string, files: Record<string, string>, then: Record<string, unknown>[]) {
  const key = `acme/models/${name}`;
  const base = (
    type: Action["type"],
    id: string,
    extra: Record<string, unknown>,
    dependsOn: string[] = [],
  ) => ({
    type,
    id,
    key,
    reasons: ["test"],
    changes: [],
    dependsOn,
    expected: null,
    ...extra,
  });
  const all = { "custom.py": CUSTOM, ...files };
  return [
    base("createModel", `m-${name}`, {
      body: {
        name,
        description: "",
        targetType: "Unstructured",
        customModelType: "inference",
        userProvidedId: key,
      },
    }),
    base("createVersion", `v-${name}`, cleanVersionFields(`m-${name}`, all, name, `sha256:${sha(name)}`), [
      `m-${name}`,
    ]),
    ...then.map((t) => base(t["type"] as Action["type"], `${String(t["type"])}-${name}`, t, [`v-${name}`])),
  ];
}

async function apply(actions: unknown[]) {
  const events: ApplyEvent[] = [];
  const results = await applyPlan(planOf(actions), {
    context: handContext(client, dir, { secrets: [SENSITIVE] }),
    parallelism: 2,
    savedPlan: false,
    onEvent: (e) => events.push(e),
  });
  return { results, events };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "drgitops-faillog-"));
  await writeFile(
    join(dir, "scenario.yaml"),
    [
      "models:",
      '  "acme/models/gated":',
      "    tests:",
      `      sideEffects: {outcome: fail, message: "wrote ${SENSITIVE} and ${TOKEN} to /tmp"}`,
      "",
    ].join("\n"),
  );
  for (const name of ["gated", "broken"]) await mkdir(join(dir, name));
  await writeFile(join(dir, "gated/custom.py"), CUSTOM);
  await writeFile(join(dir, "broken/custom.py"), CUSTOM);
  await writeFile(join(dir, "broken/requirements.txt"), "pandas>=1.5\nthis is === not a requirement\n");
  emu = await startEmulator({ token: TOKEN, scenarioFile: join(dir, "scenario.yaml"), quiet: true });
  client = createClient({ endpoint: emu.url, token: TOKEN });
});
afterAll(async () => {
  await emu.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("failure logs in outcomes", () => {
  it("a failed test gate carries the end of the test log, with the token and sensitive values redacted", async () => {
    const test = {
      type: "runTest",
      model: { fromAction: "m-gated" },
      version: { fromAction: "v-gated" },
      dataset: null,
      configuration: { sideEffects: "fail" },
      parameters: {},
      predictionDataset: null,
      configDigest: `sha256:${sha("config")}`,
    };
    const { results, events } = await apply(modelActions("gated", {}, [test]));
    const gated = results.find((r) => r.type === "runTest")!;
    expect(gated.outcome).toBe("gate-failed");
    expect(gated.log).toMatchObject({ source: "test log", omitted: 0 });
    expect(gated.log!.lines).toContain("sideEffects: failed");
    expect(gated.log!.lines).toContain("sideEffects: wrote [REDACTED] and [REDACTED] to /tmp");
    const failed = events.find((e) => e.type === "action-failed");
    expect(failed).toMatchObject({ gate: true, log: gated.log });
    const everything = JSON.stringify({ results, events });
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(SENSITIVE);
  });

  it("a failed dependency build carries the end of its build log, naming the bad line", async () => {
    const build = {
      type: "buildDependencies",
      model: { fromAction: "m-broken" },
      version: { fromAction: "v-broken" },
    };
    const { results } = await apply(
      modelActions("broken", { "requirements.txt": "pandas>=1.5\nthis is === not a requirement\n" }, [build]),
    );
    const failed = results.find((r) => r.type === "buildDependencies")!;
    expect(failed.outcome).toBe("failed");
    expect(failed.log?.source).toBe("dependency build log");
    expect(failed.log!.lines.join("\n")).toMatch(/line 2.*this is === not a requirement/);
  });
});
