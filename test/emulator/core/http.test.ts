import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { str, useEmulator } from "./helpers.js";

/** One raw HTTP/1.1 exchange, for what fetch normalises away (odd paths, bodies on GET). */
function raw(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const sized =
      body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) };
    const req = request({ hostname, port, method, path, headers: sized }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("emulator HTTP conventions", () => {
  const api = useEmulator();

  it("serves version/ with a 2.x versionString that PY accepts", async () => {
    const r = await api().call("GET", "version/");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(r.body.major).toBe(2);
    expect(r.body.versionString).toMatch(/^\d+\.\d+/);
  });

  it("answers ping without a token", async () => {
    const r = await fetch(`${api().emu.url}/ping`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ response: "pong" });
  });

  it("accepts Bearer and Token schemes in any case, and refuses missing or wrong tokens with 401", async () => {
    const { url, token } = api().emu;
    for (const scheme of ["Bearer", "Token", "bearer", "TOKEN"]) {
      const r = await fetch(`${url}/version/`, { headers: { Authorization: `${scheme} ${token}` } });
      expect(r.status, scheme).toBe(200);
    }
    for (const headers of [{}, { Authorization: `Token ${token}x` }, { Authorization: token }] as Record<
      string,
      string
    >[]) {
      const r = await fetch(`${url}/customModels/`, { headers });
      expect(r.status).toBe(401);
      expect(r.headers.get("content-type")).toBe("application/json");
      expect(await r.json()).toEqual({ message: "Invalid or missing API token" });
    }
  });

  it("needs the token on admin routes too", async () => {
    const r = await fetch(`${api().emu.origin}/__emulator/stats`);
    expect(r.status).toBe(401);
  });

  it("serves routes with and without the trailing slash and with doubled slashes, never redirecting", async () => {
    const { origin } = api().emu;
    for (const path of [
      "/api/v2/customModels",
      "/api/v2/customModels/",
      "/api/v2//customModels/",
      "/api/v2//ping",
    ]) {
      const r = await raw(origin, "GET", path, api().auth);
      expect(r.status, path).toBe(200);
    }
  });

  it("answers unknown routes with a JSON 404 and a wrong method with a JSON 405", async () => {
    const missing = await api().call("GET", "noSuchThing/");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toBe("application/json");
    expect(missing.body.message).toContain("noSuchThing");
    const wrong = await api().call("PUT", "customModels/");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toContain("GET");
    expect(wrong.body.message).toContain("PUT");
  });

  it("answers the version sources it does not emulate with 404", async () => {
    const m = await api().call("POST", "customModels/", { name: "src", targetType: "Anomaly" });
    for (const source of ["fromRepository", "fromCodespace", "toCodespace"]) {
      const r = await api().call("POST", `customModels/${str(m.body.id)}/versions/${source}/`, {});
      expect(r.status, source).toBe(404);
    }
  });

  it("gives 404 for an unknown id and for a malformed one", async () => {
    for (const id of ["0123456789abcdef01234567", "not-an-id"]) {
      const r = await api().call("GET", `customModels/${id}/`);
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ message: `Custom model ${id} not found` });
    }
  });

  it("answers invalid JSON with 400 and ignores any body on GET and DELETE", async () => {
    const bad = await api().call("POST", "customModels/", "{not json");
    expect(bad.status).toBe(400);
    expect(typeof bad.body.message).toBe("string");
    const get = await raw(
      api().emu.origin,
      "GET",
      "/api/v2/customModels/",
      { ...api().auth, "content-type": "application/json" },
      "null",
    );
    expect(get.status).toBe(200);
    const getJunk = await raw(
      api().emu.origin,
      "GET",
      "/api/v2/customModels/",
      { ...api().auth, "content-type": "application/json" },
      "{oops",
    );
    expect(getJunk.status).toBe(200);
  });

  it("accepts an empty or null body where nothing is required", async () => {
    const created = await api().call("POST", "customModels/", { name: "m", targetType: "Anomaly" });
    const id = str(created.body.id);
    const empty = await raw(
      api().emu.origin,
      "PATCH",
      `/api/v2/customModels/${id}/`,
      { ...api().auth, "content-type": "application/json" },
      "",
    );
    expect(empty.status).toBe(200);
    const nul = await api().call("PATCH", `customModels/${id}/`, "null");
    expect(nul.status).toBe(200);
  });

  it("keeps error bodies ASCII so PY can decode them", async () => {
    const r = await raw(api().emu.origin, "GET", "/api/v2/customModels/caf%C3%A9/", api().auth);
    expect(r.status).toBe(404);
    expect(r.headers["content-type"]).toBe("application/json");
    expect(/^[\x20-\x7e]*$/.test(r.text)).toBe(true);
  });

  it("escapes non-ASCII text in JSON responses without losing it", async () => {
    const created = await api().call("POST", "customModels/", { name: "Modèle 北", targetType: "Anomaly" });
    expect(created.status).toBe(201);
    expect(/^[\x20-\x7e]*$/.test(created.text)).toBe(true);
    expect(created.body.name).toBe("Modèle 北");
  });
});
