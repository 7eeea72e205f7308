import type * as NodeFs from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BlobStore } from "../../../src/emulator/blobs.js";

// Node's own fs object (an ES import of it is a frozen copy): the one its streams call.
const fs = createRequire(import.meta.url)("node:fs") as typeof NodeFs;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "drgitops-blobs-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("BlobStore.put", () => {
  it("leaves no temp file when the upload fails before the temp file was even opened", async () => {
    const store = new BlobStore(dir);
    for (let i = 0; i < 20; i++) {
      // Fails on the first read: the pipeline rejects while the temp file's open is still pending.
      const source = new Readable({
        read() {
          this.destroy(new Error("client went away"));
        },
      });
      await expect(store.put(source)).rejects.toThrow("client went away");
      expect(await readdir(join(dir, "tmp"))).toEqual([]);
    }
  });

  it("leaves no temp file when the temp file's open completes after the upload failed", async () => {
    // On a loaded machine the open can outlast the failure: the file appears after the pipeline has
    // rejected. Delaying every open makes that order certain.
    const open = fs.open;
    fs.open = ((...args: Parameters<typeof fs.open>) => {
      setTimeout(() => (open as (...a: unknown[]) => void)(...args), 50);
    }) as typeof fs.open;
    try {
      const store = new BlobStore(dir);
      const source = new Readable({
        read() {
          this.destroy(new Error("client went away"));
        },
      });
      await expect(store.put(source)).rejects.toThrow("client went away");
    } finally {
      fs.open = open;
    }
    // Long enough for a delayed open to have landed, had put not waited for it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await readdir(join(dir, "tmp"))).toEqual([]);
  });

  it("stores a whole upload under its digest and nothing in tmp", async () => {
    const store = new BlobStore(dir);
    const ref = await store.put(Readable.from([Buffer.from("hello ")], { objectMode: false }));
    expect(ref.size).toBe(6);
    expect(store.readBuffer(ref.sha256).toString()).toBe("hello ");
    expect(await readdir(join(dir, "tmp"))).toEqual([]);
  });
});
