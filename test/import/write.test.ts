import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sanitizedName, uniqueName } from "../../src/import/names.js";
import { stagingFolderFor, writeImport } from "../../src/import/write.js";
import { useTempDirs } from "../temp-dirs.js";

const temp = useTempDirs("write");

async function staged(target: string, files: Record<string, string>): Promise<string> {
  const folder = await stagingFolderFor(target);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(folder, path, ".."), { recursive: true });
    await writeFile(join(folder, path), text);
  }
  return folder;
}

describe("writing an import", () => {
  it("refuses every existing target before writing any, and replaces them all with force", async () => {
    const dir = await temp();
    const manifest = join(dir, "manifests/m.yaml");
    const folder = join(dir, "models/m");
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, "old.py"), "old");
    const other = join(dir, "manifests/new.yaml");
    const stage = await staged(folder, { "custom.py": "new" });
    await expect(
      writeImport({
        files: [
          { path: other, content: "x" },
          { path: manifest, content: "m" },
        ],
        folders: [{ path: folder, staged: stage }],
      }),
    ).rejects.toMatchObject({ code: "import-target-exists" });
    await expect(readFile(other)).rejects.toThrow();
    expect(await readdir(folder)).toEqual(["old.py"]);

    const written = await writeImport(
      { files: [{ path: manifest, content: "m" }], folders: [{ path: folder, staged: stage }] },
      { force: true },
    );
    expect(written).toEqual([folder, manifest]);
    // The old folder is gone whole: a stale file would join the next version.
    expect(await readdir(folder)).toEqual(["custom.py"]);
    expect(await readFile(manifest, "utf8")).toBe("m");
    // No temporary file or folder is left beside the targets.
    expect((await readdir(join(dir, "models"))).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    expect((await readdir(join(dir, "manifests"))).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  it("takes an empty folder as free", async () => {
    const dir = await temp();
    const folder = join(dir, "models/m");
    await mkdir(folder, { recursive: true });
    const stage = await staged(folder, { "a.py": "a" });
    await writeImport({ files: [], folders: [{ path: folder, staged: stage }] });
    expect(await readdir(folder)).toEqual(["a.py"]);
  });
});

describe("names of imported models", () => {
  it("are valid metadata.names, unique among those taken", () => {
    expect(sanitizedName("Fraud Detector (v2)!")).toBe("fraud-detector-v2");
    expect(sanitizedName("***")).toBe("model");
    expect(sanitizedName("x".repeat(80))).toHaveLength(63);
    const used = new Set(["fraud"]);
    expect(uniqueName("fraud", used)).toBe("fraud-2");
    expect(uniqueName("fraud", used)).toBe("fraud-3");
    expect(uniqueName("y".repeat(63), used)).toBe("y".repeat(63));
    expect(uniqueName("y".repeat(63), used)).toBe(`${"y".repeat(61)}-2`);
  });
});
