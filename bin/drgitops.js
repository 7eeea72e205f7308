#!/usr/bin/env node
// The bundled CLI (scripts/bundle.ts), compiled with a V8 code cache (src/cli/compile-cache.ts),
// one for each command.
import { fileURLToPath } from "node:url";
import { commandOf } from "../dist/cli/command-names.js";
import { loadBundle } from "../dist/cli/compile-cache.js";

const bundle = fileURLToPath(new URL("../dist/bundle/drgitops.cjs", import.meta.url));
const cli = loadBundle(bundle, process.env, commandOf(process.argv) ?? "all");
process.exitCode = await cli.exports.main(process.argv);
cli.saveCache();
