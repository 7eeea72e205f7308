/**
 * Bundles the compiled CLI (dist/cli/main.js, from tsc) into dist/bundle/: drgitops.js and the
 * chunks its commands load on demand. Node then reads a few files instead of ~450 modules (ours,
 * zod, got, yaml, commander...), which took more than half of every run's start-up: `drgitops plan`
 * with nothing to do costs about a third less CPU. dist/ (the library API) stays as tsc wrote it.
 *
 * Left out, loaded from node_modules when used: the emulator's server (fastify, native SQLite),
 * which only `drgitops emulator` and the embedded emulator start.
 */
import { build } from "esbuild";
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist/bundle");
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: { drgitops: join(root, "dist/cli/main.js") },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Mapped back to src/ through tsc's own maps (node --enable-source-maps).
  sourcemap: true,
  external: ["better-sqlite3", "fastify", "@fastify/multipart"],
  // Bundled CommonJS packages call require() for Node's built-ins; an ES module has none of its own.
  banner: {
    js: 'import { createRequire as __drgitopsRequire } from "node:module";\nconst require = __drgitopsRequire(import.meta.url);',
  },
  logLevel: "warning",
});
