import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/spec/canonical-json.js";

/** The definition: a copy with sorted keys, handed to JSON.stringify (what digests were made with). */
function reference(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : sortKeys(x)));
    if (typeof v === "number" && !Number.isFinite(v)) throw new TypeError("no JSON form");
    if (v === null || typeof v !== "object") return v;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) {
      const member = (v as Record<string, unknown>)[key];
      if (member !== undefined) out[key] = sortKeys(member);
    }
    return out;
  };
  return JSON.stringify(sortKeys(value));
}

describe("canonicalJson", () => {
  it("writes exactly what sorting the keys and JSON.stringify write, for any JSON-like data", () => {
    const data = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.constant(null),
        fc.constant(undefined),
        fc.boolean(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer(),
        fc.string({ unit: "binary" }),
        fc.array(tie("value"), { maxLength: 5 }),
        fc.dictionary(fc.string({ unit: "binary" }), tie("value"), { maxKeys: 5 }),
      ),
    })).value;
    fc.assert(
      fc.property(data, (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
      }),
      { numRuns: 500 },
    );
  });

  it("sorts keys at every level and drops undefined members", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, undefined], c: undefined } })).toBe(
      '{"a":{"d":[3,null]},"b":1}',
    );
    expect(canonicalJson([-0, "x\u0000"])).toBe('[0,"x\\u0000"]');
  });

  it("gives what the general way gives for data that is not plain (dates, toJSON, functions)", () => {
    const odd = {
      when: new Date(0),
      custom: { toJSON: () => "custom", z: 1 },
      fn: () => 1,
      list: [() => 1, Symbol("s")],
      nested: Object.create({ inherited: 1 }) as object,
    };
    expect(canonicalJson(odd)).toBe(reference(odd));
  });

  it("refuses a number JSON cannot write", () => {
    expect(() => canonicalJson({ a: [1, Number.NaN] })).toThrow(TypeError);
    expect(() => canonicalJson(Infinity)).toThrow(/no JSON form/);
  });
});
