import { describe, expect, it } from "vitest";
import yauzl from "yauzl";
import { arr, createModel, createVersion, str, useEmulator } from "./helpers.js";

function zipEntries(buffer: Buffer): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (error, zip) => {
      if (error) return reject(error);
      const out: Record<string, string> = {};
      zip.on("entry", (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("end", () => {
            out[entry.fileName] = Buffer.concat(chunks).toString("utf8");
            zip.readEntry();
          });
        });
      });
      zip.on("end", () => resolve(out));
      zip.readEntry();
    });
  });
}

describe("custom models", () => {
  const api = useEmulator();

  it("creates a model with 201 and every field PY requires", async () => {
    const r = await api().call("POST", "customModels/", {
      customModelType: "inference",
      name: "Fraud",
      targetType: "Binary",
      targetName: "is_fraud",
      positiveClassLabel: "1",
      negativeClassLabel: "0",
      userProvidedId: "acme/fraud",
      tags: [{ name: "team", value: "risk" }],
      supportsBinaryClassification: true,
    });
    expect(r.status).toBe(201);
    const m = r.body;
    expect(m.id).toMatch(/^[0-9a-f]{24}$/);
    expect(m).toMatchObject({
      name: "Fraud",
      description: "",
      language: "",
      customModelType: "inference",
      targetType: "Binary",
      latestVersion: null,
      deploymentsCount: 0,
      createdBy: "emulator@example.com",
      trainingDataAssignmentInProgress: false,
      predictionThreshold: 0.5,
      userProvidedId: "acme/fraud",
      tags: [{ name: "team", value: "risk" }],
    });
    expect(m.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(Object.keys(m)).not.toContain("supportsBinaryClassification");
    const got = await api().call("GET", `customModels/${str(m.id)}/`);
    expect(got.body).toEqual(m);
  });

  it("derives targetType from PY 2.x flags when it is missing", async () => {
    const r = await api().call("POST", "customModels/", {
      name: "r",
      supportsRegression: true,
      targetName: "y",
    });
    expect(r.status).toBe(201);
    expect(r.body.targetType).toBe("Regression");
  });

  it.each([
    [{ targetType: "Binary", targetName: "y" }, "name"],
    [{ name: "", targetType: "Binary", targetName: "y" }, "name"],
    [{ name: "x" }, "targetType"],
    [{ name: "x", targetType: "Sideways" }, "targetType"],
    [{ name: "x", targetType: "Binary" }, "targetName"],
    [{ name: "x", targetType: "Binary", targetName: "y", positiveClassLabel: "1" }, "negativeClassLabel"],
    [{ name: "x", targetType: "Multiclass", targetName: "y", classLabels: ["a", "a"] }, "classLabels"],
    [{ name: "x", targetType: "Anomaly", networkEgressPolicy: "OPEN" }, "networkEgressPolicy"],
    [{ name: "x", targetType: "Anomaly", maximumMemory: 0 }, "maximumMemory"],
    [{ name: "x", targetType: "Anomaly", replicas: 0 }, "replicas"],
    [{ name: "x", targetType: "Anomaly", customModelType: "training" }, "customModelType"],
    [{ name: "x", targetType: "Anomaly", predictionThreshold: 2 }, "predictionThreshold"],
  ])("refuses %j with 422 naming %s", async (body, field) => {
    const r = await api().call("POST", "customModels/", body);
    expect(r.status).toBe(422);
    expect(typeof r.body.message).toBe("string");
    expect(Object.keys(r.body.errors ?? {})).toContain(field);
  });

  it("refuses a second model with the same userProvidedId with the message CMA matches", async () => {
    await createModel(api(), { userProvidedId: "acme/dup" });
    const r = await api().call("POST", "customModels/", {
      name: "b",
      targetType: "Anomaly",
      userProvidedId: "acme/dup",
    });
    expect(r.status).toBe(422);
    expect(str(r.body.message)).toContain("Cannot create a custom model with a user provided ID");
  });

  it("updates only the fields sent, resets null to defaults and moves updated", async () => {
    const m = await createModel(api(), { description: "d", language: "python" });
    const r = await api().call("PATCH", `customModels/${str(m.id)}/`, { name: "renamed", description: null });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: "renamed", description: "", language: "python", targetName: "y" });
    expect(str(r.body.updated) > str(m.updated)).toBe(true);
    expect(r.body.created).toBe(m.created);
  });

  it("refuses to change targetType or to switch training data for versions off", async () => {
    const m = await createModel(api(), { isTrainingDataForVersionsPermanentlyEnabled: true });
    const t = await api().call("PATCH", `customModels/${str(m.id)}/`, { targetType: "Binary" });
    expect(t.status).toBe(422);
    expect(t.body.errors).toHaveProperty("targetType");
    const off = await api().call("PATCH", `customModels/${str(m.id)}/`, {
      isTrainingDataForVersionsPermanentlyEnabled: false,
    });
    expect(off.status).toBe(422);
    expect(str(off.body.message)).toContain("cannot be disabled");
  });

  it("accepts externalMlopsStatsConfig only for Unstructured models", async () => {
    const structured = await createModel(api());
    const r = await api().call("PATCH", `customModels/${str(structured.id)}/`, {
      externalMlopsStatsConfig: { trainingDatasetId: null },
    });
    expect(r.status).toBe(422);
    const u = await createModel(api(), { targetType: "Unstructured" });
    const missing = await api().call("PATCH", `customModels/${str(u.id)}/`, {
      externalMlopsStatsConfig: { trainingDatasetId: "0123456789abcdef01234567" },
    });
    expect(missing.status).toBe(422);
    const ok = await api().call("PATCH", `customModels/${str(u.id)}/`, { externalMlopsStatsConfig: {} });
    expect(ok.status).toBe(200);
    expect(ok.body.externalMlopsStatsConfig).toEqual({
      trainingDatasetId: null,
      trainingDatasetName: null,
      holdoutDatasetId: null,
      holdoutDatasetName: null,
    });
  });

  it("deletes with 204, after which the model and its versions are gone", async () => {
    const m = await createModel(api());
    const v = await createVersion(api(), str(m.id), { "custom.py": "x" });
    const d = await api().call("DELETE", `customModels/${str(m.id)}/`);
    expect(d.status).toBe(204);
    expect(d.text).toBe("");
    expect((await api().call("GET", `customModels/${str(m.id)}/`)).status).toBe(404);
    expect((await api().call("GET", `customModels/${str(m.id)}/versions/${str(v.body.id)}/`)).status).toBe(
      404,
    );
    expect((await api().call("DELETE", `customModels/${str(m.id)}/`)).status).toBe(404);
  });

  it("copies a model with its latest version as 1.0 and new item ids", async () => {
    const m = await createModel(api(), { name: "orig", userProvidedId: "acme/orig" });
    await createVersion(api(), str(m.id), { "custom.py": "1" });
    const v2 = await createVersion(api(), str(m.id), { "custom.py": "2", "extra.txt": "e" });
    const c = await api().call("POST", "customModels/fromCustomModel/", { customModelId: m.id });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ name: "orig (copy)", userProvidedId: null, targetType: "Regression" });
    const latest = c.body.latestVersion;
    expect(latest).toMatchObject({ versionMajor: 1, versionMinor: 0, customModelId: c.body.id });
    expect(arr(latest?.items).map((i) => i.filePath)).toEqual(arr(v2.body.items).map((i) => i.filePath));
    const oldIds = new Set(arr(v2.body.items).map((i) => str(i.id)));
    expect(arr(latest?.items).some((i) => oldIds.has(str(i.id)))).toBe(false);
    const missing = await api().call("POST", "customModels/fromCustomModel/", {});
    expect(missing.status).toBe(422);
  });

  it("downloads the latest version as a zip of its files, 404 without versions", async () => {
    const m = await createModel(api());
    const none = await api().call("GET", `customModels/${str(m.id)}/download/`);
    expect(none.status).toBe(404);
    expect(str(none.body.message)).toContain("has no versions");
    await createVersion(api(), str(m.id), { "custom.py": "old" });
    await createVersion(api(), str(m.id), { "custom.py": "new", "src/util.py": "u" });
    const r = await fetch(`${api().emu.url}/customModels/${str(m.id)}/download/?pps=true`, {
      headers: api().auth,
    });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/zip");
    expect(await zipEntries(Buffer.from(await r.arrayBuffer()))).toEqual({
      "custom.py": "new",
      "src/util.py": "u",
    });
  });
});

