import type { z } from "zod";
import { DrgitopsError } from "../errors.js";
import type { HttpClient, Sleep, UploadProgress } from "./http.js";
import type { PollDefaults } from "./waiters.js";

/** What every resource module gets: the one HTTP client and the waiting defaults. */
export interface ResourceContext {
  http: HttpClient;
  poll: PollDefaults;
  sleep: Sleep;
}

/** Checks a typed input before anything is sent, naming the field, so bad input costs no request. */
export function checkInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(input)"}: ${i.message}`).join("; ");
  throw new DrgitopsError("invalid-request", `Invalid ${what}: ${issues}`);
}

/** Encodes an id for a path segment (ids are opaque strings, API.md §0.4). */
export const seg = (id: string): string => encodeURIComponent(id);

/** Per-call options of uploads; a bare AbortSignal is accepted too (the common case). */
export interface UploadOptions {
  signal?: AbortSignal | undefined;
  onUploadProgress?: ((progress: UploadProgress) => void) | undefined;
}

export function uploadOptions(options: AbortSignal | UploadOptions | undefined): UploadOptions {
  return options instanceof AbortSignal ? { signal: options } : (options ?? {});
}
