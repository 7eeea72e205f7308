import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../../src/emulator/index.js";
import { tar, zip } from "./archives.js";
import { type Api, expectOrdered, type Json, start } from "./harness.js";

const FINAL = new Set(["success", "failed"]);
const BUILD_ORDER = ["submitted", "processing", "success"];

describe("dependency builds over HTTP", () => {
  let emu: RunningEmulator;
  let api: Api;
  beforeAll(async () => {
    ({ emu, api } = await start({ jobDurationMs: 0 }));
  });
  afterAll(() => emu.stop());

  async function version(files: Record<string, string>): Promise<string> {
    const model = await api.createModel();
    const v = await api.createVersion(model.id as string, files);
    return `customModels/${model.id as string}/versions/${v.id as string}`;
  }

  it("says the build has not been started (422, CMA's message) before POST, on GET, log and DELETE", async () => {
    const base = await version({ "custom.py": "", "requirements.txt": "pandas\n" });
    const vid = base.split("/").pop() ?? "";
    for (const reply of [
      await api.get(`${base}/dependencyBuild/`),
      await api.get(`${base}/dependencyBuildLog/`),
      await api.delete(`${base}/dependencyBuild/`),
    ]) {
      expect(reply.status).toBe(422);
      expect((reply.body as Json).message).toBe(`Custom model version ${vid} build has not been started`);
    }
  });

  it("builds valid requirements: 202 submitted, then success with a log location and log", async () => {
    const base = await version({
      "custom.py": "",
      "requirements.txt": "pandas>=1.5,<3\n# comment\nrequests\n",
    });
    const started = await api.post(`${base}/dependencyBuild/`);
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ buildStatus: "submitted", buildEnd: null, buildLogLocation: null });
    expect(typeof (started.body as Json).buildStart).toBe("string");
    const info = (await api.get(`${base}/dependencyBuild/`)).body as Json;
    expect(info).toMatchObject({
      buildStatus: "success",
      buildLogLocation: `${emu.url}/${base}/dependencyBuildLog/`,
    });
    expect(typeof info.buildEnd).toBe("string");
    const log = await api.get(info.buildLogLocation as string);
    expect(log.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(log.text).toContain("Successfully installed pandas requests");
  });

  it("fails on invalid lines, naming each with its line number, and allows a new build after a failure", async () => {
    const base = await version({
      "custom.py": "",
      "requirements.txt": "pandas\n-e git+https://x/y\nnumpy~=1.2\n",
    });
    await api.post(`${base}/dependencyBuild/`);
    const info = (await api.get(`${base}/dependencyBuild/`)).body as Json;
    expect(info.buildStatus).toBe("failed");
    const log = (await api.get(`${base}/dependencyBuildLog/`)).text;
    expect(log).toContain('line 2: "-e git+https://x/y"');
    expect(log).toContain('line 3: "numpy~=1.2": version operator ~= is not supported');
    expect(log).toContain("requirements.txt has 2 invalid lines");
    expect((await api.post(`${base}/dependencyBuild/`)).status).toBe(202);
  });

  it("refuses a version without requirements.txt (422) and a second build after success (409)", async () => {
    const none = await version({ "custom.py": "" });
    const vid = none.split("/").pop() ?? "";
    const reply = await api.post(`${none}/dependencyBuild/`);
    expect(reply.status).toBe(422);
    expect((reply.body as Json).message).toBe(`Custom model version ${vid} has no requirements.txt`);

    const ok = await version({ "custom.py": "", "requirements.txt": "pandas\n" });
    await api.post(`${ok}/dependencyBuild/`);
    await api.get(`${ok}/dependencyBuild/`);
    const again = await api.post(`${ok}/dependencyBuild/`);
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ message: "Dependency build already success" });
  });

  it("404s unknown models and versions", async () => {
    const model = await api.createModel();
    const missing = "b".repeat(24);
    const noModel = await api.get(`customModels/${missing}/versions/${missing}/dependencyBuild/`);
    expect(noModel.status).toBe(404);
    expect(noModel.body).toEqual({ message: `Custom model ${missing} not found` });
    const noVersion = await api.post(
      `customModels/${model.id as string}/versions/${missing}/dependencyBuild/`,
    );
    expect(noVersion.status).toBe(404);
    expect(noVersion.body).toEqual({ message: `Custom model version ${missing} not found` });
  });
});

