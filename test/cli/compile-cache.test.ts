import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { compileCacheFile } from "../../src/cli/compile-cache.js";
import { useTempDirs } from "../temp-dirs.js";

const run = promisify(execFile);
// The built loader (npm test builds first), each load in a process of its own: within one process
// V8 keeps what it compiled and never reads a code cache for the same source again.
const LOADER = resolve(import.meta.dirname, "../../dist/cli/compile-cache.js");

interface Loaded {
  sum: number;
  filename: string;
  sep: string;
  cacheUsed: boolean;
  cacheFile: string | null;
}

/**
 * A small CommonJS bundle: its exports, __filename and require() must work as under Node's loader.
 * Its 200 functions all run when it loads, so that its cache has something to lose.
 */
function writeBundle(dir: string, op = "+"): string {
  const file = join(dir, "bundle.cjs");
  const helpers = Array.from(
    { length: 200 },
    (_, i) => `function helper${i}(x) { const o = { k${i}: x * ${i} }; return o.k${i} + ${i}; }\n`,
  ).join("");
  const calls = Array.from({ length: 200 }, (_, i) => `helper${i}(1)`).join(" + ");
  writeFileSync(
    file,
    `"use strict";\n${helpers}exports.checksum = ${calls};\n` +
      `exports.calc = (a, b) => a ${op} b;\nexports.filename = __filename;\n` +
      `exports.sep = require("node:path").sep;\n`,
  );
  return file;
}

