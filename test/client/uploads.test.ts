import { mkdtemp, readFile, rm, writeFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiError, createClient } from "../../src/client/index.js";
import {
  parseMultipart,
  recordingSleep,
  sendJson,
  startBareServer,
  TOKEN,
  type BareServer,
  type Handler,
} from "./helpers/bare-server.js";

const VERSION_BODY = {
  id: "v2",
  customModelId: "m1",
  versionMajor: 2,
  versionMinor: 0,
  isFrozen: false,
  items: [{ id: "i1", fileName: "custom.py", filePath: "custom.py" }],
};

let server: BareServer | undefined;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "drgitops-client-"));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function setup(handler: Handler) {
  server = await startBareServer(handler);
  const { sleeps, sleep } = recordingSleep();
  return {
    client: createClient({ endpoint: server.endpoint, token: TOKEN, sleep, random: () => 0 }),
    sleeps,
    server,
  };
}

/** Entries as [name, text or "file:<filename>:<content>"] in wire order. */
async function entries(server: BareServer, index = 0): Promise<[string, string][]> {
  const req = server.received[index];
  if (!req) throw new Error("no request received");
  const parsed = await parseMultipart(req);
  return Promise.all(
    parsed.map(async ([name, value]): Promise<[string, string]> => [
      name,
      typeof value === "string" ? value : `file:${value.name}:${await value.text()}`,
    ]),
  );
}

describe("version uploads (multipart)", () => {
  it("sends fields, repeated filesToDelete and each file followed by its filePath, from disk", async () => {
    await writeFile(join(dir, "custom.py"), "print('hi')\n");
    await writeFile(join(dir, "model.pkl"), Buffer.from([0, 1, 2, 255]));
    const { client, server } = await setup((_req, res) => sendJson(res, 201, VERSION_BODY));
    const version = await client.versions.createFromPrevious("m1", {
      isMajorUpdate: false,
      baseEnvironmentId: "env1",
      replicas: 2,
      files: [
        { filePath: "custom.py", absPath: join(dir, "custom.py") },
        { filePath: "artifacts/model.pkl", absPath: join(dir, "model.pkl") },
      ],
      filesToDelete: ["old1", "old2"],
      trainingData: { datasetId: "d1" },
      holdoutData: { partitionColumn: "fold" },
      runtimeParameterValues: [{ fieldName: "MODE", type: "string", value: "fast" }],
      gitModelVersion: { refName: "main", commitUrl: "https://git/c/1", mainBranchCommitSha: "abc" },
    });
    expect(version.id).toBe("v2");
    const req = server.received[0];
    expect(req?.method).toBe("PATCH");
    expect(req?.url).toBe("/api/v2/customModels/m1/versions/");
    expect(String(req?.headers["content-type"])).toMatch(/^multipart\/form-data; boundary=/);
    expect(await entries(server)).toEqual([
      ["isMajorUpdate", "false"],
      ["baseEnvironmentId", "env1"],
      ["replicas", "2"],
      ["trainingData", '{"datasetId":"d1"}'],
      ["holdoutData", '{"partitionColumn":"fold"}'],
      ["runtimeParameterValues", '[{"fieldName":"MODE","type":"string","value":"fast"}]'],
      ["gitModelVersion", '{"refName":"main","commitUrl":"https://git/c/1","mainBranchCommitSha":"abc"}'],
      ["filesToDelete", "old1"],
      ["filesToDelete", "old2"],
      ["file", "file:custom.py:print('hi')\n"],
      ["filePath", "custom.py"],
      ["file", `file:model.pkl:${Buffer.from([0, 1, 2, 255]).toString()}`],
      ["filePath", "artifacts/model.pkl"],
    ]);
  });

  it("POSTs a clean version with isMajorUpdate true by default and normalised paths", async () => {
    await writeFile(join(dir, "a.txt"), "a");
    const { client, server } = await setup((_req, res) => sendJson(res, 201, VERSION_BODY));
    await client.versions.createClean("m1", {
      files: [{ filePath: "./sub\\a.txt", absPath: join(dir, "a.txt") }],
    });
    expect(server.received[0]?.method).toBe("POST");
    expect(await entries(server)).toEqual([
      ["isMajorUpdate", "true"],
      ["file", "file:a.txt:a"],
      ["filePath", "sub/a.txt"],
    ]);
  });

  it("rebuilds the whole body from disk when an upload is retried after 429", async () => {
    await writeFile(join(dir, "custom.py"), "x".repeat(100_000));
    let n = 0;
    const { client, server, sleeps } = await setup((_req, res) => {
      if (n++ === 0) sendJson(res, 429, { message: "Rate limit exceeded" }, { "retry-after": "2" });
      else sendJson(res, 201, VERSION_BODY);
    });
    await client.versions.createClean("m1", {
      files: [{ filePath: "custom.py", absPath: join(dir, "custom.py") }],
    });
    expect(sleeps).toEqual([2000]);
    expect(server.received).toHaveLength(2);
    expect(await entries(server, 1)).toEqual(await entries(server, 0));
    expect(server.received[1]?.body.length).toBeGreaterThan(100_000);
  });

  it("reports upload progress up to the full body size", async () => {
    await writeFile(join(dir, "big.bin"), Buffer.alloc(2 * 1024 * 1024, 1));
    const { client, server } = await setup((_req, res) => sendJson(res, 201, VERSION_BODY));
    const seen: { transferred: number; total: number | undefined }[] = [];
    const controller = new AbortController();
    await client.versions.createClean(
      "m1",
      { files: [{ filePath: "big.bin", absPath: join(dir, "big.bin") }] },
      { signal: controller.signal, onUploadProgress: (p) => seen.push(p) },
    );
    const sent = server.received[0]?.body.length;
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toEqual({ transferred: sent, total: sent });
    expect(seen.map((p) => p.transferred)).toEqual([...seen.map((p) => p.transferred)].sort((a, b) => a - b));
  });

  it("does not retry an upload on 500 (POST is not idempotent)", async () => {
    await writeFile(join(dir, "custom.py"), "x");
    const { client, server } = await setup((_req, res) => sendJson(res, 500, { message: "boom" }));
    await expect(
      client.versions.createClean("m1", {
        files: [{ filePath: "custom.py", absPath: join(dir, "custom.py") }],
      }),
    ).rejects.toMatchObject({ status: 500 });
    expect(server.received).toHaveLength(1);
  });

  it("refuses duplicate paths and holdout data of both kinds before uploading", async () => {
    const { client, server } = await setup((_req, res) => sendJson(res, 201, VERSION_BODY));
    const f = join(dir, "a.txt");
    await expect(
      client.versions.createClean("m1", {
        files: [
          { filePath: "a.txt", absPath: f },
          { filePath: "./a.txt", absPath: f },
        ],
      }),
    ).rejects.toThrow(/files: two files have the same filePath/);
    await expect(
      client.versions.createFromPrevious("m1", {
        trainingData: { datasetId: "d1" },
        holdoutData: { datasetId: "d2", partitionColumn: "fold" },
      }),
    ).rejects.toThrow(/holdoutData/);
    expect(server.received).toHaveLength(0);
  });

  it("names the missing local file and sends nothing", async () => {
    const { client, server } = await setup((_req, res) => sendJson(res, 201, VERSION_BODY));
    const missing = join(dir, "nope.py");
    await expect(
      client.versions.createClean("m1", { files: [{ filePath: "custom.py", absPath: missing }] }),
    ).rejects.toThrow(`Cannot read ${missing} to upload it as "custom.py"`);
    expect(server.received).toHaveLength(0);
  });
});

