import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { normaliseEndpoint, resolveConnection } from "../../src/client/index.js";
import { DrgitopsError } from "../../src/errors.js";

const TOKEN = "tok-SECRET-conn-123456";
let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "drgitops-home-"));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

async function writeDefaultConfig(text: string): Promise<string> {
  const dir = join(home, ".config", "datarobot");
  await mkdir(dir, { recursive: true });
  const file = join(dir, "drconfig.yaml");
  await writeFile(file, text);
  return file;
}

function failure(fn: () => unknown): DrgitopsError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DrgitopsError);
    expect((error as Error).message).not.toContain(TOKEN);
    return error as DrgitopsError;
  }
  throw new Error("expected a failure");
}

describe("resolveConnection (DESIGN §9)", () => {
  it("returns undefined when nothing is configured", () => {
    expect(resolveConnection({ env: {}, homeDir: home })).toBeUndefined();
  });

  it("prefers flags over env over DATAROBOT_CONFIG_FILE over the default file", async () => {
    await writeDefaultConfig("endpoint: https://default.example.com\ntoken: t-default\n");
    const explicit = join(home, "other.yaml");
    await writeFile(explicit, "endpoint: https://file.example.com/api/v2/\ntoken: t-file\n");
    const env = {
      DATAROBOT_ENDPOINT: "https://env.example.com",
      DATAROBOT_API_TOKEN: "t-env",
      DATAROBOT_CONFIG_FILE: explicit,
    };
    expect(
      resolveConnection({ endpoint: "https://flag.example.com/", token: "t-flag", env, homeDir: home }),
    ).toEqual({
      kind: "remote",
      endpoint: "https://flag.example.com/api/v2",
      token: "t-flag",
      source: "flags",
    });
    expect(resolveConnection({ env, homeDir: home })).toMatchObject({
      endpoint: "https://env.example.com/api/v2",
      token: "t-env",
      source: "env",
    });
    expect(resolveConnection({ env: { DATAROBOT_CONFIG_FILE: explicit }, homeDir: home })).toMatchObject({
      endpoint: "https://file.example.com/api/v2",
      token: "t-file",
      source: "config-file",
    });
    expect(resolveConnection({ env: {}, homeDir: home })).toMatchObject({
      endpoint: "https://default.example.com/api/v2",
      token: "t-default",
      source: "default-config",
    });
  });

  it("lets --endpoint take its token from DATAROBOT_API_TOKEN", () => {
    const conn = resolveConnection({
      endpoint: "https://x.example.com",
      env: { DATAROBOT_API_TOKEN: TOKEN },
      homeDir: home,
    });
    expect(conn).toMatchObject({ endpoint: "https://x.example.com/api/v2", token: TOKEN, source: "flags" });
  });

  it("treats --endpoint local as the embedded emulator, needing no token", () => {
    expect(resolveConnection({ endpoint: "local", env: {}, homeDir: home })).toEqual({
      kind: "local",
      endpoint: "local",
      source: "flags",
    });
    expect(resolveConnection({ env: { DATAROBOT_ENDPOINT: "local" }, homeDir: home })).toMatchObject({
      kind: "local",
      source: "env",
    });
  });

  it("names what is missing and where it looked when a source is half set", async () => {
    expect(
      failure(() => resolveConnection({ endpoint: "https://x.example.com", env: {}, homeDir: home })).message,
    ).toMatch(
      /--endpoint https:\/\/x\.example\.com was given without a token \(looked at --token and DATAROBOT_API_TOKEN\)/,
    );
    expect(failure(() => resolveConnection({ token: TOKEN, env: {}, homeDir: home })).message).toMatch(
      /--token was given without --endpoint/,
    );
    expect(
      failure(() =>
        resolveConnection({ env: { DATAROBOT_ENDPOINT: "https://x.example.com" }, homeDir: home }),
      ).message,
    ).toMatch(/DATAROBOT_ENDPOINT is set but DATAROBOT_API_TOKEN is not/);
    expect(
      failure(() => resolveConnection({ env: { DATAROBOT_API_TOKEN: TOKEN }, homeDir: home })).message,
    ).toMatch(/DATAROBOT_API_TOKEN is set but DATAROBOT_ENDPOINT is not/);
    const file = await writeDefaultConfig(`token: ${TOKEN}\n`);
    const error = failure(() => resolveConnection({ env: {}, homeDir: home }));
    expect(error.code).toBe("connection-incomplete");
    expect(error.message).toContain(`${file} has no "endpoint"`);
    await writeDefaultConfig("endpoint: https://x.example.com\n");
    expect(failure(() => resolveConnection({ env: {}, homeDir: home })).message).toMatch(
      /has "endpoint" but no "token"/,
    );
  });

  it("reports a missing DATAROBOT_CONFIG_FILE and broken YAML with file and line, without echoing the token", async () => {
    const missing = join(home, "missing.yaml");
    expect(
      failure(() => resolveConnection({ env: { DATAROBOT_CONFIG_FILE: missing }, homeDir: home })).message,
    ).toContain(`DATAROBOT_CONFIG_FILE points to ${missing}, which does not exist`);
    const broken = join(home, "broken.yaml");
    await writeFile(broken, `endpoint: https://x.example.com\ntoken: "${TOKEN}\n`);
    expect(
      failure(() => resolveConnection({ env: { DATAROBOT_CONFIG_FILE: broken }, homeDir: home })).message,
    ).toMatch(new RegExp(`${broken}:\\d+:\\d+: invalid YAML`));
    await writeFile(broken, "endpoint: [1]\ntoken: x\n");
    expect(
      failure(() => resolveConnection({ env: { DATAROBOT_CONFIG_FILE: broken }, homeDir: home })).message,
    ).toContain(`"endpoint" must be a string`);
  });
});

