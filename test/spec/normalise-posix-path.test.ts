import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalisePosixPath } from "../../src/spec/digest.js";

/** The definition: backslashes are separators, empty and `.` segments go. */
const reference = (path: string): string =>
  path
    .replaceAll("\\", "/")
    .split("/")
    .filter((p) => p !== "" && p !== ".")
    .join("/");

describe("normalisePosixPath", () => {
  it("equals the split-and-filter definition for any mix of names, dots and separators", () => {
    const piece = fc.constantFrom("a", "b.c", ".", "..", "", "\\", "/", ".x", "x.", "./", "//", "é");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const path = pieces.join("");
        expect(normalisePosixPath(path)).toBe(reference(path));
      }),
      { numRuns: 5000 },
    );
  });

  it("keeps a normal path and normalises the odd ones", () => {
    expect(normalisePosixPath("src/a.py")).toBe("src/a.py");
    expect(normalisePosixPath("./src//a.py/")).toBe("src/a.py");
    expect(normalisePosixPath("src\\a.py")).toBe("src/a.py");
    expect(normalisePosixPath(".")).toBe("");
    expect(normalisePosixPath("..")).toBe("..");
  });
});