describe("upload limit", () => {
  it("refuses before sending a file, or a whole upload, over maxUploadBytes, naming it and both sizes", async () => {
    await writeFile(join(dir, "big.bin"), Buffer.alloc(5000, 1));
    await writeFile(join(dir, "a.bin"), Buffer.alloc(600, 1));
    await writeFile(join(dir, "b.bin"), Buffer.alloc(600, 2));
    server = await startBareServer((_req, res) => sendJson(res, 201, VERSION_BODY));
    const client = createClient({ endpoint: server.endpoint, token: TOKEN, maxUploadBytes: 1000 });
    const one = client.versions.createClean("m1", {
      files: [{ filePath: "artifacts/big.bin", absPath: join(dir, "big.bin") }],
    });
    await expect(one).rejects.toMatchObject({ code: "upload-too-large" });
    await expect(one).rejects.toThrow(
      /big\.bin \(.*big\.bin\) is 5000 bytes, over the server's upload limit of 1000 bytes/,
    );
    const both = client.versions.createClean("m1", {
      files: [
        { filePath: "a.bin", absPath: join(dir, "a.bin") },
        { filePath: "b.bin", absPath: join(dir, "b.bin") },
      ],
    });
    await expect(both).rejects.toThrow(/is 1\d{3} bytes in all \(a\.bin \(600 bytes\), b\.bin \(600 bytes\)/);
    expect(server.received).toHaveLength(0);
  });

  it("turns a 413 into an ApiError naming the upload and the server's limit, without retrying", async () => {
    await writeFile(join(dir, "model.pkl"), Buffer.alloc(70_000, 1));
    const { client, server, sleeps } = await setup((_req, res) =>
      sendJson(res, 413, { message: "Upload exceeds 65536 bytes" }, { "retry-after": "1" }),
    );
    const error = await client.versions
      .createClean("m1", { files: [{ filePath: "model.pkl", absPath: join(dir, "model.pkl") }] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 413, apiMessage: "Upload exceeds 65536 bytes" });
    expect((error as ApiError).message).toMatch(
      /upload limit was exceeded by this upload: model\.pkl \(70000 bytes\); 700\d\d bytes in all/,
    );
    expect(server.received).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });
});

describe("environment version uploads", () => {
  it("zips a docker context folder into a docker_context part", async () => {
    await writeFile(join(dir, "Dockerfile"), "FROM python:3.11\n");
    const { client, server } = await setup((_req, res) =>
      sendJson(res, 202, { id: "ev1", environmentId: "e1", buildStatus: "submitted", imageId: "img" }),
    );
    const version = await client.environmentVersions.create("e1", { dockerContextPath: dir, label: "v2" });
    expect(version.buildStatus).toBe("submitted");
    const parts = await parseMultipart(server.received[0]!);
    expect(parts.map(([name]) => name)).toEqual(["label", "docker_context"]);
    const zip = parts[1]?.[1] as File;
    expect(zip.name).toBe("docker_context.zip");
    const bytes = Buffer.from(await zip.arrayBuffer());
    expect(bytes.subarray(0, 4).toString("binary")).toBe("PK\u0003\u0004");
    expect(bytes.includes(Buffer.from("Dockerfile"))).toBe(true);
  });

  it("uploads an archive file as is, under its own name", async () => {
    const archive = join(dir, "context.tar.gz");
    await writeFile(archive, Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]));
    const { client, server } = await setup((_req, res) =>
      sendJson(res, 202, { id: "ev1", buildStatus: "submitted", imageId: "img" }),
    );
    await client.environmentVersions.create("e1", { dockerContextPath: archive, description: "d" });
    const parts = await parseMultipart(server.received[0]!);
    expect(parts.map(([name]) => name)).toEqual(["description", "docker_context"]);
    const part = parts[1]?.[1] as File;
    expect(part.name).toBe("context.tar.gz");
    expect(Buffer.from(await part.arrayBuffer())).toEqual(Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]));
  });

  it("sends JSON when only an image URI is given", async () => {
    const { client, server } = await setup((_req, res) =>
      sendJson(res, 202, { id: "ev1", buildStatus: "submitted", imageId: "img" }),
    );
    await client.environmentVersions.create("e1", { dockerImageUri: "python:3.11" });
    expect(JSON.parse(server.received[0]!.body.toString())).toEqual({ dockerImageUri: "python:3.11" });
  });
});

