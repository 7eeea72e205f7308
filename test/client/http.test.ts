import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, createClient } from "../../src/client/index.js";
import { VERSION } from "../../src/version.js";
import {
  recordingSleep,
  sendJson,
  startBareServer,
  TOKEN,
  type BareServer,
  type Handler,
} from "./helpers/bare-server.js";

const MODEL = {
  id: "m1",
  name: "Model",
  description: "",
  language: "python",
  targetType: "Binary",
  created: "2024-05-01T12:34:56.789012Z",
};

let server: BareServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(
  handler: Handler,
  extra: Parameters<typeof createClient>[0] extends infer O ? Partial<O> : never = {},
) {
  server = await startBareServer(handler);
  const { sleeps, sleep } = recordingSleep();
  const trace: string[] = [];
  const client = createClient({
    endpoint: server.endpoint,
    token: TOKEN,
    sleep,
    random: () => 1,
    trace: (line) => trace.push(line),
    ...extra,
  });
  return { client, sleeps, trace, server };
}

/** Every text the client can emit about a failure; the token must be in none of them. */
function expectNoToken(error: unknown, trace: string[]): void {
  expect(error).toBeInstanceOf(ApiError);
  expect(inspect(error, { depth: 20, showHidden: true })).not.toContain(TOKEN);
  expect(JSON.stringify(error)).not.toContain(TOKEN);
  expect(trace.join("\n")).not.toContain(TOKEN);
}

describe("requests", () => {
  it("sends Bearer auth, the drgitops User-Agent and camelCase JSON to the normalised endpoint", async () => {
    const { client, server } = await setup((_req, res) => sendJson(res, 201, MODEL));
    await client.customModels.create({
      name: "Model",
      targetType: "Binary",
      targetName: "y",
      userProvidedId: "ns/m",
    });
    const [req] = server.received;
    expect(req?.method).toBe("POST");
    expect(req?.url).toBe("/api/v2/customModels/");
    expect(req?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req?.headers["user-agent"]).toBe(`drgitops/${VERSION}`);
    expect(JSON.parse(req?.body.toString() ?? "")).toEqual({
      customModelType: "inference",
      name: "Model",
      targetType: "Binary",
      targetName: "y",
      userProvidedId: "ns/m",
    });
  });

  it("accepts the endpoint with or without /api/v2 and trailing slashes, and the Token scheme", async () => {
    server = await startBareServer((_req, res) => sendJson(res, 200, MODEL));
    for (const endpoint of [
      server.origin,
      `${server.origin}/`,
      `${server.origin}/api/v2/`,
      `${server.origin}/api/v2`,
    ]) {
      const client = createClient({ endpoint, token: TOKEN, authScheme: "Token" });
      await client.customModels.get("m1");
    }
    expect(server.received.map((r) => r.url)).toEqual(Array(4).fill("/api/v2/customModels/m1/"));
    expect(server.received.every((r) => r.headers.authorization === `Token ${TOKEN}`)).toBe(true);
  });

  it("rejects bad input before sending anything, naming the field", async () => {
    const { client, server } = await setup((_req, res) => sendJson(res, 201, MODEL));
    await expect(client.customModels.create({ name: "", targetType: "Binary" })).rejects.toThrow(/name/);
    await expect(
      client.versions.createClean("m1", { files: [{ filePath: "../etc/passwd", absPath: "/etc/passwd" }] }),
    ).rejects.toThrow(/files\.0\.filePath/);
    expect(server.received).toHaveLength(0);
  });

  it("rejects a 2xx whose JSON breaks the contract, naming the field", async () => {
    const { client } = await setup((_req, res) => sendJson(res, 200, { ...MODEL, id: 42 }));
    const error = await client.customModels.get("m1").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "invalid-response" });
    expect((error as Error).message).toMatch(/id: /);
  });

  it("keeps every request within the shared concurrency limit", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const { client } = await setup(
      (_req, res) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        setImmediate(() => {
          inFlight--;
          sendJson(res, 200, MODEL);
        });
      },
      { concurrency: 3 },
    );
    await Promise.all([
      ...Array.from({ length: 10 }, () => client.customModels.get("m1")),
      ...Array.from({ length: 10 }, () => client.environments.get("e1").catch(() => undefined)),
    ]);
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(server?.received).toHaveLength(20);
  });
});

