import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { VersionFileCache, versionCacheDir } from "../../src/reconcile/version-cache.js";
import { DigestCache } from "../../src/spec/digest-cache.js";
import { makeStateDir } from "../../src/spec/state-dir.js";
import { useTempDirs } from "../temp-dirs.js";

const temp = useTempDirs("state");

describe(".drgitops/.gitignore", () => {
  it("is written (`*`) when a folder inside .drgitops/ is made, and the folder exists", async () => {
    const root = await temp();
    await makeStateDir(join(root, ".drgitops", "emulator", "blobs"));
    expect(await readFile(join(root, ".drgitops", ".gitignore"), "utf8")).toBe("*\n");
    expect(await readdir(join(root, ".drgitops", "emulator"))).toEqual(["blobs"]);
  });

  it("is added to a .drgitops/ made before it existed, and never overwrites one a user edited", async () => {
    const root = await temp();
    await mkdir(join(root, ".drgitops", "cache"), { recursive: true });
    await makeStateDir(join(root, ".drgitops", "cache"));
    expect(await readFile(join(root, ".drgitops", ".gitignore"), "utf8")).toBe("*\n");
    await writeFile(join(root, ".drgitops", ".gitignore"), "*\n!notes.md\n");
    await makeStateDir(join(root, ".drgitops", "cache", "versions"));
    expect(await readFile(join(root, ".drgitops", ".gitignore"), "utf8")).toBe("*\n!notes.md\n");
  });

  it("is not written for a folder outside .drgitops/ (emulator --data elsewhere)", async () => {
    const root = await temp();
    await makeStateDir(join(root, "data", "emulator"));
    expect(await readdir(root)).toEqual(["data"]);
    expect(await readdir(join(root, "data"))).toEqual(["emulator"]);
  });

  it("comes with the digest cache and the version cache, the first writers of .drgitops/", async () => {
    const a = await temp();
    const digests = await DigestCache.load(join(a, ".drgitops", "cache"));
    digests.store(join(a, "f"), { size: 1, mtimeMs: 1, ino: 1 }, "0".repeat(64));
    await digests.save();
    expect(await readFile(join(a, ".drgitops", ".gitignore"), "utf8")).toBe("*\n");
    const b = await temp();
    await new VersionFileCache(versionCacheDir(b)).put({ versionId: "v1", files: [], texts: {} });
    expect(await readFile(join(b, ".drgitops", ".gitignore"), "utf8")).toBe("*\n");
  });
});
