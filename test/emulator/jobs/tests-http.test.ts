import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../../src/emulator/index.js";
import { type Api, expectOrdered, type Json, start } from "./harness.js";

const GOOD = { "custom.py": "def score(data, model, **kw):\n    return data\n" };

describe("custom model tests over HTTP (job duration 0)", () => {
  let emu: RunningEmulator;
  let api: Api;
  let datasetId: string;
  beforeAll(async () => {
    ({ emu, api } = await start({ jobDurationMs: 0 }));
    datasetId = await api.completedDataset();
  });
  afterAll(() => emu.stop());

  async function createTest(modelId: string, versionId: string, extra: Json = {}) {
    return api.post("customModelTests/", {
      customModelId: modelId,
      customModelVersionId: versionId,
      datasetId,
      ...extra,
    });
  }

  /** Creates a test and returns it as the list shows it (newest first). */
  async function createListedTest(modelId: string, versionId: string): Promise<Json> {
    await createTest(modelId, versionId);
    const list = (await api.get(`customModelTests/?customModelId=${modelId}`)).body as Json;
    return (list.data as Json[])[0] as Json;
  }

  it("answers 202 + an absolute status Location, lists the test first at once, and 303s to it", async () => {
    const model = await api.createModel();
    const version = await api.createVersion(model.id as string, GOOD);
    const older = await createTest(model.id as string, version.id as string);
    expect(older.status).toBe(202);
    const created = await createTest(model.id as string, version.id as string);
    expect(created.status).toBe(202);
    expect(created.body).toEqual({});
    const location = created.headers.get("location") ?? "";
    expect(location).toMatch(new RegExp(`^${emu.url}/status/[0-9a-f-]{36}/$`));

    const list = (await api.get(`customModelTests/?customModelId=${model.id as string}`)).body as Json;
    const tests = list.data as Json[];
    expect(list.totalCount).toBe(2);
    const newest = tests[0] as Json;

    const status = await api.get(location);
    expect(status.status).toBe(303);
    expect(status.body).toMatchObject({ status: "COMPLETED", type: "Testing", code: 0, message: "" });
    expect(status.headers.get("location")).toBe(`${emu.url}/customModelTests/${newest.id as string}/`);

    const test = (await api.get(`customModelTests/${newest.id as string}/`)).body as Json;
    expect(test).toMatchObject({
      customModel: { id: model.id, name: "fraud" },
      customModelVersion: { id: version.id, label: "1.0" },
      customModelImageId: version.id,
      imageType: "customModelVersion",
      overallStatus: "succeeded",
      createdBy: "emulator@example.com",
      datasetId,
    });
    expect(typeof test.completedAt).toBe("string");
    const testing = test.testingStatus as Record<string, Json>;
    for (const key of ["errorCheck", "nullValueImputation", "longRunningService", "sideEffects"]) {
      expect(typeof testing[key]?.message).toBe("string");
      expect(testing[key]?.status).toBe("succeeded");
    }
  });

  it("keeps every one of many tests created at once, each completed once", async () => {
    const model = await api.createModel();
    const version = await api.createVersion(model.id as string, GOOD);
    const replies = await Promise.all(
      Array.from({ length: 12 }, () => createTest(model.id as string, version.id as string)),
    );
    expect(replies.map((r) => r.status)).toEqual(Array.from({ length: 12 }, () => 202));
    const finals = await Promise.all(replies.map((r) => api.waitForStatus(r.headers.get("location") ?? "")));
    const targets = new Set(finals.map((f) => f.headers.get("location")));
    expect(targets.size).toBe(12);
    const list = (await api.get(`customModelTests/?customModelId=${model.id as string}`)).body as Json;
    expect(list.totalCount).toBe(12);
    for (const test of list.data as Json[]) {
      expect(targets.has(`${emu.url}/customModelTests/${test.id as string}/`)).toBe(true);
      const log = (await api.get(`customModelTests/${test.id as string}/log/`)).text;
      expect(log.match(/overallStatus:/g)).toHaveLength(1);
    }
  });

  it("freezes the tested version", async () => {
    const model = await api.createModel();
    const version = await api.createVersion(model.id as string, GOOD);
    expect(version.isFrozen).toBe(false);
    await createTest(model.id as string, version.id as string);
    const after = (await api.get(`customModels/${model.id as string}/versions/${version.id as string}/`))
      .body as Json;
    expect(after.isFrozen).toBe(true);
  });

  it("fails errorCheck without an entry point and says why in the test and its log", async () => {
    const model = await api.createModel();
    const version = await api.createVersion(model.id as string, { "README.md": "hello" });
    const created = await createTest(model.id as string, version.id as string);
    const final = await api.waitForStatus(created.headers.get("location") ?? "");
    expect(final.status).toBe(303);
    const test = (await api.get(final.headers.get("location") ?? "")).body as Json;
    expect(test.overallStatus).toBe("failed");
    const errorCheck = (test.testingStatus as Record<string, Json>).errorCheck;
    expect(errorCheck?.status).toBe("failed");
    expect(errorCheck?.message).toContain("No entry point");
    const log = await api.get(`customModelTests/${test.id as string}/log/`);
    expect(log.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(log.text).toContain("errorCheck: failed");
    expect(log.text).toContain("No entry point");
    const tail = await api.get(`customModelTests/${test.id as string}/tail/`);
    expect(tail.text).toContain("No entry point");
  });

  it("fails errorCheck on an invalid model-metadata.yaml and on a required runtime parameter left unset", async () => {
    const model = await api.createModel();
    const badYaml = await api.createVersion(model.id as string, {
      ...GOOD,
      "model-metadata.yaml": "name: [oops",
    });
    await createTest(model.id as string, badYaml.id as string);
    const required = await api.createVersion(model.id as string, {
      ...GOOD,
      "model-metadata.yaml":
        "name: m\ntype: inference\ntargetType: regression\nruntimeParameterDefinitions:\n" +
        "  - {fieldName: API_KEY, type: string, allowEmpty: false}\n",
    });
    await createTest(model.id as string, required.id as string);
    const tests = ((await api.get(`customModelTests/?customModelId=${model.id as string}`)).body as Json)
      .data as Json[];
    const [second, first] = tests.map(
      (t) => (t.testingStatus as Record<string, Json>).errorCheck?.message as string,
    );
    expect(first).toContain("model-metadata.yaml");
    expect(second).toContain("API_KEY");
  });

  it("honours configuration: a skipped check is reported as skipped, an extra check appears", async () => {
    const model = await api.createModel();
    const version = await api.createVersion(model.id as string, GOOD);
    await createTest(model.id as string, version.id as string, {
      configuration: { sideEffects: "skip", performanceCheck: "warn" },
    });
    const test = (
      ((await api.get(`customModelTests/?customModelId=${model.id as string}`)).body as Json).data as Json[]
    )[0] as Json;
    const status = test.testingStatus as Record<string, Json>;
    expect(status.sideEffects).toEqual({ status: "skipped", message: "" });
    expect(status.performanceCheck?.status).toBe("succeeded");
    expect(test.configuration).toMatchObject({
      sideEffects: "skip",
      performanceCheck: "warn",
      errorCheck: "fail",
    });
  });

  it("does not require a dataset for Unstructured models", async () => {
    const model = await api.createModel({ targetType: "Unstructured", targetName: undefined });
    const version = await api.createVersion(model.id as string, GOOD);
    const created = await api.post("customModelTests/", {
      customModelId: model.id,
      customModelVersionId: version.id,
    });
    expect(created.status).toBe(202);
  });

  it("rejects bad create requests with 422 naming the field, and writes nothing", async () => {
    const model = await api.createModel();
    const version = await api.createVersion(model.id as string, GOOD);
    const other = await api.createModel({ name: "other" });
    const cases: [Json, string][] = [
      [{ customModelVersionId: version.id, datasetId }, "customModelId"],
      [{ customModelId: model.id, datasetId }, "customModelVersionId"],
      [{ customModelId: other.id, customModelVersionId: version.id, datasetId }, "customModelVersionId"],
      [{ customModelId: "0".repeat(24), customModelVersionId: version.id, datasetId }, "customModelId"],
      [{ customModelId: model.id, customModelVersionId: version.id }, "datasetId"],
      [{ customModelId: model.id, customModelVersionId: version.id, datasetId: "f".repeat(24) }, "datasetId"],
      [
        {
          customModelId: model.id,
          customModelVersionId: version.id,
          datasetId,
          configuration: { bogus: "fail" },
        },
        "configuration",
      ],
      [
        {
          customModelId: model.id,
          customModelVersionId: version.id,
          datasetId,
          configuration: { errorCheck: "maybe" },
        },
        "configuration",
      ],
    ];
    for (const [body, field] of cases) {
      const reply = await api.post("customModelTests/", body);
      expect(reply.status, JSON.stringify(body)).toBe(422);
      expect((reply.body as { errors: Json }).errors[field]).toEqual(expect.any(String));
    }
    const list = (await api.get(`customModelTests/?customModelId=${model.id as string}`)).body as Json;
    expect(list.totalCount).toBe(0);
    const stillOpen = (await api.get(`customModels/${model.id as string}/versions/${version.id as string}/`))
      .body as Json;
    expect(stillOpen.isFrozen).toBe(false);
  });

  it("rejects a test on a dataset whose ingestion failed", async () => {
    const model = await api.createModel();
    const version = await api.createVersion(model.id as string, GOOD);
    const empty = await api.uploadDataset("empty.csv", "");
    await api.waitForStatus(empty.headers.get("location") ?? "");
    const reply = await createTest(model.id as string, version.id as string, {
      datasetId: (empty.body as Json).catalogId,
    });
    expect(reply.status).toBe(422);
    expect((reply.body as Json).message).toContain("ERROR");
  });

  it("requires customModelId to list, and 404s unknown tests on every route", async () => {
    const list = await api.get("customModelTests/");
    expect(list.status).toBe(422);
    expect((list.body as { errors: Json }).errors.customModelId).toBeDefined();
    const id = "a".repeat(24);
    for (const path of [
      `customModelTests/${id}/`,
      `customModelTests/${id}/log/`,
      `customModelTests/${id}/tail/`,
    ]) {
      const reply = await api.get(path);
      expect(reply.status).toBe(404);
      expect(reply.body).toEqual({ message: `Custom model test ${id} not found` });
    }
    expect((await api.delete(`customModelTests/${id}/`)).status).toBe(404);
  });

  it("makes DELETE on a finished test a no-op", async () => {
    const model = await api.createModel();
    const version = await api.createVersion(model.id as string, GOOD);
    const test = await createListedTest(model.id as string, version.id as string);
    expect((await api.delete(`customModelTests/${test.id as string}/`)).status).toBe(204);
    const after = (await api.get(`customModelTests/${test.id as string}/`)).body as Json;
    expect(after.overallStatus).toBe("succeeded");
  });

  it("deletes a model's tests with the model", async () => {
    const model = await api.createModel();
    const version = await api.createVersion(model.id as string, GOOD);
    const test = await createListedTest(model.id as string, version.id as string);
    expect((await api.delete(`customModels/${model.id as string}/`)).status).toBe(204);
    expect((await api.get(`customModelTests/${test.id as string}/`)).status).toBe(404);
  });
});

describe("custom model tests with a job duration", () => {
  it("reaches its final state after the duration, never going backwards", async () => {
    const { emu, api } = await start({ jobDurationMs: 300 });
    try {
      const datasetId = await api.completedDataset();
      const model = await api.createModel();
      const version = await api.createVersion(model.id as string, GOOD);
      const created = await api.post("customModelTests/", {
        customModelId: model.id,
        customModelVersionId: version.id,
        datasetId,
      });
      const first = (
        ((await api.get(`customModelTests/?customModelId=${model.id as string}`)).body as Json).data as Json[]
      )[0] as Json;
      const seen = await api.pollUntil(
        `customModelTests/${first.id as string}/`,
        (t) => t.overallStatus !== "in_progress",
      );
      expectOrdered(
        [first, ...seen].map((t) => t.overallStatus as string),
        ["in_progress", "succeeded"],
      );
      expect(seen.at(-1)?.overallStatus).toBe("succeeded");
      const status = await api.get(created.headers.get("location") ?? "");
      expect(status.status).toBe(303);
    } finally {
      await emu.stop();
    }
  });

  it("cancels a running test: overall failed, errorCheck 'Testing was cancelled', status ABORTED", async () => {
    const { emu, api } = await start({ jobDurationMs: 60_000 });
    try {
      const model = await api.createModel({ targetType: "Unstructured" });
      const version = await api.createVersion(model.id as string, GOOD);
      const created = await api.post("customModelTests/", {
        customModelId: model.id,
        customModelVersionId: version.id,
      });
      const running = await api.get(created.headers.get("location") ?? "");
      expect(running.status).toBe(200);
      expect((running.body as Json).status).toBe("RUNNING");
      const test = (
        ((await api.get(`customModelTests/?customModelId=${model.id as string}`)).body as Json).data as Json[]
      )[0] as Json;
      expect(test.overallStatus).toBe("in_progress");
      expect(test.completedAt).toBeNull();
      expect((test.testingStatus as Record<string, Json>).errorCheck).toEqual({
        status: "in_progress",
        message: "",
      });
      expect((await api.delete(`customModelTests/${test.id as string}/`)).status).toBe(204);
      const after = (await api.get(`customModelTests/${test.id as string}/`)).body as Json;
      expect(after.overallStatus).toBe("failed");
      expect((after.testingStatus as Record<string, Json>).errorCheck).toEqual({
        status: "failed",
        message: "Testing was cancelled",
      });
      const status = await api.get(created.headers.get("location") ?? "");
      expect(status.status).toBe(200);
      expect((status.body as Json).status).toBe("ABORTED");
      expect((await api.get(`customModelTests/${test.id as string}/log/`)).text).toContain(
        "Testing was cancelled",
      );
    } finally {
      await emu.stop();
    }
  });
});
