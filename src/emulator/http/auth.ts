import { timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { HttpError } from "./errors.js";

/** `Authorization: Bearer <t>` or `Token <t>`, scheme case-insensitive (API.md §0.2). */
export function presentedToken(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== "string") return undefined;
  const m = /^(bearer|token)\s+(\S+)\s*$/i.exec(header);
  return m?.[2];
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Throws the API's 401 unless the request carries one of the configured tokens. */
export function requireToken(req: FastifyRequest, tokens: readonly string[]): void {
  const token = presentedToken(req);
  if (token === undefined || !tokens.some((t) => same(t, token)))
    throw new HttpError(401, "Invalid or missing API token");
}
