import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DigestCache, hashFile, hashSourceFiles, listSourceFiles } from "../../src/spec/index.js";
import { makeProject } from "./project-builder.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
async function tree(files: Record<string, string>): Promise<string> {
  const p = await makeProject(files);
  cleanups.push(p.cleanup);
  return p.root;
}
const sha = (text: string | Buffer): string => createHash("sha256").update(text).digest("hex");

/** An hour ago: old enough that the cache trusts the entry (not "racily clean"). */
async function age(path: string): Promise<void> {
  const past = new Date(Date.now() - 3600_000);
  await utimes(path, past, past);
}

describe("hashFile", () => {
  it("streams files larger than one read chunk to the same digest as a one-shot hash", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    const dir = await tree({});
    await writeFile(join(dir, "big.bin"), big);
    expect(await hashFile(join(dir, "big.bin"))).toBe(sha(big));
  });

  it("rejects for a missing file", async () => {
    await expect(hashFile("/definitely/not/here")).rejects.toThrow(/ENOENT/);
  });
});

describe("listSourceFiles", () => {
  it("lists sorted relative POSIX paths, dotfiles included, .git excluded", async () => {
    const dir = await tree({ "b.py": "", "a/z.txt": "", "a/b/c.txt": "", ".env.example": "", "B.md": "" });
    const { files } = await listSourceFiles(dir);
    expect(files.map((f) => f.path)).toEqual([".env.example", "B.md", "a/b/c.txt", "a/z.txt", "b.py"]);
  });

  it("applies include and exclude globs", async () => {
    const dir = await tree({
      "custom.py": "",
      "lib/util.py": "",
      "lib/__pycache__/util.cpython-311.pyc": "",
      "tests/test_a.py": "",
      "README.md": "",
    });
    const excluded = await listSourceFiles(dir, { exclude: ["**/__pycache__/**", "tests/**"] });
    expect(excluded.files.map((f) => f.path)).toEqual(["README.md", "custom.py", "lib/util.py"]);
    const included = await listSourceFiles(dir, { include: ["**/*.py"], exclude: ["tests/**"] });
    expect(included.files.map((f) => f.path)).toEqual(["custom.py", "lib/util.py"]);
  });

  it("reports symlinks leaving the root and refuses to hash such a folder", async () => {
    const outside = await tree({ "secret.txt": "s" });
    const dir = await tree({ "custom.py": "" });
    await symlink(join(outside, "secret.txt"), join(dir, "secret.txt"));
    const listing = await listSourceFiles(dir);
    expect(listing.escapes).toEqual(["secret.txt"]);
    expect(listing.files.map((f) => f.path)).toEqual(["custom.py"]);
    await expect(hashSourceFiles(dir)).rejects.toMatchObject({ code: "path-escapes-root" });
  });

  it("gives each file the absPath path.join would, however the folder is written", async () => {
    const root = await tree({ "src/a.txt": "a", "src/sub/b.txt": "b" });
    const cwd = process.cwd();
    process.chdir(root);
    try {
      for (const dir of [
        "src",
        "src/",
        "./src",
        "src/sub/../../src",
        ".",
        join(root, "src"),
        `${join(root, "src")}/`,
      ]) {
        const { files } = await listSourceFiles(dir, {}, { root });
        expect(files.map((f) => f.absPath)).toEqual(files.map((f) => join(dir, f.path)));
      }
    } finally {
      process.chdir(cwd);
    }
  });

  it("follows a symlink cycle without looping", async () => {
    const dir = await tree({ "a/file.txt": "x" });
    await symlink(join(dir, "a"), join(dir, "a/loop"));
    const { files } = await listSourceFiles(dir);
    expect(files.map((f) => f.path)).toEqual(["a/file.txt"]);
  });

  it("lists a source reached through a symlink, and a cycle through a folder outside it once", async () => {
    const root = await tree({ "real/src/custom.py": "", "real/src/sub/a.txt": "a", "shared/b.txt": "b" });
    // shared/ is outside the source; shared/again leads back to shared/ (a cycle the walk must stop).
    await symlink(join(root, "shared"), join(root, "real/src/sub/shared"));
    await symlink(join(root, "shared"), join(root, "shared/again"));
    await symlink(join(root, "real"), join(root, "link"));
    const listing = await listSourceFiles(join(root, "link/src"), {}, { root });
    expect(listing.files.map((f) => f.path)).toEqual(["custom.py", "sub/a.txt", "sub/shared/b.txt"]);
    expect(listing.skipped).toEqual([
      { path: "sub/shared/again", why: "a symlink to a folder already listed (a cycle)" },
    ]);
    expect(listing.escapes).toEqual([]);
  });
});

