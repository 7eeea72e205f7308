import { describe, expect, it } from "vitest";
import { createLimiter } from "../../src/client/limiter.js";
import {
  decideRetry,
  DEFAULT_RETRY,
  isIdempotent,
  parseRetryAfter,
  type HttpMethod,
} from "../../src/client/retry-policy.js";
import { createRedactor } from "../../src/client/redact.js";
import { httpTraceFromEnv } from "../../src/client/index.js";

describe("createLimiter", () => {
  it("starts a task only when a slot frees, in FIFO order", async () => {
    const limiter = createLimiter(2);
    const started: number[] = [];
    const releases: (() => void)[] = [];
    const tasks = [0, 1, 2, 3].map((i) =>
      limiter.run(
        () =>
          new Promise<number>((resolve) => {
            started.push(i);
            releases[i] = () => resolve(i);
          }),
      ),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(limiter.pending).toBe(2);
    releases[1]?.();
    await tasks[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    expect(limiter.active).toBe(2);
    releases[0]?.();
    releases[2]?.();
    await Promise.all([tasks[0], tasks[2]]);
    await Promise.resolve();
    releases[3]?.();
    await expect(Promise.all(tasks)).resolves.toEqual([0, 1, 2, 3]);
    expect(limiter.active).toBe(0);
  });

  it("frees the slot when a task fails", async () => {
    const limiter = createLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error("x")))).rejects.toThrow("x");
    await expect(limiter.run(() => Promise.resolve(1))).resolves.toBe(1);
  });

  it("rejects a non-positive concurrency", () => {
    expect(() => createLimiter(0)).toThrow(/positive integer/);
  });
});

describe("decideRetry", () => {
  const decide = (method: HttpMethod, attempt: Parameters<typeof decideRetry>[1], done = 0) =>
    decideRetry(isIdempotent(method), attempt, done, DEFAULT_RETRY, () => 0.5);
  const status = (s: number, headers = {}) => ({ kind: "status" as const, status: s, headers });

  it.each([
    ["GET", status(500), true],
    ["DELETE", status(502), true],
    ["PUT", status(504), true],
    ["POST", status(500), false],
    ["PATCH", status(503), false],
    ["POST", status(429), true],
    ["PATCH", status(503, { "retry-after": "1" }), true],
    ["GET", status(404), false],
    ["GET", status(422), false],
    ["GET", { kind: "transport" as const, code: "ECONNRESET" }, true],
    ["GET", { kind: "transport" as const, code: "ETIMEDOUT" }, true],
    ["POST", { kind: "transport" as const, code: "ECONNRESET" }, false],
    ["POST", { kind: "transport" as const, code: "ECONNREFUSED" }, true],
    ["GET", { kind: "transport" as const, code: "ERR_TLS_CERT_ALTNAME_INVALID" }, false],
  ] as const)("%s %j -> retry %s", (method, attempt, expected) => {
    expect(decide(method, attempt).retry).toBe(expected);
  });

  it("stops at the limit", () => {
    expect(decide("GET", status(500), DEFAULT_RETRY.limit).retry).toBe(false);
  });

  it("doubles the jitter window up to the maximum", () => {
    const windows = [0, 1, 2, 10].map((n) =>
      decideRetry(true, status(500), n, { ...DEFAULT_RETRY, limit: 20 }, () => 1),
    );
    expect(windows.map((d) => (d.retry ? d.delayMs : -1))).toEqual([500, 1000, 2000, 20_000]);
  });

  it("parses Retry-After seconds and dates", () => {
    expect(parseRetryAfter({ "retry-after": "12" })).toBe(12_000);
    expect(
      parseRetryAfter(
        { "retry-after": "Wed, 21 Oct 2015 07:28:10 GMT" },
        Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"),
      ),
    ).toBe(10_000);
    expect(parseRetryAfter({ "retry-after": "soon" })).toBeUndefined();
    expect(parseRetryAfter({})).toBeUndefined();
  });
});

describe("createRedactor", () => {
  it("replaces every occurrence of the token", () => {
    const redact = createRedactor(["abcd1234"]);
    expect(redact("x abcd1234 y abcd1234")).toBe("x [REDACTED] y [REDACTED]");
  });
});

describe("httpTraceFromEnv", () => {
  it("traces only when DRGITOPS_DEBUG names http (or *)", () => {
    const lines: string[] = [];
    const stderr = { write: (chunk: string) => lines.push(chunk) };
    expect(httpTraceFromEnv({}, stderr)).toBeUndefined();
    expect(httpTraceFromEnv({ DRGITOPS_DEBUG: "plan" }, stderr)).toBeUndefined();
    httpTraceFromEnv({ DRGITOPS_DEBUG: "plan,http" }, stderr)?.("a");
    httpTraceFromEnv({ DRGITOPS_DEBUG: "*" }, stderr)?.("b");
    expect(lines).toEqual(["a\n", "b\n"]);
  });
});
