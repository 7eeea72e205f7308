import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProject } from "../../src/spec/index.js";
import { parseYaml } from "../../src/spec/yaml-doc.js";
import { makeProject, MODEL_FILES, modelYaml } from "./project-builder.js";

/** Validation messages a user acts on: each names what is wrong in the words of the file they wrote. */
describe("validation messages", () => {
  it("a YAML infinity or NaN is not a finite number, with how to write text or a number instead", async () => {
    const { root, cleanup } = await makeProject({
      ...MODEL_FILES,
      "m.yaml": modelYaml(
        "m",
        "  description: .inf\n  predictionThreshold: .nan\n  resources: {replicas: 1e400}",
      ),
    });
    try {
      const { issues } = await loadProject({ paths: ["m.yaml"], cwd: root, hash: false });
      const byField = new Map(issues.map((i) => [i.path.join("."), i]));
      const description = byField.get("spec.description");
      expect(description?.code).toBe("not-finite-number");
      expect(description?.message).toContain("YAML reads this value as infinity");
      expect(description?.message).toContain("quote it to make it text");
      expect(description?.message).not.toContain("got number null");
      // 1e400 overflows to infinity just as .inf does; a number field says to write a finite number.
      const replicas = byField.get("spec.resources.replicas");
      expect(replicas?.code).toBe("not-finite-number");
      expect(replicas?.message).toContain("write a finite number");
      expect(byField.get("spec.predictionThreshold")?.message).toContain("as NaN");
    } finally {
      await cleanup();
    }
  });

  it("a duplicate YAML key is named", () => {
    const { issues } = parseYaml("/p/m.yaml", "a: 1\nspec:\n  c: 1\n  c: 2\n");
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toMatch(/^the key "c" appears twice in one mapping/);
    expect(issues[0]?.line).toBe(4);
  });

  it("an alias to an anchor of another document says anchors do not cross documents", () => {
    const text = "base: &res {memory: 1Gi}\n---\nspec:\n  resources: *res\n";
    const { docs, issues } = parseYaml("/p/m.yaml", text);
    expect(docs).toHaveLength(1);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: "yaml-alias", line: 4, column: 14 });
    expect(issues[0]?.message).toContain(
      'alias *res names an anchor of another document; anchors do not cross "---"',
    );
  });

  it("an alias used before its anchor (or with none) says so, at the alias", () => {
    const { issues } = parseYaml("/p/m.yaml", "a: *later\nb: &later 1\n");
    expect(issues).toEqual([
      expect.objectContaining({
        code: "yaml-alias",
        line: 1,
        column: 4,
        message: "alias *later names no anchor set before it in this document",
      }),
    ]);
  });

  it("a name defined twice points at the other file relative to the project root", async () => {
    const { root, cleanup } = await makeProject({
      ...MODEL_FILES,
      "manifests/a.yaml": modelYaml("same", "", "../model"),
      "manifests/team/b.yaml": modelYaml("same", "", "../../model"),
    });
    try {
      const { issues } = await loadProject({ paths: ["manifests"], cwd: root, hash: false });
      const dup = issues.find((i) => i.code === "duplicate-key");
      expect(dup?.message).toContain("is already defined at manifests/a.yaml:4;");
      expect(dup?.message).not.toContain(root);
    } finally {
      await cleanup();
    }
  });

  it("a path leaving the root names the root used and how it was found", async () => {
    const gitRooted = await makeProject({ ...MODEL_FILES, "m.yaml": modelYaml("m", "", "../outside") });
    const bare = await mkdtemp(join(tmpdir(), "drgitops-nogit-"));
    try {
      const inGit = await loadProject({ paths: ["m.yaml"], cwd: gitRooted.root, hash: false });
      expect(inGit.issues.find((i) => i.code === "path-escapes-root")?.message).toContain(
        `leaves the project root (${gitRooted.root}, the git repository holding the working directory)`,
      );
      // No .git anywhere above: the root is the working directory, and the message must not speak of git.
      await mkdir(join(bare, "model"));
      await writeFile(join(bare, "model", "custom.py"), "x = 1\n");
      await writeFile(join(bare, "m.yaml"), modelYaml("m", "", "../outside"));
      const noGit = await loadProject({ paths: ["m.yaml"], cwd: bare, hash: false });
      const message = noGit.issues.find((i) => i.code === "path-escapes-root")?.message ?? "";
      expect(message).toContain(
        `leaves the project root (${bare}, the working directory (no .git found above it))`,
      );
      expect(message).not.toContain("git repository");
    } finally {
      await gitRooted.cleanup();
      await rm(bare, { recursive: true, force: true });
    }
  });
});
