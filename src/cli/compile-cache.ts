/**
 * Loads the CLI bundle (dist/bundle/drgitops.cjs, scripts/bundle.ts) with a V8 code cache, as
 * Node 22's module.enableCompileCache() would: Node 20 has that only for scripts compiled with
 * `vm.Script`, so the bundle is one CommonJS script compiled here. Without the cache every command
 * parsed ~3 MB of JavaScript and compiled each function it called before running it.
 *
 * The cache is the user's: `$XDG_CACHE_HOME/drgitops/` (else `~/.cache/drgitops/`, mode 0700), one
 * file per installed copy of the bundle and command (each holds the functions its command ran: a
 * cache that `validate` wrote has no HTTP client for `plan`), written after the first run of that
 * command that finds none (or one V8 refuses: other flags), by rename so that two runs at once never
 * leave half a file.
 *
 * V8 drops the bytecode of functions that have not run for a few garbage collections ("bytecode
 * flushing"), the bundle's top level among them; a cache taken at the end of a long run (a big
 * apply, a watch) then held almost nothing, and every later command parsed the 3 MB again. With a
 * cache in use the bundle runs with `--no-flush-bytecode`: the functions a command ran stay compiled
 * (a few MB at most) until the cache is taken.
 * `DRGITOPS_COMPILE_CACHE=off` loads without it. Nothing here may fail a command: an unreadable or
 * unwritable cache is only a slower start.
 */
import { createHash } from "node:crypto";
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import { setFlagsFromString } from "node:v8";
import * as vm from "node:vm";

export interface LoadedBundle<T> {
  exports: T;
  /** Where the cache is read and written; undefined when it is off or has no home. */
  cacheFile: string | undefined;
  /** Whether V8 used a cache it was given (false: none was there, or it was refused). */
  cacheUsed: boolean;
  /** Writes the cache when none was used: call it once the command has run, so that it holds the
   * functions the command compiled, not only the top level. Never throws. */
  saveCache(): void;
}

/**
 * The cache file for `bundle` (its stat) run as `command` (a command name, or "all" for help and
 * --version), or undefined when the cache is off or has no home. Its name is the bundle's path (one
 * file per installed copy), then what V8 itself does not check: the contents (size and modification
 * time; V8 compares only the length) and the Node.js; then the command (anything but a lowercase
 * word gets no cache).
 */
export function compileCacheFile(
  bundle: string,
  stat: { size: number; mtimeMs: number },
  env: NodeJS.ProcessEnv,
  command = "all",
): string | undefined {
  if (env["DRGITOPS_COMPILE_CACHE"] === "off") return undefined;
  const xdg = env["XDG_CACHE_HOME"];
  const home = env["HOME"] ?? safeHomedir();
  const base =
    xdg !== undefined && xdg !== ""
      ? xdg
      : home !== undefined && home !== ""
        ? join(home, ".cache")
        : undefined;
  if (base === undefined) return undefined;
  const build = `${stat.size}\0${stat.mtimeMs}\0${process.version}\0${process.arch}`;
  if (!/^[a-z]{1,20}$/.test(command)) return undefined;
  return join(base, "drgitops", `${COPY_PREFIX}${digest(bundle)}-${digest(build)}-${command}.v8`);
}

const COPY_PREFIX = "compile-";
const digest = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 16);

/**
 * The other builds' caches of the same installed copy (any command): an upgrade or a rebuild leaves
 * no old cache. `compile-<copy>-<build>-<command>.v8`.
 */
function removeOlderBuilds(cacheFile: string): void {
  const dir = dirname(cacheFile);
  const [, copy, build] = basename(cacheFile).split("-");
  for (const other of readdirSync(dir)) {
    const [prefix, otherCopy, otherBuild] = other.split("-");
    if (`${prefix}-` === COPY_PREFIX && otherCopy === copy && otherBuild !== build && other.endsWith(".v8"))
      rmSync(join(dir, other), { force: true });
  }
}

function safeHomedir(): string | undefined {
  try {
    return homedir();
  } catch {
    return undefined;
  }
}

function readCache(file: string | undefined): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Compiles and runs a CommonJS bundle as Node's own loader would, with the code cache. Under
 * `--enable-source-maps` Node's loader itself runs it: it maps stack traces only of what it loaded.
 */
export function loadBundle<T>(
  bundle: string,
  env: NodeJS.ProcessEnv = process.env,
  command?: string,
): LoadedBundle<T> {
  if (process.sourceMapsEnabled)
    return {
      exports: createRequire(bundle)(bundle) as T,
      cacheFile: undefined,
      cacheUsed: false,
      saveCache: () => undefined,
    };
  const source = readFileSync(bundle, "utf8");
  const cacheFile = compileCacheFile(bundle, statSync(bundle), env, command);
  // Before anything is compiled: part of V8's check of a cache (it was written with the same flag).
  if (cacheFile !== undefined) setFlagsFromString("--no-flush-bytecode");
  const cachedData = readCache(cacheFile);
  // Node's own module wrapper, on the first line so that line numbers (and source maps) stay true.
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname) { ${source}\n})`,
    {
      filename: bundle,
      ...(cachedData !== undefined ? { cachedData } : {}),
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    },
  );
  const cacheUsed = cachedData !== undefined && !script.cachedDataRejected;
  const module = { exports: {} as T };
  const wrapper = script.runInThisContext() as (
    exports: T,
    require: NodeJS.Require,
    module: { exports: T },
    filename: string,
    dirname: string,
  ) => void;
  wrapper(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  let saved = cacheUsed;
  return {
    exports: module.exports,
    cacheFile,
    cacheUsed,
    saveCache: () => {
      if (saved || cacheFile === undefined) return;
      saved = true;
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      try {
        mkdirSync(dirname(cacheFile), { recursive: true, mode: 0o700 });
        writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        renameSync(tmp, cacheFile);
        removeOlderBuilds(cacheFile);
      } catch {
        try {
          unlinkSync(tmp);
        } catch {
          // nothing was written
        }
      }
    },
  };
}
