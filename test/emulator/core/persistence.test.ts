import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator } from "../../../src/emulator/index.js";
import { arr, createModel, createVersion, openApi, str } from "./helpers.js";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "drgitops-emu-test-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("persistence", () => {
  it("keeps models, versions, files and credentials across a restart on the same data dir", async () => {
    const dataDir = tempDir();
    const first = openApi(await startEmulator({ dataDir, token: "t1" }));
    const m = await createModel(first, { userProvidedId: "acme/kept" });
    const v = await createVersion(first, str(m.id), { "custom.py": "print('kept')" });
    await first.call("POST", "credentials/", {
      name: "kept",
      credentialType: "basic",
      user: "u",
      password: "p",
    });
    await first.emu.stop();

    const second = openApi(await startEmulator({ dataDir, token: "t1" }));
    try {
      const model = await second.call("GET", `customModels/${str(m.id)}/`);
      expect(model.status).toBe(200);
      expect(model.body.latestVersion).toEqual(v.body);
      const dup = await second.call("POST", "customModels/", {
        name: "x",
        targetType: "Anomaly",
        userProvidedId: "acme/kept",
      });
      expect(dup.status).toBe(422);
      const dl = await fetch(`${second.emu.url}/customModels/${str(m.id)}/download/`, {
        headers: second.auth,
      });
      expect(dl.status).toBe(200);
      expect(arr((await second.call("GET", "credentials/")).body.data).map((c) => c.name)).toEqual(["kept"]);
      // The built-in environment is seeded once, not again on every start.
      const envs = await second.call("GET", "executionEnvironments/");
      expect(envs.body.totalCount).toBe(1);
    } finally {
      await second.emu.stop();
    }
  });

  it("finishes an environment build that was in flight when the emulator stopped", async () => {
    const dataDir = tempDir();
    const first = openApi(await startEmulator({ dataDir, jobDurationMs: 400 }));
    const env = await first.call("POST", "executionEnvironments/", { name: "slow" });
    const ev = await first.call("POST", `executionEnvironments/${str(env.body.id)}/versions/`, {
      dockerImageUri: "python:3.11",
    });
    expect(ev.body.buildStatus).toBe("submitted");
    await first.emu.stop();

    const second = openApi(await startEmulator({ dataDir, jobDurationMs: 400 }));
    try {
      const path = `executionEnvironments/${str(env.body.id)}/versions/${str(ev.body.id)}/`;
      const seen: string[] = [];
      for (let i = 0; i < 300; i++) {
        const status = str((await second.call("GET", path)).body.buildStatus);
        if (seen.at(-1) !== status) seen.push(status);
        if (status === "success" || status === "failed") break;
        await new Promise((d) => setTimeout(d, 20));
      }
      expect(seen.at(-1)).toBe("success");
    } finally {
      await second.emu.stop();
    }
  });

  it("removes a temporary data dir on stop, and keeps a given one", async () => {
    const temp = await startEmulator();
    await temp.stop();
    expect(existsSync(temp.dataDir)).toBe(false);
    const dataDir = tempDir();
    const kept = await startEmulator({ dataDir });
    await kept.stop();
    expect(existsSync(join(dataDir, "emulator.db"))).toBe(true);
  });
});

describe("seed file", () => {
  it("creates credentials and built-in environments once, by name", async () => {
    const dir = tempDir();
    const seedFile = join(dir, "seed.yaml");
    writeFileSync(
      seedFile,
      `credentials:
  - {name: openai, credentialType: api_token, apiToken: sk-x, description: OpenAI}
environments:
  - {id: 0123456789abcdef01234567, name: R 4.2 Drop-In, programmingLanguage: r}
`,
    );
    const dataDir = join(dir, "data");
    for (let run = 0; run < 2; run++) {
      const api = openApi(await startEmulator({ dataDir, seedFile }));
      try {
        const creds = await api.call("GET", "credentials/");
        expect(arr(creds.body.data).map((c) => [c.name, c.description])).toEqual([["openai", "OpenAI"]]);
        const env = await api.call("GET", "executionEnvironments/0123456789abcdef01234567/");
        expect(env.body).toMatchObject({ name: "R 4.2 Drop-In", programmingLanguage: "r", isPublic: true });
        expect(env.body.latestSuccessfulVersion).not.toBeNull();
        expect((await api.call("DELETE", "executionEnvironments/0123456789abcdef01234567/")).status).toBe(
          403,
        );
        expect((await api.call("GET", "executionEnvironments/")).body.totalCount).toBe(2);
      } finally {
        await api.emu.stop();
      }
    }
  });

  it("refuses an invalid seed file naming the file, line and field", async () => {
    const dir = tempDir();
    const seedFile = join(dir, "seed.yaml");
    writeFileSync(seedFile, "environments:\n  - name: ok\n    programmingLanguage: cobol\n");
    await expect(startEmulator({ seedFile })).rejects.toThrow(
      /seed\.yaml:3: environments\.0\.programmingLanguage/,
    );
  });

  it("refuses unknown credential types and keys, naming the file, line and field of each", async () => {
    const dir = tempDir();
    const seedFile = join(dir, "seed.yaml");
    writeFileSync(
      seedFile,
      `credentials:
  - name: ok
    credentialType: api_token
    apiToken: sk-x
  - name: typo
    credentialType: basic
    user: u
    password: p
    pasword: q
  - name: what
    credentialType: ssh_key
`,
    );
    const error = await startEmulator({ seedFile }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/seed\.yaml:9: credentials\.1\.pasword: unknown key/);
    expect(error?.message).toMatch(/seed\.yaml:11: credentials\.2\.credentialType: .*api_token/);
  });

  it("uses a configured id for the built-in environment", async () => {
    const api = openApi(await startEmulator({ builtinEnvironmentId: "aaaaaaaaaaaaaaaaaaaaaaaa" }));
    try {
      expect((await api.call("GET", "executionEnvironments/aaaaaaaaaaaaaaaaaaaaaaaa/")).status).toBe(200);
    } finally {
      await api.emu.stop();
    }
  });
});
