import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the server received, so tests assert on the wire, not on the client's intentions. */
export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type Handler = (req: Received, res: ServerResponse, raw: IncomingMessage) => void | Promise<void>;

export interface BareServer {
  /** `http://127.0.0.1:PORT/api/v2` */
  endpoint: string;
  origin: string;
  received: Received[];
  close(): Promise<void>;
}

/** A plain http server on port 0 that records every request and delegates the answer to `handler`. */
export async function startBareServer(handler: Handler): Promise<BareServer> {
  const received: Received[] = [];
  const server = createServer((raw, res) => {
    const chunks: Buffer[] = [];
    raw.on("data", (c: Buffer) => chunks.push(c));
    raw.on("end", () => {
      const req: Received = {
        method: raw.method ?? "",
        url: raw.url ?? "",
        headers: raw.headers,
        body: Buffer.concat(chunks),
      };
      received.push(req);
      void Promise.resolve(handler(req, res, raw)).catch((error: unknown) => {
        res.statusCode = 599;
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    endpoint: `${origin}/api/v2`,
    origin,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers JSON the way DataRobot does (exact content type, API.md §0.3). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** Parses a multipart body in order with the platform's own parser (undici). */
export async function parseMultipart(req: Received): Promise<[string, string | File][]> {
  const form = await new Response(req.body, {
    headers: { "content-type": String(req.headers["content-type"]) },
  }).formData();
  return [...form.entries()];
}

/** Records requested sleeps instead of waiting, so retry delays are asserted without timing. */
export function recordingSleep(): { sleeps: number[]; sleep: (ms: number) => Promise<void> } {
  const sleeps: number[] = [];
  return {
    sleeps,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
  };
}

export const TOKEN = "tok-SECRET-0123456789abcdef";
