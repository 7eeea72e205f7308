import { describe, expect, it } from "vitest";
import { parseModelMetadata } from "../../../src/emulator/domain/model-metadata.js";
import { parseRequirements } from "../../../src/emulator/domain/requirements.js";
import {
  mergeRuntimeOverrides,
  missingRequiredParameters,
  runtimeParameterEntries,
} from "../../../src/emulator/domain/runtime-parameters.js";
import { HttpError } from "../../../src/emulator/http/errors.js";

describe("parseRequirements", () => {
  it("keeps valid lines with their physical numbers and names each invalid one", () => {
    const { dependencies, invalid } = parseRequirements(
      [
        "# comment",
        "Flask==2.3.2",
        "scikit-learn >= 1.3 , < 2",
        "",
        "pkg (>=1.0)",
        "-e git+https://x/y.git",
        "https://example.com/x.whl",
        "./local/pkg",
        "bad name==1",
        "foo!=2",
        "bar~=1.2",
        "baz==",
        "qux @ https://example.com/qux.whl",
      ].join("\r\n"),
    );
    expect(dependencies.map((d) => [d.packageName, d.lineNumber, d.constraints])).toEqual([
      ["Flask", 2, [{ constraintType: "==", version: "2.3.2" }]],
      [
        "scikit-learn",
        3,
        [
          { constraintType: ">=", version: "1.3" },
          { constraintType: "<", version: "2" },
        ],
      ],
      ["pkg", 5, [{ constraintType: ">=", version: "1.0" }]],
    ]);
    expect(invalid.map((i) => i.lineNumber)).toEqual([6, 7, 8, 9, 10, 11, 12, 13]);
    expect(invalid.find((i) => i.lineNumber === 10)?.reason).toContain("!=");
    expect(invalid.find((i) => i.lineNumber === 6)?.line).toBe("-e git+https://x/y.git");
  });

  it("returns nothing for an empty file", () => {
    expect(parseRequirements("\n\n# only comments\n")).toEqual({ dependencies: [], invalid: [] });
  });
});

describe("parseModelMetadata", () => {
  const noCredentials = (): boolean => false;

  it("normalises definitions with their defaults", () => {
    const r = parseModelMetadata(
      "name: x\nruntimeParameterDefinitions:\n  - fieldName: A\n    type: numeric\n    defaultValue: 2\n    minValue: 1\n    maxValue: 3\n  - {fieldName: B, type: string, defaultValue: ''}\n",
      noCredentials,
    );
    expect(r).toEqual({
      valid: true,
      definitions: [
        {
          fieldName: "A",
          type: "numeric",
          description: null,
          allowEmpty: true,
          minValue: 1,
          maxValue: 3,
          defaultValue: 2,
          credentialType: null,
        },
        {
          fieldName: "B",
          type: "string",
          description: null,
          allowEmpty: true,
          minValue: null,
          maxValue: null,
          defaultValue: null,
          credentialType: null,
        },
      ],
    });
  });

  it.each([
    ["a: [", "not valid YAML"],
    ["- a\n- b\n", "top level must be a mapping"],
    ["runtimeParameterDefinitions: {}\n", "must be a list"],
    ["runtimeParameterDefinitions:\n  - {fieldName: 1X, type: string}\n", "fieldName"],
    ["runtimeParameterDefinitions:\n  - {fieldName: X, type: text}\n", "type"],
    [
      "runtimeParameterDefinitions:\n  - {fieldName: X, type: string}\n  - {fieldName: X, type: string}\n",
      "duplicate fieldName X",
    ],
    [
      "runtimeParameterDefinitions:\n  - {fieldName: X, type: numeric, minValue: 5, maxValue: 1}\n",
      "minValue must not exceed maxValue",
    ],
    [
      "runtimeParameterDefinitions:\n  - {fieldName: X, type: numeric, defaultValue: 9, maxValue: 1}\n",
      "above maxValue",
    ],
    [
      "runtimeParameterDefinitions:\n  - {fieldName: X, type: boolean, defaultValue: yes please}\n",
      "must be a boolean",
    ],
    ["runtimeParameterDefinitions:\n  - {fieldName: X, type: string, minValue: 1}\n", "only to numeric"],
    [
      "runtimeParameterDefinitions:\n  - {fieldName: X, type: credential, defaultValue: abc}\n",
      "credential abc does not exist",
    ],
  ])("judges %j invalid: %s", (text, reason) => {
    const r = parseModelMetadata(text, noCredentials);
    expect(r.valid).toBe(false);
    expect(r.valid ? "" : r.error).toContain(reason);
  });
});

describe("runtime parameter overrides", () => {
  const defs = parseModelMetadata(
    "runtimeParameterDefinitions:\n  - {fieldName: N, type: numeric, defaultValue: 1}\n  - {fieldName: S, type: string, allowEmpty: false}\n",
    () => false,
  );
  const definitions = defs.valid ? defs.definitions : [];

  it("drops previous overrides whose definition vanished or changed type", () => {
    const next = mergeRuntimeOverrides(
      definitions,
      {
        N: { type: "numeric", value: 5 },
        GONE: { type: "string", value: "x" },
        S: { type: "boolean", value: true },
      },
      undefined,
      () => undefined,
    );
    expect(next).toEqual({ N: { type: "numeric", value: 5 } });
  });

  it("converts numeric strings and reports the required parameters still empty", () => {
    const next = mergeRuntimeOverrides(definitions, {}, [{ fieldName: "N", value: "2.5" }], () => undefined);
    const entries = runtimeParameterEntries(definitions, next);
    expect(entries.map((e) => e.currentValue)).toEqual([2.5, null]);
    expect(missingRequiredParameters(entries)).toEqual(["S"]);
  });

  it("throws a 422 naming runtimeParameterValues for a list that is not one", () => {
    expect(() => mergeRuntimeOverrides(definitions, {}, { N: 1 }, () => undefined)).toThrow(HttpError);
    const error = ((): unknown => {
      try {
        mergeRuntimeOverrides(definitions, {}, "nope", () => undefined);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).statusCode).toBe(422);
    expect((error as HttpError).errors).toHaveProperty("runtimeParameterValues");
  });
});
