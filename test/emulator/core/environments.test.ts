import { describe, expect, it } from "vitest";
import yazl from "yazl";
import { arr, BUILTIN_ENV_ID, createModel, createVersion, str, useEmulator } from "./helpers.js";

function zip(files: Record<string, string>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) z.addBuffer(Buffer.from(content), name);
  z.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    z.outputStream.on("data", (c: Buffer) => chunks.push(c));
    z.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    z.outputStream.on("error", reject);
  });
}

describe("execution environments", () => {
  const api = useEmulator();

  it("seeds a built-in Python 3.11 drop-in with one successful version", async () => {
    const r = await api().call("GET", `executionEnvironments/${BUILTIN_ENV_ID}/`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      name: "[DataRobot] Python 3.11 Drop-In",
      programmingLanguage: "python",
      isPublic: true,
      useCases: ["customModel"],
      requiredMetadataKeys: [],
    });
    expect(r.body.latestVersion).toMatchObject({
      buildStatus: "success",
      label: "v1",
      environmentId: BUILTIN_ENV_ID,
    });
    expect(r.body.latestSuccessfulVersion).toEqual(r.body.latestVersion);
    expect(str(r.body.latestVersion?.imageId)).not.toBe("");
  });

  it("refuses to modify or delete a built-in environment with 403", async () => {
    const patch = await api().call("PATCH", `executionEnvironments/${BUILTIN_ENV_ID}/`, { name: "mine now" });
    expect(patch.status).toBe(403);
    expect(patch.body.message).toBe("Built-in execution environments cannot be modified");
    expect((await api().call("DELETE", `executionEnvironments/${BUILTIN_ENV_ID}/`)).status).toBe(403);
  });

  it("creates (201), reads, updates and deletes (204) an environment", async () => {
    const c = await api().call("POST", "executionEnvironments/", {
      name: "sk",
      description: "d",
      programmingLanguage: "python",
    });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({
      name: "sk",
      description: "d",
      isPublic: false,
      useCases: ["customModel"],
      latestVersion: null,
    });
    const id = str(c.body.id);
    const p = await api().call("PATCH", `executionEnvironments/${id}/`, {
      description: null,
      requiredMetadataKeys: [{ fieldName: "OWNER", displayName: "Owner" }],
    });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({
      name: "sk",
      description: "",
      requiredMetadataKeys: [{ fieldName: "OWNER", displayName: "Owner" }],
    });
    expect((await api().call("DELETE", `executionEnvironments/${id}/`)).status).toBe(204);
    expect((await api().call("GET", `executionEnvironments/${id}/`)).status).toBe(404);
  });

  it.each([
    [{}, "name"],
    [{ name: "x".repeat(256) }, "name"],
    [{ name: "x", programmingLanguage: "cobol" }, "programmingLanguage"],
    [{ name: "x", useCases: ["gaming"] }, "useCases"],
    [{ name: "x", requiredMetadataKeys: [{ fieldName: "A" }] }, "requiredMetadataKeys"],
  ])("refuses %j with 422 on %s", async (body, field) => {
    const r = await api().call("POST", "executionEnvironments/", body);
    expect(r.status).toBe(422);
    expect(r.body.errors).toHaveProperty(field);
  });

  it("refuses to delete an environment used by a model version with 409", async () => {
    const env = await api().call("POST", "executionEnvironments/", { name: "used" });
    const v = await api().call("POST", `executionEnvironments/${str(env.body.id)}/versions/`, {
      dockerImageUri: "python:3.11",
    });
    expect(v.status).toBe(202);
    const m = await createModel(api());
    const mv = await api().form(
      "POST",
      `customModels/${str(m.id)}/versions/`,
      (() => {
        const f = new FormData();
        f.append("baseEnvironmentId", str(env.body.id));
        return f;
      })(),
    );
    expect(mv.status).toBe(201);
    const d = await api().call("DELETE", `executionEnvironments/${str(env.body.id)}/`);
    expect(d.status).toBe(409);
    expect(d.body.message).toBe(
      `Execution environment ${str(env.body.id)} is in use by custom model versions`,
    );
  });

  it("lists newest first with filters, default page 20", async () => {
    const own = await api().call("POST", "executionEnvironments/", {
      name: "Notebook env",
      useCases: ["notebook"],
    });
    const all = await api().call("GET", "executionEnvironments/");
    expect(arr(all.body.data)[0]?.id).toBe(own.body.id);
    expect(arr(all.body.data).length).toBeLessThanOrEqual(20);
    const nb = await api().call("GET", "executionEnvironments/?useCases=notebook");
    expect(arr(nb.body.data).map((e) => e.id)).toEqual([own.body.id]);
    const mine = await api().call("GET", "executionEnvironments/?isOwn=true");
    expect(arr(mine.body.data).some((e) => str(e.id) === BUILTIN_ENV_ID)).toBe(false);
    const search = await api().call("GET", "executionEnvironments/?searchFor=DROP-IN");
    expect(arr(search.body.data).map((e) => e.id)).toEqual([BUILTIN_ENV_ID]);
  });

  it("uploads a docker context (202, submitted), builds it, and serves the log and the bytes", async () => {
    const env = await api().call("POST", "executionEnvironments/", { name: "ctx" });
    const archive = await zip({ Dockerfile: "FROM python:3.11\n", "requirements.txt": "pandas\n" });
    const form = new FormData();
    form.append("docker_context", new Blob([archive]), "context.zip");
    form.append("description", "first");
    const r = await api().form("POST", `executionEnvironments/${str(env.body.id)}/versions/`, form);
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({
      buildStatus: "submitted",
      label: "v1",
      description: "first",
      dockerContextSize: archive.length,
    });
    expect(str(r.body.imageId)).not.toBe("");
    const base = `executionEnvironments/${str(env.body.id)}/versions/${str(r.body.id)}/`;
    const got = await api().call("GET", base);
    expect(got.body.buildStatus).toBe("success");
    const log = await api().call("GET", `${base}buildLog/`);
    expect(log.body.error).toBe("");
    expect(typeof log.body.log).toBe("string");
    const dl = await fetch(`${api().emu.url}/${base}download/`, { headers: api().auth });
    expect(dl.headers.get("content-type")).toBe("application/octet-stream");
    expect(Buffer.from(await dl.arrayBuffer()).equals(archive)).toBe(true);
    const list = await api().call(
      "GET",
      `executionEnvironments/${str(env.body.id)}/versions/?buildStatus=success`,
    );
    expect(arr(list.body.data).map((v) => v.id)).toEqual([r.body.id]);
    const envAfter = await api().call("GET", `executionEnvironments/${str(env.body.id)}/`);
    expect(envAfter.body.latestSuccessfulVersion).toMatchObject({ id: r.body.id });
  });

  it("fails the build of a context without a Dockerfile, saying why", async () => {
    const env = await api().call("POST", "executionEnvironments/", { name: "broken" });
    const form = new FormData();
    form.append("docker_context", new Blob([await zip({ "app.py": "x" })]), "context.zip");
    const r = await api().form("POST", `executionEnvironments/${str(env.body.id)}/versions/`, form);
    const base = `executionEnvironments/${str(env.body.id)}/versions/${str(r.body.id)}/`;
    expect((await api().call("GET", base)).body.buildStatus).toBe("failed");
    expect((await api().call("GET", `${base}buildLog/`)).body.error).toBe(
      "Dockerfile not found in the root of the docker context",
    );
  });

  it("takes JSON with only an image URI, numbers labels, and refuses a request with nothing to build", async () => {
    const env = await api().call("POST", "executionEnvironments/", { name: "uri" });
    const path = `executionEnvironments/${str(env.body.id)}/versions/`;
    await api().call("POST", path, { dockerImageUri: "python:3.11" });
    const second = await api().call("POST", path, { dockerImageUri: "python:3.12", label: "" });
    expect(second.body).toMatchObject({
      label: "v2",
      sourceDockerImageUri: "python:3.12",
      dockerContextSize: null,
    });
    const none = await api().call("POST", path, { label: "x" });
    expect(none.status).toBe(422);
    const noContext = await api().call("GET", `${path}${str(second.body.id)}/download/`);
    expect(noContext.status).toBe(404);
    expect(noContext.body.message).toBe("Docker context not found");
    expect((await api().call("GET", `${path}0123456789abcdef01234567/`)).status).toBe(404);
    expect(
      (
        await api().call("POST", "executionEnvironments/0123456789abcdef01234567/versions/", {
          dockerImageUri: "x",
        })
      ).status,
    ).toBe(404);
  });

  it("keeps versions to their own environment and checks the label", async () => {
    const a = await api().call("POST", "executionEnvironments/", { name: "env a" });
    const b = await api().call("POST", "executionEnvironments/", { name: "env b" });
    const v = await api().call("POST", `executionEnvironments/${str(a.body.id)}/versions/`, {
      dockerImageUri: "x:1",
    });
    const other = await api().call(
      "GET",
      `executionEnvironments/${str(b.body.id)}/versions/${str(v.body.id)}/`,
    );
    expect(other.status).toBe(404);
    const long = await api().call("POST", `executionEnvironments/${str(a.body.id)}/versions/`, {
      dockerImageUri: "x:2",
      label: "l".repeat(51),
    });
    expect(long.status).toBe(422);
    expect(long.body.errors).toHaveProperty("label");
    const image = new FormData();
    image.append("docker_image", new Blob(["not really a tarball"]), "image.tar");
    image.append("label", "from-image");
    const fromImage = await api().form("POST", `executionEnvironments/${str(a.body.id)}/versions/`, image);
    expect(fromImage.body).toMatchObject({
      label: "from-image",
      dockerImageSize: 20,
      dockerContextSize: null,
    });
  });

  it("answers access control with the single owner", async () => {
    const r = await api().call("GET", `executionEnvironments/${BUILTIN_ENV_ID}/accessControl/`);
    expect(r.body).toMatchObject({
      count: 1,
      data: [{ username: "emulator@example.com", role: "OWNER", canShare: true }],
    });
    const p = await api().call("PATCH", `executionEnvironments/${BUILTIN_ENV_ID}/accessControl/`, {
      data: [],
    });
    expect(p.status).toBe(204);
  });

  it("uses an environment version directly in a model version", async () => {
    const m = await createModel(api());
    const r = await createVersion(api(), str(m.id), { "custom.py": "x" });
    expect(r.body.baseEnvironmentId).toBe(BUILTIN_ENV_ID);
  });
});
