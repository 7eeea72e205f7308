import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";
import { describe, expect, it } from "vitest";
import { ZipFile } from "yazl";
import { extractArchive, safeEntryPath } from "../../src/import/extract.js";
import { useTempDirs } from "../temp-dirs.js";

const temp = useTempDirs("extract");

function zip(entries: { name: string; text: string; mode?: number }[]): Promise<Buffer> {
  const z = new ZipFile();
  for (const e of entries)
    z.addBuffer(Buffer.from(e.text), e.name, e.mode === undefined ? {} : { mode: e.mode });
  z.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    z.outputStream.on("data", (c: Buffer) => chunks.push(c));
    z.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    z.outputStream.on("error", reject);
  });
}

function tar(
  entries: { name: string; text?: string; type?: "file" | "symlink"; linkname?: string }[],
): Promise<Buffer> {
  const p = pack();
  for (const e of entries) {
    const header = { name: e.name, type: e.type ?? "file", ...(e.linkname ? { linkname: e.linkname } : {}) };
    if (e.type === "symlink") p.entry(header);
    else p.entry(header, e.text ?? "");
  }
  p.finalize();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    p.on("data", (c: unknown) => chunks.push(c as Buffer));
    p.on("end", () => resolve(Buffer.concat(chunks)));
    p.on("error", reject);
  });
}

/** Writes `bytes` as an archive and extracts it into a fresh folder inside a parent that must stay clean. */
async function extract(bytes: Buffer): Promise<{ files: Promise<string[]>; parent: string; dest: string }> {
  const parent = await temp();
  const file = join(parent, "archive");
  await writeFile(file, bytes);
  const dest = join(parent, "dest");
  return { files: extractArchive(file, dest, "the test archive"), parent, dest };
}

describe("safe extraction of downloaded archives", () => {
  it("extracts a version zip with folders, streaming each file to its path", async () => {
    const { files, dest } = await extract(
      await zip([
        { name: "custom.py", text: "x = 1\n" },
        { name: "lib/helpers.py", text: "y = 2\n" },
        { name: "lib/data/w.json", text: "{}" },
      ]),
    );
    expect(await files).toEqual(["custom.py", "lib/data/w.json", "lib/helpers.py"]);
    expect(await readFile(join(dest, "lib/helpers.py"), "utf8")).toBe("y = 2\n");
  });

  it("extracts tar and tar.gz docker contexts, told apart by their bytes", async () => {
    const plain = await tar([
      { name: "Dockerfile", text: "FROM x\n" },
      { name: "./conf/a.conf", text: "a" },
    ]);
    for (const bytes of [plain, gzipSync(plain)]) {
      const { files, dest } = await extract(bytes);
      expect(await files).toEqual(["Dockerfile", "conf/a.conf"]);
      expect(await readFile(join(dest, "Dockerfile"), "utf8")).toBe("FROM x\n");
    }
  });

  it("refuses a zip entry that climbs out with .., writing nothing outside the target", async () => {
    const bytes = await zip([{ name: "aa/evil.txt", text: "pwned" }]);
    // yazl refuses to write such a name; the bytes of a hostile server have it anyway.
    const hostile = Buffer.from(bytes.toString("latin1").replaceAll("aa/evil.txt", "../evil.txt"), "latin1");
    const { files, parent } = await extract(hostile);
    await expect(files).rejects.toMatchObject({ code: "unreadable-archive" });
    expect((await readdir(parent)).filter((n) => n !== "archive" && n !== "dest")).toEqual([]);
    await expect(readFile(join(parent, "evil.txt"))).rejects.toThrow();
  });

  it("refuses symbolic links in zips and tars", async () => {
    const link = await extract(await zip([{ name: "link", text: "/etc/passwd", mode: 0o120777 }]));
    await expect(link.files).rejects.toMatchObject({ code: "unsafe-archive" });
    const tarLink = await extract(await tar([{ name: "link", type: "symlink", linkname: "/etc/passwd" }]));
    await expect(tarLink.files).rejects.toMatchObject({ code: "unsafe-archive" });
  });

  it("refuses tar paths that escape, and anything that is not an archive", async () => {
    const escaping = await extract(await tar([{ name: "../../evil", text: "x" }]));
    await expect(escaping.files).rejects.toMatchObject({ code: "unsafe-archive" });
    await expect(readFile(join(escaping.parent, "..", "evil"))).rejects.toThrow();
    const garbage = await extract(Buffer.from("<html>not an archive</html>"));
    await expect(garbage.files).rejects.toMatchObject({ code: "unreadable-archive" });
  });

  it.each([["/etc/passwd"], ["C:/x"], ["a/../../b"], ["a//b"], ["a\u0000b"]])("calls %j unsafe", (name) => {
    expect(() => safeEntryPath(name, "x")).toThrow(/unsafe path/);
  });

  it("keeps ordinary names, normalising ./ and backslashes, and skips folders", () => {
    expect(safeEntryPath("./a/b.py", "x")).toBe("a/b.py");
    expect(safeEntryPath("a\\b.py", "x")).toBe("a/b.py");
    expect(safeEntryPath("a/./b.py", "x")).toBe("a/b.py");
    expect(safeEntryPath("lib/", "x")).toBeUndefined();
  });
});
