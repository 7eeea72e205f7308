import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../../src/emulator/index.js";
import { type Api, type Json, start, tempDir, writeTemp } from "./harness.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe("status routes", () => {
  let emu: RunningEmulator;
  let api: Api;
  beforeAll(async () => {
    ({ emu, api } = await start({ jobDurationMs: 60_000 }));
  });
  afterAll(() => emu.stop());

  it("answers 200 RUNNING with a full status object while a job runs, and 404 for unknown ids", async () => {
    const upload = await api.uploadDataset("d.csv", "x\n1\n");
    const statusId = (upload.body as Json).statusId as string;
    const reply = await api.get(`status/${statusId}/`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toBe("application/json");
    expect(reply.headers.get("location")).toBeNull();
    expect(reply.body).toMatchObject({
      statusId,
      status: "RUNNING",
      message: "",
      code: 0,
      description: "",
      type: "Dataset",
    });
    expect((reply.body as Json).created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const unknown = await api.get("status/00000000-0000-4000-8000-000000000000/");
    expect(unknown.status).toBe(404);
    expect((unknown.body as Json).message).toContain("00000000-0000-4000-8000-000000000000");
  });

  it("lists status objects newest first and deletes one (204, then 404)", async () => {
    const a = ((await api.uploadDataset("a.csv", "x\n1\n")).body as Json).statusId as string;
    const b = ((await api.uploadDataset("b.csv", "x\n1\n")).body as Json).statusId as string;
    const list = (await api.get("status/?limit=2")).body as Json;
    expect((list.data as Json[]).map((s) => s.statusId)).toEqual([b, a]);
    expect(list.next).toContain(`${emu.url}/status/?`);
    expect((await api.delete(`status/${b}/`)).status).toBe(204);
    expect((await api.get(`status/${b}/`)).status).toBe(404);
    expect((await api.delete(`status/${b}/`)).status).toBe(404);
  });

  it("requires the token", async () => {
    const res = await fetch(`${emu.url}/status/`);
    expect(res.status).toBe(401);
  });
});

describe("jobs across a restart", () => {
  it("finishes a test that was in flight at shutdown, exactly once, after a restart on the same data dir", async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const first = await start({ dataDir: dir, jobDurationMs: 0 });
    const datasetId = await first.api.completedDataset();
    const model = await first.api.createModel();
    const version = await first.api.createVersion(model.id as string, { "custom.py": "" });
    await first.emu.stop();

    const slow = await start({ dataDir: dir, jobDurationMs: 300 });
    const created = await slow.api.post("customModelTests/", {
      customModelId: model.id,
      customModelVersionId: version.id,
      datasetId,
    });
    const statusPath = new URL(created.headers.get("location") ?? "").pathname.replace(/^\/api\/v2\//, "");
    await slow.emu.stop();

    const again = await start({ dataDir: dir, jobDurationMs: 0 });
    try {
      const status = await again.api.waitForStatus(statusPath);
      expect(status.status).toBe(303);
      const test = (await again.api.get(status.headers.get("location") ?? "")).body as Json;
      expect(test.overallStatus).toBe("succeeded");
      const log = (await again.api.get(`customModelTests/${test.id as string}/log/`)).text;
      expect(log.match(/overallStatus:/g)).toHaveLength(1);
      const tests = (await again.api.get(`customModelTests/?customModelId=${model.id as string}`))
        .body as Json;
      expect(tests.totalCount).toBe(1);
    } finally {
      await again.emu.stop();
    }
  });
});

describe("scenario file", () => {
  it("scripts test, dependency build and environment build outcomes by userProvidedId and name", async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const file = writeTemp(
      dir,
      "scenario.yaml",
      [
        "models:",
        '  "acme/fraud":',
        "    tests:",
        "      sideEffects: {outcome: fail, message: writes outside /tmp}",
        "      longRunningService: fail",
        "    dependencyBuild: {outcome: fail, message: pip exploded}",
        "environments:",
        "  broken-env: {build: fail}",
      ].join("\n"),
    );
    const { emu, api } = await start({ jobDurationMs: 0, scenarioFile: file });
    try {
      const datasetId = await api.completedDataset();
      const model = await api.createModel({ userProvidedId: "acme/fraud" });
      const version = await api.createVersion(model.id as string, {
        "custom.py": "",
        "requirements.txt": "pandas\n",
      });
      await api.post("customModelTests/", {
        customModelId: model.id,
        customModelVersionId: version.id,
        datasetId,
      });
      const test = (
        ((await api.get(`customModelTests/?customModelId=${model.id as string}`)).body as Json).data as Json[]
      )[0] as Json;
      expect(test.overallStatus).toBe("failed");
      const status = test.testingStatus as Record<string, Json>;
      expect(status.sideEffects).toEqual({ status: "warning", message: "writes outside /tmp" });
      expect(status.longRunningService?.status).toBe("failed");
      expect(status.errorCheck?.status).toBe("succeeded");

      const base = `customModels/${model.id as string}/versions/${version.id as string}`;
      await api.post(`${base}/dependencyBuild/`);
      expect(((await api.get(`${base}/dependencyBuild/`)).body as Json).buildStatus).toBe("failed");
      expect((await api.get(`${base}/dependencyBuildLog/`)).text).toContain("pip exploded");

      const unscripted = await api.createModel({ name: "other" });
      const v2 = await api.createVersion(unscripted.id as string, { "custom.py": "" });
      await api.post("customModelTests/", {
        customModelId: unscripted.id,
        customModelVersionId: v2.id,
        datasetId,
      });
      const plain = (
        ((await api.get(`customModelTests/?customModelId=${unscripted.id as string}`)).body as Json)
          .data as Json[]
      )[0] as Json;
      expect(plain.overallStatus).toBe("succeeded");

      const env = (await api.post("executionEnvironments/", { name: "broken-env" })).body as Json;
      const ev = await api.post(`executionEnvironments/${env.id as string}/versions/`, {
        dockerImageUri: "python:3.11",
      });
      const path = `executionEnvironments/${env.id as string}/versions/${(ev.body as Json).id as string}/`;
      expect(((await api.get(path)).body as Json).buildStatus).toBe("failed");
      expect(((await api.get(`${path}buildLog/`)).body as Json).error).toContain("scenario");
    } finally {
      await emu.stop();
    }
  });

  it("refuses to start with an invalid scenario file, naming the line and field", async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const file = writeTemp(dir, "bad.yaml", "models:\n  m:\n    dependencyBuild: sometimes\n");
    await expect(start({ scenarioFile: file })).rejects.toThrow(/bad\.yaml:3: models\.m\.dependencyBuild/);
  });
});

