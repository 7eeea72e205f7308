import { readdirSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../../src/emulator/index.js";
import { type Api, type Json, start } from "./harness.js";

describe("datasets over HTTP", () => {
  let emu: RunningEmulator;
  let api: Api;
  beforeAll(async () => {
    ({ emu, api } = await start({ jobDurationMs: 0, maxUploadBytes: 64 * 1024 }));
  });
  afterAll(() => emu.stop());

  it("uploads from file: 202 + Location, then 303 to the dataset with the CSV's shape", async () => {
    const content = "a,b,target\n1,2,3\n4,5,6\n7,8,9\n";
    const reply = await api.uploadDataset("C:\\data\\train.csv", content);
    expect(reply.status).toBe(202);
    const body = reply.body as Json;
    expect(Object.keys(body).sort()).toEqual(["catalogId", "catalogVersionId", "statusId"]);
    const location = reply.headers.get("location") ?? "";
    expect(location).toBe(`${emu.url}/status/${body.statusId as string}/`);
    const done = await api.waitForStatus(location);
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe(`${emu.url}/datasets/${body.catalogId as string}/`);
    const dataset = (await api.get(done.headers.get("location") ?? "")).body as Json;
    expect(dataset).toMatchObject({
      datasetId: body.catalogId,
      versionId: body.catalogVersionId,
      name: "train.csv",
      uri: "train.csv",
      processingState: "COMPLETED",
      rowCount: 3,
      featureCount: 3,
      datasetSize: content.length,
      categories: [],
      error: "",
      dataSourceType: "local",
      isDataEngineEligible: true,
      isLatestVersion: true,
      isSnapshot: true,
      dataPersisted: true,
      createdBy: "emulator@example.com",
    });
    expect(dataset).not.toHaveProperty("id");
  });

  it("ends an empty file's ingestion as ERROR and keeps it listed unless filterFailed=true", async () => {
    const reply = await api.uploadDataset("empty.csv", "");
    const status = await api.waitForStatus(reply.headers.get("location") ?? "");
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ status: "ERROR", message: "Dataset file is empty", code: 1 });
    const id = (reply.body as Json).catalogId as string;
    const dataset = (await api.get(`datasets/${id}/`)).body as Json;
    expect(dataset).toMatchObject({ processingState: "ERROR", error: "Dataset file is empty" });
    const ids = async (query: string) =>
      (((await api.get(`datasets/${query}`)).body as Json).data as Json[]).map((d) => d.datasetId);
    expect(await ids("?filterFailed=false")).toContain(id);
    expect(await ids("?filterFailed=True")).not.toContain(id);
  });

  it("keeps content that is not CSV as COMPLETED without row count or columns", async () => {
    const reply = await api.uploadDataset("blob.bin", 'a,b\n1,"2\n');
    await api.waitForStatus(reply.headers.get("location") ?? "");
    const dataset = (await api.get(`datasets/${(reply.body as Json).catalogId as string}/`)).body as Json;
    expect(dataset).toMatchObject({ processingState: "COMPLETED", rowCount: null, featureCount: null });
  });

  it("filters by category, orders by creation, and rejects an unknown orderBy", async () => {
    const a = await api.uploadDataset("a.csv", "x\n1\n", [["categories", "TRAINING"]]);
    const b = await api.uploadDataset("b.csv", "x\n1\n", [["categories", "PREDICTION,TRAINING"]]);
    const idA = (a.body as Json).catalogId;
    const idB = (b.body as Json).catalogId;
    const training = (((await api.get("datasets/?category=TRAINING")).body as Json).data as Json[]).map(
      (d) => d.datasetId,
    );
    expect(training.slice(0, 2)).toEqual([idB, idA]);
    const prediction = (((await api.get("datasets/?category=PREDICTION")).body as Json).data as Json[]).map(
      (d) => d.datasetId,
    );
    expect(prediction).toEqual([idB]);
    const oldestFirst = (((await api.get("datasets/?orderBy=created")).body as Json).data as Json[]).map(
      (d) => d.datasetId,
    );
    expect(oldestFirst.indexOf(idA)).toBeLessThan(oldestFirst.indexOf(idB));
    const bad = await api.get("datasets/?orderBy=name");
    expect(bad.status).toBe(422);
    expect((bad.body as { errors: Json }).errors.orderBy).toContain("orderBy");
  });

  it("pages with absolute next links that keep the filters", async () => {
    for (const n of [1, 2, 3]) await api.uploadDataset(`p${n}.csv`, "x\n1\n", [["categories", "PAGED"]]);
    const first = (await api.get("datasets/?category=PAGED&limit=2")).body as Json;
    expect(first).toMatchObject({ count: 2, totalCount: 3, previous: null });
    const next = first.next as string;
    expect(next).toContain(`${emu.url}/datasets/?`);
    expect(next).toContain("category=PAGED");
    const second = (await api.get(next)).body as Json;
    expect(second).toMatchObject({ count: 1, next: null });
  });

  it("PATCHes name, categories and description", async () => {
    const id = await api.completedDataset();
    const reply = await api.patch(`datasets/${id}/`, {
      name: "renamed.csv",
      categories: ["TRAINING"],
      description: "d",
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ name: "renamed.csv", categories: ["TRAINING"], description: "d" });
    expect((await api.get(`datasets/${id}/`)).body).toMatchObject({
      name: "renamed.csv",
      categories: ["TRAINING"],
    });
    const bad = await api.patch(`datasets/${id}/`, { name: "" });
    expect(bad.status).toBe(422);
    expect((bad.body as { errors: Json }).errors.name).toBeDefined();
  });

  it("deletes softly: 204, then 404 on GET, PATCH and DELETE, and gone from the list", async () => {
    const id = await api.completedDataset();
    expect((await api.delete(`datasets/${id}/`)).status).toBe(204);
    const gone = await api.get(`datasets/${id}/`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ message: `Dataset ${id} not found` });
    expect((await api.patch(`datasets/${id}/`, { name: "x" })).status).toBe(404);
    expect((await api.delete(`datasets/${id}/`)).status).toBe(404);
    const ids = (((await api.get("datasets/?limit=1000")).body as Json).data as Json[]).map(
      (d) => d.datasetId,
    );
    expect(ids).not.toContain(id);
  });

  it("needs a file part (422) and refuses uploads over --max-upload (413) without leaving anything behind", async () => {
    const noFile = await api.request("POST", "datasets/fromFile/", {
      form: { fields: [["categories", "X"]] },
    });
    expect(noFile.status).toBe(422);
    expect((noFile.body as { errors: Json }).errors.file).toBeDefined();

    const before = ((await api.get("datasets/")).body as Json).totalCount;
    const extra = await api.request("POST", "datasets/fromFile/", {
      form: {
        files: [
          { field: "file", name: "small.csv", content: "x\n1\n" },
          { field: "other", name: "big.bin", content: Buffer.alloc(200 * 1024, "b") },
        ],
      },
    });
    expect(extra.status).toBe(413);
    const big = await api.uploadDataset("big.csv", Buffer.alloc(200 * 1024, "a"));
    expect(big.status).toBe(413);
    expect(big.body).toEqual({ message: `Upload exceeds ${64 * 1024} bytes` });
    expect(((await api.get("datasets/")).body as Json).totalCount).toBe(before);
    expect(readdirSync(join(emu.dataDir, "blobs", "tmp"))).toEqual([]);
  });
});

