import { describe, expect, it } from "vitest";
import { renderStatusHuman } from "../../../src/cli/views/status.js";
import { buildPlan } from "../../../src/reconcile/plan.js";
import { resourceStatuses, type ResourceStatus } from "../../../src/reconcile/status.js";
import type { DesiredState } from "../../../src/reconcile/state.js";
import {
  deployment,
  desired,
  file,
  liveState,
  model,
  NS,
  registeredModel,
  testConfig,
} from "../../reconcile/builders.js";
import { observe, simulate, type Server } from "../../reconcile/simulate.js";
import { applied, AT, planFor } from "../plan-helpers.js";

function chain(v: string, deployments = ["fraud-prod"]): DesiredState {
  return desired({
    models: [model("fraud", { test: testConfig(), files: [file("custom.py", v)] })],
    registeredModels: [registeredModel("fraud-rm", "fraud")],
    deployments: deployments.map((name) => deployment(name, "fraud-rm")),
  });
}

function statusOf(server: Server, state: DesiredState): Record<string, ResourceStatus> {
  const live = liveState(observe(server, state));
  const rows = resourceStatuses(buildPlan(state, live, { createdAt: AT }).plan, state, live);
  return Object.fromEntries(rows.map((r) => [r.key.slice(NS.length + 1), r]));
}

const label = (server: Server, versionId: string | null | undefined): string =>
  server.versionLabels[versionId ?? ""] ?? "?";

describe("status of registered models and deployments", () => {
  it("a deployment shows what it serves, and a registered model its newest version", () => {
    const server = applied(chain("v1"));
    simulate(server, planFor(server, chain("v2")));
    const rows = statusOf(server, chain("v2"));
    const latest = server.live.models[0]!.latestVersion!;
    expect(rows["fraud-prod"]).toMatchObject({
      kind: "Deployment",
      state: "in sync",
      serves: `${server.live.models[0]!.name} ${latest.label}`,
      test: null,
    });
    expect(rows["fraud-prod"]!.details).toMatchObject({
      importance: "LOW",
      versionId: latest.id,
      modelPackageId: server.live.packages[1]!.id,
    });
    expect(rows["fraud-rm"]).toMatchObject({
      kind: "RegisteredModel",
      state: "in sync",
      version: { label: "v2" },
    });
    expect(rows["fraud-rm"]!.details).toMatchObject({ versions: "2", versionId: latest.id });
  });

  it("a deployment still serving the old version while its replacement is pending says so", () => {
    const server = applied(chain("v1"));
    const old = server.live.models[0]!.latestVersion!;
    const rows = statusOf(server, chain("v2"));
    expect(rows["fraud-prod"]!.serves).toBe(`${server.live.models[0]!.name} ${label(server, old.id)}`);
    expect(rows["fraud-prod"]!.state).toBe("changes pending");
    expect(rows["fraud-prod"]!.reasons.some((r) => r.startsWith("replaceDeploymentModel: "))).toBe(true);
  });

  it("a deployment without a manifest is unmanaged and prunable; a registered model is never pruned", () => {
    const server = applied(chain("v1", ["fraud-prod", "fraud-old"]));
    const state = desired({
      models: [model("fraud", { test: testConfig(), files: [file("custom.py", "v1")] })],
      deployments: [],
      registeredModels: [],
    });
    const rows = statusOf(server, state);
    expect(rows["fraud-old"]).toMatchObject({ state: "unmanaged", kind: "Deployment" });
    expect(rows["fraud-old"]!.reasons[0]).toMatch(/`apply --prune` deletes it unless it is protected$/);
    expect(rows["fraud-old"]!.serves).toMatch(/ \S+$/);
    expect(rows["fraud-rm"]!.reasons[0]).toMatch(/prune never deletes a registered model/);
  });

  it("human: the SERVES column names the model and version of each deployment", () => {
    const server = applied(chain("v1"));
    const live = liveState(observe(server, chain("v1")));
    const rows = resourceStatuses(buildPlan(chain("v1"), live).plan, chain("v1"), live);
    const text = renderStatusHuman(rows, { namespace: NS, color: false });
    const name = server.live.models[0]!.name;
    const version = server.live.models[0]!.latestVersion!.label;
    expect(text.split("\n")[2]).toMatch(/COMMIT\s+SERVES$/);
    expect(text).toMatch(
      new RegExp(
        `acme/models/fraud-prod\\s+deployment\\s+in sync\\s+-\\s+-\\s+-\\s+-\\s+${name} ${version.replace(".", "\\.")}`,
      ),
    );
    expect(text).toMatch(/acme\/models\/fraud-rm\s+registered model\s+in sync\s+v1/);
  });
});
