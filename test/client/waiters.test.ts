import { afterEach, describe, expect, it } from "vitest";
import { createClient, type WaitProgress } from "../../src/client/index.js";
import {
  recordingSleep,
  sendJson,
  startBareServer,
  TOKEN,
  type BareServer,
  type Handler,
} from "./helpers/bare-server.js";

let server: BareServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(handler: Handler) {
  server = await startBareServer(handler);
  const { sleeps, sleep } = recordingSleep();
  const client = createClient({
    endpoint: server.endpoint,
    token: TOKEN,
    sleep,
    poll: { intervalMs: 10, maxIntervalMs: 40 },
  });
  return { client, sleeps, server };
}

const TEST = {
  id: "t1",
  overallStatus: "succeeded",
  testingStatus: { errorCheck: { status: "succeeded", message: "" } },
};

describe("waitForStatus (API.md §7)", () => {
  it("polls with redirects off and growing intervals, reports progress, and returns the 303 target", async () => {
    let polls = 0;
    const { client, sleeps, server } = await setup((req, res) => {
      polls++;
      if (polls < 4)
        sendJson(res, 200, { status: polls === 1 ? "INITIALIZED" : "RUNNING", message: `step ${polls}` });
      else {
        res.writeHead(303, {
          location: `${server?.endpoint}/datasets/d1/`,
          "content-type": "application/json",
        });
        res.end(JSON.stringify({ status: "COMPLETED" }));
      }
    });
    const progress: WaitProgress[] = [];
    const target = await client.waitForStatus(`${server.endpoint}/status/abc/`, {
      onProgress: (p) => progress.push(p),
    });
    expect(target).toBe(`${server.endpoint}/datasets/d1/`);
    expect(server.received.every((r) => r.url === "/api/v2/status/abc/")).toBe(true); // the 303 was not followed
    expect(progress.map((p) => [p.state, p.message, p.polls])).toEqual([
      ["INITIALIZED", "step 1", 1],
      ["RUNNING", "step 2", 2],
      ["RUNNING", "step 3", 3],
    ]);
    expect(sleeps).toEqual([10, 15, 23]);
  });

  it.each(["ERROR", "ABORTED", "EXPIRED"])("fails on %s with the server's message", async (state) => {
    const { client, server } = await setup((_req, res) =>
      sendJson(res, 200, { status: state, code: 1, message: "Dataset file is empty" }),
    );
    const error = await client.waitForStatus(`${server.endpoint}/status/abc/`).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "job-failed", apiMessage: "Dataset file is empty" });
    expect((error as Error).message).toBe(`DataRobot job abc ended ${state}: Dataset file is empty`);
  });

  it("gives up with a clear timeout error", async () => {
    const { client, server } = await setup((_req, res) => sendJson(res, 200, { status: "RUNNING" }));
    const error = await client
      .waitForStatus(`${server.endpoint}/status/abc/`, { timeoutMs: 0 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "wait-timeout" });
    expect((error as Error).message).toMatch(/Gave up waiting for job abc .* last state RUNNING/);
  });

  it("stops when the signal aborts", async () => {
    const controller = new AbortController();
    const { client, server } = await setup((_req, res) => {
      controller.abort();
      sendJson(res, 200, { status: "RUNNING" });
    });
    await expect(
      client.waitForStatus(`${server.endpoint}/status/abc/`, { signal: controller.signal }),
    ).rejects.toMatchObject({ code: "aborted" });
  });

  it("refuses a Location on another origin, so the token never leaves the endpoint", async () => {
    const { client, server } = await setup((_req, res) => sendJson(res, 200, { status: "RUNNING" }));
    await expect(client.waitForStatus("https://evil.example.com/api/v2/status/abc/")).rejects.toThrow(
      /Refusing to send GET https:\/\/evil\.example\.com\/api\/v2\/status\/abc\/: the server pointed outside/,
    );
    expect(server.received).toHaveLength(0);
  });
});

describe("tests.create", () => {
  it("never reads the 202 body: follows Location to the 303 and GETs the test there", async () => {
    const { client, server } = await setup((req, res) => {
      if (req.method === "POST") {
        res.writeHead(202, {
          location: `${server?.endpoint}/status/s1/`,
          "content-type": "application/json",
        });
        res.end("not json at all");
      } else if (req.url === "/api/v2/status/s1/") {
        res.writeHead(303, { location: `${server?.endpoint}/customModelTests/t1/` });
        res.end();
      } else sendJson(res, 200, TEST);
    });
    const test = await client.tests.create({
      customModelId: "m1",
      customModelVersionId: "v1",
      datasetId: "d1",
      configuration: { sideEffects: "fail" },
    });
    expect(test.id).toBe("t1");
    expect(server.received.map((r) => `${r.method} ${r.url}`)).toEqual([
      "POST /api/v2/customModelTests/",
      "GET /api/v2/status/s1/",
      "GET /api/v2/customModelTests/t1/",
    ]);
    expect(JSON.parse(server.received[0]!.body.toString())).toEqual({
      customModelId: "m1",
      customModelVersionId: "v1",
      datasetId: "d1",
      configuration: { sideEffects: "fail" },
    });
  });

  it("waitForCompletion polls the test until it leaves in_progress", async () => {
    let n = 0;
    const { client } = await setup((_req, res) =>
      sendJson(res, 200, { ...TEST, overallStatus: n++ < 2 ? "in_progress" : "failed" }),
    );
    const states: string[] = [];
    const test = await client.tests.waitForCompletion("t1", { onProgress: (p) => states.push(p.state) });
    expect(test.overallStatus).toBe("failed");
    expect(states).toEqual(["in_progress", "in_progress"]);
  });
});

describe("build waiters", () => {
  it("environment build: polls the version until success or failed and returns it", async () => {
    const statuses = ["submitted", "processing", "failed"];
    const { client } = await setup((_req, res) =>
      sendJson(res, 200, { id: "ev1", buildStatus: statuses.shift() ?? "failed", imageId: "img" }),
    );
    const seen: string[] = [];
    const version = await client.environmentVersions.waitForBuild("e1", "ev1", {
      onProgress: (p) => seen.push(p.state),
    });
    expect(version.buildStatus).toBe("failed");
    expect(seen).toEqual(["submitted", "processing"]);
  });

  it("dependency build: polls GET dependencyBuild/ itself (as PY does)", async () => {
    const statuses = ["processing", "success"];
    const { client, server } = await setup((_req, res) =>
      sendJson(res, 200, { buildStatus: statuses.shift(), buildStart: "2024-01-01T00:00:00Z" }),
    );
    const build = await client.dependencyBuilds.waitForBuild("m1", "v1");
    expect(build.buildStatus).toBe("success");
    expect(server.received.map((r) => r.url)).toEqual(
      Array(2).fill("/api/v2/customModels/m1/versions/v1/dependencyBuild/"),
    );
  });
});
