import type { z } from "zod";
import { ApiError } from "./errors.js";
import type { HttpClient, Query } from "./http.js";
import { pageSchema, type Page } from "./wire/common.js";

/** One page of a list endpoint (API.md §0.5). */
export async function fetchPage<S extends z.ZodType>(
  http: HttpClient,
  path: string,
  query: Query | undefined,
  item: S,
  signal?: AbortSignal,
): Promise<Page<z.infer<S>>> {
  return http.json({ method: "GET", path, query, signal }, pageSchema(item));
}

/**
 * Every item of a list, following `next` exactly as the server gives it (it repeats filters and
 * order); a `next` seen twice means a looping server, which would otherwise never end.
 */
export async function* paginate<S extends z.ZodType>(
  http: HttpClient,
  path: string,
  query: Query | undefined,
  item: S,
  signal?: AbortSignal,
): AsyncGenerator<z.infer<S>, void, undefined> {
  let page = await fetchPage(http, path, query, item, signal);
  const seen = new Set<string>();
  for (;;) {
    yield* page.data;
    const next = page.next;
    if (next === null || next === undefined || next === "" || page.data.length === 0) return;
    if (seen.has(next)) {
      throw new ApiError("invalid-response", `GET ${next} was returned as "next" twice; the listing loops`, {
        method: "GET",
        url: next,
      });
    }
    seen.add(next);
    page = await fetchPage(http, next, undefined, item, signal);
  }
}

/** Collects an async iterable (lists are small enough to hold; the iterator is there for streaming). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
