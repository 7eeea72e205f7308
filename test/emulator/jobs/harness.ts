import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../../src/emulator/index.js";
import { BUILTIN_ENVIRONMENT } from "../../../src/emulator/seed.js";

/** A plain HTTP reply: status, headers and the body parsed as JSON when it is JSON. */
export interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

export type Json = Record<string, unknown>;

/** A file for a multipart request. */
export interface Upload {
  field: string;
  name: string;
  content: string | Buffer;
}

/** Raw fetch against a running emulator; redirects are never followed, so 303s stay visible. */
export class Api {
  constructor(readonly emu: RunningEmulator) {}

  async request(
    method: string,
    path: string,
    body?: { json?: unknown; form?: { fields?: [string, string][]; files?: Upload[] } },
  ): Promise<Reply> {
    const url = /^https?:/.test(path) ? path : `${this.emu.url}/${path}`;
    const headers: Record<string, string> = { Authorization: `Token ${this.emu.token}` };
    let payload: string | FormData | undefined;
    if (body?.json !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body.json);
    } else if (body?.form !== undefined) {
      const form = new FormData();
      for (const f of body.form.files ?? []) form.append(f.field, new Blob([f.content]), f.name);
      for (const [k, v] of body.form.fields ?? []) form.append(k, v);
      payload = form;
    }
    const res = await fetch(url, { method, headers, body: payload ?? null, redirect: "manual" });
    const text = await res.text();
    const type = res.headers.get("content-type") ?? "";
    return {
      status: res.status,
      headers: res.headers,
      text,
      body: type.startsWith("application/json") ? JSON.parse(text) : text,
    };
  }

  get = (path: string): Promise<Reply> => this.request("GET", path);
  delete = (path: string): Promise<Reply> => this.request("DELETE", path);
  post = (path: string, json?: unknown): Promise<Reply> => this.request("POST", path, { json: json ?? {} });
  patch = (path: string, json?: unknown): Promise<Reply> => this.request("PATCH", path, { json: json ?? {} });

  /** Polls a status URL until it is no longer INITIALIZED/RUNNING; returns the final reply. */
  async waitForStatus(location: string): Promise<Reply> {
    for (;;) {
      const reply = await this.get(location);
      const status = (reply.body as Json).status;
      if (reply.status !== 200 || (status !== "INITIALIZED" && status !== "RUNNING")) return reply;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Polls `path` until `done(body)`; returns every body seen, in order. */
  async pollUntil(path: string, done: (body: Json) => boolean): Promise<Json[]> {
    const seen: Json[] = [];
    for (;;) {
      const reply = await this.get(path);
      if (reply.status !== 200) throw new Error(`GET ${path} -> ${reply.status}: ${reply.text}`);
      const body = reply.body as Json;
      seen.push(body);
      if (done(body)) return seen;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async createModel(fields: Json = {}): Promise<Json> {
    const reply = await this.post("customModels/", {
      name: "fraud",
      targetType: "Regression",
      targetName: "y",
      ...fields,
    });
    if (reply.status !== 201) throw new Error(`create model -> ${reply.status}: ${reply.text}`);
    return reply.body as Json;
  }

  /** A clean version of `files` (path -> content) on the built-in environment. */
  async createVersion(
    modelId: string,
    files: Record<string, string>,
    fields: [string, string][] = [],
  ): Promise<Json> {
    const uploads: Upload[] = [];
    const paths: [string, string][] = [];
    const form = new FormData();
    for (const [path, content] of Object.entries(files)) {
      form.append("file", new Blob([content]), path.split("/").pop() ?? path);
      form.append("filePath", path);
      uploads.push({ field: "file", name: path, content });
      paths.push(["filePath", path]);
    }
    form.append("baseEnvironmentId", BUILTIN_ENVIRONMENT.id);
    for (const [k, v] of fields) form.append(k, v);
    const res = await fetch(`${this.emu.url}/customModels/${modelId}/versions/`, {
      method: "POST",
      headers: { Authorization: `Token ${this.emu.token}` },
      body: form,
    });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`create version -> ${res.status}: ${text}`);
    return JSON.parse(text) as Json;
  }

  async uploadDataset(
    name: string,
    content: string | Buffer,
    fields: [string, string][] = [],
  ): Promise<Reply> {
    return this.request("POST", "datasets/fromFile/", {
      form: { files: [{ field: "file", name, content }], fields },
    });
  }

  /** Uploads a CSV and waits for ingestion; returns the dataset id. */
  async completedDataset(content = "a,b,y\n1,2,3\n4,5,6\n"): Promise<string> {
    const reply = await this.uploadDataset("train.csv", content);
    if (reply.status !== 202) throw new Error(`dataset upload -> ${reply.status}: ${reply.text}`);
    const done = await this.waitForStatus(reply.headers.get("location") ?? "");
    if (done.status !== 303) throw new Error(`dataset ingestion -> ${done.status}: ${done.text}`);
    return (reply.body as Json).catalogId as string;
  }
}

/** Every state in `seen` appears in `order`, and they never go backwards. */
export function expectOrdered(seen: readonly string[], order: readonly string[]): void {
  const ranks = seen.map((state) => order.indexOf(state));
  if (ranks.includes(-1) || ranks.some((r, i) => i > 0 && r < (ranks[i - 1] ?? 0))) {
    throw new Error(
      `states out of order: ${seen.join(" -> ")} (expected a subsequence of ${order.join(" -> ")})`,
    );
  }
}

/** A temp directory removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "emu-jobs-test-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeTemp(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

export async function start(opts: EmulatorOptions = {}): Promise<{ emu: RunningEmulator; api: Api }> {
  const emu = await startEmulator({ quiet: true, ...opts });
  return { emu, api: new Api(emu) };
}

export const BUILTIN_ENV_ID = BUILTIN_ENVIRONMENT.id;
