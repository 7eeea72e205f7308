import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * drgitops' own version, read once from its package.json (used in --version and the User-Agent):
 * the nearest one above this module, which is `dist/` when compiled and the CLI bundle's folder
 * when bundled.
 */
function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "drgitops" && pkg.version !== undefined) return pkg.version;
    }
    if (dirname(dir) === dir) throw new Error("drgitops: its package.json was not found");
  }
}

export const VERSION: string = packageVersion();