describe("feature impact and conversions", () => {
  let emu: RunningEmulator;
  let api: Api;
  beforeAll(async () => {
    ({ emu, api } = await start({ jobDurationMs: 0 }));
  });
  afterAll(() => emu.stop());

  it("computes feature impact: 404 before, 202 + status, 303 to the result, then the empty result", async () => {
    const model = await api.createModel();
    const v = await api.createVersion(model.id as string, { "custom.py": "" });
    const path = `customModels/${model.id as string}/versions/${v.id as string}/featureImpact/`;
    const before = await api.get(path);
    expect(before.status).toBe(404);
    expect(before.body).toEqual({ message: "Feature impact not calculated" });
    const started = await api.post(path);
    expect(started.status).toBe(202);
    const status = await api.waitForStatus(started.headers.get("location") ?? "");
    expect(status.status).toBe(303);
    expect(status.headers.get("location")).toBe(`${emu.url}/${path}`);
    expect((await api.get(path)).body).toEqual({
      count: 0,
      ranRedundancyDetection: false,
      rowCount: null,
      shapBased: false,
      featureImpacts: [],
    });
  });

  it("converts a non-empty main program and refuses an empty one or a foreign item", async () => {
    const model = await api.createModel();
    const v = await api.createVersion(model.id as string, { "main.sas": "data x; run;", "empty.sas": "" });
    const base = `customModels/${model.id as string}/versions/${v.id as string}/conversions/`;
    const items = v.items as Json[];
    const itemId = (p: string) => items.find((i) => i.filePath === p)?.id;
    const good = await api.post(base, { mainProgramItemId: itemId("main.sas") });
    expect(good.status).toBe(201);
    const goodId = (good.body as Json).conversionId as string;
    const bad = await api.post(base, { mainProgramItemId: itemId("empty.sas") });
    const badId = (bad.body as Json).conversionId as string;
    expect((await api.get(`${base}${goodId}/`)).body).toMatchObject({
      id: goodId,
      customModelVersionId: v.id,
      conversionSucceeded: true,
      conversionInProgress: false,
      shouldStop: false,
    });
    const failed = (await api.get(`${base}${badId}/`)).body as Json;
    expect(failed).toMatchObject({ conversionSucceeded: false, conversionInProgress: false });
    expect(failed.logMessage).toContain("empty");
    const latest = (await api.get(`${base}?isLatest=true`)).body as Json;
    expect((latest.data as Json[]).map((c) => c.id)).toEqual([badId]);
    expect(((await api.get(base)).body as Json).totalCount).toBe(2);
    const foreign = await api.post(base, { mainProgramItemId: "f".repeat(24) });
    expect(foreign.status).toBe(422);
    expect((foreign.body as { errors: Json }).errors.mainProgramItemId).toContain("not part of");
    expect((await api.get(`${base}${"f".repeat(24)}/`)).status).toBe(404);
  });

  it("stops a running conversion on DELETE", async () => {
    const slow = await start({ jobDurationMs: 60_000 });
    try {
      const model = await slow.api.createModel();
      const v = await slow.api.createVersion(model.id as string, { "main.sas": "data x; run;" });
      const base = `customModels/${model.id as string}/versions/${v.id as string}/conversions/`;
      const created = await slow.api.post(base, { mainProgramItemId: (v.items as Json[])[0]?.id });
      const id = (created.body as Json).conversionId as string;
      expect(((await slow.api.get(`${base}${id}/`)).body as Json).conversionInProgress).toBe(true);
      expect((await slow.api.delete(`${base}${id}/`)).status).toBe(204);
      expect((await slow.api.get(`${base}${id}/`)).body).toMatchObject({
        shouldStop: true,
        conversionInProgress: false,
        conversionSucceeded: false,
      });
    } finally {
      await slow.emu.stop();
    }
  });
});