describe("downloads", () => {
  it("streams a version zip to the destination file", async () => {
    const payload = Buffer.alloc(3 * 1024 * 1024, 7);
    const { client } = await setup((_req, res) => {
      res.writeHead(200, { "content-type": "application/zip" });
      res.end(payload);
    });
    const dest = join(dir, "v.zip");
    const { bytes } = await client.versions.download("m1", "v1", dest);
    expect(bytes).toBe(payload.length);
    expect((await readFile(dest)).equals(payload)).toBe(true);
    expect(await readdir(dir)).toEqual(["v.zip"]);
  });

  it("follows a redirect to storage without sending the token there", async () => {
    const storage = await startBareServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/zip" });
      res.end("zip-bytes");
    });
    try {
      const { client, server } = await setup((_req, res) => {
        res.writeHead(302, { location: `${storage.origin}/bucket/v.zip?X-Signature=s3cr3t` });
        res.end();
      });
      const dest = join(dir, "v.zip");
      await client.versions.download("m1", "v1", dest);
      expect(await readFile(dest, "utf8")).toBe("zip-bytes");
      expect(server.received[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(storage.received[0]?.url).toBe("/bucket/v.zip?X-Signature=s3cr3t");
      expect(storage.received[0]?.headers.authorization).toBeUndefined();
    } finally {
      await storage.close();
    }
  });

  it("leaves no file behind when the download fails, and reports the API message", async () => {
    let n = 0;
    const { client } = await setup((_req, res, raw) => {
      if (n++ === 0) {
        res.writeHead(200, { "content-type": "application/zip", "content-length": "1000000" });
        res.write(Buffer.alloc(1000));
        setImmediate(() => raw.socket.destroy());
      } else sendJson(res, 404, { message: "Custom model m1 has no versions" });
    });
    const dest = join(dir, "v.zip");
    const error = await client.customModels.downloadLatest("m1", dest).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404, apiMessage: "Custom model m1 has no versions" });
    expect(n).toBe(2); // the cut stream was retried (GET), the 404 was not
    expect(await readdir(dir)).toEqual([]);
  });
});
