import { mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as FsPromises from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createTextReader } from "../../src/cli/views/text-reader.js";
import { MAX_KEPT_TEXT_BYTES, VersionFileCache } from "../../src/reconcile/version-cache.js";

/** Counts whole-file reads: a large artifact must be judged by its size, never read to find it. */
const reads = vi.hoisted(() => ({ files: [] as string[] }));
vi.mock("node:fs/promises", async (importOriginal) => {
  const fs = await importOriginal<typeof FsPromises>();
  return {
    ...fs,
    readFile: (async (path: string, ...rest: unknown[]) => {
      reads.files.push(String(path));
      return (fs.readFile as (...a: unknown[]) => Promise<unknown>)(path, ...rest);
    }) as typeof fs.readFile,
  };
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "drgitops-text-"));
  reads.files = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the unified-diff text reader", () => {
  it("never reads a file over the display limit (a 1 GiB artifact stays on disk)", async () => {
    await writeFile(join(dir, "model.bin"), "");
    await truncate(join(dir, "model.bin"), 1024 ** 3);
    const read = createTextReader({}, new VersionFileCache(join(dir, "cache")), dir);
    const text = await read({
      side: "after",
      key: "k",
      path: "model.bin",
      sha256: "0".repeat(64),
      versionId: null,
      localPath: "model.bin",
    });
    expect(text).toBeUndefined();
    expect(reads.files.filter((f) => f.endsWith("model.bin"))).toEqual([]);
  });

  it("reads a small text file", async () => {
    await writeFile(join(dir, "custom.py"), "print(1)\n");
    const read = createTextReader({}, new VersionFileCache(join(dir, "cache")), dir);
    expect(
      await read({
        side: "after",
        key: "k",
        path: "custom.py",
        sha256: "0".repeat(64),
        versionId: null,
        localPath: "custom.py",
      }),
    ).toBe("print(1)\n");
    expect(MAX_KEPT_TEXT_BYTES).toBeLessThan(1024 ** 2);
  });
});
