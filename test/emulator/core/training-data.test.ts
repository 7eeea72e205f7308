import { describe, expect, it } from "vitest";
import { createDataset, createModel, createVersion, str, useEmulator } from "./helpers.js";

const CSV = "a,b,fold\n1,2,x\n3,4,y\n";

describe("inline training data on version create", () => {
  const api = useEmulator();

  it("assigns a COMPLETED dataset, switches the model flag on, and copies data to later versions", async () => {
    const dataset = await createDataset(api(), CSV, "train.csv");
    const m = await createModel(api());
    const r = await createVersion(
      api(),
      str(m.id),
      { "custom.py": "x" },
      {
        trainingData: JSON.stringify({ datasetId: dataset }),
        holdoutData: JSON.stringify({ partitionColumn: "fold" }),
      },
    );
    expect(r.status).toBe(201);
    expect(r.body.trainingData).toMatchObject({
      datasetId: dataset,
      datasetName: "train.csv",
      assignmentInProgress: false,
      assignmentError: null,
    });
    expect(str(r.body.trainingData?.datasetVersionId)).not.toBe("");
    expect(r.body.holdoutData).toEqual({
      datasetId: null,
      datasetVersionId: null,
      datasetName: null,
      partitionColumn: "fold",
    });
    const model = await api().call("GET", `customModels/${str(m.id)}/`);
    expect(model.body.isTrainingDataForVersionsPermanentlyEnabled).toBe(true);
    const next = await createVersion(api(), str(m.id), {}, {}, "PATCH");
    expect(next.body.trainingData).toMatchObject({ datasetId: dataset });
    expect(next.body.holdoutData).toMatchObject({ partitionColumn: "fold" });
    const dropped = await createVersion(api(), str(m.id), {}, { keepTrainingHoldoutData: "False" }, "PATCH");
    expect(dropped.body.trainingData).toBeNull();
  });

  it("takes a holdout dataset for Unstructured models only", async () => {
    const train = await createDataset(api(), CSV, "t.csv");
    const hold = await createDataset(api(), CSV, "h.csv");
    const u = await createModel(api(), { targetType: "Unstructured" });
    const ok = await createVersion(
      api(),
      str(u.id),
      {},
      {
        trainingData: JSON.stringify({ datasetId: train }),
        holdoutData: JSON.stringify({ datasetId: hold }),
      },
    );
    expect(ok.status).toBe(201);
    expect(ok.body.holdoutData).toMatchObject({
      datasetId: hold,
      datasetName: "h.csv",
      partitionColumn: null,
    });
    const wrong = await createVersion(
      api(),
      str(u.id),
      {},
      {
        trainingData: JSON.stringify({ datasetId: train }),
        holdoutData: JSON.stringify({ partitionColumn: "fold" }),
      },
    );
    expect(wrong.status).toBe(422);
  });

  it("takes a holdout whose keys are null (as Python clients send None) as no holdout", async () => {
    const dataset = await createDataset(api(), CSV, "train.csv");
    for (const [targetType, holdout] of [
      ["Regression", { partitionColumn: null }],
      ["Unstructured", { datasetId: null }],
    ] as const) {
      const m = await createModel(api(), { targetType });
      const r = await createVersion(
        api(),
        str(m.id),
        {},
        { trainingData: JSON.stringify({ datasetId: dataset }), holdoutData: JSON.stringify(holdout) },
      );
      expect(r.status, targetType).toBe(201);
      expect(r.body.trainingData).toMatchObject({ datasetId: dataset });
      expect(r.body.holdoutData, targetType).toBeNull();
    }
  });

  it.each([
    [{ trainingData: { datasetId: "0123456789abcdef01234567" } }, "trainingData", "not found"],
    [{ holdoutData: { partitionColumn: "fold" } }, "holdoutData", "requires trainingData"],
    [
      { trainingData: { datasetId: "DATASET" }, holdoutData: { partitionColumn: "nope" } },
      "holdoutData",
      "not a column",
    ],
    [
      { trainingData: { datasetId: "DATASET" }, holdoutData: { datasetId: "DATASET" } },
      "holdoutData",
      "Structured models",
    ],
    [
      {
        trainingData: { datasetId: "DATASET" },
        holdoutData: { datasetId: "DATASET", partitionColumn: "fold" },
      },
      "holdoutData",
      "exactly one",
    ],
    [{ trainingData: { name: "x" } }, "trainingData", "datasetId"],
  ])("refuses %j with 422 on %s", async (fields, field, message) => {
    const dataset = await createDataset(api(), CSV);
    const m = await createModel(api());
    const encoded = Object.fromEntries(
      Object.entries(fields).map(([k, v]) => [k, JSON.stringify(v).replaceAll("DATASET", dataset)]),
    );
    const r = await createVersion(api(), str(m.id), {}, encoded);
    expect(r.status).toBe(422);
    expect(str(r.body.errors?.[field])).toContain(message);
    expect((await api().call("GET", `customModels/${str(m.id)}/versions/`)).body.totalCount).toBe(0);
  });

  it("refuses a dataset that is not COMPLETED", async () => {
    const form = new FormData();
    form.append("file", new Blob([""]), "empty.csv");
    const up = await api().form("POST", "datasets/fromFile/", form);
    const failed = str(up.body.catalogId);
    const m = await createModel(api());
    const r = await createVersion(
      api(),
      str(m.id),
      {},
      { trainingData: JSON.stringify({ datasetId: failed }) },
    );
    expect(r.status).toBe(422);
    expect(str(r.body.message)).toContain("COMPLETED");
  });
});

describe("inline training data with a job duration", () => {
  const api = useEmulator({ jobDurationMs: 150 });

  it("shows assignmentInProgress until the assignment job ends", async () => {
    const dataset = await createDataset(api(), CSV);
    const m = await createModel(api());
    const r = await createVersion(
      api(),
      str(m.id),
      {},
      { trainingData: JSON.stringify({ datasetId: dataset }) },
    );
    expect(r.body.trainingData?.assignmentInProgress).toBe(true);
    const path = `customModels/${str(m.id)}/versions/${str(r.body.id)}/`;
    let inProgress: unknown = true;
    for (let i = 0; i < 300 && inProgress === true; i++) {
      await new Promise((d) => setTimeout(d, 10));
      inProgress = (await api().call("GET", path)).body.trainingData?.assignmentInProgress;
    }
    expect(inProgress).toBe(false);
  });
});
