import { describe, expect, it } from "vitest";
import { arr, createModel, str, useEmulator, type Api } from "./helpers.js";

const admin = (api: Api, method: string, path: string, body?: unknown): Promise<Response> =>
  fetch(`${api.emu.origin}/__emulator/${path}`, {
    method,
    headers: { ...api.auth, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe("admin routes", () => {
  const api = useEmulator({ faults: { latencyMs: 0 } });

  it("reports and changes fault settings at runtime, refusing invalid values", async () => {
    const r = await admin(api(), "GET", "faults");
    expect(await r.json()).toEqual({ latencyMs: 0, errorRate: 0, rateLimit: 0, dropRate: 0 });
    const bad = await admin(api(), "PUT", "faults", { errorRate: 2 });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { errors: object }).errors).toHaveProperty("errorRate");
    const unknown = await admin(api(), "PUT", "faults", { chaos: true });
    expect(unknown.status).toBe(422);
    const ok = await admin(api(), "PUT", "faults", { latencyMs: 5 });
    expect(await ok.json()).toEqual({ latencyMs: 5, errorRate: 0, rateLimit: 0, dropRate: 0 });
    await admin(api(), "PUT", "faults", { latencyMs: 0 });
  });

  it("injects 5xx with a JSON body at error rate 1, but never on admin routes", async () => {
    await admin(api(), "PUT", "faults", { errorRate: 1 });
    try {
      for (let i = 0; i < 5; i++) {
        const r = await api().call("GET", "customModels/");
        expect([500, 502, 503]).toContain(r.status);
        expect(r.headers.get("content-type")).toBe("application/json");
        expect(str(r.body.message)).toContain("Injected fault");
      }
      expect((await admin(api(), "GET", "stats")).status).toBe(200);
    } finally {
      await admin(api(), "PUT", "faults", { errorRate: 0 });
    }
    expect((await api().call("GET", "customModels/")).status).toBe(200);
  });

  it("rate-limits GETs only, with 429 and Retry-After", async () => {
    await admin(api(), "PUT", "faults", { rateLimit: 2 });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 6; i++) {
        const r = await api().call("GET", "version/");
        statuses.push(r.status);
        if (r.status === 429) {
          retryAfter = r.headers.get("retry-after");
          expect(r.body).toEqual({ message: "Rate limit exceeded" });
        }
      }
      expect(statuses).toContain(429);
      expect(retryAfter).toMatch(/^\d+$/);
      for (let i = 0; i < 4; i++) {
        const post = await api().call("POST", "customModels/", { name: "rl", targetType: "Anomaly" });
        expect(post.status).toBe(201);
      }
    } finally {
      await admin(api(), "PUT", "faults", { rateLimit: 0 });
    }
  });

  it("drops connections at drop rate 1", async () => {
    await admin(api(), "PUT", "faults", { dropRate: 1 });
    try {
      await expect(fetch(`${api().emu.url}/version/`, { headers: api().auth })).rejects.toThrow();
      await expect(
        api().call("POST", "customModels/", { name: "dropped", targetType: "Anomaly" }),
      ).rejects.toThrow();
    } finally {
      await admin(api(), "PUT", "faults", { dropRate: 0 });
    }
    // A dropped request is never handled.
    expect((await api().call("GET", "customModels/?searchFor=dropped")).body.totalCount).toBe(0);
  });

  it("counts requests by method and route template, and bytes received", async () => {
    expect((await admin(api(), "POST", "stats/reset")).status).toBe(204);
    const m = await createModel(api());
    await api().call("GET", `customModels/${str(m.id)}/`);
    await api().call("GET", `customModels/${str(m.id)}//`);
    await api().call("GET", "nowhere/");
    const stats = (await (await admin(api(), "GET", "stats")).json()) as {
      requests: Record<string, number>;
      bytesReceived: number;
      total: number;
    };
    expect(stats.requests["POST /api/v2/customModels/"]).toBe(1);
    expect(stats.requests["GET /api/v2/customModels/:modelId/"]).toBe(2);
    expect(stats.requests["GET (unmatched)"]).toBe(1);
    expect(stats.bytesReceived).toBeGreaterThan(JSON.stringify({ name: "model" }).length);
    // The stats request counts too: requests are counted on arrival.
    expect(stats.total).toBe(4 + 1);
  });

  it("clears all state on reset but keeps the built-in environment", async () => {
    await createModel(api());
    await api().call("POST", "credentials/", {
      name: "gone",
      credentialType: "basic",
      user: "u",
      password: "p",
    });
    expect((await admin(api(), "POST", "reset")).status).toBe(204);
    expect((await api().call("GET", "customModels/")).body.totalCount).toBe(0);
    expect((await api().call("GET", "credentials/")).body.totalCount).toBe(0);
    const envs = await api().call("GET", "executionEnvironments/");
    expect(arr(envs.body.data).map((e) => e.name)).toEqual(["[DataRobot] Python 3.11 Drop-In"]);
  });
});

describe("latency fault", () => {
  const api = useEmulator({ faults: { latencyMs: 50 } });

  it("is applied from the start options and visible in the settings", async () => {
    const r = await admin(api(), "GET", "faults");
    expect(((await r.json()) as { latencyMs: number }).latencyMs).toBe(50);
    expect((await api().call("GET", "version/")).status).toBe(200);
  });
});

describe("public URL", () => {
  const api = useEmulator({ publicUrl: "https://dr.example.com/" });

  it("builds next links from the configured public URL", async () => {
    await api().call("POST", "customModels/", { name: "a", targetType: "Anomaly" });
    await api().call("POST", "customModels/", { name: "b", targetType: "Anomaly" });
    const r = await api().call("GET", "customModels/?limit=1");
    expect(str(r.body.next)).toBe("https://dr.example.com/api/v2/customModels/?limit=1&offset=1");
  });
});
