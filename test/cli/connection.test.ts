import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openConnection } from "../../src/cli/connection.js";
import type { CliContext } from "../../src/cli/context.js";
import { startEmulator } from "../../src/emulator/index.js";
import { DrgitopsError, UsageError } from "../../src/errors.js";

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

  it("rejects a DRGITOPS_POLL_INTERVAL_MS that is not a whole number of ms from 10 to 60000", async () => {
    for (const value of ["fast", "5", "1.5", "90000"]) {
      const attempt = openConnection(
        ctx({
          DATAROBOT_ENDPOINT: "https://dr.example.com",
          DATAROBOT_API_TOKEN: "t",
          DRGITOPS_POLL_INTERVAL_MS: value,
        }),
        { projectRoot: dir, homeDir: dir },
      );
      await expect(attempt).rejects.toBeInstanceOf(UsageError);
      await expect(attempt).rejects.toThrow(`DRGITOPS_POLL_INTERVAL_MS must be a whole number`);
    }
  });

  it("polls jobs first after DRGITOPS_POLL_INTERVAL_MS (default 1 s): a 600 ms job is polled several times at 50", async () => {
    const emu = await startEmulator({ jobDurationMs: 600, quiet: true });
    const file = join(dir, "rows.csv");
    await writeFile(file, "a,b\n1,2\n");
    try {
      const pollsWith = async (env: NodeJS.ProcessEnv): Promise<number> => {
        const conn = await openConnection(
          ctx({ DATAROBOT_ENDPOINT: emu.url, DATAROBOT_API_TOKEN: emu.token, ...env }),
          { projectRoot: dir, homeDir: dir },
        );
        let polls = 0;
        await conn.client.datasets.upload({ filePath: file }, { onProgress: (p) => (polls = p.polls) });
        await conn.close();
        return polls;
      };
      // At 1 s the first poll comes after the job ended; at 50 ms (growing x1.5) it takes several.
      expect(await pollsWith({})).toBe(1);
      expect(await pollsWith({ DRGITOPS_POLL_INTERVAL_MS: "50" })).toBeGreaterThanOrEqual(3);
    } finally {
      await emu.stop();
    }
  });
});
