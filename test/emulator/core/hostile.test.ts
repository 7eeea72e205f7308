import { readdirSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import {
  BUILTIN_ENV_ID,
  createModel,
  createVersion,
  str,
  useEmulator,
  type Api,
  type Reply,
} from "./helpers.js";

/** Every file under `dir`, recursively (blobs are sharded by their first two hex digits). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** The API's error shape, nothing else (API.md §0.6), with the exact JSON content type (§0.3); `field` in errors. */
function expectApiError(r: Reply, status: number, field?: string): void {
  expect(r.status, r.text).toBe(status);
  if (field !== undefined) expect(r.body.errors, r.text).toHaveProperty(field);
  expect(r.headers.get("content-type")).toBe("application/json");
  expect(typeof r.body.message).toBe("string");
  for (const key of Object.keys(r.body)) expect(["message", "errors"]).toContain(key);
}

/**
 * Writes `head` (and `body`) on a raw socket and resolves with everything received until the
 * server's answer is complete (its Content-Length) or the connection closes.
 */
function rawExchange(
  api: Api,
  head: string,
  body = "",
): Promise<{
  status: number;
  headers: string;
  text: string;
  socketOpen: () => boolean;
}> {
  const { port } = new URL(api.emu.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1");
    let received = Buffer.alloc(0);
    const finish = (): void => {
      const text = received.toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      const headers = text.slice(0, end);
      const length = Number(/content-length:\s*(\d+)/i.exec(headers)?.[1] ?? NaN);
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0),
        headers,
        text: text.slice(end + 4, end + 4 + length),
        socketOpen: () => !socket.destroyed,
      });
    };
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const text = received.toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      const length = Number(/content-length:\s*(\d+)/i.exec(text.slice(0, Math.max(end, 0)))?.[1] ?? NaN);
      if (end >= 0 && received.length >= end + 4 + length) {
        finish();
        socket.destroy();
      }
    });
    socket.on("close", finish);
    socket.on("error", reject);
    socket.write(head + body);
  });
}

describe("pagination under hostile values", () => {
  const api = useEmulator();
  const query = (path: string): string => (path.includes("?") ? path : `${path}?`);

  async function listRoutes(): Promise<string[]> {
    const m = await createModel(api());
    const v = await createVersion(api(), str(m.id), { "custom.py": "x" });
    const env = await api().call("POST", "executionEnvironments/", {
      name: "pages",
    });
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
        expectApiError(r, 422, "offset");
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
        expectApiError(r, 422, "limit");
      }
    }
  });
});

describe("version file paths", () => {
  const api = useEmulator();

  it.each([
    "weird/",
    ".",
    "./",
    "",
    "a//b",
    "a/./b",
    "a/.",
    "nul\u0000byte.py",
    "tab\there.py",
    "bell\u0007.py",
    "del\u007f.py",
    "dir\\",
    "..\\up.py",
    "\\\\server\\share.py",
    "../x",
    "/abs.py",
    "c:x.py",
    `${"d/".repeat(600)}f.py`,
  ])("refuses filePath %j with 422 naming filePath, and stores nothing", async (path) => {
    const m = await createModel(api());
    const blobs = join(api().emu.dataDir, "blobs");
    const before = filesUnder(blobs);
    const form = new FormData();
    form.append("baseEnvironmentId", BUILTIN_ENV_ID);
    form.append("file", new Blob([`content of ${JSON.stringify(path)}`]), "f.py");
    form.append("filePath", path);
    const r = await api().form("POST", `customModels/${str(m.id)}/versions/`, form);
    expectApiError(r, 422, "filePath");
    expect((await api().call("GET", `customModels/${str(m.id)}/versions/`)).body.totalCount).toBe(0);
    expect(filesUnder(blobs)).toEqual(before);
  });

  it("still normalises backslashes and a leading ./ as API.md §2.3 says", async () => {
    const m = await createModel(api());
    const r = await createVersion(api(), str(m.id), {
      "./pkg\\mod.py": "x",
      "././top.py": "y",
    });
    expect(r.status).toBe(201);
    expect((r.body.items as unknown as { filePath: string }[]).map((i) => i.filePath)).toEqual([
      "pkg/mod.py",
      "top.py",
    ]);
  });

  it("downloads a version whose stored paths are bad (data from before the check) instead of failing", async () => {
    const m = await createModel(api());
    const v = await createVersion(api(), str(m.id), {
      "a.py": "a",
      "b.py": "b",
      "c.py": "c",
      "d.py": "d",
      "e.py": "e",
    });
    const db = new BetterSqlite3(join(api().emu.dataDir, "emulator.db"));
    try {
      const set = db.prepare("UPDATE version_items SET file_path = ? WHERE version_id = ? AND file_path = ?");
      for (const [from, to] of [
        ["a.py", "weird/"],
        ["b.py", "."],
        ["c.py", "x//y.py"],
        ["d.py", "../../etc/e.py"],
        ["e.py", "n\u0000ul.py"],
      ])
        set.run(to, str(v.body.id), from);
    } finally {
      db.close();
    }
    for (const path of [
      `customModels/${str(m.id)}/versions/${str(v.body.id)}/download/`,
      `customModels/${str(m.id)}/download/`,
    ]) {
      const r = await fetch(`${api().emu.url}/${path}`, {
        headers: api().auth,
      });
      expect(r.status, path).toBe(200);
      expect(r.headers.get("content-type")).toBe("application/zip");
      const zip = Buffer.from(await r.arrayBuffer());
      const names = zip.toString("latin1");
      expect(names).toContain("x/y.py");
      expect(names).toContain("etc/e.py");
      expect(names).not.toContain("../");
    }
  });
});