describe("resolveConnection with a drgitops.yaml profile", () => {
  const env = {
    DATAROBOT_ENDPOINT: "https://env.example.com",
    DATAROBOT_API_TOKEN: "t-env",
    PROD_URL: "https://prod.example.com",
    PROD_TOKEN: TOKEN,
  };
  const prod = { name: "prod", endpointEnv: "PROD_URL", tokenEnv: "PROD_TOKEN" };

  it("comes after the flags and before DATAROBOT_ENDPOINT, with only the variables it names", () => {
    expect(resolveConnection({ env, homeDir: home, profile: prod })).toEqual({
      kind: "remote",
      endpoint: "https://prod.example.com/api/v2",
      token: TOKEN,
      source: "profile",
    });
    expect(
      resolveConnection({ env, homeDir: home, profile: prod, endpoint: "https://flag.example.com" }),
    ).toMatchObject({ endpoint: "https://flag.example.com/api/v2", token: "t-env", source: "flags" });
    // A profile that names no endpoint (only a namespace or defaults) is not a connection source.
    expect(resolveConnection({ env, homeDir: home, profile: { name: "ns-only" } })).toMatchObject({
      source: "env",
      token: "t-env",
    });
    expect(resolveConnection({ env, homeDir: home, profile: { name: "dev", endpoint: "local" } })).toEqual({
      kind: "local",
      endpoint: "local",
      source: "profile",
    });
  });

  it("never pairs the profile's endpoint with DATAROBOT_API_TOKEN, and names the variable that is missing", () => {
    expect(
      failure(() =>
        resolveConnection({ env, homeDir: home, profile: { name: "p", endpoint: "https://p.example.com" } }),
      ).message,
    ).toContain("profile p of drgitops.yaml names an endpoint but no tokenEnv");
    expect(
      failure(() => resolveConnection({ env: { ...env, PROD_TOKEN: " " }, homeDir: home, profile: prod }))
        .message,
    ).toContain("reads its token from PROD_TOKEN (tokenEnv), which is not set");
    expect(
      failure(() => resolveConnection({ env: { PROD_TOKEN: TOKEN }, homeDir: home, profile: prod })).message,
    ).toContain("reads its endpoint from PROD_URL (endpointEnv), which is not set");
  });
});

describe("normaliseEndpoint (API.md §0.1)", () => {
  it.each([
    ["https://app.datarobot.com", "https://app.datarobot.com/api/v2"],
    ["https://app.datarobot.com/", "https://app.datarobot.com/api/v2"],
    ["https://app.datarobot.com/api/v2", "https://app.datarobot.com/api/v2"],
    ["https://app.datarobot.com/api/v2///", "https://app.datarobot.com/api/v2"],
    ["  http://127.0.0.1:8080/api/v2/ ", "http://127.0.0.1:8080/api/v2"],
    ["https://proxy.example.com/datarobot", "https://proxy.example.com/datarobot/api/v2"],
  ])("%s -> %s", (raw, expected) => {
    expect(normaliseEndpoint(raw)).toBe(expected);
  });

  it("refuses non-URLs, other schemes and embedded credentials without echoing them", () => {
    expect(() => normaliseEndpoint("app.datarobot.com")).toThrow(/is not a URL/);
    expect(() => normaliseEndpoint("ftp://x.example.com")).toThrow(/must use http or https/);
    const withSecret = `https://user:${TOKEN}@x.example.com`;
    expect(() => normaliseEndpoint(withSecret)).toThrow(/must not contain user:password/);
    expect(failure(() => normaliseEndpoint(withSecret)).message).not.toContain(TOKEN);
  });
});