describe("custom model lists", () => {
  const api = useEmulator();

  it("lists newest first, filters, and pages with next links that keep every query parameter", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const m = await createModel(api(), {
        name: `list-${i}`,
        description: i % 2 === 0 ? "even Fraud" : "odd",
        tags: [{ name: "team", value: i < 2 ? "risk" : "ops" }],
      });
      ids.push(str(m.id));
    }
    await createModel(api(), { name: "other", targetType: "Anomaly" });
    const all = await api().call("GET", "customModels/?targetType=Regression");
    expect(arr(all.body.data).map((m) => m.id)).toEqual([...ids].reverse());
    expect(all.body.totalCount).toBe(5);

    const first = await api().call(
      "GET",
      "customModels/?searchFor=fraud&customModelType=inference&limit=2&tagKeys=team",
    );
    expect(first.body).toMatchObject({ count: 2, totalCount: 3, previous: null });
    const next = new URL(str(first.body.next));
    expect(next.origin).toBe(api().emu.origin);
    expect(next.pathname).toBe("/api/v2/customModels/");
    expect(Object.fromEntries(next.searchParams)).toEqual({
      searchFor: "fraud",
      customModelType: "inference",
      limit: "2",
      tagKeys: "team",
      offset: "2",
    });
    const second = await api().call("GET", next.toString());
    expect(second.body).toMatchObject({ count: 1, next: null });
    expect(second.body.previous).toContain("offset=0");
    expect(arr(second.body.data).map((m) => m.id)).toEqual([ids[0]]);

    const byTag = await api().call("GET", "customModels/?tagValues=risk");
    expect(arr(byTag.body.data).map((m) => m.id)).toEqual([ids[1], ids[0]]);
    const oldest = await api().call("GET", "customModels/?orderBy=created&limit=1");
    expect(arr(oldest.body.data)[0]?.id).toBe(ids[0]);
    expect((await api().call("GET", "customModels/?isDeployed=True")).body.totalCount).toBe(0);
    expect((await api().call("GET", "customModels/?isDeployed=False")).body.totalCount).toBe(6);
    expect((await api().call("GET", "customModels/?customModelType=training")).body.totalCount).toBe(0);
  });

  it("orders by updated when asked", async () => {
    const a = await createModel(api(), { name: "upd-a" });
    await createModel(api(), { name: "upd-b" });
    await api().call("PATCH", `customModels/${str(a.id)}/`, { description: "touched" });
    const r = await api().call("GET", "customModels/?orderBy=-updated&limit=1");
    expect(arr(r.body.data)[0]?.id).toBe(a.id);
  });

  it.each(["offset=-1", "limit=abc", "limit=1.5", "orderBy=name"])("refuses %s with 422", async (q) => {
    const r = await api().call("GET", `customModels/?${q}`);
    expect(r.status).toBe(422);
  });

  it("treats limit=0 as the default and clamps large limits", async () => {
    const r = await api().call("GET", "customModels/?limit=0");
    expect(r.status).toBe(200);
    const big = await api().call("GET", "customModels/?limit=5000&offset=0");
    expect(big.status).toBe(200);
    expect(big.body.next).toBeNull();
  });
});
