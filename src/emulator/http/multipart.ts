import type { FastifyReply, FastifyRequest } from "fastify";
import type { BlobLease, BlobRef, BlobStore, UploadBudget } from "../blobs.js";
import { HttpError, invalid } from "./errors.js";
import { checkText, MAX_TEXT_LIMIT } from "./text-limits.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route reads multipart bodies (uploads); every other route refuses them with 415. */
    multipart?: boolean;
  }
}

/** Route options of the upload routes: multipart bodies are accepted (see server.ts, 415). */
export const MULTIPART_ROUTE = { config: { multipart: true } } as const;

/** One part of a multipart body, in arrival order; file contents are already in the blob store. */
export type Part =
  | { kind: "field"; name: string; value: string }
  | { kind: "file"; name: string; filename: string; blob: BlobRef };

/** Aborts when the client goes away before we answered (so a half upload is dropped). */
export function disconnectSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.on("close", () => {
    if (!reply.raw.writableFinished) controller.abort(new Error("client disconnected"));
  });
  return controller.signal;
}

/** A field's text, checked like a JSON body's strings; a value busboy cut short is over every limit. */
export function fieldValue(
  part: { fieldname: string; value: unknown; valueTruncated: boolean },
  budget: UploadBudget,
): string {
  if (part.valueTruncated)
    throw invalid(part.fieldname, `${part.fieldname} must be at most ${MAX_TEXT_LIMIT} characters`);
  const value = typeof part.value === "string" ? part.value : JSON.stringify(part.value);
  budget.remaining -= value.length;
  checkText(value, part.fieldname);
  return value;
}

/**
 * Reads every part in order, streaming files into `blobs` (never buffered whole) within `budget`;
 * the caller discards `lease` if the request fails afterwards.
 * Throws 400 for a body that is not multipart; nothing is written to the database here.
 */
export async function readMultipart(
  req: FastifyRequest,
  reply: FastifyReply,
  blobs: BlobStore,
  budget: UploadBudget,
  lease?: BlobLease,
): Promise<Part[]> {
  if (!req.isMultipart()) throw new HttpError(400, "Expected a multipart/form-data body");
  const signal = disconnectSignal(reply);
  const parts: Part[] = [];
  try {
    for await (const part of req.parts()) {
      if (part.type === "file") {
        checkText(part.filename, part.fieldname, "fileName");
        const blob = await blobs.put(part.file, budget, signal, lease);
        parts.push({ kind: "file", name: part.fieldname, filename: part.filename, blob });
      } else {
        parts.push({ kind: "field", name: part.fieldname, value: fieldValue(part, budget) });
      }
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    if (signal.aborted) throw new HttpError(400, "The client disconnected during the upload");
    // busboy's errors (no boundary, truncated parts) are the client's fault: 400, not 500.
    const reason = error instanceof Error ? error.message : String(error);
    throw new HttpError(400, `The request body is not valid multipart/form-data: ${reason}`);
  }
  if (signal.aborted) throw new HttpError(400, "The client disconnected during the upload");
  return parts;
}
