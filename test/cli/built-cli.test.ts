import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
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

describe("the bundle defers what a command does not use", () => {
  it("talks to DataRobot without loading node:http2 (got's http2-wrapper waits until asked for)", async () => {
    // A plan against a server that refuses the token: the HTTP client is loaded and used, then fails.
    const server = createServer((_req, res) => {
      res.writeHead(401, { "content-type": "application/json" }).end('{"message":"Invalid API key"}');
    });
    await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
    const { port } = server.address() as AddressInfo;
    const atExit =
      `process.on("exit", () => process.stderr.write("\\nhttp2 loaded: " + ` +
      `process.moduleLoadList.includes("NativeModule http2") + "\\n"));`;
    const failure = await run(
      process.execPath,
      ["--import", `data:text/javascript,${encodeURIComponent(atExit)}`, BIN, "plan", "examples/manifests"],
      {
        cwd: REPO,
        env: {
          PATH: process.env["PATH"],
          HOME: REPO,
          DRGITOPS_COMPILE_CACHE: "off",
          DATAROBOT_ENDPOINT: `http://127.0.0.1:${port}/api/v2`,
          DATAROBOT_API_TOKEN: "t",
        },
      },
    )
      .then(
        () => undefined,
        (error: unknown) => error as { code: number; stderr: string },
      )
      .finally(() => server.close());
    expect(failure?.stderr).toContain("401");
    expect(failure?.stderr).toContain("http2 loaded: false");
  });

  it("hands got the real http2-wrapper when it asks", async () => {
    const { createRequire } = await import("node:module");
    const require = createRequire(import.meta.url);
    const shim = require(resolve(REPO, "scripts/lazy-http2-wrapper.cjs")) as Record<string, unknown>;
    const real = require("http2-wrapper") as Record<string, unknown>;
    expect(typeof real["auto"]).toBe("function");
    expect(shim["auto"]).toBe(real["auto"]);
    expect(shim["globalAgent"]).toBe(real["globalAgent"]);
  });
});
