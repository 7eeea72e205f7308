import type { Migration } from "./migration.js";

/**
 * Schema of the async side of the emulator (jobs, tests, dependency builds, datasets, feature impact,
 * conversions); environment builds and training data live in the core tables they change. Applied in order, by name, after the "core-*" migrations of migrations-core.ts;
 * an applied migration is never edited: add "jobs-00N" instead.
 */
export const jobMigrations: Migration[] = [
  {
    name: "jobs-001",
    up: (db) =>
      db.exec(`
        CREATE TABLE jobs (
          status_id   TEXT PRIMARY KEY,
          type        TEXT NOT NULL,
          payload     TEXT NOT NULL,
          state       TEXT NOT NULL,
          created     INTEGER NOT NULL,
          started     INTEGER,
          duration_ms INTEGER NOT NULL,
          finished    INTEGER,
          result_path TEXT,
          message     TEXT NOT NULL DEFAULT '',
          code        INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX jobs_open ON jobs (state) WHERE state IN ('INITIALIZED', 'RUNNING');

        CREATE TABLE custom_model_tests (
          id               TEXT PRIMARY KEY,
          seq              INTEGER NOT NULL,
          custom_model_id  TEXT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
          version_id       TEXT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
          status_id        TEXT NOT NULL,
          overall_status   TEXT NOT NULL,
          testing_status   TEXT NOT NULL,
          configuration    TEXT NOT NULL,
          parameters       TEXT NOT NULL,
          settings         TEXT NOT NULL,
          log              TEXT NOT NULL DEFAULT '',
          created          TEXT NOT NULL,
          completed_at     TEXT
        );
        CREATE INDEX custom_model_tests_model ON custom_model_tests (custom_model_id, seq);

        CREATE TABLE dependency_builds (
          version_id       TEXT PRIMARY KEY REFERENCES versions(id) ON DELETE CASCADE,
          custom_model_id  TEXT NOT NULL,
          status_id        TEXT NOT NULL,
          build_status     TEXT NOT NULL,
          build_start      TEXT NOT NULL,
          build_end        TEXT,
          log              TEXT NOT NULL DEFAULT ''
        );


        CREATE TABLE datasets (
          id               TEXT PRIMARY KEY,
          seq              INTEGER NOT NULL,
          version_id       TEXT NOT NULL,
          name             TEXT NOT NULL,
          description      TEXT,
          categories       TEXT NOT NULL,
          blob             TEXT NOT NULL,
          size             INTEGER NOT NULL,
          processing_state TEXT NOT NULL,
          error            TEXT NOT NULL DEFAULT '',
          row_count        INTEGER,
          columns          TEXT,
          created          TEXT NOT NULL,
          modified         TEXT NOT NULL,
          deleted          INTEGER NOT NULL DEFAULT 0
        );



        CREATE TABLE feature_impacts (
          version_id  TEXT PRIMARY KEY REFERENCES versions(id) ON DELETE CASCADE,
          status_id   TEXT NOT NULL,
          done        INTEGER NOT NULL DEFAULT 0
        );

        CREATE TABLE conversions (
          id                   TEXT PRIMARY KEY,
          seq                  INTEGER NOT NULL,
          version_id           TEXT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
          main_program_item_id TEXT NOT NULL,
          status_id            TEXT NOT NULL,
          created              TEXT NOT NULL,
          in_progress          INTEGER NOT NULL,
          succeeded            INTEGER NOT NULL DEFAULT 0,
          should_stop          INTEGER NOT NULL DEFAULT 0,
          log_message          TEXT NOT NULL DEFAULT ''
        );
      `),
  },
];
