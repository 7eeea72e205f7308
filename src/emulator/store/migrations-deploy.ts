import type { Migration } from "./migration.js";

/**
 * Schema of registered models, model packages, prediction environments and deployments (API.md §13),
 * applied after the "jobs-*" migrations. Rows hold the whole record as JSON (`doc`, see doc-table.ts);
 * columns exist only for lookups, uniqueness, ordering and cascades. Packages keep no foreign key to
 * versions: a model with packages but no deployment may be deleted and its packages stay (§13.10).
 */
export const deployMigrations: Migration[] = [
  {
    name: "deploy-001",
    up: (db) =>
      db.exec(`
        CREATE TABLE registered_models (
          seq       INTEGER PRIMARY KEY AUTOINCREMENT,
          id        TEXT NOT NULL UNIQUE,
          name      TEXT NOT NULL UNIQUE,
          is_global INTEGER NOT NULL,
          doc       TEXT NOT NULL
        );
        CREATE TABLE model_packages (
          seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
          id                  TEXT NOT NULL UNIQUE,
          version_id          TEXT NOT NULL,
          custom_model_id     TEXT NOT NULL,
          registered_model_id TEXT REFERENCES registered_models(id) ON DELETE CASCADE,
          doc                 TEXT NOT NULL
        );
        CREATE INDEX model_packages_version ON model_packages (version_id, seq);
        CREATE INDEX model_packages_registered ON model_packages (registered_model_id, seq);
        CREATE TABLE prediction_environments (
          seq     INTEGER PRIMARY KEY AUTOINCREMENT,
          id      TEXT NOT NULL UNIQUE,
          name    TEXT NOT NULL,
          builtin INTEGER NOT NULL,
          doc     TEXT NOT NULL
        );
        CREATE TABLE deployments (
          seq                       INTEGER PRIMARY KEY AUTOINCREMENT,
          id                        TEXT NOT NULL UNIQUE,
          label                     TEXT NOT NULL,
          user_provided_id          TEXT UNIQUE,
          model_package_id          TEXT NOT NULL REFERENCES model_packages(id),
          prediction_environment_id TEXT NOT NULL REFERENCES prediction_environments(id),
          doc                       TEXT NOT NULL
        );
        CREATE TABLE challengers (
          seq                       INTEGER PRIMARY KEY AUTOINCREMENT,
          id                        TEXT NOT NULL UNIQUE,
          deployment_id             TEXT NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
          model_package_id          TEXT NOT NULL REFERENCES model_packages(id),
          prediction_environment_id TEXT NOT NULL REFERENCES prediction_environments(id),
          is_champion               INTEGER NOT NULL,
          doc                       TEXT NOT NULL
        );
        CREATE INDEX challengers_deployment ON challengers (deployment_id, seq);
        CREATE TABLE deployment_logs (
          seq           INTEGER PRIMARY KEY AUTOINCREMENT,
          id            TEXT NOT NULL UNIQUE,
          deployment_id TEXT NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
          doc           TEXT NOT NULL
        );
      `),
  },
];
