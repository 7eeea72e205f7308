import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";

/** The golden files of the plan renderers; `UPDATE_GOLDEN=1` rewrites them. */
export const GOLDEN = join(import.meta.dirname, "plan");

/** `actual` must equal the golden file `name` (or, with UPDATE_GOLDEN=1, becomes it). */
export async function expectGolden(name: string, actual: string): Promise<void> {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === "1") {
    await writeFile(path, actual);
    return;
  }
  const expected = await readFile(path, "utf8").catch(() => {
    throw new Error(`golden file ${path} is missing; run UPDATE_GOLDEN=1 npx vitest run test/cli/golden`);
  });
  expect(actual).toBe(expected);
}
