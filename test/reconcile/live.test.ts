import { describe, expect, it } from "vitest";
import type { CustomModel } from "../../src/client/wire/custom-model.js";
import type { CustomModelTest } from "../../src/client/wire/test.js";
import { liveStateFrom } from "../../src/reconcile/live.js";
import { withTrailer } from "../../src/reconcile/trailer.js";

function wireModel(id: string, userProvidedId: string | null, description = ""): CustomModel {
  return {
    id,
    name: id,
    description,
    language: "python",
    targetType: "Regression",
    created: "2026-01-01T00:00:00Z",
    updated: "2026-01-02T00:00:00Z",
    userProvidedId,
    latestVersion: {
      id: `${id}-v1`,
      customModelId: id,
      versionMajor: 1,
      versionMinor: 0,
      isFrozen: false,
      items: [{ id: "item-1", fileName: "custom.py", filePath: "custom.py" }],
      description: withTrailer("", { key: userProvidedId ?? "x", fingerprint: `sha256:${"a".repeat(64)}` }),
      runtimeParameters: [{ fieldName: "MODE", type: "string", overrideValue: "fast", currentValue: "fast" }],
    },
  };
}

const test = (overallStatus: string): CustomModelTest => ({
  id: "t1",
  overallStatus,
  customModelVersion: { id: "m1-v1" },
  testingStatus: {
    errorCheck: { status: "failed", message: "no entry point" },
    sideEffects: { status: "succeeded", message: "" },
  },
});

describe("liveStateFrom", () => {
  it("keeps only models in the namespace, with trailers parsed and wire nulls normalised", () => {
    const live = liveStateFrom({
      namespace: "acme/models",
      models: [
        wireModel(
          "m1",
          "acme/models/fraud",
          withTrailer("Scores", { key: "acme/models/fraud", protected: true }),
        ),
        wireModel("m2", "acme/other/fraud"),
        wireModel("m3", "acme/models-2/x"),
        wireModel("m4", null),
      ],
      environments: [],
      datasets: [],
      credentials: [{ credentialId: "c1", name: "openai", credentialType: "api_token" }],
    });
    expect(live.models.map((m) => m.key)).toEqual(["acme/models/fraud"]);
    const m = live.models[0]!;
    expect(m.trailer).toEqual({ key: "acme/models/fraud", protected: true });
    expect(m.deploymentsCount).toBe(0);
    expect(m.latestVersion?.label).toBe("1.0");
    expect(m.latestVersion?.trailer?.fingerprint).toBe(`sha256:${"a".repeat(64)}`);
    expect(m.latestVersion?.runtimeParameters).toEqual([
      { fieldName: "MODE", type: "string", overrideValue: "fast", currentValue: "fast" },
    ]);
    expect(live.credentials).toEqual({ openai: "c1" });
  });

  it("finds managed environments by their trailer, not by name", () => {
    const live = liveStateFrom({
      namespace: "acme/models",
      models: [],
      environments: [
        { id: "e1", name: "py311", description: withTrailer("", { key: "acme/models/py311" }) },
        { id: "e2", name: "py311", description: "same name, not ours" },
      ],
      datasets: [],
      credentials: [],
    });
    expect(live.environments.map((e) => [e.id, e.key])).toEqual([
      ["e1", "acme/models/py311"],
      ["e2", null],
    ]);
  });

  it("reads a test's failed checks, and an unknown status as still running (never as a pass)", () => {
    const live = liveStateFrom({
      namespace: "ns",
      models: [],
      environments: [],
      datasets: [],
      credentials: [],
      latestTests: { "ns/a": test("failed"), "ns/b": test("queued_somewhere"), "ns/c": null },
    });
    expect(live.latestTests["ns/a"]).toEqual({
      id: "t1",
      versionId: "m1-v1",
      overallStatus: "failed",
      failedChecks: [{ check: "errorCheck", message: "no entry point" }],
    });
    expect(live.latestTests["ns/b"]?.overallStatus).toBe("in_progress");
    expect(live.latestTests["ns/c"]).toBeNull();
  });
});
