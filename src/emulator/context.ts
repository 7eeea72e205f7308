import type { Database } from "better-sqlite3";
import type { FastifyRequest } from "fastify";
import type { BlobStore } from "./blobs.js";
import type { Scenario } from "./domain/scenario.js";
import type { JobRunner } from "./jobs/runner.js";

/** Settings every route may read; fixed for the life of one emulator process. */
export interface EmulatorConfig {
  /** Default duration of every job (0 = the first poll already shows the final state). */
  jobDurationMs: number;
  /** The single user; every `createdBy` holds it (API.md §0.2). */
  username: string;
  /** Request bodies above this many bytes get 413 (API.md §0.6). */
  maxUploadBytes: number;
  /** Absolute base for generated URLs instead of the request's Host, e.g. behind a proxy. */
  publicUrl?: string;
  /** Scripted outcomes (parsed by domain/scenario.ts); undefined = outcomes only from real checks. */
  scenario?: Scenario;
}

/** What a route module gets: the shared state of one emulator instance. */
export interface EmulatorContext {
  db: Database;
  blobs: BlobStore;
  jobs: JobRunner;
  config: EmulatorConfig;
  /** ISO-8601 UTC with microseconds and `Z`, strictly increasing within the process. */
  now(): string;
  /** A new resource id: 24 lowercase hex characters (ObjectId style). */
  newId(): string;
  /** Absolute `.../api/v2/` of this request (publicUrl, else scheme + Host); ends with `/`. */
  baseUrl(req: FastifyRequest): string;
  /** Runs `fn` in one SQLite transaction (nested calls join the outer one). */
  tx<T>(fn: () => T): T;
}
