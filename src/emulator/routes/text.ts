import type { FastifyReply } from "fastify";

/** Logs are plain UTF-8 text (API.md §0.3). */
export function sendText(reply: FastifyReply, text: string): FastifyReply {
  return reply.code(200).header("Content-Type", "text/plain; charset=utf-8").send(text);
}

/** The last `n` lines of a log, keeping its trailing newline. */
export function tailLines(text: string, n: number): string {
  const lines = text.split("\n");
  const trailing = lines.at(-1) === "" ? lines.pop() : undefined;
  const tail = lines.slice(-n).join("\n");
  return trailing === undefined ? tail : `${tail}\n`;
}
