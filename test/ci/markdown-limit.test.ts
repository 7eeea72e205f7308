import { describe, expect, it } from "vitest";
import { limitMarkdown } from "../../src/ci/markdown-limit.js";

const NOTE = "> cut";

describe("limitMarkdown", () => {
  it("returns text that fits unchanged", () => {
    expect(limitMarkdown("a\nb\n", { max: 4, note: NOTE })).toEqual({ text: "a\nb\n", truncated: false });
  });

  it("cuts at a line boundary and appends the note, within the limit", () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${i}`).join("\n");
    const { text: out, truncated } = limitMarkdown(text, { max: 200, note: NOTE });
    expect(truncated).toBe(true);
    expect(out.length).toBeLessThanOrEqual(200);
    const lines = out.split("\n");
    expect(lines.at(-2)).toBe(NOTE);
    // Every kept line is a whole line of the original, in order.
    const kept = lines.slice(0, lines.indexOf(""));
    expect(kept.length).toBeGreaterThan(10);
    expect(kept).toEqual(text.split("\n").slice(0, kept.length));
  });

  it("closes an open code fence (with its indentation) and every open <details>", () => {
    const text = [
      "<details><summary>a</summary>",
      "",
      "- **create version**",
      "    ```diff",
      ...Array.from({ length: 50 }, (_, i) => `    +line ${i} <details> inside code is not markup`),
      "    ```",
      "</details>",
    ].join("\n");
    const { text: out } = limitMarkdown(text, { max: 400, note: NOTE });
    expect(out.length).toBeLessThanOrEqual(400);
    expect(out).toMatch(/\+line \d+ <details> inside code is not markup\n {4}```\n\n<\/details>\n\n> cut\n$/);
  });

  it("closes a ~~~ fence with the same marker and nested <details> once each", () => {
    const text = [
      "<details>",
      "<details>",
      "~~~~",
      "```",
      ...Array.from({ length: 50 }, () => "x".repeat(20)),
      "~~~~",
    ].join("\n");
    const { text: out } = limitMarkdown(text, { max: 300, note: NOTE });
    expect(out).toMatch(/x\n~~~~\n\n<\/details>\n\n<\/details>\n\n> cut\n$/);
  });

  it("does not reopen a closed fence or details", () => {
    const text = [
      "<details>",
      "```",
      "code",
      "```",
      "</details>",
      ...Array.from({ length: 50 }, () => "tail line"),
    ].join("\n");
    const { text: out } = limitMarkdown(text, { max: 120, note: NOTE });
    expect(out).not.toMatch(/<\/details>\n\n<\/details>/);
    expect(out.endsWith("tail line\n\n> cut\n")).toBe(true);
  });

  it("measures with the given function (UTF-8 bytes)", () => {
    const text = "é".repeat(50) + "\n" + "é".repeat(50);
    const bytes = (t: string) => Buffer.byteLength(t);
    const { text: out } = limitMarkdown(text, { max: 150, measure: bytes, note: NOTE });
    expect(bytes(out)).toBeLessThanOrEqual(150);
    expect(out).toBe("é".repeat(50) + "\n\n> cut\n");
  });
});
