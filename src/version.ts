import { readFileSync } from "node:fs";

/** drgitops' own version, read once from package.json (used in --version and the User-Agent). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;