describe("dependency builds with a job duration", () => {
  it("shows submitted in the 202, processing while running, and 409s a second start", async () => {
    const { emu, api } = await start({ jobDurationMs: 60_000 });
    try {
      const model = await api.createModel();
      const v = await api.createVersion(model.id as string, {
        "custom.py": "",
        "requirements.txt": "pandas\n",
      });
      const base = `customModels/${model.id as string}/versions/${v.id as string}`;
      expect(((await api.post(`${base}/dependencyBuild/`)).body as Json).buildStatus).toBe("submitted");
      expect((await api.get(`${base}/dependencyBuild/`)).body).toMatchObject({
        buildStatus: "processing",
        buildEnd: null,
        buildLogLocation: null,
      });
      const running = await api.post(`${base}/dependencyBuild/`);
      expect(running.status).toBe(409);
      expect(running.body).toEqual({ message: "Dependency build already processing" });
    } finally {
      await emu.stop();
    }
  });

  it("reaches success after the duration, never going backwards", async () => {
    const { emu, api } = await start({ jobDurationMs: 300 });
    try {
      const model = await api.createModel();
      const v = await api.createVersion(model.id as string, {
        "custom.py": "",
        "requirements.txt": "pandas\n",
      });
      const base = `customModels/${model.id as string}/versions/${v.id as string}`;
      await api.post(`${base}/dependencyBuild/`);
      const seen = await api.pollUntil(`${base}/dependencyBuild/`, (b) => FINAL.has(b.buildStatus as string));
      expectOrdered(
        seen.map((b) => b.buildStatus as string),
        BUILD_ORDER,
      );
      expect(seen.at(-1)?.buildStatus).toBe("success");
    } finally {
      await emu.stop();
    }
  });

  it("cancels a running build: failed, log ends with 'Build cancelled'; DELETE on a final build is a no-op", async () => {
    const { emu, api } = await start({ jobDurationMs: 60_000 });
    try {
      const model = await api.createModel();
      const v = await api.createVersion(model.id as string, {
        "custom.py": "",
        "requirements.txt": "pandas\n",
      });
      const base = `customModels/${model.id as string}/versions/${v.id as string}`;
      await api.post(`${base}/dependencyBuild/`);
      expect((await api.delete(`${base}/dependencyBuild/`)).status).toBe(204);
      expect(((await api.get(`${base}/dependencyBuild/`)).body as Json).buildStatus).toBe("failed");
      expect((await api.get(`${base}/dependencyBuildLog/`)).text.trimEnd().endsWith("Build cancelled")).toBe(
        true,
      );
      expect((await api.delete(`${base}/dependencyBuild/`)).status).toBe(204);
      expect(((await api.get(`${base}/dependencyBuild/`)).body as Json).buildStatus).toBe("failed");
    } finally {
      await emu.stop();
    }
  });
});

