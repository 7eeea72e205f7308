import { describe, expect, it } from "vitest";
import { createModel, createVersion, str, useEmulator, type Reply } from "./helpers.js";

/** The API's error shape, nothing else (API.md §0.6), with the exact JSON content type (§0.3). */
function expectApiError(r: Reply, status: number): void {
  expect(r.status, r.text).toBe(status);
  expect(r.headers.get("content-type")).toBe("application/json");
  expect(typeof r.body.message).toBe("string");
  for (const key of Object.keys(r.body)) expect(["message", "errors"]).toContain(key);
}

describe("pagination under hostile values", () => {
  const api = useEmulator();
  const query = (path: string): string => (path.includes("?") ? path : `${path}?`);

  async function listRoutes(): Promise<string[]> {
    const m = await createModel(api());
    const v = await createVersion(api(), str(m.id), { "custom.py": "x" });
    const env = await api().call("POST", "executionEnvironments/", { name: "pages" });
    return [
      "customModels/",
      `customModels/${str(m.id)}/versions/`,
      `customModels/${str(m.id)}/versions/${str(v.body.id)}/conversions/`,
      `customModelTests/?customModelId=${str(m.id)}&`,
      "executionEnvironments/",
      `executionEnvironments/${str(env.body.id)}/versions/`,
      `executionEnvironments/${str(env.body.id)}/accessControl/`,
      "credentials/",
      "datasets/",
      "status/",
    ];
  }

  it("answers an offset beyond any page with 422 naming offset on every list route", async () => {
    for (const path of await listRoutes()) {
      for (const offset of ["9223372036854775807", "99999999999999999999999", "2147483648"]) {
        const r = await api().call("GET", `${query(path)}offset=${offset}`);
        expectApiError(r, 422);
        expect(r.body.errors, `${path} offset=${offset}`).toHaveProperty("offset");
      }
      const last = await api().call("GET", `${query(path)}offset=2147483647`);
      expect(last.status, path).toBe(200);
      expect(last.body.data).toEqual([]);
    }
  });

  it("clamps a huge limit and refuses odd ones with 422 naming limit", async () => {
    for (const path of await listRoutes()) {
      const huge = await api().call("GET", `${query(path)}limit=9223372036854775807`);
      expect(huge.status, path).toBe(200);
      const big = await api().call("GET", `${query(path)}limit=${"9".repeat(400)}&offset=0`);
      expect(big.status, path).toBe(200);
      for (const limit of ["1e3", "-1", "0x10", "%20", "1.5"]) {
        const r = await api().call("GET", `${query(path)}limit=${limit}`);
        expectApiError(r, 422);
        expect(r.body.errors, `${path} limit=${limit}`).toHaveProperty("limit");
      }
    }
  });
});
