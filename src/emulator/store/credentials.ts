import { createHash } from "node:crypto";
import type { Database } from "better-sqlite3";
import { stmt } from "./statements.js";

export interface CredentialRecord {
  id: string;
  name: string;
  credentialType: string;
  description: string;
  created: string;
}

interface Row {
  id: string;
  name: string;
  credential_type: string;
  description: string;
  created: string;
}

const COLUMNS = "id, name, credential_type, description, created";

function fromRow(r: Row): CredentialRecord {
  return {
    id: r.id,
    name: r.name,
    credentialType: r.credential_type,
    description: r.description,
    created: r.created,
  };
}

export function getCredentialRecord(db: Database, id: string): CredentialRecord | undefined {
  const r = stmt<[string], Row>(db, `SELECT ${COLUMNS} FROM credentials WHERE id = ?`).get(id);
  return r ? fromRow(r) : undefined;
}

export function findCredentialByName(db: Database, name: string): CredentialRecord | undefined {
  const r = stmt<[string], Row>(db, `SELECT ${COLUMNS} FROM credentials WHERE name = ?`).get(name);
  return r ? fromRow(r) : undefined;
}

/**
 * No route ever returns a secret (API.md §9.1) and the emulator runs nothing that would use one, so
 * only a digest is kept: secrets never reach the data directory.
 */
function secretsDigest(previous: string, secrets: Record<string, unknown>): string {
  const canonical = JSON.stringify(Object.entries(secrets).sort(([a], [b]) => a.localeCompare(b)));
  return `sha256:${createHash("sha256").update(previous).update(canonical).digest("hex")}`;
}

export function insertCredentialRecord(
  db: Database,
  c: CredentialRecord,
  secrets: Record<string, unknown>,
): void {
  stmt(
    db,
    "INSERT INTO credentials (id, name, credential_type, description, created, secrets) VALUES (?, ?, ?, ?, ?, ?)",
  ).run(c.id, c.name, c.credentialType, c.description, c.created, secretsDigest("", secrets));
}

/** Renames or re-describes; new secret fields change the stored digest. */
export function updateCredentialRecord(
  db: Database,
  c: CredentialRecord,
  secrets: Record<string, unknown>,
): void {
  const current = stmt<[string], { secrets: string }>(db, "SELECT secrets FROM credentials WHERE id = ?").get(
    c.id,
  );
  const previous = current?.secrets ?? "";
  const digest = Object.keys(secrets).length > 0 ? secretsDigest(previous, secrets) : previous;
  stmt(db, "UPDATE credentials SET name = ?, description = ?, secrets = ? WHERE id = ?").run(
    c.name,
    c.description,
    digest,
    c.id,
  );
}

export function deleteCredentialRecord(db: Database, id: string): boolean {
  return stmt(db, "DELETE FROM credentials WHERE id = ?").run(id).changes > 0;
}

export function listCredentialRecords(
  db: Database,
  q: { offset: number; limit: number },
): { records: CredentialRecord[]; total: number } {
  const total = stmt<[], { n: number }>(db, "SELECT count(*) AS n FROM credentials").get()?.n ?? 0;
  const rows = stmt<[number, number], Row>(
    db,
    `SELECT ${COLUMNS} FROM credentials ORDER BY seq DESC LIMIT ? OFFSET ?`,
  ).all(q.limit, q.offset);
  return { records: rows.map(fromRow), total };
}
