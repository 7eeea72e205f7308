import { execFile } from "node:child_process";
import { build } from "esbuild";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import type { assert as isAssert, default as isDefault } from "@sindresorhus/is";
import { deferListFormatters, deferrals } from "../../scripts/bundle-deferrals.js";
import { useTempDirs } from "../temp-dirs.js";

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

describe("the bundle's deferrals (scripts/bundle-deferrals.ts)", () => {
  const temp = useTempDirs("bundle-deferrals");

  it("talks to DataRobot without loading node:http2 or making a list formatter (each waits until asked for)", async () => {
    // A plan against a server that refuses the token: the HTTP client is loaded and used, then fails.
    const server = createServer((_req, res) => {
      res.writeHead(401, { "content-type": "application/json" }).end('{"message":"Invalid API key"}');
    });
    await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
    const { port } = server.address() as AddressInfo;
    const atExit =
      `let listFormats = 0; const ListFormat = Intl.ListFormat;` +
      `Intl.ListFormat = class extends ListFormat { constructor(...a) { super(...a); listFormats++; } };` +
      `process.on("exit", () => process.stderr.write("\\nhttp2 loaded: " + ` +
      `process.moduleLoadList.includes("NativeModule http2") + ", list formats: " + listFormats + "\\n"));`;
    const failure = await run(
      process.execPath,
      ["--import", `data:text/javascript,${encodeURIComponent(atExit)}`, BIN, "plan", "examples/manifests"],
      {
        cwd: REPO,
        env: {
          PATH: process.env["PATH"],
          HOME: await temp(),
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
    expect(failure?.stderr).toContain("http2 loaded: false, list formats: 0");
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

  it("makes @sindresorhus/is's list formatters on first use, with the same messages", async () => {
    const dir = await temp();
    const out = join(dir, "is.mjs");
    await build({
      stdin: {
        contents: 'export { assert, default as is } from "@sindresorhus/is";',
        resolveDir: REPO,
      },
      bundle: true,
      format: "esm",
      platform: "node",
      outfile: out,
      plugins: [deferrals(REPO)],
      logLevel: "silent",
    });
    const text = await readFile(out, "utf8");
    expect(text).toContain("lazyListFormat");
    interface Is {
      assert: typeof isAssert;
      is: typeof isDefault;
    }
    const deferred = (await import(pathToFileURL(out).href)) as Is;
    const { assert, default: is } = await import("@sindresorhus/is");
    const original: Is = { assert, is };
    const messages = (m: Is): string[] =>
      [
        () => m.assert.any([m.is.string, m.is.number], true),
        () => m.assert.all(m.is.string, "a", 1, null),
      ].map((f) => {
        try {
          f();
          return "no error";
        } catch (error) {
          return (error as Error).message;
        }
      });
    expect(messages(deferred)).toEqual(messages(original));
    expect(messages(original)[0]).toMatch(/`string` or `number`/);
  });

  it("fails the build when the package's text is no longer the one it defers", () => {
    expect(() =>
      deferListFormatters("const andFormatter = new Intl.ListFormat('en');\n", "is/index.js"),
    ).toThrow(/is\/index\.js: its Intl\.ListFormat lines are not the ones/);
  });
});
