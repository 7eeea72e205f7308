import { describe, expect, it } from "vitest";
import { diffFiles, sameScalar, valueChange } from "../../src/reconcile/diff.js";
import { file } from "./builders.js";

describe("sameScalar: runtime values as the server stores them", () => {
  it.each([
    ["0.7", 0.7, true],
    [0.7, 0.7, true],
    ["0.70", 0.7, true],
    ["", 0, false],
    [null, 0, false],
    ["TRUE", true, true],
    ["false", true, false],
    [1, "1", true],
    ["fast", "fast", true],
    ["Fast", "fast", false],
  ] as const)("%j vs %j -> %s", (live, desired, same) => {
    expect(sameScalar(live, desired)).toBe(same);
  });
});

describe("valueChange", () => {
  it("ignores key order and treats undefined as unset", () => {
    expect(valueChange("x", { a: 1, b: 2 }, { b: 2, a: 1 })).toBeNull();
    expect(valueChange("x", undefined, null)).toBeNull();
    expect(valueChange("x", null, "v")).toEqual({ kind: "value", path: "x", before: null, after: "v" });
  });
});

describe("diffFiles", () => {
  const items = [
    { id: "i1", filePath: "custom.py" },
    { id: "i2", filePath: "./lib/util.py" },
    { id: "i3", filePath: "old.txt" },
  ];
  const live = [
    { path: "custom.py", sha256: file("custom.py", "v1").sha256, size: 2 },
    { path: "lib/util.py", sha256: file("lib/util.py", "u").sha256, size: 1 },
    { path: "old.txt", sha256: file("old.txt", "o").sha256, size: 1 },
  ];

  it("uploads new and changed files only, deletes vanished items by id, normalising paths", () => {
    const diff = diffFiles(
      [file("custom.py", "v2"), file("lib/util.py", "u"), file("new.py", "n")],
      live,
      items,
    );
    expect(diff.uploads.map((u) => u.path)).toEqual(["custom.py", "new.py"]);
    expect(diff.deletions).toEqual([{ itemId: "i3", path: "old.txt" }]);
    expect(diff.changes.map((c) => (c.kind === "file" ? `${c.change} ${c.path}` : ""))).toEqual([
      "modified custom.py",
      "added new.py",
      "removed old.txt",
    ]);
  });

  it("without live digests uploads every desired file, marking known paths modified", () => {
    const diff = diffFiles([file("custom.py", "v1"), file("new.py", "n")], undefined, items);
    expect(diff.uploads.map((u) => u.path)).toEqual(["custom.py", "new.py"]);
    expect(diff.changes.map((c) => (c.kind === "file" ? `${c.change} ${c.path}` : ""))).toEqual([
      "modified custom.py",
      "removed lib/util.py",
      "added new.py",
      "removed old.txt",
    ]);
  });
});
