import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProject } from "../../src/spec/index.js";
import { MAX_ISSUES_PER_FILE } from "../../src/spec/place-issues.js";
import { makeProject, MODEL_FILES, modelYaml } from "./project-builder.js";
import { models } from "./loaded.js";

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

describe("source entries that cannot be uploaded as they are", () => {
  it("reports a dangling symlink, a FIFO, a link back into the source and unsafe names, with their paths", async () => {
    const { root, cleanup } = await makeProject({
      "m.yaml": modelYaml("m"),
      ...MODEL_FILES,
      "model/lib/util.py": "x = 1\n",
    });
    try {
      const model = join(root, "model");
      await symlink("missing.pkl", join(model, "weights.pkl"));
      execFileSync("mkfifo", [join(model, "pipe")]);
      await symlink("lib", join(model, "lib-again"));
      await writeFile(join(model, "back\\slash.py"), "");
      await writeFile(join(model, "line\nbreak.py"), "");
      await mkdir(join(model, "empty"));
      const result = await loadProject({ paths: ["m.yaml"], cwd: root, hash: true });
      expect(result.issues.map((i) => [i.code, i.severity, i.message.split(": ")[0]]).sort()).toEqual([
        [
          "source-file-name",
          "error",
          'the name of "back\\\\slash.py" in source folder "./model" has a backslash or a control character; DataRobot would store it under another name',
        ],
        [
          "source-file-name",
          "error",
          'the name of "line\\nbreak.py" in source folder "./model" has a backslash or a control character; DataRobot would store it under another name',
        ],
        ["source-file-skipped", "warning", '"lib-again" in source folder "./model" is not uploaded'],
        ["source-file-skipped", "warning", '"pipe" in source folder "./model" is not uploaded'],
        ["source-file-skipped", "warning", '"weights.pkl" in source folder "./model" is not uploaded'],
      ]);
      expect([...new Set(result.issues.map((i) => `${i.line} ${i.path.join(".")}`))]).toEqual([
        "9 spec.source.path",
      ]);
      // Without the bad names, the rest is a valid project whose files are listed once, by their own path.
      execFileSync("rm", [join(model, "back\\slash.py"), join(model, "line\nbreak.py")]);
      const again = await loadProject({ paths: ["m.yaml"], cwd: root, hash: true });
      expect(again.ok).toBe(true);
      expect(models(again.project)[0]?.paths["source"]?.files?.map((f) => f.path)).toEqual([
        "custom.py",
        "lib/util.py",
        "requirements.txt",
      ]);
    } finally {
      await cleanup();
    }
  });
});