describe("the CLI bundle's code cache (bin/drgitops.js)", () => {
  const temp = useTempDirs("compile-cache");
  const setup = async () => {
    expect(existsSync(LOADER), "dist/ is missing: run `npm run build`").toBe(true);
    const dir = await temp();
    const cache = join(dir, "cache");
    const script = join(dir, "load.mjs");
    // argv: bundle, command, and the major garbage collections to go through before the cache is
    // taken (a long run: V8 flushes the bytecode of what has not run for 5 of them).
    writeFileSync(
      script,
      `import { PerformanceObserver, constants } from "node:perf_hooks";\n` +
        `import { loadBundle } from ${JSON.stringify(pathToFileURL(LOADER).href)};\n` +
        `const b = loadBundle(process.argv[2], process.env, process.argv[3]);\n` +
        `const out = { sum: b.exports.calc(2, 3), filename: b.exports.filename, sep: b.exports.sep,` +
        ` cacheUsed: b.cacheUsed, cacheFile: b.cacheFile ?? null };\n` +
        `let majors = 0;\nconst gcs = new PerformanceObserver((list) => { for (const e of list.getEntries())` +
        ` if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++; });\n` +
        `gcs.observe({ entryTypes: ["gc"] });\nconst ring = [];\n` +
        `for (let i = 0; majors < Number(process.argv[4] ?? 0); i++) {\n` +
        `  ring[i % 20] = Array.from({ length: 50000 }, (_, j) => ({ j }));\n` +
        `  await new Promise((r) => setImmediate(r));\n}\ngcs.disconnect();\n` +
        `b.saveCache();\nconsole.log(JSON.stringify(out));\n`,
    );
    const load = async (
      bundle: string,
      env: NodeJS.ProcessEnv = { XDG_CACHE_HOME: cache },
      command = "all",
      majorGcs = 0,
    ) => {
      const { stdout } = await run(process.execPath, [script, bundle, command, String(majorGcs)], {
        env: { PATH: process.env["PATH"], ...env },
      });
      return JSON.parse(stdout) as Loaded;
    };
    return { dir, cache, load, bundle: writeBundle(dir) };
  };

  it("runs the bundle, writes the cache once it has run, and uses it from then on", async () => {
    const { cache, load, bundle } = await setup();
    const first = await load(bundle);
    expect(first).toMatchObject({ sum: 5, filename: bundle, sep: "/", cacheUsed: false });
    expect(first.cacheFile?.startsWith(join(cache, "drgitops", "compile-"))).toBe(true);
    const file = first.cacheFile!;
    expect(statSync(file).size).toBeGreaterThan(0);
    // The user's own: nobody else may read it or plant bytecode in it.
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(cache, "drgitops")).mode & 0o777).toBe(0o700);

    const before = statSync(file).mtimeMs;
    expect(await load(bundle)).toMatchObject({ sum: 5, cacheUsed: true });
    // A cache that was used is not written again.
    expect(statSync(file).mtimeMs).toBe(before);
  });

  it("a damaged or truncated cache is refused by V8, the bundle runs anyway, and the cache is made again", async () => {
    const { load, bundle } = await setup();
    const file = (await load(bundle)).cacheFile!;
    const good = readFileSync(file);
    for (const bad of [Buffer.from("not a code cache at all"), good.subarray(0, good.length >> 1)]) {
      writeFileSync(file, bad);
      expect(await load(bundle)).toMatchObject({ sum: 5, cacheUsed: false });
      expect(await load(bundle)).toMatchObject({ sum: 5, cacheUsed: true });
    }
  });

  it("each command has a cache of its own, written by its first run", async () => {
    const { cache, load, bundle } = await setup();
    const validate = await load(bundle, undefined, "validate");
    expect(validate.cacheFile).toMatch(/-validate\.v8$/);
    const plan = await load(bundle, undefined, "plan");
    expect(plan).toMatchObject({ sum: 5, cacheUsed: false });
    expect(plan.cacheFile).toMatch(/-plan\.v8$/);
    expect(await load(bundle, undefined, "validate")).toMatchObject({ cacheUsed: true });
    expect(await load(bundle, undefined, "plan")).toMatchObject({ cacheUsed: true });
    expect(readdirSync(join(cache, "drgitops")).sort()).toEqual(
      [plan.cacheFile!, validate.cacheFile!].map((f) => f.split("/").at(-1)),
    );
    // Only a command's name: nothing else becomes part of a file name.
    for (const bad of ["../x", "", "Plan", "a b"])
      expect(await load(bundle, undefined, bad)).toMatchObject({ sum: 5, cacheFile: null });
  });

  it("a cache taken after a long run still holds what ran (V8 flushes old bytecode otherwise)", async () => {
    const { dir, load, bundle } = await setup();
    const short = await load(bundle, { XDG_CACHE_HOME: join(dir, "short") });
    const long = await load(bundle, { XDG_CACHE_HOME: join(dir, "long") }, "all", 8);
    const size = (f: string | null) => statSync(f!).size;
    // Flushed, the top level and the 200 functions were gone: the cache was under a fifth as big.
    expect(size(long.cacheFile)).toBeGreaterThanOrEqual(size(short.cacheFile) * 0.9);
    expect(await load(bundle, { XDG_CACHE_HOME: join(dir, "long") })).toMatchObject({ cacheUsed: true });
  });

  it("a rebuilt bundle gets a cache of its own and the old build's are removed", async () => {
    const { cache, load, bundle } = await setup();
    const old = await load(bundle);
    await load(bundle, undefined, "plan");
    // Same length, other code: V8 alone would take the old cache for it (it compares lengths only).
    writeBundle(join(bundle, ".."), "*");
    utimesSync(bundle, new Date(), new Date(Date.now() + 5_000));
    const rebuilt = await load(bundle);
    expect(rebuilt).toMatchObject({ sum: 6, cacheUsed: false });
    expect(rebuilt.cacheFile).not.toBe(old.cacheFile);
    expect(readdirSync(join(cache, "drgitops"))).toEqual([rebuilt.cacheFile!.split("/").at(-1)]);
    expect(await load(bundle)).toMatchObject({ sum: 6, cacheUsed: true });
    // Another installed copy keeps its own cache.
    await load(writeBundle(await temp()));
    expect(readdirSync(join(cache, "drgitops"))).toHaveLength(2);
  });

  it("DRGITOPS_COMPILE_CACHE=off reads and writes nothing; an unwritable cache is only a slower start", async () => {
    const { dir, load, bundle } = await setup();
    const off = await load(bundle, { XDG_CACHE_HOME: join(dir, "off"), DRGITOPS_COMPILE_CACHE: "off" });
    expect(off).toMatchObject({ sum: 5, cacheUsed: false, cacheFile: null });
    expect(readdirSync(dir)).not.toContain("off");

    const blocker = join(dir, "a-file");
    writeFileSync(blocker, "");
    expect(await load(bundle, { XDG_CACHE_HOME: blocker })).toMatchObject({ sum: 5, cacheUsed: false });
    expect(await load(bundle, { XDG_CACHE_HOME: blocker })).toMatchObject({ sum: 5, cacheUsed: false });
    expect(readdirSync(dir).filter((n) => n.includes(".tmp"))).toEqual([]);
  });

  it("is kept in ~/.cache without XDG_CACHE_HOME", async () => {
    const { dir, bundle } = await setup();
    const name = /^\/.+\/\.cache\/drgitops\/compile-[0-9a-f]{16}-[0-9a-f]{16}-all\.v8$/;
    expect(compileCacheFile(bundle, statSync(bundle), { HOME: dir })).toMatch(name);
    expect(compileCacheFile(bundle, statSync(bundle), { HOME: dir, XDG_CACHE_HOME: "" })).toBe(
      compileCacheFile(bundle, statSync(bundle), { HOME: dir }),
    );
    expect(compileCacheFile(bundle, statSync(bundle), { HOME: dir })?.startsWith(`${dir}/.cache/`)).toBe(
      true,
    );
  });

  it("written by four processes at once: one whole cache that the next run uses, no temporary file", async () => {
    const { cache, load, bundle } = await setup();
    const runs = await Promise.all(Array.from({ length: 4 }, () => load(bundle)));
    expect(runs.every((r) => r.sum === 5)).toBe(true);
    const files = readdirSync(join(cache, "drgitops"));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^compile-[0-9a-f]{16}-[0-9a-f]{16}-all\.v8$/);
    expect(await load(bundle)).toMatchObject({ sum: 5, cacheUsed: true });
  });
});
