import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const REPO = resolve(import.meta.dirname, "../..");
const BIN = resolve(REPO, "bin/drgitops.js");
const run = promisify(execFile);

/** The published entry point (`npm test` builds dist/ first), exactly as `npx drgitops` runs it. */
describe("built drgitops validate", () => {
  it("exits 0 on examples/manifests", async () => {
    expect(
      existsSync(resolve(REPO, "dist/bundle/drgitops.cjs")),
      "dist/ is missing: run `npm run build`",
    ).toBe(true);
    const { stdout } = await run(process.execPath, [BIN, "validate", "examples/manifests"], { cwd: REPO });
    expect(stdout).toContain("valid: 17 manifests");
  });

  it("exits 3 on an invalid manifest", async () => {
    const failure = await run(process.execPath, [BIN, "validate", "test/fixtures/invalid/dangling-ref"], {
      cwd: REPO,
    }).then(
      () => undefined,
      (error: unknown) => error as { code: number; stdout: string },
    );
    expect(failure?.code).toBe(3);
    expect(failure?.stdout).toContain("[dangling-ref]");
  });
});
