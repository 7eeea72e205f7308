/**
 * Bundles the compiled CLI (dist/cli/main.js, from tsc) into one CommonJS script,
 * dist/bundle/drgitops.cjs, which bin/drgitops.js compiles with a V8 code cache
 * (src/cli/compile-cache.ts). Node then reads one file instead of ~450 modules (ours, zod, got,
 * yaml, commander...), and with the cache it neither parses it nor compiles the functions a command
 * runs. Commands load their own code on demand still: esbuild defers each dynamically imported
 * module's top level until the import runs. dist/ (the library API) stays as tsc wrote it.
 *
 * Left out, loaded from node_modules when used: the emulator's server (fastify, native SQLite),
 * which only `drgitops emulator` and the embedded emulator start. Deferred to first use: what some
 * packages do when they load and no command needs then (scripts/bundle-deferrals.ts).
 */
import { build } from "esbuild";
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deferrals } from "./bundle-deferrals.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist/bundle");
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: { drgitops: join(root, "dist/cli/main.js") },
  outdir,
  outExtension: { ".js": ".cjs" },
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  // Mapped back to src/ through tsc's own maps (node --enable-source-maps).
  sourcemap: true,
  external: ["better-sqlite3", "fastify", "@fastify/multipart"],
  // A script has no import.meta: the two modules that locate files from it get the bundle's URL.
  define: { "import.meta.url": "__drgitopsBundleUrl" },
  banner: { js: 'const __drgitopsBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [deferrals(root)],
  logLevel: "warning",
});
