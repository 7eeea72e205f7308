import fc from "fast-check";
import { isAbsolute, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { relativePosix } from "../../src/reconcile/state.js";
import { isInside } from "../../src/spec/source-files.js";

/** The definition: `child` is `parent` or below it, by path.relative. */
function byRelative(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

const segment = fc.constantFrom("a", "ab", "a.b", "b", ".", "..", "..a", "", "models", "m-1", "m-10");
const path = fc.array(segment, { maxLength: 5 }).map((parts) => `/${parts.join("/")}`);

/** The definition: path.relative with `/`, or `to` itself when it is not inside `from`. */
function relativeByPath(from: string, to: string): string {
  const rel = relative(from, to);
  const outside = rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel);
  return outside ? to : rel.split(sep).join("/");
}

describe("relativePosix", () => {
  it("agrees with path.relative on any absolute paths, normal or not (property)", () => {
    fc.assert(
      fc.property(path, path, (from, to) => {
        expect(relativePosix(from, to)).toBe(relativeByPath(from, to));
      }),
      { numRuns: 5000 },
    );
  });
});

describe("isInside", () => {
  it("agrees with path.relative on any absolute paths, normal or not (property)", () => {
    fc.assert(
      fc.property(path, path, (parent, child) => {
        expect(isInside(parent, child)).toBe(byRelative(parent, child));
      }),
      { numRuns: 5000 },
    );
  });

  it("is not fooled by a shared name prefix", () => {
    expect(isInside("/repo/models/m-1", "/repo/models/m-10/custom.py")).toBe(false);
    expect(isInside("/repo/models/m-1", "/repo/models/m-1/custom.py")).toBe(true);
    expect(isInside("/repo/models/m-1", "/repo/models/m-1")).toBe(true);
    expect(isInside("/", "/repo")).toBe(true);
    expect(isInside("/repo/a/", "/repo/a/b")).toBe(true);
    // A name that merely starts with two dots is inside, like any other name.
    expect(isInside("/repo", "/repo/..a")).toBe(true);
    expect(relativePosix("/repo", "/repo/..a/m.yaml")).toBe("..a/m.yaml");
  });
});
