import type { Socket } from "node:net";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { asciiOnly } from "./errors.js";

/** Node's parser limit on the request line plus headers (`--max-http-header-size`, default 16 KiB). */
const LONG_REQUEST_LINE = 8 * 1024;

/** Node's parse error; `rawPacket` is what the parser was reading (a Buffer, whatever fastify's type says). */
type ClientError = Error & { code?: string; rawPacket?: unknown };

/** The status Node's HTTP parser failure stands for (Node's own choice, plus 414 for a long URL). */
function clientErrorStatus(error: ClientError): [number, string, string] {
  if (error.code === "HPE_HEADER_OVERFLOW") {
    const raw = Buffer.isBuffer(error.rawPacket) ? error.rawPacket.toString("latin1") : "";
    const firstLine = raw.split("\r\n", 1)[0] ?? "";
    // The request line itself overflowed (not a header: those start with `name:`).
    if (firstLine.length > LONG_REQUEST_LINE && !/^[!-9;-~]+:/.test(firstLine))
      return [414, "URI Too Long", "The request URL is too long"];
    return [431, "Request Header Fields Too Large", "The request headers are too large"];
  }
  if (error.code === "ERR_HTTP_REQUEST_TIMEOUT")
    return [408, "Request Timeout", "The request was not received in time"];
  if (error.code === "HPE_CHUNK_EXTENSIONS_OVERFLOW")
    return [413, "Payload Too Large", "The chunk extensions are too large"];
  return [400, "Bad Request", `Bad request: ${error.message}`];
}

/**
 * Answers HTTP that never reaches fastify (malformed, or over Node's limits) with the API's JSON
 * error shape (API.md §0.3, §0.6), then closes the connection: the rest of it cannot be parsed.
 */
export function answerClientError(error: ClientError, socket: Socket): void {
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, message] = clientErrorStatus(error);
  const body = JSON.stringify({ message: asciiOnly(message) });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nConnection: close\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * fastify's router errors, which skip the error handler: a path segment it cannot decode or longer
 * than `maxParamLength` cannot be an id, so it is the API's 404 (API.md §0.6: malformed id).
 */
export function answerFrameworkError(error: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const notAnId = error.code === "FST_ERR_BAD_URL" || error.code === "FST_ERR_MAX_PARAM_LENGTH";
  const why = error.code === "FST_ERR_BAD_URL" ? "is not valid URL encoding" : "is too long to be an id";
  const message = notAnId
    ? `Resource not found: a segment of the path ${why}`
    : asciiOnly(`Internal emulator error: ${error.message}`);
  // This reply skips the app's hooks, and fastify would add a charset: write it raw (API.md §0.3).
  const body = JSON.stringify({ message });
  reply.hijack();
  reply.raw.writeHead(notAnId ? 404 : 500, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  reply.raw.end(body);
}
