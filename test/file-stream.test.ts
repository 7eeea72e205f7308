import type * as NodeFs from "node:fs";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { pipeToFile } from "../src/file-stream.js";

// Node's own fs object (an ES import of it is a frozen copy): the one its streams call.
const fs = createRequire(import.meta.url)("node:fs") as typeof NodeFs;

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe("pipeToFile", () => {
  it("writes what the streams carry", async () => {
    const dir = await mkdtemp(join(tmpdir(), "drgitops-pipe-"));
    dirs.push(dir);
    await pipeToFile([Readable.from([Buffer.from("a"), Buffer.from("b")])], join(dir, "f"));
    expect(await readFile(join(dir, "f"), "utf8")).toBe("ab");
  });

  it("rejects only once the file is closed, so removing it then leaves nothing, even after a slow open", async () => {
    const dir = await mkdtemp(join(tmpdir(), "drgitops-pipe-"));
    dirs.push(dir);
    const path = join(dir, "f.part");
    const open = fs.open;
    fs.open = ((...args: Parameters<typeof fs.open>) => {
      setTimeout(() => (open as (...a: unknown[]) => void)(...args), 50);
    }) as typeof fs.open;
    try {
      const failing = new Readable({
        read() {
          this.destroy(new Error("connection reset"));
        },
      });
      await expect(pipeToFile([failing], path)).rejects.toThrow("connection reset");
      await rm(path, { force: true });
    } finally {
      fs.open = open;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(existsSync(path)).toBe(false);
  });
});
