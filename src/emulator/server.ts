import type { Socket } from "node:net";
import multipart from "@fastify/multipart";
import Fastify from "fastify";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AdminHooks } from "./admin.js";
import { registerAdminRoutes } from "./admin.js";
import type { EmulatorContext } from "./context.js";
import { asciiOnly, HttpError } from "./http/errors.js";
import { answerClientError, answerFrameworkError } from "./http/framework-errors.js";
import { requireToken } from "./http/auth.js";
import { checkJsonText, MAX_TEXT_LIMIT } from "./http/text-limits.js";
import { registerJobRoutes } from "./jobs/index.js";
import { registerCredentialRoutes } from "./routes/credentials.js";
import { registerCustomModelRoutes } from "./routes/custom-models.js";
import { registerEnvironmentRoutes } from "./routes/environments.js";
import { registerServiceRoutes } from "./routes/service.js";
import { registerVersionRoutes } from "./routes/versions.js";
import { uploadTooLarge } from "./blobs.js";

export interface ServerOptions {
  tokens: readonly string[];
  admin: AdminHooks;
}

const bytesSeen = new WeakMap<Socket, number>();

/** Sources the emulator does not offer (API.md §2.1, §13.1): a plain 404, not a 405 via `{id}`. */
const NOT_EMULATED = [
  /\/versions\/+(fromRepository|fromCodespace|toCodespace)\/*$/,
  /\/deployments\/+(fromLearningModel|fromLeaderboard)\/*$/,
  /\/modelPackages\/+(fromLeaderboard|fromCustomModelImage)\/*$/,
];
/** JSON bodies are parsed in one piece on the event loop: far below --max-upload, which is for files. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

/**
 * How long a connection may go on sending a body the answer did not read (a 413, 415 or 401 sent
 * early). Node discards those bytes so the client can read the answer (closing at once would reset
 * the connection under it); after this, the connection is closed.
 */
export const LINGER_MS = 5000;

function lingerThenClose(req: FastifyRequest): void {
  if (req.raw.complete) return;
  const timer = setTimeout(() => req.raw.socket.destroy(), LINGER_MS).unref();
  req.raw.once("end", () => clearTimeout(timer));
  req.raw.once("close", () => clearTimeout(timer));
}

/** Escapes every non-ASCII character: PY decodes error bodies as ASCII (API.md §0.3). */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Matches a concrete path against the registered templates, to tell 405 from 404. */
class RouteTable {
  private readonly routes: { method: string; pattern: RegExp }[] = [];

  add(method: string, url: string): void {
    const body = url
      .replace(/\/+$/, "")
      .split("/")
      .map((seg) => (seg.startsWith(":") ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("/");
    this.routes.push({ method, pattern: new RegExp(`^${body}/?$`) });
  }

  methodsFor(path: string): string[] {
    const clean = path.replace(/\/{2,}/g, "/");
    return [...new Set(this.routes.filter((r) => r.pattern.test(clean)).map((r) => r.method))];
  }
}

/** The fastify app: API routes under /api/v2, admin routes under /__emulator, every error as JSON. */
export async function buildServer(ctx: EmulatorContext, options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: ctx.config.maxUploadBytes,
    forceCloseConnections: true,
    // Malformed HTTP never reaches a route; still answer with the API's JSON error shape.
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
    // Never redirect (TF treats redirects as errors): the router itself ignores `/` differences.
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
  });
  const table = new RouteTable();
  app.addHook("onRoute", (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) if (m !== "HEAD") table.add(m, route.url);
  });

  await app.register(multipart, {
    // Part filenames are kept as sent (CMA sends paths); fileName must echo them (API.md §2.3).
    preservePath: true,
    limits: {
      // Our own meter enforces --max-upload per request (blobs.ts); busboy must not cut files short.
      fileSize: Number.MAX_SAFE_INTEGER,
      files: 100_000,
      fields: 100_000,
      parts: 200_000,
      // Longer values arrive truncated, and readMultipart refuses them (UTF-8: up to 4 bytes a character).
      fieldSize: 4 * MAX_TEXT_LIMIT,
    },
  });
  installBodyParsers(app, jsonBodyLimit(ctx));
  app.setReplySerializer((payload) => asciiJson(payload));

  app.addHook("onRequest", async (req, reply) => {
    options.admin.stats.count(`${req.method} ${req.routeOptions.url ?? "(unmatched)"}`);
    const path = req.url.split("?")[0] ?? "";
    if (/^\/+api\/+v2\/+ping\/*$/.test(path)) return;
    requireToken(req, options.tokens);
    // Refuse from the headers alone: never wait for (or read) a body that is declared too big.
    if (Number(req.headers["content-length"]) > ctx.config.maxUploadBytes)
      throw uploadTooLarge(ctx.config.maxUploadBytes);
    if (path.startsWith("/__emulator/")) return;
    await options.admin.faults.apply(req, reply);
  });
  const countBytes = (req: FastifyRequest): void => {
    const socket = req.raw.socket as Socket | null;
    if (!socket) return;
    const seen = bytesSeen.get(socket) ?? 0;
    options.admin.stats.bytesReceived += socket.bytesRead - seen;
    bytesSeen.set(socket, socket.bytesRead);
  };
  app.addHook("onResponse", (req, _reply, done) => {
    countBytes(req);
    lingerThenClose(req);
    done();
  });
  app.addHook("onRequestAbort", (req, done) => {
    countBytes(req);
    done();
  });
  app.addHook("onSend", async (_req, reply, payload) => {
    const type = reply.getHeader("content-type");
    if (typeof type === "string" && type.startsWith("application/json"))
      reply.header("content-type", "application/json");
    return payload;
  });

  // @fastify/multipart accepts multipart on every route; only upload routes read it (415 elsewhere).
  app.addHook("preValidation", (req, _reply, done) => {
    done(
      req.isMultipart() && req.routeOptions.config.multipart !== true ? unsupportedMediaType(req) : undefined,
    );
  });

  app.setErrorHandler((error: FastifyError | HttpError, _req, reply) => sendError(reply, error, ctx));
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split("?")[0] ?? "";
    const allowed = NOT_EMULATED.some((r) => r.test(path)) ? [] : table.methodsFor(path);
    if (allowed.length > 0) {
      void reply
        .code(405)
        .header("Allow", allowed.join(", "))
        .send({
          message: asciiOnly(`Method ${req.method} not allowed for ${path}; allowed: ${allowed.join(", ")}`),
        });
      return;
    }
    void reply.code(404).send({ message: asciiOnly(`Route not found: ${req.method} ${path}`) });
  });

  registerAdminRoutes(app, options.admin);
  await app.register(
    (api, _opts, done) => {
      registerServiceRoutes(api, ctx);
      registerCustomModelRoutes(api, ctx);
      registerVersionRoutes(api, ctx);
      registerEnvironmentRoutes(api, ctx);
      registerCredentialRoutes(api, ctx);
      registerJobRoutes(api, ctx);
      done();
    },
    { prefix: "/api/v2" },
  );
  return app;
}

function sendError(reply: FastifyReply, error: FastifyError | HttpError, ctx: EmulatorContext): void {
  if (reply.sent || reply.raw.headersSent) return;
  if (error instanceof HttpError) {
    const body: { message: string; errors?: Record<string, string> } = { message: asciiOnly(error.message) };
    if (error.errors)
      body.errors = Object.fromEntries(Object.entries(error.errors).map(([k, v]) => [k, asciiOnly(v)]));
    void reply.code(error.statusCode).headers(error.headers).send(body);
    return;
  }
  const status = error.statusCode ?? 500;
  if (status === 413) {
    // fastify's own 413 comes from the JSON parser's limit; multipart has its own meter (blobs.ts).
    const limit =
      error.code === "FST_ERR_CTP_BODY_TOO_LARGE" ? jsonBodyLimit(ctx) : ctx.config.maxUploadBytes;
    void reply.code(413).send({ message: uploadTooLarge(limit).message });
    return;
  }
  if (status === 415) {
    void reply.code(415).send({ message: asciiOnly(`Unsupported Content-Type: ${error.message}`) });
    return;
  }
  if (status >= 400 && status < 500) {
    // Malformed JSON or multipart: API.md §0.6 says 400.
    void reply.code(400).send({ message: asciiOnly(`Bad request: ${error.message}`) });
    return;
  }
  void reply.code(500).send({ message: asciiOnly(`Internal emulator error: ${error.message}`) });
}

const jsonBodyLimit = (ctx: EmulatorContext): number =>
  Math.min(MAX_JSON_BODY_BYTES, ctx.config.maxUploadBytes);

/**
 * JSON bodies may be empty or `null`; GET/DELETE bodies are ignored whatever they hold (§0.9). Every
 * string of a body is checked for well-formed text and its field's length limit (text-limits.ts).
 */
function installBodyParsers(app: FastifyInstance, jsonLimit: number): void {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser(
    "application/json",
    { parseAs: "string", bodyLimit: jsonLimit },
    (req, body, done) => {
      const text = typeof body === "string" ? body : body.toString("utf8");
      if (req.method === "GET" || req.method === "DELETE" || text.trim() === "") {
        done(null, undefined);
        return;
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        done(new HttpError(400, "The request body is not valid JSON"), undefined);
        return;
      }
      try {
        checkJsonText(value);
      } catch (error) {
        done(error as HttpError, undefined);
        return;
      }
      done(null, value);
    },
  );
  app.removeContentTypeParser("text/plain");
  app.addContentTypeParser("*", (req, payload, done) => {
    // An empty body is no body whatever its declared type (PY's bodiless POSTs); GET/DELETE bodies
    // are ignored. Anything else would be read as a request missing every field: 415.
    if (req.method === "GET" || req.method === "DELETE" || req.headers["content-length"] === "0") {
      payload.on("error", (e) => done(e, undefined));
      payload.on("end", () => done(null, undefined));
      payload.resume();
      return;
    }
    done(unsupportedMediaType(req), undefined);
  });
}

/** 415 naming the type sent and the ones the route reads. */
function unsupportedMediaType(req: FastifyRequest): HttpError {
  const sent = req.headers["content-type"] ?? "(none)";
  const wanted = req.routeOptions.config.multipart
    ? "multipart/form-data or application/json"
    : "application/json";
  return new HttpError(415, asciiOnly(`Unsupported Content-Type ${sent}: this route takes ${wanted}`));
}