describe("free text under hostile values", () => {
  const api = useEmulator();

  it.each([
    ["customModels/", { name: "n".repeat(256), targetType: "Anomaly" }, "name"],
    ["customModels/", { name: "m", targetType: "Anomaly", description: "d".repeat(10_001) }, "description"],
    ["customModels/", { name: "m", targetType: "Anomaly", language: "l".repeat(256) }, "language"],
    ["customModels/", { name: "m", targetType: "Regression", targetName: "t".repeat(256) }, "targetName"],
    [
      "customModels/",
      {
        name: "m",
        targetType: "Multiclass",
        targetName: "y",
        classLabels: ["a", "b".repeat(256)],
      },
      "classLabels.1",
    ],
    [
      "customModels/",
      {
        name: "m",
        targetType: "Anomaly",
        tags: [{ name: "t".repeat(256), value: "v" }],
      },
      "tags.0.name",
    ],
    [
      "customModels/",
      { name: "m", targetType: "Anomaly", userProvidedId: "u".repeat(256) },
      "userProvidedId",
    ],
    ["executionEnvironments/", { name: "e", description: "d".repeat(10_001) }, "description"],
    ["credentials/", { name: "c".repeat(256), credentialType: "api_token", apiToken: "x" }, "name"],
    ["credentials/", { name: "c", credentialType: "api_token", apiToken: "x".repeat(10_001) }, "apiToken"],
  ])(
    "refuses an over-long field on POST %s with 422 naming it, storing nothing",
    async (path, body, field) => {
      const before = await api().call("GET", `${path}?limit=1`);
      const r = await api().call("POST", path, body);
      expectApiError(r, 422, field);
      expect(r.text.length).toBeLessThan(2000);
      expect((await api().call("GET", `${path}?limit=1`)).body.totalCount).toBe(before.body.totalCount);
    },
  );

  it("counts characters, not bytes or UTF-16 units", async () => {
    const r = await api().call("POST", "customModels/", {
      name: "\u{1F600}".repeat(255),
      targetType: "Anomaly",
    });
    expect(r.status).toBe(201);
  });

  it("refuses a 100 MB description before storing it, and the list stays small", async () => {
    const r = await api().call("POST", "customModels/", {
      name: "big",
      targetType: "Anomaly",
      description: "d".repeat(100 * 1024 * 1024),
    });
    expectApiError(r, 413);
    const list = await api().call("GET", "customModels/");
    expect(list.text.length).toBeLessThan(1024 * 1024);
  });

  it("limits PATCH bodies and multipart fields through the same rules", async () => {
    const m = await createModel(api());
    const patch = await api().call("PATCH", `customModels/${str(m.id)}/`, {
      description: "d".repeat(10_001),
    });
    expectApiError(patch, 422, "description");
    const v = await createVersion(
      api(),
      str(m.id),
      { "custom.py": "x" },
      { description: "d".repeat(10_001) },
    );
    expectApiError(v, 422, "description");
    const env = await api().call("POST", "executionEnvironments/", {
      name: "labels",
    });
    const form = new FormData();
    form.append("dockerImageUri", "python:3.11");
    form.append("label", "l".repeat(51));
    const ev = await api().form("POST", `executionEnvironments/${str(env.body.id)}/versions/`, form);
    expectApiError(ev, 422, "label");
    const git = await createVersion(
      api(),
      str(m.id),
      { "custom.py": "x" },
      {
        gitModelVersion: JSON.stringify({
          refName: "r".repeat(256),
          commitUrl: "u",
        }),
      },
    );
    expectApiError(git, 422, "gitModelVersion.refName");
    expect((await api().call("GET", `customModels/${str(m.id)}/versions/`)).body.totalCount).toBe(0);
  });

  it.each([
    ['{"name":"\\ud800","targetType":"Anomaly"}', "name"],
    ['{"name":"ok","targetType":"Anomaly","description":"x\\udfff"}', "description"],
    ['{"name":"ok","targetType":"Anomaly","tags":[{"name":"t","value":"\\udbff"}]}', "tags.0.value"],
    ['{"name":"ok","targetType":"Anomaly","\\ud800":"key"}', undefined],
  ])("refuses a lone UTF-16 surrogate in JSON %s with 422", async (body, field) => {
    const before = (await api().call("GET", "customModels/?limit=1")).body.totalCount;
    const r = await api().call("POST", "customModels/", body);
    expectApiError(r, 422);
    expect(str(r.body.message)).toContain("invalid text");
    if (field !== undefined) expect(r.body.errors).toHaveProperty(field);
    expect((await api().call("GET", "customModels/?limit=1")).body.totalCount).toBe(before);
  });

  it("keeps a well-formed surrogate pair", async () => {
    const r = await api().call("POST", "customModels/", '{"name":"\\ud83d\\ude00","targetType":"Anomaly"}');
    expect(r.status).toBe(201);
    expect(r.body.name).toBe("\u{1F600}");
  });

  it("refuses a lone surrogate smuggled through a JSON multipart field", async () => {
    const m = await createModel(api());
    const part = (headers: string, value: string): string =>
      `--b\r\nContent-Disposition: form-data; ${headers}\r\n\r\n${value}\r\n`;
    const body =
      part('name="baseEnvironmentId"', BUILTIN_ENV_ID) +
      part('name="file"; filename="custom.py"', "x") +
      part('name="filePath"', "custom.py") +
      part(
        'name="gitModelVersion"\r\nContent-Type: application/json',
        '{"refName":"\\ud800","commitUrl":"u"}',
      ) +
      "--b--\r\n";
    const r = await api().call("POST", `customModels/${str(m.id)}/versions/`, body, {
      "content-type": "multipart/form-data; boundary=b",
    });
    expectApiError(r, 422, "gitModelVersion.refName");
    expect((await api().call("GET", `customModels/${str(m.id)}/versions/`)).body.totalCount).toBe(0);
  });
});

