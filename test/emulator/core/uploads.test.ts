import { readdirSync, statSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createModel, createVersion, openApi, str, useEmulator, type Api } from "./helpers.js";
import { startEmulator } from "../../../src/emulator/index.js";

/** Every file under `dir`, recursively (blobs are sharded by their first two hex digits). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

async function versionCount(api: Api, modelId: string): Promise<unknown> {
  return (await api.call("GET", `customModels/${modelId}/versions/`)).body.totalCount;
}

describe("uploads", () => {
  const api = useEmulator({ maxUploadBytes: 64 * 1024 });

  it("stores identical content once", async () => {
    const m = await createModel(api());
    const before = filesUnder(join(api().emu.dataDir, "blobs")).length;
    const content = "same bytes ".repeat(100);
    await createVersion(api(), str(m.id), { "a.txt": content, "b.txt": content });
    await createVersion(api(), str(m.id), { "c.txt": content });
    const after = filesUnder(join(api().emu.dataDir, "blobs")).length;
    expect(after - before).toBe(1);
  });

  it("answers 413 above --max-upload and keeps no version or temp file", async () => {
    const m = await createModel(api());
    const r = await createVersion(api(), str(m.id), { "big.bin": "x".repeat(70 * 1024) });
    expect(r.status).toBe(413);
    expect(r.body).toEqual({ message: "Upload exceeds 65536 bytes" });
    expect(await versionCount(api(), str(m.id))).toBe(0);
    // The part cut short may still be closing its temp file as the 400 goes out: gone soon after.
    const tmp = join(api().emu.dataDir, "blobs", "tmp");
    for (let i = 0; i < 100 && readdirSync(tmp).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("counts every part of one request against the limit, and keeps none of them", async () => {
    const m = await createModel(api());
    const before = filesUnder(join(api().emu.dataDir, "blobs"));
    const part = "y".repeat(40 * 1024);
    const r = await createVersion(api(), str(m.id), { "one.bin": part, "two.bin": `${part}2` });
    expect(r.status).toBe(413);
    expect(filesUnder(join(api().emu.dataDir, "blobs"))).toEqual(before);
  });

  it("keeps no file of a refused version, but never removes content another version uses", async () => {
    const m = await createModel(api());
    const before = filesUnder(join(api().emu.dataDir, "blobs"));
    const refused = await createVersion(
      api(),
      str(m.id),
      { "fresh.py": "only in a refused request" },
      {
        baseEnvironmentId: "0123456789abcdef01234567",
      },
    );
    expect(refused.status).toBe(422);
    expect(filesUnder(join(api().emu.dataDir, "blobs"))).toEqual(before);
    const kept = await createVersion(api(), str(m.id), { "kept.py": "shared content" });
    expect(kept.status).toBe(201);
    const withKept = filesUnder(join(api().emu.dataDir, "blobs"));
    const again = await createVersion(api(), str(m.id), { "copy.py": "shared content", "../bad": "x" });
    expect(again.status).toBe(422);
    expect(filesUnder(join(api().emu.dataDir, "blobs"))).toEqual(withKept);
  });

  it("answers a JSON body above the limit with the same 413", async () => {
    const r = await api().call("POST", "customModels/", {
      name: "x",
      targetType: "Anomaly",
      description: "d".repeat(70 * 1024),
    });
    expect(r.status).toBe(413);
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(r.body).toEqual({ message: "Upload exceeds 65536 bytes" });
  });

  it("keeps nothing when the client disconnects mid-upload", async () => {
    const m = await createModel(api());
    const { port } = new URL(api().emu.url);
    const boundary = "----drgitopsboundary";
    const head =
      `--${boundary}\r\nContent-Disposition: form-data; name="baseEnvironmentId"\r\n\r\n5e8c889607389fe0f466c72d\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="half.bin"\r\n` +
      `Content-Type: application/octet-stream\r\n\r\n`;
    const socket = connect(Number(port), "127.0.0.1");
    await new Promise<void>((done) => socket.once("connect", done));
    socket.write(
      `POST /api/v2/customModels/${str(m.id)}/versions/ HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        `Authorization: Token ${api().emu.token}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n` +
        `Content-Length: 60000\r\n\r\n${head}${"z".repeat(20_000)}`,
    );
    // Wait until the server is streaming the part into a temp file, then vanish.
    const tmp = join(api().emu.dataDir, "blobs", "tmp");
    for (let i = 0; i < 400 && readdirSync(tmp).length === 0; i++) await new Promise((d) => setTimeout(d, 5));
    expect(readdirSync(tmp)).toHaveLength(1);
    socket.destroy();
    for (let i = 0; i < 200 && readdirSync(tmp).length > 0; i++) await new Promise((d) => setTimeout(d, 5));
    expect(readdirSync(tmp)).toEqual([]);
    expect(await versionCount(api(), str(m.id))).toBe(0);
  });
});

describe("uploads without a small limit", () => {
  it("streams a multi-megabyte file into a blob with its exact size", async () => {
    const emu = await startEmulator();
    try {
      const api = openApi(emu);
      const m = await createModel(api);
      const big = Buffer.alloc(8 * 1024 * 1024, 7);
      const form = new FormData();
      form.append("baseEnvironmentId", "5e8c889607389fe0f466c72d");
      form.append("file", new Blob([big]), "weights.bin");
      const r = await api.form("POST", `customModels/${str(m.id)}/versions/`, form);
      expect(r.status).toBe(201);
      const blobs = filesUnder(join(emu.dataDir, "blobs"));
      expect(blobs.map((f) => statSync(f).size)).toEqual([big.length]);
    } finally {
      await emu.stop();
    }
  });
});

describe("malformed multipart", () => {
  const api = useEmulator();

  it.each([
    ["no part", "multipart/form-data; boundary=abc", "garbage"],
    ["no boundary", "multipart/form-data", "--x\r\n"],
    [
      "a file part cut short",
      "multipart/form-data; boundary=abc",
      '--abc\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nhello',
    ],
  ])("answers %s (%s) with a JSON 400 and stores nothing", async (_case, type, body) => {
    const m = await createModel(api());
    const r = await api().call("POST", `customModels/${str(m.id)}/versions/`, body, { "content-type": type });
    expect(r.status).toBe(400);
    expect(str(r.body.message)).toContain("multipart");
    expect(await versionCount(api(), str(m.id))).toBe(0);
    expect(readdirSync(join(api().emu.dataDir, "blobs", "tmp"))).toEqual([]);
  });

  it('treats multipart "None" values as absent', async () => {
    const m = await createModel(api());
    const r = await createVersion(
      api(),
      str(m.id),
      { "custom.py": "x" },
      { isMajorUpdate: "None", networkEgressPolicy: "None", replicas: "" },
    );
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ label: "1.0", networkEgressPolicy: null, replicas: null });
  });
});