describe("retries", () => {
  it("retries a GET on 5xx with growing jittered backoff, then succeeds", async () => {
    let n = 0;
    const { client, sleeps, server } = await setup((_req, res) => {
      n++;
      if (n < 3) sendJson(res, n === 1 ? 502 : 500, { message: "busy" });
      else sendJson(res, 200, MODEL);
    });
    const model = await client.customModels.get("m1");
    expect(model.id).toBe("m1");
    expect(server.received).toHaveLength(3);
    expect(sleeps).toEqual([500, 1000]); // random() = 1: the full backoff window, doubling
  });

  it("gives up after the retry limit with the last status and the attempt count", async () => {
    const { client, server, trace } = await setup((_req, res) => sendJson(res, 503, { message: "down" }), {
      retries: 2,
    });
    const error = await client.customModels.get("m1").catch((e: unknown) => e);
    expect(server.received).toHaveLength(3);
    expect(error).toMatchObject({ code: "api-error", status: 503, apiMessage: "down", method: "GET" });
    expect((error as Error).message).toMatch(/gave up after 3 attempts/);
    expectNoToken(error, trace);
  });

  it("does not retry a POST on 500 and says why", async () => {
    const { client, server } = await setup((_req, res) => sendJson(res, 500, { message: "boom" }));
    const error = await client.customModels.copy("m1").catch((e: unknown) => e);
    expect(server.received).toHaveLength(1);
    expect((error as Error).message).toMatch(/POST is not idempotent/);
  });

  it("retries a create deduplicated by userProvidedId on 500, and gets the model once", async () => {
    let n = 0;
    const { client, server } = await setup((_req, res) => {
      if (n++ === 0) sendJson(res, 500, { message: "boom" });
      else sendJson(res, 201, { ...MODEL, userProvidedId: "acme/m" });
    });
    const { model, existed } = await client.customModels.create({
      name: "Model",
      targetType: "Binary",
      userProvidedId: "acme/m",
    });
    expect(server.received.map((r) => r.method)).toEqual(["POST", "POST"]);
    expect({ id: model.id, existed }).toEqual({ id: "m1", existed: false });
  });

  it("does not retry a create without userProvidedId on 500: a repeat could make a second model", async () => {
    const { client, server } = await setup((_req, res) => sendJson(res, 500, { message: "boom" }));
    const error = await client.customModels
      .create({ name: "Model", targetType: "Binary" })
      .catch((e: unknown) => e);
    expect(server.received).toHaveLength(1);
    expect((error as Error).message).toMatch(/POST is not idempotent/);
  });

  it("retries a PATCH that sets model fields on 502", async () => {
    let n = 0;
    const { client, server } = await setup((_req, res) => {
      if (n++ === 0) sendJson(res, 502, { message: "bad gateway" });
      else sendJson(res, 200, { ...MODEL, name: "Renamed" });
    });
    const model = await client.customModels.update("m1", { name: "Renamed" });
    expect(server.received.map((r) => r.method)).toEqual(["PATCH", "PATCH"]);
    expect(model.name).toBe("Renamed");
  });

  it("retries a POST on 429 honouring Retry-After in seconds", async () => {
    let n = 0;
    const { client, sleeps, server } = await setup((_req, res) => {
      if (n++ === 0) sendJson(res, 429, { message: "Rate limit exceeded" }, { "retry-after": "7" });
      else sendJson(res, 201, MODEL);
    });
    await client.customModels.copy("m1");
    expect(server.received.map((r) => r.method)).toEqual(["POST", "POST"]);
    expect(sleeps).toEqual([7000]);
  });

  it("caps Retry-After at 60 s and accepts an HTTP date", async () => {
    const answers = [
      { status: 429, retryAfter: "3600" },
      { status: 503, retryAfter: new Date(Date.now() + 3_600_000).toUTCString() },
    ];
    const { client, sleeps } = await setup((_req, res) => {
      const next = answers.shift();
      if (next) sendJson(res, next.status, { message: "later" }, { "retry-after": next.retryAfter });
      else sendJson(res, 200, MODEL);
    });
    await client.customModels.update("m1", { description: "x" }); // PATCH: 503 retried only thanks to Retry-After
    expect(sleeps).toEqual([60_000, 60_000]);
  });

  it("does not retry a version-creating PATCH on 503 without Retry-After", async () => {
    const { client, server } = await setup((_req, res) => sendJson(res, 503, { message: "down" }));
    await expect(client.versions.createFromPrevious("m1", { isMajorUpdate: true })).rejects.toMatchObject({
      status: 503,
    });
    expect(server.received).toHaveLength(1);
  });

  it("retries a GET whose connection is reset, but not a POST", async () => {
    let n = 0;
    const { client, server, trace } = await setup((req, res, raw) => {
      if (req.method === "POST" || n++ === 0) raw.socket.destroy();
      else sendJson(res, 200, MODEL);
    });
    await expect(client.customModels.get("m1")).resolves.toMatchObject({ id: "m1" });
    const error = await client.customModels.copy("m1").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "network-error", method: "POST" });
    expect(server.received.map((r) => r.method)).toEqual(["GET", "GET", "POST"]);
    expectNoToken(error, trace);
  });

  it("reports a refused connection as a network error after retrying", async () => {
    const { client, sleeps } = await setup(() => undefined, { retries: 2 });
    await server?.close();
    server = undefined;
    const error = await client.customModels.get("m1").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "network-error" });
    expect((error as Error).message).toMatch(/after 3 attempts: connect ECONNREFUSED/);
    expect(sleeps).toHaveLength(2);
  });

  it("times out a silent server with code timeout", async () => {
    const { client, trace } = await setup(() => undefined, { timeoutMs: 200, retries: 1 });
    const error = await client.customModels.get("m1").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "timeout", method: "GET" });
    expect(server?.received).toHaveLength(2);
    expectNoToken(error, trace);
  });

  it("stops retrying when the caller aborts", async () => {
    const controller = new AbortController();
    const { client, server } = await setup(
      (_req, res) => {
        controller.abort();
        sendJson(res, 500, { message: "busy" });
      },
      {
        sleep: (_ms: number, signal?: AbortSignal) =>
          signal?.aborted ? Promise.reject(new Error("aborted")) : Promise.resolve(),
      },
    );
    await expect(client.customModels.get("m1", controller.signal)).rejects.toMatchObject({ code: "aborted" });
    expect(server.received).toHaveLength(1);
  });
});

