#!/usr/bin/env node
// The bundled CLI (scripts/bundle.ts): one file to load instead of hundreds of modules.
import { main } from "../dist/bundle/drgitops.js";

process.exitCode = await main(process.argv);
