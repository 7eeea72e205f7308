import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../../src/emulator/index.js";
import { compressible, gzipBomb, zipBomb } from "./archives.js";
import { type Api, type Json, start } from "./harness.js";

describe("docker contexts that expand without bound", () => {
  let emu: RunningEmulator;
  let api: Api;
  let envId: string;
  beforeAll(async () => {
    ({ emu, api } = await start({ jobDurationMs: 0 }));
    envId = ((await api.post("executionEnvironments/", { name: "bombs" })).body as Json).id as string;
  });
  afterAll(() => emu.stop());

  async function upload(name: string, content: Buffer): Promise<string> {
    const reply = await api.request("POST", `executionEnvironments/${envId}/versions/`, {
      form: { files: [{ field: "docker_context", name, content }] },
    });
    expect(reply.status).toBe(202);
    return `executionEnvironments/${envId}/versions/${(reply.body as Json).id as string}/`;
  }

  it.each([
    ["a 3 MB tar.gz expanding to 3 GiB", "bomb.tgz", () => gzipBomb(3 * 1024)],
    ["a zip declaring 64 MiB in 64 KiB", "bomb.zip", () => zipBomb(64)],
  ])("fails the build of %s with a clear log line", async (_what, name, make) => {
    const path = await upload(name, await make());
    const version = (await api.get(path)).body as Json;
    expect(version.buildStatus).toBe("failed");
    const log = (await api.get(`${path}buildLog/`)).body as Json;
    expect(log.error).toMatch(/refused as a decompression bomb .*expands more than 100:1/);
    expect(log.log).toContain(`ERROR: ${String(log.error)}`);
    expect((await api.get("ping")).status).toBe(200);
  });

  it("keeps answering other requests while a large context is being read, then fails it at the size limit", async () => {
    // About 13 MiB that expand (80:1, under the ratio limit) past the 1 GiB limit: seconds of work.
    const path = await upload("big.tgz", await gzipBomb(1100, compressible()));
    const started = Date.now();
    let buildMs = 0;
    const build = api.get(path).then((reply) => {
      buildMs = Date.now() - started;
      return reply.body as Json;
    });
    const pings: number[] = [];
    while (buildMs === 0) {
      const t = Date.now();
      expect((await api.get("ping")).status).toBe(200);
      if (buildMs === 0) pings.push(Date.now() - t);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await build).buildStatus).toBe("failed");
    const log = (await api.get(`${path}buildLog/`)).body as Json;
    expect(log.error).toMatch(/expands to more than 1073741824 bytes/);
    // Ratios, not timings: every ping answered in a small part of the time the context took.
    expect(pings.length).toBeGreaterThan(0);
    expect(Math.max(...pings)).toBeLessThan(buildMs / 4);
  });
});