describe("error bodies", () => {
  it("carries the API message and field errors of a 422", async () => {
    const { client } = await setup((_req, res) =>
      sendJson(res, 422, { message: "Invalid field data", errors: { name: "This field is required" } }),
    );
    const error = (await client.customModels
      .update("m1", { name: "x" })
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(422);
    expect(error.apiMessage).toBe("Invalid field data");
    expect(error.fieldErrors).toEqual({ name: "This field is required" });
    expect(error.url).toBe(`${server?.endpoint}/customModels/m1/`);
    expect(error.message).toContain("PATCH");
    expect(error.message).toContain("name: This field is required");
  });

  it("describes an HTML error page from a proxy instead of failing to parse it", async () => {
    const page = `<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1><p>${"x".repeat(2000)}</p></body></html>`;
    const { client } = await setup(
      (_req, res) => {
        res.writeHead(502, { "content-type": "text/html" });
        res.end(page);
      },
      { retries: 0 },
    );
    const error = (await client.customModels.get("m1").catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(502);
    expect(error.message).toMatch(/an HTML page: "<!DOCTYPE html><html><body><h1>502 Bad Gateway/);
    expect(error.message.length).toBeLessThan(700);
  });

  it("describes malformed JSON and plain-text error bodies", async () => {
    const bodies = ['{"message": "oops', "Service temporarily unavailable"];
    const { client } = await setup((_req, res) => {
      res.writeHead(400, { "content-type": "text/plain" });
      res.end(bodies.shift());
    });
    await expect(client.customModels.get("m1")).rejects.toThrow(/malformed JSON: "\{"message": "oops"/);
    await expect(client.customModels.get("m1")).rejects.toThrow(
      /text\/plain body: "Service temporarily unavailable"/,
    );
  });

  it("reports a 200 that is not JSON (wrong endpoint) as invalid-response", async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>login page</html>");
    });
    const error = await client.customModels.get("m1").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "invalid-response", status: 200 });
    expect((error as Error).message).toMatch(/not JSON \(text\/html\).*ending in \/api\/v2/);
  });

  it("reports a 200 with truncated JSON as invalid-response, quoting what came back", async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"id": "m1", "name": ');
    });
    const error = await client.customModels.get("m1").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "invalid-response", status: 200 });
    expect((error as Error).message).toContain('malformed JSON (application/json): "{"id": "m1", "name":"');
  });

  it("refuses to follow a redirect on an API call and suggests checking the endpoint", async () => {
    const { client, server } = await setup((_req, res) => {
      res.writeHead(301, { location: "https://app.example.com/api/v2/customModels/m1/" });
      res.end(JSON.stringify(MODEL));
    });
    const error = await client.customModels.get("m1").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "invalid-response", status: 301 });
    expect((error as Error).message).toMatch(
      /redirecting to https:\/\/app\.example\.com.*check the endpoint URL/,
    );
    expect(server.received).toHaveLength(1);
  });

  it("never lets the token out, even when the server echoes it back", async () => {
    const { client, trace } = await setup(
      (req, res) => {
        const echoed = String(req.headers.authorization);
        if (req.url.includes("html")) {
          res.writeHead(500, { "content-type": "text/html" });
          res.end(`<html>Bad header ${echoed}</html>`);
        } else sendJson(res, 401, { message: `Invalid token ${echoed}`, errors: { authorization: echoed } });
      },
      { retries: 0 },
    );
    const e1 = (await client.customModels.get("m1").catch((e: unknown) => e)) as ApiError;
    const e2 = (await client.customModels.get("html").catch((e: unknown) => e)) as ApiError;
    for (const error of [e1, e2]) {
      expect(error.message).not.toContain(TOKEN);
      expect(error.message).toContain("[REDACTED]");
      expectNoToken(error, trace);
    }
    expect(e1.apiMessage).toBe("Invalid token Bearer [REDACTED]");
    expect(e1.request?.headers.authorization).toBe("Bearer [REDACTED]");
    expect(e1.message).toMatch(/Check the API token/);
  });
});

