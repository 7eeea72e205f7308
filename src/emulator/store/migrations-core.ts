import type { Migration } from "./migration.js";

/**
 * Schema of models, versions, environments and credentials. Each table has an integer `seq` in
 * creation order (lists are newest first, ties by creation) and a JSON `doc` for the fields no query
 * filters on; columns exist only for lookups, uniqueness and ordering.
 */
export const coreMigrations: Migration[] = [
  {
    name: "core-001",
    up(db) {
      db.exec(`
        CREATE TABLE credentials (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          name TEXT NOT NULL UNIQUE,
          credential_type TEXT NOT NULL,
          description TEXT NOT NULL,
          created TEXT NOT NULL,
          secrets TEXT NOT NULL
        );
        CREATE TABLE environments (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          name TEXT NOT NULL,
          builtin INTEGER NOT NULL DEFAULT 0,
          created TEXT NOT NULL,
          doc TEXT NOT NULL
        );
        CREATE TABLE environment_versions (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
          build_status TEXT NOT NULL,
          created TEXT NOT NULL,
          doc TEXT NOT NULL
        );
        CREATE INDEX environment_versions_env ON environment_versions(environment_id, seq);
        CREATE TABLE models (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          user_provided_id TEXT UNIQUE,
          name TEXT NOT NULL,
          created TEXT NOT NULL,
          updated TEXT NOT NULL,
          doc TEXT NOT NULL
        );
        CREATE TABLE versions (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          model_id TEXT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
          major INTEGER NOT NULL,
          minor INTEGER NOT NULL,
          is_frozen INTEGER NOT NULL DEFAULT 0,
          created TEXT NOT NULL,
          doc TEXT NOT NULL,
          UNIQUE (model_id, major, minor)
        );
        CREATE INDEX versions_model ON versions(model_id, seq);
        CREATE TABLE version_items (
          version_id TEXT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
          ord INTEGER NOT NULL,
          id TEXT NOT NULL,
          file_path TEXT NOT NULL,
          file_name TEXT NOT NULL,
          sha256 TEXT NOT NULL,
          size INTEGER NOT NULL,
          created TEXT NOT NULL,
          PRIMARY KEY (version_id, file_path)
        );
      `);
    },
  },
];
