import { describe, expect, it } from "vitest";
import {
  arr,
  BUILTIN_ENV_ID,
  createModel,
  createVersion,
  filesForm,
  str,
  useEmulator,
  type Loose,
} from "./helpers.js";

const METADATA = `name: m
type: inference
targetType: regression
runtimeParameterDefinitions:
  - {fieldName: CUTOFF, type: numeric, defaultValue: 0.5, minValue: 0, maxValue: 1}
  - {fieldName: MODE, type: string}
  - {fieldName: FLAG, type: boolean, defaultValue: false}
  - {fieldName: KEY, type: credential, credentialType: api_token, allowEmpty: false}
`;

const paths = (v: Loose): string[] => arr(v.items).map((i) => str(i.filePath));

describe("custom model versions", () => {
  const api = useEmulator();

  it("creates a clean version 1.0 (201) holding exactly the uploaded files", async () => {
    const m = await createModel(api());
    const r = await createVersion(
      api(),
      str(m.id),
      { "custom.py": "print()", "src/a.py": "a" },
      { isMajorUpdate: "True" },
    );
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      customModelId: m.id,
      versionMajor: 1,
      versionMinor: 0,
      label: "1.0",
      description: "",
      isFrozen: false,
      baseEnvironmentId: BUILTIN_ENV_ID,
      dependencies: [],
      runtimeParameters: [],
      requiredMetadataValues: [],
      requiredMetadata: {},
      trainingData: null,
      holdoutData: null,
      gitModelVersion: null,
      networkEgressPolicy: null,
    });
    expect(str(r.body.baseEnvironmentVersionId)).toMatch(/^[0-9a-f]{24}$/);
    const items = arr(r.body.items);
    expect(items.map((i) => [i.filePath, i.fileName, i.fileSource])).toEqual([
      ["custom.py", "custom.py", "local"],
      ["src/a.py", "a.py", "local"],
    ]);
    // Clients keep their own digests: no checksum or size on items.
    expect(Object.keys(items[0] ?? {})).not.toContain("sha256");
    const model = await api().call("GET", `customModels/${str(m.id)}/`);
    expect(model.body.latestVersion).toEqual(r.body);
    expect(str(model.body.updated) > str(m.updated)).toBe(true);
  });

  it("pairs filePath with the nearest earlier unpaired file, defaulting to the part filename", async () => {
    const m = await createModel(api());
    const form = new FormData();
    form.append("baseEnvironmentId", BUILTIN_ENV_ID);
    form.append("file", new Blob(["1"]), "one.py");
    form.append("file", new Blob(["2"]), "two.py");
    form.append("filePath", "pkg/second.py");
    form.append("filePath", "pkg/first.py");
    form.append("file", new Blob(["3"]), "dir\\three.py");
    const r = await api().form("POST", `customModels/${str(m.id)}/versions/`, form);
    expect(r.status).toBe(201);
    expect(arr(r.body.items).map((i) => [i.filePath, i.fileName])).toEqual([
      ["pkg/first.py", "one.py"],
      ["pkg/second.py", "two.py"],
      ["dir/three.py", "dir\\three.py"],
    ]);
  });

  it.each([
    ["../escape.py", "Invalid filePath"],
    ["/etc/passwd", "Invalid filePath"],
    ["C:/x.py", "Invalid filePath"],
    ["a/../../b.py", "Invalid filePath"],
  ])("refuses filePath %s with 422", async (path, message) => {
    const m = await createModel(api());
    const r = await createVersion(api(), str(m.id), { [path]: "x" });
    expect(r.status).toBe(422);
    expect(str(r.body.message)).toContain(message);
    expect(r.body.errors).toHaveProperty("filePath");
    expect((await api().call("GET", `customModels/${str(m.id)}/versions/`)).body.totalCount).toBe(0);
  });

  it("refuses a filePath without a file before it, and the same path twice", async () => {
    const m = await createModel(api());
    const form = new FormData();
    form.append("baseEnvironmentId", BUILTIN_ENV_ID);
    form.append("filePath", "orphan.py");
    form.append("file", new Blob(["x"]), "x.py");
    const mismatch = await api().form("POST", `customModels/${str(m.id)}/versions/`, form);
    expect(mismatch.status).toBe(422);
    expect(str(mismatch.body.message)).toContain("mismatch");
    const dup = new FormData();
    dup.append("baseEnvironmentId", BUILTIN_ENV_ID);
    for (const c of ["a", "b"]) {
      dup.append("file", new Blob([c]), "x.py");
      dup.append("filePath", "./x.py");
    }
    const r = await api().form("POST", `customModels/${str(m.id)}/versions/`, dup);
    expect(r.status).toBe(422);
    expect(r.body.message).toBe("Duplicate filePath: x.py");
  });

  it("creates from the latest with PATCH: inherits, overwrites by path, deletes by item id", async () => {
    const m = await createModel(api());
    const v1 = await createVersion(
      api(),
      str(m.id),
      { "custom.py": "1", "keep.txt": "k", "drop.txt": "d" },
      { replicas: "2" },
    );
    const byPath = Object.fromEntries(arr(v1.body.items).map((i) => [str(i.filePath), i]));
    const form = filesForm({ "custom.py": "2", "new.txt": "n" }, { isMajorUpdate: "false" });
    form.append("filesToDelete", str(byPath["drop.txt"]?.id));
    const v2 = await api().form("PATCH", `customModels/${str(m.id)}/versions/`, form);
    expect(v2.status).toBe(201);
    expect(v2.body).toMatchObject({
      versionMajor: 1,
      versionMinor: 1,
      replicas: 2,
      baseEnvironmentId: BUILTIN_ENV_ID,
    });
    expect(paths(v2.body).sort()).toEqual(["custom.py", "keep.txt", "new.txt"]);
    const items = Object.fromEntries(arr(v2.body.items).map((i) => [str(i.filePath), i]));
    expect(items["keep.txt"]?.id).toBe(byPath["keep.txt"]?.id);
    expect(items["keep.txt"]?.created).toBe(byPath["keep.txt"]?.created);
    expect(items["custom.py"]?.id).not.toBe(byPath["custom.py"]?.id);
    const dl = await fetch(
      `${api().emu.url}/customModels/${str(m.id)}/versions/${str(v2.body.id)}/download/`,
      {
        headers: api().auth,
      },
    );
    expect(dl.status).toBe(200);
    expect(dl.headers.get("content-type")).toBe("application/zip");
    // Entry names are plain text in a zip's headers: the deleted file is gone, the others are there.
    const zipped = Buffer.from(await dl.arrayBuffer());
    expect(["custom.py", "keep.txt", "new.txt"].every((n) => zipped.includes(n))).toBe(true);
    expect(zipped.includes("drop.txt")).toBe(false);
    const first = await fetch(
      `${api().emu.url}/customModels/${str(m.id)}/versions/${str(v1.body.id)}/download/`,
      {
        headers: api().auth,
      },
    );
    expect(Buffer.from(await first.arrayBuffer()).includes("drop.txt")).toBe(true);
  });

  it("refuses a filesToDelete id that is not in the latest version", async () => {
    const m = await createModel(api());
    await createVersion(api(), str(m.id), { "custom.py": "1" });
    const form = filesForm({});
    form.append("filesToDelete", "0123456789abcdef01234567");
    const r = await api().form("PATCH", `customModels/${str(m.id)}/versions/`, form);
    expect(r.status).toBe(422);
    expect(r.body.message).toBe("File item 0123456789abcdef01234567 not found in the latest version");
  });

  it("accepts TF's JSON form of PATCH versions/ and a PATCH on a model without versions", async () => {
    const m = await createModel(api());
    const first = await api().call("PATCH", `customModels/${str(m.id)}/versions/`, {
      baseEnvironmentId: BUILTIN_ENV_ID,
      isMajorUpdate: "true",
      resourceBundleId: null,
      replicas: 3,
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ label: "1.0", items: [], replicas: 3, resourceBundleId: null });
    const second = await api().call("PATCH", `customModels/${str(m.id)}/versions/`, {
      isMajorUpdate: "false",
      filesToDelete: [],
      keepTrainingHoldoutData: true,
      gitModelVersion: JSON.stringify({
        refName: "main",
        commitUrl: null,
        mainBranchCommitSha: "abc",
        pullRequestCommitSha: null,
      }),
    });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({
      label: "1.1",
      replicas: 3,
      gitModelVersion: { refName: "main", mainBranchCommitSha: "abc" },
    });
    const filtered = await api().call("GET", `customModels/${str(m.id)}/versions/?mainBranchCommitSha=abc`);
    expect(arr(filtered.body.data).map((v) => v.id)).toEqual([second.body.id]);
  });

  it("refuses the runtimeParameters field with the message TF falls back on", async () => {
    const m = await createModel(api());
    const r = await api().call("PATCH", `customModels/${str(m.id)}/versions/`, {
      baseEnvironmentId: BUILTIN_ENV_ID,
      runtimeParameters: "[]",
    });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({
      message: "runtimeParameters is not allowed key",
      errors: { runtimeParameters: "runtimeParameters is not allowed key" },
    });
  });

  it("numbers majors and minors, lists newest first, and freezes nothing by itself", async () => {
    const m = await createModel(api());
    const labels: string[] = [];
    for (const major of ["True", "False", "False", "True", "False"]) {
      const r = await createVersion(
        api(),
        str(m.id),
        { "custom.py": major },
        { isMajorUpdate: major },
        "PATCH",
      );
      labels.push(str(r.body.label));
    }
    expect(labels).toEqual(["1.0", "1.1", "1.2", "2.0", "2.1"]);
    const list = await api().call("GET", `customModels/${str(m.id)}/versions/?limit=2`);
    expect(arr(list.body.data).map((v) => v.label)).toEqual(["2.1", "2.0"]);
    expect(list.body.totalCount).toBe(5);
    expect(new URL(str(list.body.next)).searchParams.get("offset")).toBe("2");
  });

  it("refuses a minor version over a frozen one and accepts a major", async () => {
    const m = await createModel(api(), { targetType: "Unstructured" });
    const v1 = await createVersion(api(), str(m.id), { "custom.py": "x" });
    const test = await api().call("POST", "customModelTests/", {
      customModelId: m.id,
      customModelVersionId: v1.body.id,
    });
    expect(test.status).toBe(202);
    const frozen = await api().call("GET", `customModels/${str(m.id)}/versions/${str(v1.body.id)}/`);
    expect(frozen.body.isFrozen).toBe(true);
    const minor = await createVersion(api(), str(m.id), {}, { isMajorUpdate: "false" }, "PATCH");
    expect(minor.status).toBe(422);
    expect(minor.body.message).toBe(
      `Cannot create a minor version from frozen version ${str(v1.body.id)}; set isMajorUpdate to true`,
    );
    const major = await createVersion(api(), str(m.id), {}, { isMajorUpdate: "true" }, "PATCH");
    expect(major.body.label).toBe("2.0");
  });

  it("resolves the environment: required at first, unknown ids 422, inherited afterwards", async () => {
    const m = await createModel(api());
    const none = await api().form(
      "POST",
      `customModels/${str(m.id)}/versions/`,
      filesForm({ "custom.py": "x" }),
    );
    expect(none.status).toBe(422);
    expect(none.body.message).toBe("baseEnvironmentId or baseEnvironmentVersionId is required");
    const unknown = await createVersion(
      api(),
      str(m.id),
      {},
      { baseEnvironmentId: "0123456789abcdef01234567" },
    );
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toHaveProperty("baseEnvironmentId");
    const badVersion = await createVersion(
      api(),
      str(m.id),
      {},
      { baseEnvironmentVersionId: "0123456789abcdef01234567" },
    );
    expect(badVersion.status).toBe(422);
    const env = await api().call("POST", "executionEnvironments/", { name: "no builds" });
    const unbuilt = await createVersion(api(), str(m.id), {}, { baseEnvironmentId: str(env.body.id) });
    expect(unbuilt.body.message).toBe(
      `Execution environment ${str(env.body.id)} has no successfully built version`,
    );
    const builtin = await api().call("GET", `executionEnvironments/${BUILTIN_ENV_ID}/`);
    const mixed = await createVersion(
      api(),
      str(m.id),
      {},
      {
        baseEnvironmentId: str(env.body.id),
        baseEnvironmentVersionId: str(builtin.body.latestVersion?.id),
      },
    );
    expect(mixed.status).toBe(422);
    const ok = await createVersion(
      api(),
      str(m.id),
      {},
      { baseEnvironmentVersionId: str(builtin.body.latestVersion?.id) },
    );
    expect(ok.body.baseEnvironmentId).toBe(BUILTIN_ENV_ID);
    const inherited = await api().form("POST", `customModels/${str(m.id)}/versions/`, filesForm({}));
    expect(inherited.body.baseEnvironmentVersionId).toBe(builtin.body.latestVersion?.id);
  });

  it("parses requirements.txt into dependencies, leaving invalid lines out", async () => {
    const m = await createModel(api());
    const r = await createVersion(api(), str(m.id), {
      "requirements.txt":
        "# deps\npandas>=1.5,<3  # data\n\nrequests\nnumpy[extra]==1.26 ; python_version>'3'\nfoo~=1.0\n-r other.txt\n",
      "sub/requirements.txt": "ignored==1\n",
    });
    expect(r.body.dependencies).toEqual([
      {
        packageName: "pandas",
        line: "pandas>=1.5,<3  # data",
        lineNumber: 2,
        constraints: [
          { constraintType: ">=", version: "1.5" },
          { constraintType: "<", version: "3" },
        ],
      },
      { packageName: "requests", line: "requests", lineNumber: 4, constraints: [] },
      {
        packageName: "numpy",
        line: "numpy[extra]==1.26 ; python_version>'3'",
        lineNumber: 5,
        constraints: [{ constraintType: "==", version: "1.26" }],
      },
    ]);
  });

  it("derives runtimeParameters from model-metadata.yaml and merges values across versions", async () => {
    const m = await createModel(api());
    const cred = await api().call("POST", "credentials/", {
      name: "rp-key",
      credentialType: "api_token",
      apiToken: "s3cret",
    });
    const basic = await api().call("POST", "credentials/", {
      name: "rp-basic",
      credentialType: "basic",
      user: "u",
      password: "p",
    });
    const v1 = await createVersion(
      api(),
      str(m.id),
      { "model-metadata.yaml": METADATA },
      {
        runtimeParameterValues: JSON.stringify([
          { fieldName: "CUTOFF", type: "numeric", value: 0.7 },
          { fieldName: "KEY", type: "credential", value: cred.body.credentialId },
          { fieldName: "FLAG", type: "boolean", value: "True" },
        ]),
      },
    );
    expect(v1.status).toBe(201);
    expect(v1.body.runtimeParameters).toEqual([
      {
        fieldName: "CUTOFF",
        type: "numeric",
        description: null,
        allowEmpty: true,
        minValue: 0,
        maxValue: 1,
        defaultValue: 0.5,
        overrideValue: 0.7,
        currentValue: 0.7,
      },
      {
        fieldName: "MODE",
        type: "string",
        description: null,
        allowEmpty: true,
        minValue: null,
        maxValue: null,
        defaultValue: null,
        overrideValue: null,
        currentValue: null,
      },
      {
        fieldName: "FLAG",
        type: "boolean",
        description: null,
        allowEmpty: true,
        minValue: null,
        maxValue: null,
        defaultValue: false,
        overrideValue: true,
        currentValue: true,
      },
      {
        fieldName: "KEY",
        type: "credential",
        description: null,
        allowEmpty: false,
        minValue: null,
        maxValue: null,
        defaultValue: null,
        overrideValue: cred.body.credentialId,
        currentValue: cred.body.credentialId,
      },
    ]);
    const v2 = await createVersion(
      api(),
      str(m.id),
      {},
      {
        runtimeParameterValues: JSON.stringify([{ fieldName: "CUTOFF", value: null }]),
      },
      "PATCH",
    );
    const byName = Object.fromEntries(arr(v2.body.runtimeParameters).map((p) => [str(p.fieldName), p]));
    expect(byName["CUTOFF"]?.currentValue).toBe(0.5);
    expect(byName["KEY"]?.currentValue).toBe(cred.body.credentialId);

    const invalid: [unknown, string][] = [
      [[{ fieldName: "NOPE", value: 1 }], "NOPE is not defined"],
      [[{ fieldName: "CUTOFF", type: "string", value: "x" }], "type numeric"],
      [[{ fieldName: "CUTOFF", value: 2 }], "above maxValue"],
      [[{ fieldName: "CUTOFF", value: "abc" }], "must be a number"],
      [[{ fieldName: "FLAG", value: "maybe" }], "must be a boolean"],
      [[{ fieldName: "MODE", value: 5 }], "must be a string"],
      [[{ fieldName: "KEY", value: "0123456789abcdef01234567" }], "not found"],
      [[{ fieldName: "KEY", value: basic.body.credentialId }], "needs a api_token credential"],
    ];
    for (const [values, message] of invalid) {
      const r = await createVersion(
        api(),
        str(m.id),
        {},
        { runtimeParameterValues: JSON.stringify(values) },
        "PATCH",
      );
      expect(r.status, message).toBe(422);
      expect(str(r.body.errors?.runtimeParameterValues)).toContain(message);
    }
  });

  it("creates a version with invalid model-metadata.yaml, with no runtime parameters", async () => {
    const m = await createModel(api());
    const r = await createVersion(api(), str(m.id), {
      "model-metadata.yaml": "runtimeParameterDefinitions:\n  - {fieldName: 1BAD, type: string}\n",
    });
    expect(r.status).toBe(201);
    expect(r.body.runtimeParameters).toEqual([]);
  });

  it("updates description, gitModelVersion and requiredMetadataValues in place", async () => {
    const env = await api().call("POST", "executionEnvironments/", {
      name: "with keys",
      requiredMetadataKeys: [{ fieldName: "OWNER", displayName: "Owner" }],
    });
    const m = await createModel(api());
    const v = await createVersion(
      api(),
      str(m.id),
      { "custom.py": "x" },
      {
        baseEnvironmentId: BUILTIN_ENV_ID,
      },
    );
    const path = `customModels/${str(m.id)}/versions/${str(v.body.id)}/`;
    const r = await api().call("PATCH", path, {
      description: "Managed-By: drgitops",
      gitModelVersion: { refName: "main" },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      description: "Managed-By: drgitops",
      gitModelVersion: { refName: "main" },
      label: "1.0",
    });
    const badKey = await api().call("PATCH", path, {
      requiredMetadataValues: [{ fieldName: "OWNER", value: "me" }],
    });
    expect(badKey.status).toBe(422);
    expect(env.status).toBe(201);
    expect((await api().call("GET", `customModels/${str(m.id)}/versions/`)).body.totalCount).toBe(1);
    expect(
      (await api().call("PATCH", `customModels/${str(m.id)}/versions/0123456789abcdef01234567/`, {})).status,
    ).toBe(404);
  });

  it("checks requiredMetadataValues against the environment's keys on create", async () => {
    const env = await api().call("POST", "executionEnvironments/", {
      name: "keys env",
      requiredMetadataKeys: [{ fieldName: "OWNER", displayName: "Owner" }],
    });
    const ev = await api().call("POST", `executionEnvironments/${str(env.body.id)}/versions/`, {
      dockerImageUri: "python:3.11",
    });
    expect(ev.status).toBe(202);
    const m = await createModel(api());
    const create = (extra: Record<string, string>) =>
      api().form(
        "POST",
        `customModels/${str(m.id)}/versions/`,
        filesForm({}, { baseEnvironmentVersionId: str(ev.body.id), ...extra }),
      );
    const ok = await create({ requiredMetadata: JSON.stringify({ OWNER: "me" }) });
    expect(ok.status).toBe(201);
    expect(ok.body.requiredMetadataValues).toEqual([{ fieldName: "OWNER", value: "me" }]);
    expect(ok.body.requiredMetadata).toEqual({ OWNER: "me" });
    const unknown = await create({
      requiredMetadataValues: JSON.stringify([{ fieldName: "X", value: "1" }]),
    });
    expect(unknown.status).toBe(422);
    const empty = await create({
      requiredMetadataValues: JSON.stringify([{ fieldName: "OWNER", value: "" }]),
    });
    expect(empty.status).toBe(422);
  });

  it.each([
    ["isMajorUpdate", "perhaps"],
    ["networkEgressPolicy", "EVERYTHING"],
    ["maximumMemory", "-5"],
    ["replicas", "many"],
    ["trainingData", "{not json"],
    ["runtimeParameterValues", "{not json"],
  ])("refuses %s=%s with 422", async (field, value) => {
    const m = await createModel(api());
    const r = await createVersion(api(), str(m.id), { "custom.py": "x" }, { [field]: value });
    expect(r.status).toBe(422);
    expect(r.body.errors).toHaveProperty(field);
  });

  it("answers 404 for versions of unknown models and unknown versions", async () => {
    const r = await createVersion(api(), "0123456789abcdef01234567", { "custom.py": "x" });
    expect(r.status).toBe(404);
    expect(r.body.message).toBe("Custom model 0123456789abcdef01234567 not found");
    const m = await createModel(api());
    const v = await api().call("GET", `customModels/${str(m.id)}/versions/0123456789abcdef01234567/`);
    expect(v.body.message).toBe("Custom model version 0123456789abcdef01234567 not found");
  });

  it("keeps numbering dense under 20 concurrent PATCHes on one model", async () => {
    const m = await createModel(api());
    await createVersion(api(), str(m.id), { "custom.py": "0" });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        createVersion(api(), str(m.id), { [`f${i}.txt`]: String(i) }, { isMajorUpdate: "false" }, "PATCH"),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    const labels = results
      .map((r) => str(r.body.label))
      .sort((a, b) => Number(a.split(".")[1]) - Number(b.split(".")[1]));
    expect(labels).toEqual(Array.from({ length: 20 }, (_, i) => `1.${i + 1}`));
    const list = await api().call("GET", `customModels/${str(m.id)}/versions/?limit=100`);
    expect(list.body.totalCount).toBe(21);
    // Each version builds on the one before it: the newest holds every file.
    const newest = arr(list.body.data)[0];
    expect(newest && paths(newest).length).toBe(21);
  });
});
