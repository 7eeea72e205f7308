import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadProject } from "../../src/spec/index.js";
import { ParseCache } from "../../src/spec/parse-cache.js";
import { locate, parseYaml } from "../../src/spec/yaml-doc.js";
import { observable } from "./observable-load.js";

const FIXTURES = resolve(import.meta.dirname, "../fixtures/invalid");
const EXAMPLES = resolve(import.meta.dirname, "../../examples");

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "drgitops-parse-cache-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe("the parse cache", () => {
  it("answers a text parsed before with the same documents, issues and positions", () => {
    const cache = ParseCache.inMemory();
    const text =
      "a: 1\n---\nb: [x, {c: 2}]\n  bad: indent\n---\n# empty\n---\nkind: K\nmetadata: {name: n}\n";
    const fresh = parseYaml("/p/m.yaml", text);
    const first = cache.parse("/p/m.yaml", text);
    const second = cache.parse("/q/other.yaml", text);
    expect([cache.misses, cache.hits]).toEqual([1, 1]);
    expect(second.issues).toEqual(fresh.issues.map((i) => ({ ...i, file: "/q/other.yaml" })));
    expect(first.issues).toEqual(fresh.issues);
    expect(second.docs.map((d) => [d.index, d.line, d.column, d.data])).toEqual(
      fresh.docs.map((d) => [d.index, d.line, d.column, d.data]),
    );
    // The YAML nodes come back on demand, so issues found later still point at the right place.
    const last = second.docs.at(-1)!;
    expect(locate(last, ["metadata", "name"])).toEqual(locate(fresh.docs.at(-1)!, ["metadata", "name"]));
  });

  it("does not keep data JSON would change (.inf, -0), so such a text is parsed every time", () => {
    const cache = ParseCache.inMemory();
    cache.parse("/p/m.yaml", "x: .inf\n");
    cache.parse("/p/m.yaml", "x: .inf\n");
    cache.parse("/p/m.yaml", "y: -0\n");
    expect([cache.misses, cache.hits, cache.size]).toEqual([3, 0, 0]);
  });

  it("persists between runs and ignores a malformed file", async () => {
    const dir = await tempDir();
    const first = await ParseCache.load(dir);
    first.parse("/p/m.yaml", "a: 1\n");
    await first.save();
    const second = await ParseCache.load(dir);
    second.parse("/p/m.yaml", "a: 1\n");
    expect(second.hits).toBe(1);
    await writeFile(join(dir, "parsed.json"), "{not json");
    const broken = await ParseCache.load(dir);
    expect(broken.size).toBe(0);
    expect(broken.parse("/p/m.yaml", "a: 1\n").docs[0]?.data).toEqual({ a: 1 });
  });

  it("gives loadProject the same result warm as cold, for every invalid fixture and the examples", async () => {
    const cacheDir = await tempDir();
    const fixtures = (await readdir(FIXTURES)).map((f) => join(FIXTURES, f));
    for (const cwd of [...fixtures, EXAMPLES]) {
      const cold = await loadProject({ paths: ["."], cwd, cacheDir, namespace: "acme" });
      const warm = await loadProject({ paths: ["."], cwd, cacheDir, namespace: "acme" });
      expect(observable(warm), cwd).toEqual(observable(cold));
    }
    const saved = JSON.parse(await readFile(join(cacheDir, "parsed.json"), "utf8")) as {
      entries: Record<string, unknown>;
    };
    expect(Object.keys(saved.entries).length).toBeGreaterThan(fixtures.length);
  });
});
