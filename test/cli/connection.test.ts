import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openConnection } from "../../src/cli/connection.js";
import type { CliContext } from "../../src/cli/context.js";
import { DrgitopsError } from "../../src/errors.js";

let dir: string;
let stderr: string[];

function ctx(env: NodeJS.ProcessEnv): CliContext {
  const err = new PassThrough();
  err.on("data", (c: Buffer) => stderr.push(c.toString("utf8")));
  const stdin = new PassThrough();
  return {
    cwd: dir,
    env,
    stdin,
    stdout: new PassThrough(),
    stderr: err,
    signal: new AbortController().signal,
  };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "drgitops-conn-"));
  stderr = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("openConnection (DESIGN §9)", () => {
  it("uses a configured endpoint as is, without starting anything", async () => {
    const conn = await openConnection(
      ctx({ DATAROBOT_ENDPOINT: "https://dr.example.com", DATAROBOT_API_TOKEN: "tok-123" }),
      { projectRoot: dir, homeDir: dir },
    );
    expect(conn).toMatchObject({ embedded: false, endpoint: "https://dr.example.com/api/v2" });
    await conn.close();
    expect(stderr.join("")).toBe("");
  });

  it("refuses in CI when nothing is configured, saying what to set", async () => {
    const attempt = openConnection(ctx({ CI: "true" }), { projectRoot: dir, homeDir: dir });
    await expect(attempt).rejects.toBeInstanceOf(DrgitopsError);
    await expect(attempt).rejects.toThrow(/DATAROBOT_ENDPOINT.*--endpoint local/s);
  });

  it("starts the embedded emulator with its data under .drgitops/emulator and says so once", async () => {
    const conn = await openConnection(ctx({ CI: "false" }), { projectRoot: dir, homeDir: dir });
    try {
      expect(conn.embedded).toBe(true);
      await conn.client.customModels.create({
        name: "kept",
        targetType: "Unstructured",
        userProvidedId: "ns/kept",
      });
      expect(stderr.join("").match(/embedded emulator \(data in \.drgitops\/emulator\/\)/g)).toHaveLength(1);
    } finally {
      await conn.close();
    }
    // The data persists: a second connection sees what the first one wrote.
    const again = await openConnection(ctx({ CI: "true" }), {
      projectRoot: dir,
      homeDir: dir,
      endpoint: "local",
    });
    try {
      expect(again.embedded).toBe(true);
      expect((await again.client.customModels.findByUserProvidedId("ns/kept"))?.name).toBe("kept");
      expect(stderr.join("")).toContain("--endpoint local");
    } finally {
      await again.close();
    }
  });
});
