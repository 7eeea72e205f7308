import { describe, expect, it } from "vitest";
import type { ActionOf } from "../../../src/kinds/index.js";
import {
  liveModelFields,
  modelFieldsToWire,
  resourcesFromManifest,
} from "../../../src/kinds/custom-model/fields.js";
import { versionSpecFingerprint } from "../../../src/kinds/custom-model/fingerprint.js";
import type { Plan } from "../../../src/reconcile/plan-file.js";
import type { DesiredState } from "../../../src/reconcile/state.js";
import { desired, freshLive, model, NS, planOf } from "../../reconcile/builders.js";
import { newServer, observe, simulate, type Server } from "../../reconcile/simulate.js";

const AT = "2026-01-01T00:00:00.000Z";

function planFor(server: Server, state: DesiredState): Plan {
  return planOf(state, observe(server, state), { createdAt: AT });
}

function applied(state: DesiredState): Server {
  const server = newServer(freshLive());
  simulate(server, planFor(server, state));
  return server;
}

function only<T extends Plan["actions"][number]["type"]>(plan: Plan, type: T): ActionOf<T> {
  const found = plan.actions.filter((a): a is ActionOf<T> => a.type === type);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe("model tags (spec.tags)", () => {
  const tagged = (tags: Record<string, string>) =>
    desired({ models: [model("fraud", { fields: { name: "fraud", targetName: "y", tags } })] });

  it("are sent with the new model and, once applied, need nothing", () => {
    const state = tagged({ team: "risk", tier: "gold" });
    const plan = planFor(newServer(freshLive()), state);
    expect(only(plan, "createModel").body.tags).toEqual({ team: "risk", tier: "gold" });
    expect(planFor(applied(state), state).actions).toEqual([]);
  });

  it("changed in the UI are drift, and one PATCH puts the manifest's map back", () => {
    const state = tagged({ team: "risk" });
    const server = applied(state);
    server.live.models[0]!.tags = { team: "ops", extra: "ui" };
    const plan = planFor(server, state);
    expect(plan.drift).toEqual([
      expect.objectContaining({
        key: `${NS}/fraud`,
        subject: "model",
        summary: "tags changed outside drgitops",
      }),
    ]);
    const update = only(plan, "updateModel");
    expect(update.patch.tags).toEqual({ team: "risk" });
    expect(update.changes).toEqual([
      { kind: "value", path: "tags", before: { team: "ops", extra: "ui" }, after: { team: "risk" } },
    ]);
  });

  it("changed in the manifest are an intended change, not drift", () => {
    const server = applied(tagged({ team: "risk" }));
    const plan = planFor(server, tagged({ team: "risk", tier: "gold" }));
    expect(plan.drift).toEqual([]);
    expect(only(plan, "updateModel").reasons).toEqual(["tags changed in the manifest"]);
  });

  it("are left alone when the manifest has none (tags set in the UI stay)", () => {
    const plain = desired({ models: [model("fraud")] });
    const server = applied(plain);
    server.live.models[0]!.tags = { set: "in the UI" };
    expect(planFor(server, plain).actions).toEqual([]);
  });

  it("travel as a sorted [{name, value}] list on the wire, and a name given twice never reads as equal", () => {
    expect(modelFieldsToWire({ name: "m", tags: { z: "1", a: "2" } })).toEqual({
      name: "m",
      tags: [
        { name: "a", value: "2" },
        { name: "z", value: "1" },
      ],
    });
    expect(modelFieldsToWire({ name: "m" })).toEqual({ name: "m" });
    const listed = (tags?: { name: string; value: string }[]) =>
      liveModelFields({
        id: "m1",
        name: "m",
        description: "",
        language: "",
        targetType: "Regression",
        created: AT,
        ...(tags ? { tags } : {}),
      }).tags;
    expect(
      listed([
        { name: "team", value: "risk" },
        { name: "team", value: "ops" },
      ]),
    ).toEqual({ team: "risk, ops" });
    expect(listed()).toEqual({});
  });
});

describe("resource bundles (spec.resources.bundle)", () => {
  const bundled = (bundle: string) =>
    desired({ models: [model("fraud", { resources: resourcesFromManifest({ bundle, replicas: 2 }) })] });

  it("are sent as resourceBundleId, without memory", () => {
    expect(resourcesFromManifest({ bundle: "cpu.small", memory: 2 ** 30 })).toEqual({
      resourceBundleId: "cpu.small",
    });
    const plan = planFor(newServer(freshLive()), bundled("cpu.small"));
    expect(only(plan, "createVersion").version.resources).toEqual({
      resourceBundleId: "cpu.small",
      replicas: 2,
    });
  });

  it("changed in the UI (a version with another bundle) are drift, restored by one version", () => {
    const state = bundled("cpu.small");
    const server = applied(state);
    expect(planFor(server, state).actions).toEqual([]);
    const latest = server.live.models[0]!.latestVersion!;
    server.live.models[0]!.latestVersion = {
      ...latest,
      id: "ver-ui",
      label: "9.0",
      description: "",
      trailer: null,
      resourceBundleId: "gpu.large",
    };
    server.live.versionFiles["ver-ui"] = server.live.versionFiles[latest.id]!;
    const plan = planFor(server, state);
    expect(plan.drift.map((d) => d.subject)).toEqual(["version"]);
    const version = only(plan, "createVersion");
    expect(version.changes).toEqual([
      { kind: "value", path: "resources.resourceBundleId", before: "gpu.large", after: "cpu.small" },
    ]);
    expect(version.uploads).toEqual([]);
  });

  it("enter the fingerprint only when set, so fingerprints of existing versions never change", () => {
    const spec = only(planFor(newServer(freshLive()), bundled("cpu.small")), "createVersion").version;
    const withoutBundle = { ...spec, resources: { replicas: 2 } };
    const sameWithUndefined = { ...spec, resources: { replicas: 2, resourceBundleId: undefined } };
    expect(versionSpecFingerprint(sameWithUndefined)).toBe(versionSpecFingerprint(withoutBundle));
    expect(versionSpecFingerprint(spec)).not.toBe(versionSpecFingerprint(withoutBundle));
    expect(versionSpecFingerprint(spec)).not.toBe(
      versionSpecFingerprint({ ...spec, resources: { replicas: 2, resourceBundleId: "cpu.large" } }),
    );
  });
});
