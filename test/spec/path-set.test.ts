import { describe, expect, it } from "vitest";
import { PathSet } from "../../src/spec/path-set.js";

describe("PathSet", () => {
  const set = new PathSet(["/r/models/a", "/r/manifests", "/r/data/x.csv"]);

  it("covers a member and what is inside one, not a sibling that shares a prefix", () => {
    expect(set.covers("/r/models/a")).toBe(true);
    expect(set.covers("/r/models/a/sub/file.py")).toBe(true);
    expect(set.covers("/r/models/ab")).toBe(false);
    expect(set.covers("/r/models")).toBe(false);
    expect(set.covers("/")).toBe(false);
  });

  it("meets a member, what is inside one, and a folder holding one", () => {
    expect(set.meets("/r/models")).toBe(true);
    expect(set.meets("/r")).toBe(true);
    expect(set.meets("/")).toBe(true);
    expect(set.meets("/r/data/x.csv")).toBe(true);
    expect(set.meets("/r/data/x")).toBe(false);
    expect(set.meets("/r/mod")).toBe(false);
    expect(set.meets("/r/models/a-2")).toBe(false);
    expect(new PathSet([]).meets("/")).toBe(false);
  });

  it("agrees with the pairwise test on every pair of a small tree", () => {
    const paths = ["/", "/a", "/a/b", "/a/bc", "/a/b/c", "/ab", "/b", "/a/b/c/d.txt"];
    const inside = (parent: string, child: string): boolean =>
      child === parent || child.startsWith(parent === "/" ? "/" : `${parent}/`);
    for (const m of paths)
      for (const p of paths) {
        const one = new PathSet([m]);
        expect(one.covers(p), `${m} covers ${p}`).toBe(inside(m, p));
        expect(one.meets(p), `${m} meets ${p}`).toBe(inside(m, p) || inside(p, m));
      }
  });
});
