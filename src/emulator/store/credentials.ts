import type { Database } from "better-sqlite3";

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
  const r = db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM credentials WHERE id = ?`).get(id);
  return r ? fromRow(r) : undefined;
}

export function findCredentialByName(db: Database, name: string): CredentialRecord | undefined {
  const r = db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM credentials WHERE name = ?`).get(name);
  return r ? fromRow(r) : undefined;
}

/** Secrets are stored opaque and never read back by any route (API.md §9.1). */
export function insertCredentialRecord(
  db: Database,
  c: CredentialRecord,
  secrets: Record<string, unknown>,
): void {
  db.prepare(
    "INSERT INTO credentials (id, name, credential_type, description, created, secrets) VALUES (?, ?, ?, ?, ?, ?)",
  ).run(c.id, c.name, c.credentialType, c.description, c.created, JSON.stringify(secrets));
}

export function updateCredentialRecord(
  db: Database,
  c: CredentialRecord,
  secrets: Record<string, unknown>,
): void {
  const current = db
    .prepare<[string], { secrets: string }>("SELECT secrets FROM credentials WHERE id = ?")
    .get(c.id);
  const merged = { ...(JSON.parse(current?.secrets ?? "{}") as Record<string, unknown>), ...secrets };
  db.prepare("UPDATE credentials SET name = ?, description = ?, secrets = ? WHERE id = ?").run(
    c.name,
    c.description,
    JSON.stringify(merged),
    c.id,
  );
}

export function deleteCredentialRecord(db: Database, id: string): boolean {
  return db.prepare("DELETE FROM credentials WHERE id = ?").run(id).changes > 0;
}

export function listCredentialRecords(
  db: Database,
  q: { offset: number; limit: number },
): { records: CredentialRecord[]; total: number } {
  const total = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM credentials").get()?.n ?? 0;
  const rows = db
    .prepare<[number, number], Row>(`SELECT ${COLUMNS} FROM credentials ORDER BY seq DESC LIMIT ? OFFSET ?`)
    .all(q.limit, q.offset);
  return { records: rows.map(fromRow), total };
}
