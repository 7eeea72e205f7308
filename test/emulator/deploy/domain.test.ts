import { describe, expect, it } from "vitest";
import { effectiveSettings, mergeSettings } from "../../../src/emulator/domain/deployment-settings.js";
import { validateReplacement } from "../../../src/emulator/domain/deployment-validation.js";
import type { PackageTarget } from "../../../src/emulator/store/model-packages.js";

const target = (over: Partial<PackageTarget> = {}): PackageTarget => ({
  name: "y",
  type: "Multiclass",
  predictionThreshold: 0.5,
  classNames: ["a", "b", "c"],
  ...over,
});
const serving = { versionId: "v1", target: target() };
const candidate = (over: Partial<PackageTarget> = {}) => ({
  versionId: "v2",
  target: target(over),
  packageId: "p2",
  built: true,
});
const failing = (v: ReturnType<typeof validateReplacement>): string[] =>
  Object.entries(v.checks)
    .filter(([, c]) => c.status === "failing")
    .map(([k]) => k);

describe("validateReplacement (API.md §13.7)", () => {
  it("compares class labels as a set, but binary labels in order", () => {
    expect(validateReplacement(serving, candidate({ classNames: ["c", "a", "b"] })).status).toBe("passing");
    expect(failing(validateReplacement(serving, candidate({ classNames: ["a", "b"] })))).toEqual([
      "classLabels",
    ]);
    const binary = { versionId: "v1", target: target({ type: "Binary", classNames: ["yes", "no"] }) };
    expect(
      failing(validateReplacement(binary, candidate({ type: "Binary", classNames: ["no", "yes"] }))),
    ).toEqual(["classLabels"]);
    expect(failing(validateReplacement(binary, candidate({ type: "Binary", classNames: null })))).toEqual([
      "classLabels",
    ]);
  });

  it("applies a scripted failure to the named check only, and `pass` over real failures", () => {
    const scripted = validateReplacement(serving, candidate(), {
      outcome: "fail",
      check: "modelPackageBuilt",
    });
    expect(scripted).toMatchObject({
      status: "failing",
      message: "modelPackageBuilt failed (scripted by the scenario file)",
    });
    expect(failing(scripted)).toEqual(["modelPackageBuilt"]);
    const forced = validateReplacement(
      serving,
      { ...candidate({ type: "Regression" }), versionId: "v1" },
      {
        outcome: "pass",
      },
    );
    expect(forced.status).toBe("passing");
    const real = validateReplacement(serving, { ...candidate({ type: "Regression" }), versionId: "v1" });
    expect(failing(real)).toEqual(["targetType", "notCurrentModel"]);
  });
});

describe("deployment settings (API.md §13.8)", () => {
  it("merges keys inside a section, keeps other sections, stores unknown ones as given", () => {
    const once = mergeSettings({}, { segmentAnalysis: { enabled: true }, extra: 3 });
    const twice = mergeSettings(once, { segmentAnalysis: { attributes: ["region"] } });
    expect(effectiveSettings(twice)).toMatchObject({
      segmentAnalysis: { enabled: true, attributes: ["region"] },
      extra: 3,
      humility: { enabled: false },
    });
    expect(() => mergeSettings({}, { targetDrift: null })).toThrow(/targetDrift must be an object/);
    expect(() => mergeSettings({}, { custom: { enabled: 1 } })).toThrow(/custom\.enabled must be a boolean/);
  });
});
