import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProject } from "../../src/spec/index.js";
import { MAX_ISSUES_PER_FILE } from "../../src/spec/place-issues.js";
import { makeProject } from "./project-builder.js";

describe("files that are not what they claim", () => {
  it("reports a binary file named .yaml once, without printing its bytes", async () => {
    const { root, cleanup } = await makeProject({});
    try {
      // Random bytes with a NUL, as a model artifact misnamed or a corrupt checkout would have.
      await writeFile(join(root, "weights.yaml"), Buffer.concat([randomBytes(3_000_000), Buffer.from([0])]));
      const result = await loadProject({ paths: [], cwd: root });
      expect(result.issues.map((i) => [i.code, i.line, i.column])).toEqual([["not-text", 1, 1]]);
      expect(JSON.stringify(result.issues).length).toBeLessThan(1_000);
    } finally {
      await cleanup();
    }
  });

  it("shows at most a few dozen issues per file, then counts the rest, and cuts quoted text", async () => {
    const documents = Array.from(
      { length: 60 },
      (_, i) => `apiVersion: drgitops/v1\nkind: Nope${i}\nmetadata: {name: m${i}}\n`,
    );
    const longScalar = `key: [${"x".repeat(100_000)}\n`;
    const { root, cleanup } = await makeProject({
      "many.yaml": documents.join("---\n"),
      "long.yaml": longScalar,
    });
    try {
      const result = await loadProject({ paths: [], cwd: root });
      const many = result.issues.filter((i) => i.file.endsWith("many.yaml"));
      expect(many).toHaveLength(MAX_ISSUES_PER_FILE + 1);
      expect(many.at(-1)).toMatchObject({ code: "too-many-issues", severity: "error" });
      expect(many.at(-1)?.message).toContain(`${60 - MAX_ISSUES_PER_FILE} more issues in this file`);
      const long = result.issues.filter((i) => i.file.endsWith("long.yaml"));
      expect(long.length).toBeGreaterThan(0);
      for (const issue of long) expect(issue.message.length).toBeLessThanOrEqual(600);
    } finally {
      await cleanup();
    }
  });
});
