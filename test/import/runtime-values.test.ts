import { describe, expect, it } from "vitest";
import { importedValue } from "../../src/import/runtime-values.js";
import type { RuntimeParameterDefinition } from "../../src/spec/schema/model-metadata.js";

const DEFINITIONS: RuntimeParameterDefinition[] = [
  { fieldName: "MODE", type: "string" },
  { fieldName: "WEBHOOK_SECRET", type: "string" },
  { fieldName: "REGION", type: "string" },
  { fieldName: "CUTOFF", type: "numeric" },
  { fieldName: "VERBOSE", type: "boolean" },
  { fieldName: "KEY", type: "credential" },
  { fieldName: "TARGET", type: "deployment" },
];
const CREDENTIALS = new Map([["cred-1", "openai-prod"]]);
const imported = (fieldName: string, type: string, overrideValue: string | number | boolean) =>
  importedValue({ fieldName, type, overrideValue }, DEFINITIONS, CREDENTIALS);

describe("runtime parameter values an import writes", () => {
  it("writes numbers, booleans, plain strings and deployment ids as they are", () => {
    expect(imported("CUTOFF", "numeric", 0.7)).toEqual({ kind: "value", value: 0.7 });
    expect(imported("CUTOFF", "numeric", "0.7")).toEqual({ kind: "value", value: 0.7 });
    expect(imported("VERBOSE", "boolean", "True")).toEqual({ kind: "value", value: true });
    expect(imported("MODE", "string", "fast")).toEqual({ kind: "value", value: "fast" });
    expect(imported("TARGET", "deployment", "65f0c1e2a3b4c5d6e7f80912")).toEqual({
      kind: "value",
      value: "65f0c1e2a3b4c5d6e7f80912",
    });
  });

  it("names a credential by its name, and skips one it cannot name", () => {
    expect(imported("KEY", "credential", "cred-1")).toEqual({
      kind: "value",
      value: { credential: "openai-prod" },
    });
    const unknown = imported("KEY", "credential", "cred-gone");
    expect(unknown.kind).toBe("skipped");
    expect(JSON.stringify(unknown)).toContain("{credential: <name>}");
  });

  it("never writes a string that may be a secret: its name, its look, or no definition says it may be", () => {
    const cases: [string, string][] = [
      ["WEBHOOK_SECRET", "hooks.example.com/x"],
      ["REGION", "sk-proj-4f9e8d7c6b5a4938271605f4e3d2c1b0"],
      ["UNDEFINED_ONE", "plain words"],
    ];
    for (const [name, value] of cases) {
      const r = imported(name, "string", value);
      expect(r).toMatchObject({ kind: "withheld", value: { env: name, sensitive: true } });
      expect(JSON.stringify(r)).not.toContain(value);
    }
    // A URL and ordinary words are not key material.
    expect(imported("REGION", "string", "https://example.com/path/that/is/quite/long/1234")).toMatchObject({
      kind: "value",
    });
  });

  it("skips a numeric or boolean value that is not one, rather than guessing", () => {
    expect(imported("CUTOFF", "numeric", "high").kind).toBe("skipped");
    expect(imported("VERBOSE", "boolean", "maybe").kind).toBe("skipped");
  });
});
