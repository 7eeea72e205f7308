import type { FastifyRequest } from "fastify";
import { invalid } from "./errors.js";

export interface PageParams {
  offset: number;
  limit: number;
}

/** The list limits of API.md §0.5 (environments use 20/100). */
export interface PageLimits {
  defaultLimit: number;
  maxLimit: number;
}

export const DEFAULT_LIMITS: PageLimits = { defaultLimit: 100, maxLimit: 1000 };

/** The largest `offset` accepted; beyond it SQLite (and any real list) has nothing to skip to. */
export const MAX_OFFSET = 2_147_483_647;

/**
 * Reads `offset`/`limit`: 422 on negative or non-integer values and on an offset above MAX_OFFSET;
 * limit 0 = default, larger limits clamped to the max (API.md §0.5).
 */
export function pageParams(req: FastifyRequest, limits: PageLimits = DEFAULT_LIMITS): PageParams {
  const q = searchParams(req);
  const offset = integerParam(q.get("offset"), "offset") ?? 0;
  if (offset > MAX_OFFSET) throw invalid("offset", `offset must be at most ${MAX_OFFSET}`);
  const rawLimit = integerParam(q.get("limit"), "limit") ?? 0;
  const limit = rawLimit === 0 ? limits.defaultLimit : Math.min(rawLimit, limits.maxLimit);
  return { offset, limit };
}

/** A decimal integer; digits beyond a float's precision still compare correctly against the bounds. */
function integerParam(value: string | null, name: string): number | undefined {
  if (value === null || value === "") return undefined;
  if (!/^\d+$/.test(value))
    throw invalid(name, `${name} must be a non-negative integer, got "${value.slice(0, 40)}"`);
  return Number(value);
}

/** The request's query string with every repeated parameter, in order. */
export function searchParams(req: FastifyRequest): URLSearchParams {
  const i = req.url.indexOf("?");
  return new URLSearchParams(i < 0 ? "" : req.url.slice(i + 1));
}

export interface Page<T> {
  count: number;
  totalCount: number;
  next: string | null;
  previous: string | null;
  data: T[];
}

/**
 * Builds `{count, totalCount, next, previous, data}`. `next`/`previous` are absolute and repeat every
 * query parameter of the request with the new `offset` and an explicit `limit` (API.md §0.5).
 */
export function page<T>(
  req: FastifyRequest,
  baseUrl: string,
  params: PageParams,
  data: T[],
  totalCount: number,
): Page<T> {
  const link = (offset: number): string => {
    const q = searchParams(req);
    q.set("offset", String(offset));
    q.set("limit", String(params.limit));
    return `${baseUrl}${apiRelativePath(req)}?${q.toString()}`;
  };
  const hasNext = params.offset + data.length < totalCount && data.length > 0;
  return {
    count: data.length,
    totalCount,
    next: hasNext ? link(params.offset + data.length) : null,
    previous: params.offset > 0 ? link(Math.max(0, params.offset - params.limit)) : null,
    data,
  };
}

/** The request path below `/api/v2/`, slashes collapsed, with a trailing slash (API.md §0.1). */
export function apiRelativePath(req: FastifyRequest): string {
  const path = (req.url.split("?")[0] ?? "").replace(/\/{2,}/g, "/");
  const rel = path.replace(/^\/api\/v2\/?/, "");
  return rel === "" || rel.endsWith("/") ? rel : `${rel}/`;
}
