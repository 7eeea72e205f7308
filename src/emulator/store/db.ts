import BetterSqlite3 from "better-sqlite3";
import type { Database } from "better-sqlite3";
import { coreMigrations } from "./migrations-core.js";
import { deployMigrations } from "./migrations-deploy.js";
import { jobMigrations } from "./migrations-jobs.js";
import type { Migration } from "./migration.js";

/** Opens (creating if needed) the emulator database and brings its schema up to date. */
export function openDatabase(file: string): Database {
  const db = new BetterSqlite3(file);
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  // Several requests wait on one another only inside this process; a busy wait covers a second one.
  db.pragma("busy_timeout = 5000");
  applyMigrations(db, [...coreMigrations, ...jobMigrations, ...deployMigrations]);
  return db;
}

/** Applies each migration not yet recorded, each in its own transaction, in list order. */
export function applyMigrations(db: Database, migrations: readonly Migration[]): string[] {
  db.exec("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied TEXT NOT NULL)");
  const done = new Set(
    db
      .prepare<[], { name: string }>("SELECT name FROM migrations")
      .all()
      .map((r) => r.name),
  );
  const applied: string[] = [];
  const record = db.prepare("INSERT INTO migrations (name, applied) VALUES (?, ?)");
  for (const m of migrations) {
    if (done.has(m.name)) continue;
    db.transaction(() => {
      m.up(db);
      record.run(m.name, new Date().toISOString());
    })();
    applied.push(m.name);
  }
  return applied;
}

/** Deletes every row of every table except `migrations` (POST /__emulator/reset). */
export function clearAllTables(db: Database): void {
  const tables = db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('migrations') AND name NOT LIKE 'sqlite_%'",
    )
    .all();
  db.transaction(() => {
    // Order does not matter: foreign keys are checked at commit time.
    db.pragma("defer_foreign_keys = ON");
    for (const t of tables) db.exec(`DELETE FROM "${t.name}"`);
  })();
}

/** Flushes the WAL into the main file so a stopped emulator's directory is self-contained. */
export function closeDatabase(db: Database): void {
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
}