describe("DigestCache", () => {
  it("reuses a digest while (path, size, mtime, inode) are unchanged, without reading the file", async () => {
    const dir = await tree({ "model.bin": "AAAA" });
    const file = join(dir, "model.bin");
    await age(file);
    const cache = DigestCache.inMemory();
    const [first] = await hashSourceFiles(dir, {}, cache);
    expect(first?.sha256).toBe(sha("AAAA"));

    // Same size, same inode, mtime put back: only a read would notice the change, and it must not happen.
    const { mtime } = await stat(file);
    await writeFile(file, "BBBB");
    await utimes(file, mtime, mtime);
    const [cached] = await hashSourceFiles(dir, {}, cache);
    expect(cached?.sha256).toBe(sha("AAAA"));
    expect(cache.hits).toBe(1);

    // Any change of the key (here the mtime) re-reads the file.
    await age(file);
    const [fresh] = await hashSourceFiles(dir, {}, cache);
    expect(fresh?.sha256).toBe(sha("BBBB"));
  });

  it("does not trust an entry whose file changed within the timestamp window of hashing (racily clean)", async () => {
    const dir = await tree({ "f.txt": "one" });
    const cache = DigestCache.inMemory();
    await hashSourceFiles(dir, {}, cache); // the file was written just now
    await writeFile(join(dir, "f.txt"), "two"); // same size, possibly the same mtime tick
    const [again] = await hashSourceFiles(dir, {}, cache);
    expect(again?.sha256).toBe(sha("two"));
  });

  it("persists atomically under the cache folder and survives a corrupt file", async () => {
    const dir = await tree({ "src/a.txt": "a" });
    await age(join(dir, "src/a.txt"));
    const cacheDir = join(dir, ".drgitops/cache");
    const cache = await DigestCache.load(cacheDir);
    await hashSourceFiles(join(dir, "src"), {}, cache);
    await cache.save();
    expect(await readdir(cacheDir)).toEqual(["digests.json"]); // no temp file left behind

    const reloaded = await DigestCache.load(cacheDir);
    await hashSourceFiles(join(dir, "src"), {}, reloaded);
    expect([reloaded.hits, reloaded.misses]).toEqual([1, 0]);

    await writeFile(join(cacheDir, "digests.json"), "{not json");
    const broken = await DigestCache.load(cacheDir);
    expect(broken.size).toBe(0);
    const [file] = await hashSourceFiles(join(dir, "src"), {}, broken);
    expect(file?.sha256).toBe(sha("a"));
    await broken.save(); // rewritten whole, replacing the corrupt file
    expect(JSON.parse(await readFile(join(cacheDir, "digests.json"), "utf8"))).toBeTruthy();
  });

  it("drops cache entries of the wrong shape, and a file of another version or shape whole", async () => {
    const dir = await tree({});
    const cacheDir = join(dir, "cache");
    const file = join(cacheDir, "digests.json");
    const good = [1, 2, 3, "a".repeat(64), 10_000]; // hashed long after its mtime: trusted
    const bad = { "/short": [1, 2, 3], "/text": ["1", 2, 3, "x", 4], "/null": null };
    await mkdir(cacheDir, { recursive: true });
    const bodies = {
      // version 2, written today: rows led by the path
      v2: {
        version: 2,
        entries: [["/good", ...good], ...Object.entries(bad).map(([k, v]) => [k, v]), [7, ...good]],
      },
      // version 1, written before: an object keyed by path, still read so an upgrade re-hashes nothing
      v1: { version: 1, entries: { "/good": good, ...bad } },
    };
    for (const body of Object.values(bodies)) {
      await writeFile(file, JSON.stringify(body));
      const loaded = await DigestCache.load(cacheDir);
      expect(loaded.size).toBe(1);
      expect(loaded.lookup("/good", { size: 1, mtimeMs: 2, ino: 3 })).toBe("a".repeat(64));
      await loaded.save(); // a version 1 file is rewritten as version 2 (with nothing new); 2 stays
      expect(JSON.parse(await readFile(file, "utf8"))).toEqual(
        body === bodies.v1 ? { version: 2, entries: [["/good", ...good]] } : body,
      );
    }
    for (const body of [
      { version: 2, entries: { "/good": good } },
      { version: 1, entries: [["/good", ...good]] },
      { version: 3, entries: [["/good", ...good]] },
      [good],
      7,
    ])
      expect((await writeFile(file, JSON.stringify(body)), (await DigestCache.load(cacheDir)).size)).toBe(0);
  });

  it("writes version 2 rows, which it reads back", async () => {
    const dir = await tree({});
    const cacheDir = join(dir, "cache");
    const cache = await DigestCache.load(cacheDir);
    cache.store("/a", { size: 1, mtimeMs: 2, ino: 3 }, "b".repeat(64), 10_000);
    await cache.save();
    expect(JSON.parse(await readFile(join(cacheDir, "digests.json"), "utf8"))).toEqual({
      version: 2,
      entries: [["/a", 1, 2, 3, "b".repeat(64), 10_000]],
    });
    expect((await DigestCache.load(cacheDir)).lookup("/a", { size: 1, mtimeMs: 2, ino: 3 })).toBe(
      "b".repeat(64),
    );
  });

  it("keeps the most recently hashed entries when it grows past its bound", async () => {
    const dir = await tree({});
    const cacheDir = join(dir, "cache");
    const cache = await DigestCache.load(cacheDir, { maxEntries: 2 });
    const stamp = { size: 1, mtimeMs: 1, ino: 1 };
    cache.store("/old", stamp, "0".repeat(64), 1_000);
    cache.store("/newer", stamp, "1".repeat(64), 3_000);
    cache.store("/middle", stamp, "2".repeat(64), 2_000);
    await cache.save();
    const saved = JSON.parse(await readFile(join(cacheDir, "digests.json"), "utf8")) as {
      entries: [string][];
    };
    expect(saved.entries.map(([path]) => path).sort()).toEqual(["/middle", "/newer"]);
  });
});
