import { afterAll, beforeAll } from "vitest";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../../src/emulator/index.js";

/** A JSON value navigable without casts: `r.body.data[0].id`; use str()/arr() to narrow. */
export interface Loose {
  readonly [key: string]: Loose;
}

export function str(v: Loose | undefined): string {
  if (typeof v !== "string") throw new Error(`expected a string, got ${JSON.stringify(v)}`);
  return v;
}

export function arr(v: Loose | undefined): Loose[] {
  if (!Array.isArray(v)) throw new Error(`expected an array, got ${JSON.stringify(v)}`);
  return v as Loose[];
}

export interface Reply {
  status: number;
  headers: Headers;
  body: Loose;
  text: string;
}

/** A started emulator plus helpers speaking plain HTTP (never src/client, which must stay independent). */
export interface Api {
  emu: RunningEmulator;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  form(method: string, path: string, form: FormData): Promise<Reply>;
  auth: Record<string, string>;
}

export function openApi(emu: RunningEmulator): Api {
  const auth = { Authorization: `Token ${emu.token}` };
  const parse = async (r: Response): Promise<Reply> => {
    const text = await r.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON (zip, text): keep the text
    }
    return { status: r.status, headers: r.headers, body: body as Loose, text };
  };
  return {
    emu,
    auth,
    async call(method, path, body, headers = {}) {
      const r = await fetch(path.startsWith("http") ? path : `${emu.url}/${path}`, {
        method,
        redirect: "manual",
        headers: {
          ...auth,
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
      });
      return parse(r);
    },
    async form(method, path, form) {
      const r = await fetch(`${emu.url}/${path}`, { method, headers: auth, body: form, redirect: "manual" });
      return parse(r);
    },
  };
}

/** Starts one emulator for the file's tests and stops it afterwards. */
export function useEmulator(options: EmulatorOptions = {}): () => Api {
  let api: Api | undefined;
  beforeAll(async () => {
    api = openApi(await startEmulator({ quiet: true, ...options }));
  });
  afterAll(async () => {
    await api?.emu.stop();
  });
  return () => {
    if (!api) throw new Error("emulator not started");
    return api;
  };
}

export const BUILTIN_ENV_ID = "5e8c889607389fe0f466c72d";

/** A multipart body of (path, content) files, PY style: each `file` followed by its `filePath`. */
export function filesForm(files: Record<string, string>, fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const [path, content] of Object.entries(files)) {
    form.append("file", new Blob([content]), path.split("/").pop() ?? path);
    form.append("filePath", path);
  }
  return form;
}

export async function createModel(api: Api, fields: Record<string, unknown> = {}): Promise<Loose> {
  const r = await api.call("POST", "customModels/", {
    name: "model",
    targetType: "Regression",
    targetName: "y",
    ...fields,
  });
  if (r.status !== 201) throw new Error(`create model: ${r.status} ${r.text}`);
  return r.body;
}

/** Creates a version with the built-in environment. */
export async function createVersion(
  api: Api,
  modelId: string,
  files: Record<string, string>,
  fields: Record<string, string> = {},
  method: "POST" | "PATCH" = "POST",
): Promise<Reply> {
  return api.form(
    method,
    `customModels/${modelId}/versions/`,
    filesForm(files, { baseEnvironmentId: BUILTIN_ENV_ID, ...fields }),
  );
}

/** Uploads a CSV dataset through part B's route and waits until it is ingested. */
export async function createDataset(api: Api, csv: string, name = "data.csv"): Promise<string> {
  const form = new FormData();
  form.append("file", new Blob([csv]), name);
  const r = await api.form("POST", "datasets/fromFile/", form);
  if (r.status !== 202) throw new Error(`dataset upload: ${r.status} ${r.text}`);
  const location = r.headers.get("location") ?? "";
  for (let i = 0; i < 200; i++) {
    const s = await api.call("GET", location);
    if (s.status === 303) return str(r.body.catalogId);
    if (s.status !== 200 || (s.body.status as unknown) === "ERROR") throw new Error(`dataset: ${s.text}`);
    await new Promise((done) => setTimeout(done, 10));
  }
  throw new Error("dataset never finished");
}
