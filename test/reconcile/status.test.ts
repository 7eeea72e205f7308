import { describe, expect, it } from "vitest";
import { renderStatusHuman, renderStatusJson, shortTime } from "../../src/cli/views/status.js";
import { buildPlan } from "../../src/reconcile/plan.js";
import { resourceStatuses, type ResourceStatus } from "../../src/reconcile/status.js";
import {
  dataset,
  desired,
  environment,
  file,
  freshLive,
  liveState,
  model,
  NS,
  testConfig,
} from "./builders.js";
import { newServer, observe, simulate } from "./simulate.js";

const AT = "2026-01-01T00:00:00.000Z";

/**
 * Five models applied, then one edited locally, one renamed outside drgitops, one whose test failed,
 * one whose manifest is gone; plus an environment and a dataset. Status reads them off one plan.
 */
function world() {
  const names = ["synced", "edited", "renamed", "failing", "orphan"];
  const models = (edit: boolean) =>
    names
      .filter((n) => !edit || n !== "orphan")
      .map((n) =>
        model(n, {
          test: testConfig(),
          files: [file("custom.py", edit && n === "edited" ? "# changed locally\n" : `# ${n}\n`)],
        }),
      );
  const first = desired({
    models: models(false),
    environments: [environment("py")],
    datasets: [dataset("d")],
  });
  const server = newServer(freshLive());
  simulate(server, buildPlan(first, liveState(observe(server, first)), { createdAt: AT }).plan, {
    testOutcome: (key) => (key.endsWith("/failing") ? "failed" : "succeeded"),
  });
  const renamed = server.live.models.find((m) => m.key === `${NS}/renamed`)!;
  renamed.name = "Renamed in the UI";
  server.live.models.find((m) => m.key === `${NS}/synced`)!.latestVersion!.created =
    "2026-05-01T12:34:56.789012Z";
  const now = desired({ models: models(true), environments: [environment("py")], datasets: [dataset("d")] });
  const live = liveState(observe(server, now));
  const { plan } = buildPlan(now, live, { createdAt: AT });
  return { rows: resourceStatuses(plan, now, live), plan };
}

const byKey = (rows: ResourceStatus[]) =>
  Object.fromEntries(rows.map((r) => [r.key.slice(NS.length + 1), r]));

describe("resourceStatuses", () => {
  it("derives the state of every resource from the plan, and lists managed objects without a manifest", () => {
    const { rows } = world();
    expect(rows.map((r) => [r.key.slice(NS.length + 1), r.kind, r.state])).toEqual([
      ["edited", "CustomModel", "changes pending"],
      ["failing", "CustomModel", "gate failed"],
      ["orphan", "CustomModel", "unmanaged"],
      ["renamed", "CustomModel", "drifted"],
      ["synced", "CustomModel", "in sync"],
      ["py", "ExecutionEnvironment", "in sync"],
      ["d", "Dataset", "in sync"],
    ]);
  });

  it("says why a resource is not in sync, and gives the kind's facts", () => {
    const rows = byKey(world().rows);
    expect(rows["edited"]!.reasons[0]).toBe("createVersion: files changed");
    expect(rows["renamed"]!.reasons[0]).toMatch(/^drift: /);
    expect(rows["failing"]!.reasons[0]).toMatch(/^gate: the latest test of version \S+ failed/);
    expect(rows["failing"]!.test).toBe("failed");
    expect(rows["orphan"]!.reasons[0]).toContain("no manifest declares this key");
    expect(rows["synced"]).toMatchObject({
      state: "in sync",
      reasons: [],
      version: { label: expect.any(String) as string, created: "2026-05-01T12:34:56.789012Z" },
      test: "succeeded",
      serves: null,
    });
    expect(rows["synced"]!.id).toMatch(/.+/);
    expect(rows["py"]!.version?.label).toBeTruthy();
    expect(rows["py"]!.test).toBeNull();
    expect(rows["d"]!.details["catalogName"]).toMatch(/^d-[0-9a-f]{12}$/);
  });

  it("a model without a test section reads as untested", () => {
    const state = desired({ models: [model("plain")] });
    const server = newServer(freshLive());
    simulate(server, buildPlan(state, liveState(observe(server, state)), { createdAt: AT }).plan);
    const live = liveState(observe(server, state));
    const [row] = resourceStatuses(buildPlan(state, live).plan, state, live);
    expect(row).toMatchObject({ state: "in sync", test: "untested" });
  });
});

describe("status views", () => {
  it("human: a table with the states, the reasons of those not in sync, and the counts", () => {
    const text = renderStatusHuman(world().rows, { namespace: NS, color: false });
    const lines = text.split("\n");
    expect(lines[0]).toBe(`drgitops status for namespace ${NS}`);
    expect(lines[2]).toMatch(/^RESOURCE\s+KIND\s+STATE\s+VERSION\s+CREATED\s+TEST\s+COMMIT$/);
    expect(text).toMatch(/acme\/models\/synced\s+model\s+in sync\s+\S+\s+2026-05-01 12:34\s+succeeded/);
    expect(text).toMatch(/acme\/models\/failing\s+model\s+gate failed\s+\S+\s+-\s+failed/);
    expect(text).not.toContain("SERVES");
    expect(text).toContain("Not in sync\n  acme/models/renamed (drifted)\n      drift: ");
    expect(lines.at(-2)).toBe("Status: 3 in sync, 1 changes pending, 1 drifted, 1 gate failed, 1 unmanaged.");
  });

  it("human: a SERVES column appears once some kind fills it", () => {
    const rows = world().rows.map((r, i) => (i === 0 ? { ...r, serves: "fraud v3 (1.2)" } : r));
    const text = renderStatusHuman(rows, { namespace: NS, color: false });
    expect(text.split("\n")[2]).toMatch(/COMMIT\s+SERVES$/);
    expect(text).toContain("fraud v3 (1.2)");
  });

  it("json: the namespace, counts by state and every row", () => {
    const parsed = JSON.parse(renderStatusJson(world().rows, NS)) as {
      namespace: string;
      summary: Record<string, number>;
      resources: ResourceStatus[];
    };
    expect(parsed.namespace).toBe(NS);
    expect(parsed.summary).toEqual({ inSync: 3, changesPending: 1, drifted: 1, gateFailed: 1, unmanaged: 1 });
    expect(parsed.resources.map((r) => r.state)).toContain("unmanaged");
  });

  it("shows times to the minute, in UTC as the API gives them", () => {
    expect(shortTime("2026-05-01T12:34:56.789012Z")).toBe("2026-05-01 12:34");
    expect(shortTime(null)).toBe("-");
  });
});
