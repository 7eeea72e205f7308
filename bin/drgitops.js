#!/usr/bin/env node
// The bundled CLI (scripts/bundle.ts), compiled with a V8 code cache (src/cli/compile-cache.ts).
import { fileURLToPath } from "node:url";
import { loadBundle } from "../dist/cli/compile-cache.js";

const cli = loadBundle(fileURLToPath(new URL("../dist/bundle/drgitops.cjs", import.meta.url)));
process.exitCode = await cli.exports.main(process.argv);
cli.saveCache();