describe("environment version builds over HTTP", () => {
  let emu: RunningEmulator;
  let api: Api;
  let envId: string;
  beforeAll(async () => {
    ({ emu, api } = await start({ jobDurationMs: 0 }));
    envId = (
      (await api.post("executionEnvironments/", { name: "py", programmingLanguage: "python" })).body as Json
    ).id as string;
  });
  afterAll(() => emu.stop());

  async function upload(name: string, content: Buffer): Promise<Json> {
    const reply = await api.request("POST", `executionEnvironments/${envId}/versions/`, {
      form: { files: [{ field: "docker_context", name, content }] },
    });
    expect(reply.status).toBe(202);
    return reply.body as Json;
  }

  it("builds a zip context with a root Dockerfile", async () => {
    const created = await upload("ctx.zip", await zip({ Dockerfile: "FROM python:3.11\n", "app.py": "" }));
    expect(created.buildStatus).toBe("submitted");
    const v = (await api.get(`executionEnvironments/${envId}/versions/${created.id as string}/`))
      .body as Json;
    expect(v.buildStatus).toBe("success");
    const log = (await api.get(`executionEnvironments/${envId}/versions/${created.id as string}/buildLog/`))
      .body as Json;
    expect(log.error).toBe("");
    expect(log.log).toContain("Successfully built");
  });

  it("fails a tar.gz context without a root Dockerfile, with the API's error text", async () => {
    const created = await upload("ctx.tgz", gzipSync(await tar({ "docker/Dockerfile": "FROM x\n" })));
    const v = (await api.get(`executionEnvironments/${envId}/versions/${created.id as string}/`))
      .body as Json;
    expect(v.buildStatus).toBe("failed");
    const log = (await api.get(`executionEnvironments/${envId}/versions/${created.id as string}/buildLog/`))
      .body as Json;
    expect(log.error).toBe("Dockerfile not found in the root of the docker context");
    expect(log.log).toContain("Build failed");
  });

  it("fails an unreadable archive, saying so", async () => {
    const created = await upload("ctx.zip", Buffer.from("this is not a zip"));
    await api.get(`executionEnvironments/${envId}/versions/${created.id as string}/`);
    const log = (await api.get(`executionEnvironments/${envId}/versions/${created.id as string}/buildLog/`))
      .body as Json;
    expect(log.error).toContain("Cannot read the docker context");
  });

  it("builds from an image URI without any context", async () => {
    const reply = await api.post(`executionEnvironments/${envId}/versions/`, {
      dockerImageUri: "python:3.11-slim",
    });
    expect(reply.status).toBe(202);
    const v = (await api.get(`executionEnvironments/${envId}/versions/${(reply.body as Json).id as string}/`))
      .body as Json;
    expect(v.buildStatus).toBe("success");
  });
});

describe("environment builds with a job duration", () => {
  it("shows submitted in the 202 and processing while running", async () => {
    const { emu, api } = await start({ jobDurationMs: 60_000 });
    try {
      const envId = ((await api.post("executionEnvironments/", { name: "slow" })).body as Json).id as string;
      const reply = await api.request("POST", `executionEnvironments/${envId}/versions/`, {
        form: {
          files: [{ field: "docker_context", name: "c.zip", content: await zip({ Dockerfile: "FROM x" }) }],
        },
      });
      expect((reply.body as Json).buildStatus).toBe("submitted");
      const path = `executionEnvironments/${envId}/versions/${(reply.body as Json).id as string}/`;
      expect(((await api.get(path)).body as Json).buildStatus).toBe("processing");
    } finally {
      await emu.stop();
    }
  });

  it("reaches its final status after the duration, never going backwards", async () => {
    const { emu, api } = await start({ jobDurationMs: 300 });
    try {
      const envId = ((await api.post("executionEnvironments/", { name: "slow" })).body as Json).id as string;
      const reply = await api.request("POST", `executionEnvironments/${envId}/versions/`, {
        form: {
          files: [{ field: "docker_context", name: "c.zip", content: await zip({ Dockerfile: "FROM x" }) }],
        },
      });
      const path = `executionEnvironments/${envId}/versions/${(reply.body as Json).id as string}/`;
      const seen = await api.pollUntil(path, (v) => FINAL.has(v.buildStatus as string));
      expectOrdered(
        seen.map((v) => v.buildStatus as string),
        BUILD_ORDER,
      );
      expect(seen.at(-1)?.buildStatus).toBe("success");
    } finally {
      await emu.stop();
    }
  });
});
