import type { Database } from "better-sqlite3";
import type { z } from "zod";
import { stmt } from "./statements.js";

type SqlValue = string | number | null;

/** One page of a table plus its total, for `page()` (API.md §0.5). */
export interface RecordPage<R> {
  records: R[];
  total: number;
}

/** A query on a doc table: a SQL condition on its columns, an order (ties: newest first). */
export interface TableQuery {
  where?: string[];
  params?: SqlValue[];
  /** SQL ORDER BY terms before the `seq DESC` tie-break; default newest first. */
  order?: string;
  /** Values of the `?` in `order`. */
  orderParams?: SqlValue[];
  offset: number;
  limit: number;
}

/**
 * A table whose rows are whole records as JSON (`doc`, validated on every write) plus the columns
 * that lookups, uniqueness and ordering need, copied from the record on every write.
 */
export interface DocTable<R extends { id: string }> {
  get(db: Database, id: string): R | undefined;
  /** The first record (newest first) where every condition holds. */
  find(db: Database, where: string[], params: SqlValue[]): R | undefined;
  insert(db: Database, record: R): void;
  save(db: Database, record: R): void;
  delete(db: Database, id: string): boolean;
  list(db: Database, query: TableQuery): RecordPage<R>;
  count(db: Database, where: string[], params: SqlValue[]): number;
}

export function docTable<R extends { id: string }>(
  table: string,
  schema: z.ZodType<R>,
  columns: Readonly<Record<string, (record: R) => SqlValue>>,
): DocTable<R> {
  const names = Object.keys(columns);
  const values = (record: R): SqlValue[] => {
    const checked = schema.parse(record);
    return [...names.map((n) => columns[n]?.(checked) ?? null), JSON.stringify(checked)];
  };
  const clause = (where: string[]): string => (where.length > 0 ? `WHERE ${where.join(" AND ")}` : "");
  const decode = (row: { doc: string }): R => JSON.parse(row.doc) as R;
  const self: DocTable<R> = {
    get: (db, id) => self.find(db, ["id = ?"], [id]),
    find(db, where, params) {
      const row = stmt<SqlValue[], { doc: string }>(
        db,
        `SELECT doc FROM ${table} ${clause(where)} ORDER BY seq DESC LIMIT 1`,
      ).get(...params);
      return row ? decode(row) : undefined;
    },
    insert(db, record) {
      const cols = ["id", ...names, "doc"];
      stmt(db, `INSERT INTO ${table} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`).run(
        record.id,
        ...values(record),
      );
    },
    save(db, record) {
      const sets = [...names, "doc"].map((n) => `${n} = ?`).join(", ");
      stmt(db, `UPDATE ${table} SET ${sets} WHERE id = ?`).run(...values(record), record.id);
    },
    delete: (db, id) => stmt(db, `DELETE FROM ${table} WHERE id = ?`).run(id).changes > 0,
    count: (db, where, params) =>
      stmt<SqlValue[], { n: number }>(db, `SELECT count(*) AS n FROM ${table} ${clause(where)}`).get(
        ...params,
      )?.n ?? 0,
    list(db, q) {
      const where = q.where ?? [];
      const params = q.params ?? [];
      const order = q.order === undefined ? "seq DESC" : `${q.order}, seq DESC`;
      const rows = stmt<SqlValue[], { doc: string }>(
        db,
        `SELECT doc FROM ${table} ${clause(where)} ORDER BY ${order} LIMIT ? OFFSET ?`,
      ).all(...params, ...(q.orderParams ?? []), q.limit, q.offset);
      return { records: rows.map(decode), total: self.count(db, where, params) };
    },
  };
  return self;
}