describe("content types", () => {
  const api = useEmulator();

  it.each([
    ["text/plain", '{"name":"x","targetType":"Anomaly"}'],
    ["application/x-www-form-urlencoded", "name=x&targetType=Anomaly"],
    ["application/xml", "<model/>"],
    ["application/octet-stream", "\u0001\u0002"],
  ])("answers a %s body with 415 and stores nothing", async (type, body) => {
    const before = (await api().call("GET", "customModels/")).body.totalCount;
    const r = await api().call("POST", "customModels/", body, {
      "content-type": type,
    });
    expectApiError(r, 415);
    expect(str(r.body.message)).toContain(type);
    expect((await api().call("GET", "customModels/")).body.totalCount).toBe(before);
  });

  it("answers a multipart body on a JSON-only route with 415", async () => {
    const form = new FormData();
    form.append("name", "x");
    form.append("targetType", "Anomaly");
    const r = await api().form("POST", "customModels/", form);
    expectApiError(r, 415);
  });

  it("answers a body without a content type with 415", async () => {
    const { token } = api().emu;
    const body = '{"name":"x","targetType":"Anomaly"}';
    const r = await rawExchange(
      api(),
      `POST /api/v2/customModels/ HTTP/1.1\r\nHost: x\r\nAuthorization: Token ${token}\r\nContent-Length: ${body.length}\r\n\r\n`,
      body,
    );
    expect(r.status).toBe(415);
    expect(r.headers).toMatch(/^content-type: application\/json$/im);
  });

  it("still accepts bodiless POSTs and ignores any body on GET and DELETE", async () => {
    const m = await createModel(api());
    const empty = await api().call("PATCH", `customModels/${str(m.id)}/`, "", {
      "content-type": "text/plain",
    });
    expect(empty.status).toBe(200);
    const get = await rawExchange(
      api(),
      `GET /api/v2/customModels/ HTTP/1.1\r\nHost: x\r\nAuthorization: Token ${api().emu.token}\r\n` +
        "Content-Type: text/plain\r\nContent-Length: 4\r\n\r\n",
      "junk",
    );
    expect(get.status).toBe(200);
    const del = await api().call("DELETE", `customModels/${str(m.id)}/`, "junk", {
      "content-type": "text/plain",
    });
    expect(del.status).toBe(204);
  });
});