describe("dataset ingestion with a job duration", () => {
  it("shows RUNNING while the job runs", async () => {
    const { emu, api } = await start({ jobDurationMs: 60_000 });
    try {
      const reply = await api.uploadDataset("t.csv", "x\n1\n");
      const dataset = (await api.get(`datasets/${(reply.body as Json).catalogId as string}/`)).body as Json;
      expect(dataset).toMatchObject({ processingState: "RUNNING", rowCount: null, featureCount: null });
    } finally {
      await emu.stop();
    }
  });

  it("reaches COMPLETED after the duration", async () => {
    const { emu, api } = await start({ jobDurationMs: 300 });
    try {
      const reply = await api.uploadDataset("t.csv", "x\n1\n");
      const id = (reply.body as Json).catalogId as string;
      const seen = await api.pollUntil(`datasets/${id}/`, (d) => d.processingState !== "RUNNING");
      expect(seen.at(-1)).toMatchObject({ processingState: "COMPLETED", rowCount: 1 });
    } finally {
      await emu.stop();
    }
  });
});

describe("large datasets", () => {
  it("ingests a file bigger than the background threshold; its status and GET wait for the result", async () => {
    const { emu, api } = await start({ jobDurationMs: 0 });
    try {
      const row = "123456,abcdef,0.5\n";
      const rows = Math.ceil((17 * 1024 * 1024) / row.length);
      const reply = await api.uploadDataset("big.csv", `a,b,c\n${row.repeat(rows)}`);
      const id = (reply.body as Json).catalogId as string;
      expect((await api.get(`datasets/${id}/`)).body).toMatchObject({
        processingState: "COMPLETED",
        rowCount: rows,
      });
      expect((await api.get(reply.headers.get("location") ?? "")).status).toBe(303);
    } finally {
      await emu.stop();
    }
  });
});

describe("dataset upload cut off by the client", () => {
  it("stores nothing when the connection drops mid-file", async () => {
    const { emu, api } = await start({ jobDurationMs: 0 });
    try {
      const boundary = "----cut";
      const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.csv"\r\n` +
          "Content-Type: text/csv\r\n\r\n",
      );
      const url = new URL(`${emu.url}/datasets/fromFile/`);
      const tmp = join(emu.dataDir, "blobs", "tmp");
      await new Promise<void>((resolve) => {
        const req = request(url, {
          method: "POST",
          headers: {
            Authorization: `Bearer ${emu.token}`,
            "Content-Type": `multipart/form-data; boundary=${boundary}`,
            "Content-Length": String(head.length + 10_000_000),
          },
        });
        req.on("error", () => resolve());
        req.on("close", () => resolve());
        req.write(head);
        req.write(Buffer.alloc(256 * 1024, "x"));
        // Cut the connection only once the server is streaming the file into a temp blob.
        const cut = (): void => {
          if (readdirSync(tmp).length > 0) req.destroy();
          else setTimeout(cut, 5);
        };
        cut();
      });
      // The server notices the reset asynchronously; wait for its temp file to go, then check.
      while (readdirSync(tmp).length > 0) await new Promise((r) => setTimeout(r, 10));
      expect(((await api.get("datasets/")).body as Json).totalCount).toBe(0);
      expect(((await api.get("status/")).body as Json).totalCount).toBe(0);
    } finally {
      await emu.stop();
    }
  });
});
