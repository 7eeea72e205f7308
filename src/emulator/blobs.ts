import { createHash, randomBytes } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { Transform } from "node:stream";
import { pipeToFile } from "../file-stream.js";
import { HttpError } from "./http/errors.js";

/** A stored file: its content address and length. */
export interface BlobRef {
  sha256: string;
  size: number;
}

/** Bytes still allowed in one request; shared by all of its parts (API.md §0.6, 413). */
export interface UploadBudget {
  readonly limit: number;
  remaining: number;
}

export function uploadBudget(limit: number): UploadBudget {
  return { limit, remaining: limit };
}

export function uploadTooLarge(limit: number): HttpError {
  return new HttpError(413, `Upload exceeds ${limit} bytes`);
}

/**
 * The blobs one request stored. If the request fails, `discard()` removes those it created that no
 * other upload stored meanwhile, so a refused or broken upload leaves no file behind.
 */
export class BlobLease {
  readonly created = new Set<string>();
  constructor(private readonly store: BlobStore) {}

  discard(): void {
    for (const sha256 of this.created) this.store.discardUnshared(sha256);
    this.created.clear();
  }
}

/**
 * Content-addressed files under `<root>/ab/cdef...`. Writes stream to `<root>/tmp/` while hashing and
 * are renamed into place at the end, so a reader never sees half a blob, identical content is stored
 * once, and a failed or oversized upload leaves nothing behind.
 */
export class BlobStore {
  readonly root: string;
  private readonly tmp: string;
  /** Blobs stored more than once, or without a lease, in this process: never discarded. */
  private readonly shared = new Set<string>();

  constructor(root: string) {
    this.root = root;
    this.tmp = join(root, "tmp");
    mkdirSync(this.tmp, { recursive: true });
  }

  /** Where a blob lives; it may not exist. */
  path(sha256: string): string {
    return join(this.root, sha256.slice(0, 2), sha256.slice(2));
  }

  has(sha256: string): boolean {
    return existsSync(this.path(sha256));
  }

  open(sha256: string): Readable {
    return createReadStream(this.path(sha256));
  }

  /** Whole content; only for small files the emulator must parse (requirements.txt, metadata). */
  readBuffer(sha256: string): Buffer {
    return readFileSync(this.path(sha256));
  }

  /**
   * Streams `source` into the store. Rejects with 413 (and stops reading) once the budget is spent,
   * and with the stream's error when `signal` aborts or the source fails; the temp file is removed.
   */
  async put(
    source: Readable,
    budget?: UploadBudget,
    signal?: AbortSignal,
    lease?: BlobLease,
  ): Promise<BlobRef> {
    const hash = createHash("sha256");
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (budget) {
          budget.remaining -= chunk.length;
          if (budget.remaining < 0) return done(uploadTooLarge(budget.limit));
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const temp = join(this.tmp, `${Date.now()}-${randomBytes(8).toString("hex")}`);
    try {
      // Settles only once the temp file is closed, so the removal below cannot come before it.
      await pipeToFile([source, meter], temp, { signal });
      const sha256 = hash.digest("hex");
      this.commit(temp, sha256, lease);
      return { sha256, size };
    } catch (error) {
      await rm(temp, { force: true });
      // Drain what is left so the client sees our 413 instead of a reset connection.
      if (!source.destroyed) source.resume();
      throw error;
    }
  }

  /** Stores an in-memory buffer (seed data, generated files). */
  async putBuffer(content: Buffer): Promise<BlobRef> {
    const sha256 = createHash("sha256").update(content).digest("hex");
    if (!this.has(sha256)) {
      const temp = join(this.tmp, `${Date.now()}-${randomBytes(8).toString("hex")}`);
      await writeFile(temp, content);
      this.commit(temp, sha256);
    }
    return { sha256, size: content.length };
  }

  /** Removes temp files a crash or kill left behind; called at start, before any upload. */
  async clearTemp(): Promise<void> {
    await rm(this.tmp, { recursive: true, force: true });
    mkdirSync(this.tmp, { recursive: true });
  }

  /** A lease for one request's uploads (see BlobLease). */
  lease(): BlobLease {
    return new BlobLease(this);
  }

  /** Removes a blob unless another upload stored it too (called by BlobLease.discard). */
  discardUnshared(sha256: string): void {
    if (!this.shared.has(sha256)) rmSync(this.path(sha256), { force: true });
  }

  /** Removes every blob and temp file (POST /__emulator/reset). */
  async clear(): Promise<void> {
    this.shared.clear();
    await rm(this.root, { recursive: true, force: true });
    mkdirSync(this.tmp, { recursive: true });
  }

  // Synchronous on purpose: the exists check and the rename must not interleave with a discard.
  private commit(temp: string, sha256: string, lease?: BlobLease): void {
    const target = this.path(sha256);
    mkdirSync(join(this.root, sha256.slice(0, 2)), { recursive: true });
    if (existsSync(target)) {
      rmSync(temp, { force: true });
      this.shared.add(sha256);
      return;
    }
    // rename is atomic: a reader never sees half a blob.
    renameSync(temp, target);
    if (lease) lease.created.add(sha256);
    else this.shared.add(sha256);
  }
}
