import type { Database } from "better-sqlite3";

/** One named, append-only schema step. Never edit a released one; add the next name instead. */
export interface Migration {
  /** "core-001", "jobs-001", ...: applied once, in list order, recorded in `migrations`. */
  name: string;
  up(db: Database): void;
}
