import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { arr, str, useEmulator } from "./helpers.js";

describe("credentials", () => {
  const api = useEmulator();

  it("creates (201) without ever returning the secret", async () => {
    const r = await api().call("POST", "credentials/", {
      name: "openai",
      credentialType: "api_token",
      apiToken: "sk-SECRET",
    });
    expect(r.status).toBe(201);
    expect(Object.keys(r.body).sort()).toEqual([
      "creationDate",
      "credentialId",
      "credentialType",
      "description",
      "name",
    ]);
    expect(r.body).toMatchObject({ name: "openai", credentialType: "api_token", description: "" });
    expect(r.text).not.toContain("sk-SECRET");
    const got = await api().call("GET", `credentials/${str(r.body.credentialId)}/`);
    expect(got.body).toEqual(r.body);
    expect(got.text).not.toContain("sk-SECRET");
    const list = await api().call("GET", "credentials/");
    expect(list.text).not.toContain("sk-SECRET");
    // Not on disk either: the database and its WAL hold only a digest.
    for (const file of readdirSync(api().emu.dataDir).filter((f) => f.startsWith("emulator.db")))
      expect(readFileSync(join(api().emu.dataDir, file)).includes("sk-SECRET")).toBe(false);
  });

  it.each([
    [{ credentialType: "basic", user: "u", password: "p" }, "name"],
    [{ name: "n" }, "credentialType"],
    [{ name: "n", credentialType: "basic", user: "u" }, "password"],
    [{ name: "n", credentialType: "api_token" }, "apiToken"],
  ])("refuses %j with 422 on %s", async (body, field) => {
    const r = await api().call("POST", "credentials/", body);
    expect(r.status).toBe(422);
    expect(r.body.errors).toHaveProperty(field);
  });

  it.each([
    { credentialType: "gcp", gcpKey: { type: "service_account" } },
    { credentialType: "s3", awsAccessKeyId: "a", awsSecretAccessKey: "s", configId: "c" },
    { credentialType: "oauth", token: "t", refreshToken: "r" },
    { credentialType: "azure", azureConnectionString: "c" },
    { credentialType: "snowflake_key_pair_user_account", user: "u", privateKeyStr: "k", passphrase: "p" },
    { credentialType: "databricks_access_token_account", databricksAccessToken: "t" },
    { credentialType: "databricks_service_principal_account", clientId: "i", clientSecret: "s" },
  ])("accepts the API.md §9.1 type %j with its own fields", async (fields) => {
    const r = await api().call("POST", "credentials/", { name: `t-${fields.credentialType}`, ...fields });
    expect(r.status).toBe(201);
    expect(r.body.credentialType).toBe(fields.credentialType);
  });

  it.each([
    [{ name: "x", credentialType: "bogus", apiToken: "t" }, "credentialType", "api_token"],
    [
      { name: "y", credentialType: "basic", user: "u", password: "p", passwrd: "typo" },
      "passwrd",
      "not a field of credentialType basic",
    ],
    [{ name: "z", credentialType: "api_token", apiToken: "t", password: "p" }, "password", "not a field"],
  ])("refuses %j (an unknown type, or a key the type lacks) with 422 on %s", async (body, field, reason) => {
    const before = (await api().call("GET", "credentials/")).body.totalCount;
    const r = await api().call("POST", "credentials/", body);
    expect(r.status).toBe(422);
    expect(str(r.body.errors?.[field])).toContain(reason);
    expect((await api().call("GET", "credentials/")).body.totalCount).toBe(before);
  });

  it("refuses a taken name with 409", async () => {
    await api().call("POST", "credentials/", {
      name: "dup",
      credentialType: "basic",
      user: "u",
      password: "p",
    });
    const r = await api().call("POST", "credentials/", {
      name: "dup",
      credentialType: "basic",
      user: "u",
      password: "p",
    });
    expect(r.status).toBe(409);
    expect(r.body.message).toBe("Credential with name 'dup' already exists");
  });

  it("lists newest first, updates and deletes (204), then 404", async () => {
    const a = await api().call("POST", "credentials/", {
      name: "c-a",
      credentialType: "basic",
      user: "u",
      password: "p",
    });
    const b = await api().call("POST", "credentials/", {
      name: "c-b",
      credentialType: "basic",
      user: "u",
      password: "p",
    });
    const list = await api().call("GET", "credentials/?limit=2");
    expect(arr(list.body.data).map((c) => c.name)).toEqual(["c-b", "c-a"]);
    const p = await api().call("PATCH", `credentials/${str(a.body.credentialId)}/`, {
      description: "rotated",
      password: "new",
    });
    expect(p.status).toBe(200);
    expect(p.body.description).toBe("rotated");
    const clash = await api().call("PATCH", `credentials/${str(a.body.credentialId)}/`, { name: "c-b" });
    expect(clash.status).toBe(409);
    expect((await api().call("DELETE", `credentials/${str(b.body.credentialId)}/`)).status).toBe(204);
    const gone = await api().call("GET", `credentials/${str(b.body.credentialId)}/`);
    expect(gone.status).toBe(404);
    expect(gone.body.message).toBe(`Credential ${str(b.body.credentialId)} not found`);
    expect((await api().call("DELETE", `credentials/${str(b.body.credentialId)}/`)).status).toBe(404);
  });
});
