import { describe, expect, it } from "vitest";
import type { CustomModel } from "../../../src/client/wire/custom-model.js";
import type { CustomModelTest } from "../../../src/client/wire/test.js";
import { liveModelsFrom, liveTest } from "../../../src/kinds/custom-model/live.js";
import { withTrailer } from "../../../src/reconcile/trailer.js";

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

describe("custom models as listed", () => {
  it("keeps only models in the namespace, with trailers parsed and wire nulls normalised", () => {
    const live = liveModelsFrom(
      "acme/models",
      [
        wireModel(
          "m1",
          "acme/models/fraud",
          withTrailer("Scores", { key: "acme/models/fraud", protected: true }),
        ),
        wireModel("m2", "acme/other/fraud"),
        wireModel("m3", "acme/models-2/x"),
        wireModel("m4", null),
      ],
      [{ credentialId: "c1", name: "openai", credentialType: "api_token" }],
    );
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

  it("reads a test's failed checks, and an unknown status as still running (never as a pass)", () => {
    expect(liveTest(test("failed"))).toEqual({
      id: "t1",
      versionId: "m1-v1",
      overallStatus: "failed",
      failedChecks: [{ check: "errorCheck", message: "no entry point" }],
    });
    expect(liveTest(test("queued_somewhere")).overallStatus).toBe("in_progress");
  });
});