describe("sensitive values the run knows", () => {
  it("are redacted from DataRobot's own error text, field errors and the trace, however short", async () => {
    const PIN = "4242";
    const { client, trace } = await setup(
      (_req, res) =>
        sendJson(res, 422, {
          message: `Invalid field data: value ${PIN} is above maxValue 10`,
          errors: { runtimeParameterValues: `${PIN} is above maxValue 10` },
        }),
      { retries: 0 },
    );
    client.addSecrets(PIN, "https://hooks.example/secret-path");
    const error = (await client.customModels
      .update("m1", { name: "x" })
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    for (const text of [
      error.message,
      error.apiMessage ?? "",
      inspect(error, { depth: 20 }),
      trace.join("\n"),
    ])
      // The test server's random port may contain the digits (port 42425 did): only its text counts.
      expect(text.replaceAll(server!.endpoint, "<endpoint>")).not.toContain(PIN);
    expect(error.message).toContain("value [REDACTED] is above maxValue 10");
  });
});

describe("debug trace", () => {
  it("writes one line per request, response and retry, with the token redacted", async () => {
    let n = 0;
    const { client, trace } = await setup((_req, res) => {
      if (n++ === 0) sendJson(res, 500, { message: "busy" });
      else sendJson(res, 200, MODEL);
    });
    await client.customModels.get("m1");
    const url = `${server?.endpoint}/customModels/m1/`;
    expect(trace).toHaveLength(5);
    expect(trace[0]).toBe(`drgitops:http -> GET ${url}`);
    expect(trace[1]).toMatch(new RegExp(`^drgitops:http <- 500 GET ${url} \\(\\d+ ms, \\d+ B\\)$`));
    expect(trace[2]).toBe(`drgitops:http .. GET ${url}: 500, retrying in 500 ms`);
    expect(trace[3]).toBe(`drgitops:http -> GET ${url} (retry 1)`);
    expect(trace[4]).toMatch(/<- 200 GET/);
  });

  it("goes to the process's stderr when DRGITOPS_DEBUG=http and no sink is injected", async () => {
    server = await startBareServer((_req, res) => sendJson(res, 200, MODEL));
    vi.stubEnv("DRGITOPS_DEBUG", "http");
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await createClient({ endpoint: server.endpoint, token: TOKEN }).customModels.get("m1");
    } finally {
      spy.mockRestore();
      vi.unstubAllEnvs();
    }
    expect(written.filter((l) => l.startsWith("drgitops:http "))).toHaveLength(2);
    expect(written.join("")).not.toContain(TOKEN);
  });
});