describe("errors fastify and Node produce themselves", () => {
  const api = useEmulator();

  it("answers an over-long path parameter with the API's 404", async () => {
    for (const path of [
      `customModels/${"a".repeat(500)}/`,
      `customModels/${"a".repeat(500)}/versions/`,
      `executionEnvironments/${"e".repeat(5000)}/`,
    ]) {
      const r = await api().call("GET", path);
      expectApiError(r, 404);
      expect(r.text.length).toBeLessThan(1000);
    }
  });

  it("answers a path that cannot be decoded with the API's 404", async () => {
    const r = await api().call("GET", "customModels/%zz/");
    expectApiError(r, 404);
  });

  it("answers an unparseable media type with the API's 415", async () => {
    const r = await api().call("POST", "customModels/", "{}", {
      "content-type": "/;;=",
    });
    expectApiError(r, 415);
  });

  it("answers over-long headers with 431 and an over-long URL with 414, both as JSON", async () => {
    const { token } = api().emu;
    const headers = await rawExchange(
      api(),
      `GET /api/v2/customModels/ HTTP/1.1\r\nHost: x\r\nAuthorization: Token ${token}\r\nX-Big: ${"h".repeat(20_000)}\r\n\r\n`,
    );
    expect(headers.status).toBe(431);
    expect(headers.headers).toMatch(/^content-type: application\/json$/im);
    expect(Object.keys(JSON.parse(headers.text) as object)).toEqual(["message"]);
    const url = await rawExchange(
      api(),
      `GET /api/v2/customModels/?q=${"u".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    expect(url.status).toBe(414);
    expect(url.headers).toMatch(/^content-type: application\/json$/im);
    expect(Object.keys(JSON.parse(url.text) as object)).toEqual(["message"]);
  });

  it("answers a malformed request line with a JSON 400", async () => {
    const r = await rawExchange(api(), "BLAH\r\n\r\n");
    expect(r.status).toBe(400);
    expect(r.headers).toMatch(/^content-type: application\/json$/im);
  });
});

describe("oversized bodies", () => {
  const api = useEmulator({ maxUploadBytes: 64 * 1024 });

  it("answers 413 from Content-Length before the body arrives, on every route", async () => {
    const m = await createModel(api());
    const { token } = api().emu;
    for (const [method, path, type] of [
      ["POST", `/api/v2/customModels/${str(m.id)}/versions/`, "multipart/form-data; boundary=b"],
      ["POST", "/api/v2/datasets/fromFile/", "multipart/form-data; boundary=b"],
      [
        "POST",
        `/api/v2/executionEnvironments/${BUILTIN_ENV_ID}/versions/`,
        "multipart/form-data; boundary=b",
      ],
      ["POST", "/api/v2/customModels/", "application/json"],
      ["POST", "/api/v2/customModels/", "text/plain"],
    ]) {
      const started = Date.now();
      const r = await rawExchange(
        api(),
        `${method} ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Token ${token}\r\nContent-Type: ${type}\r\n` +
          `Content-Length: ${10 * 1024 ** 3}\r\n\r\n`,
        "--b\r\n",
      );
      expect(r.status, path).toBe(413);
      expect(r.headers).toMatch(/^content-type: application\/json$/im);
      expect(JSON.parse(r.text)).toEqual({
        message: "Upload exceeds 65536 bytes",
      });
      // Generous: the answer must not wait for 10 GiB that never come.
      expect(Date.now() - started).toBeLessThan(10_000);
    }
  });

  it("keeps no row and no blob of a request refused after its file was stored", async () => {
    const blobs = join(api().emu.dataDir, "blobs");
    const before = filesUnder(blobs);
    const datasets = (await api().call("GET", "datasets/")).body.totalCount;
    const form = new FormData();
    form.append("file", new Blob(["a,b\n1,2\n"]), "data.csv");
    form.append("categories", "c".repeat(256));
    const r = await api().form("POST", "datasets/fromFile/", form);
    expectApiError(r, 422, "categories");
    expect((await api().call("GET", "datasets/")).body.totalCount).toBe(datasets);
    expect(filesUnder(blobs)).toEqual(before);

    const env = await api().call("POST", "executionEnvironments/", {
      name: "leftovers",
    });
    const envForm = new FormData();
    envForm.append("docker_context", new Blob(["not really a zip"]), "ctx.zip");
    envForm.append("description", "d".repeat(10_001));
    const ev = await api().form("POST", `executionEnvironments/${str(env.body.id)}/versions/`, envForm);
    expectApiError(ev, 422);
    expect(
      (await api().call("GET", `executionEnvironments/${str(env.body.id)}/versions/`)).body.totalCount,
    ).toBe(0);
    expect(filesUnder(blobs)).toEqual(before);
  });
});
