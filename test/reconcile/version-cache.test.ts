import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { finished } from "node:stream/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ZipFile } from "yazl";
import { MAX_KEPT_TEXT_BYTES, VersionFileCache, hashZipFile } from "../../src/reconcile/version-cache.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "drgitops-vfiles-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha = (b: Buffer | string): string => createHash("sha256").update(b).digest("hex");

async function writeZip(entries: Record<string, Buffer | string>): Promise<string> {
  const zip = new ZipFile();
  const path = join(dir, "v.zip");
  const out = createWriteStream(path);
  zip.outputStream.pipe(out);
  zip.addEmptyDirectory("model/");
  for (const [name, content] of Object.entries(entries))
    zip.addBuffer(typeof content === "string" ? Buffer.from(content) : content, name);
  zip.end();
  await finished(out);
  return path;
}

describe("hashZipFile", () => {
  it("hashes every file entry, keeps small text files and skips binary and large ones", async () => {
    const binary = Buffer.from([0, 1, 2, 3, 255]);
    const large = "x".repeat(MAX_KEPT_TEXT_BYTES + 1);
    const zipPath = await writeZip({
      "custom.py": "def score():\n    pass\n",
      "model/weights.pkl": binary,
      "big.txt": large,
    });
    const entry = await hashZipFile(zipPath, "v1");
    expect(entry.files).toEqual([
      { path: "big.txt", sha256: sha(large), size: large.length },
      { path: "custom.py", sha256: sha("def score():\n    pass\n"), size: 22 },
      { path: "model/weights.pkl", sha256: sha(binary), size: 5 },
    ]);
    expect(entry.texts).toEqual({ "custom.py": "def score():\n    pass\n" });
  });

  it("rejects a file that is not a zip", async () => {
    const path = join(dir, "bad.zip");
    await writeFile(path, "not a zip");
    await expect(hashZipFile(path, "v1")).rejects.toThrow();
  });
});

describe("VersionFileCache", () => {
  it("round-trips entries and treats corrupt or foreign entries as missing", async () => {
    const cache = new VersionFileCache(join(dir, "cache"));
    expect(await cache.get("v1")).toBeUndefined();
    const entry = { versionId: "v1", files: [{ path: "a", sha256: sha("a"), size: 1 }], texts: { a: "a" } };
    await cache.put(entry);
    expect(await cache.get("v1")).toEqual(entry);
    await writeFile(join(dir, "cache", "v2.json"), "{ not json");
    expect(await cache.get("v2")).toBeUndefined();
    await writeFile(join(dir, "cache", "v3.json"), JSON.stringify({ ...entry, versionId: "v1" }));
    expect(await cache.get("v3")).toBeUndefined();
  });

  it("keeps odd version ids inside the cache folder", async () => {
    const cache = new VersionFileCache(join(dir, "cache"));
    await cache.put({ versionId: "../../escape", files: [], texts: {} });
    expect(await cache.get("../../escape")).toMatchObject({ versionId: "../../escape" });
  });
});
