import type { Database } from "better-sqlite3";
import type { Readable } from "node:stream";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { EmulatorContext } from "../context.js";
import { uploadBudget, uploadTooLarge, type BlobLease, type BlobRef, type UploadBudget } from "../blobs.js";
import { summariseCsv, type CsvSummary } from "../domain/csv.js";
import { invalid, notFound } from "../http/errors.js";
import { fieldValue, MULTIPART_ROUTE } from "../http/multipart.js";
import { checkText } from "../http/text-limits.js";
import { page, pageParams, searchParams } from "../http/pagination.js";
import { jsonBody, parseBoolean, parseString } from "../http/values.js";
import { sendAccepted } from "../jobs/status-routes.js";
import { BACKGROUND_EVALUATION_BYTES, type JobHandler, type JobRecord } from "../jobs/types.js";

export type ProcessingState = "RUNNING" | "COMPLETED" | "ERROR";

/** What other routes need of a dataset (training data, tests): only live (not deleted) ones. */
export interface DatasetRecord {
  datasetId: string;
  versionId: string;
  name: string;
  processingState: ProcessingState;
  /** Header names once ingested as CSV; null while running or when the file is not parseable CSV. */
  columns: string[] | null;
  rowCount: number | null;
}

interface DatasetRow {
  id: string;
  version_id: string;
  name: string;
  description: string | null;
  categories: string;
  blob: string;
  size: number;
  processing_state: ProcessingState;
  error: string;
  row_count: number | null;
  columns: string | null;
  created: string;
  modified: string;
}

function getRow(db: Database, id: string): DatasetRow | undefined {
  return db.prepare<[string], DatasetRow>("SELECT * FROM datasets WHERE id = ? AND deleted = 0").get(id);
}

/** A live dataset by id (undefined when missing or deleted). For version training-data checks. */
export function getDataset(db: Database, id: string): DatasetRecord | undefined {
  const row = getRow(db, id);
  if (row === undefined) return undefined;
  return {
    datasetId: row.id,
    versionId: row.version_id,
    name: row.name,
    processingState: row.processing_state,
    columns: row.columns === null ? null : (JSON.parse(row.columns) as string[]),
    rowCount: row.row_count,
  };
}

function requireRow(db: Database, id: string): DatasetRow {
  const row = getRow(db, id);
  if (row === undefined) throw notFound(`Dataset ${id} not found`);
  return row;
}

/** The Dataset object of API.md §8.2 (also valid as PY's DatasetDetails). */
function datasetObject(ctx: EmulatorContext, row: DatasetRow): Record<string, unknown> {
  const columns = row.columns === null ? null : (JSON.parse(row.columns) as string[]);
  return {
    datasetId: row.id,
    versionId: row.version_id,
    name: row.name,
    description: row.description,
    categories: JSON.parse(row.categories) as string[],
    creationDate: row.created,
    createdBy: ctx.config.username,
    isDataEngineEligible: true,
    isLatestVersion: true,
    isSnapshot: true,
    dataPersisted: true,
    processingState: row.processing_state,
    datasetSize: row.size,
    rowCount: row.row_count,
    featureCount: columns === null ? null : columns.length,
    dataSourceType: "local",
    error: row.error,
    lastModificationDate: row.modified,
    lastModifierFullName: ctx.config.username,
    uri: row.name,
    tags: [],
    dataSourceId: null,
    dataEngineQueryId: null,
  };
}

/** `categories` as repeated fields or comma-separated values. */
function splitCategories(values: readonly string[]): string[] {
  return values
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

async function discard(stream: Readable, budget: UploadBudget): Promise<void> {
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    budget.remaining -= chunk.length;
    if (budget.remaining < 0) {
      stream.resume();
      throw uploadTooLarge(budget.limit);
    }
  }
}

/** Streams the `file` part into the blob store; fields may come before or after it. */
async function readUpload(
  ctx: EmulatorContext,
  req: FastifyRequest,
  lease: BlobLease,
): Promise<{ blob: BlobRef; filename: string; categories: string[] }> {
  if (!req.isMultipart()) throw invalid("file", "Send the dataset as multipart/form-data with a file part");
  const budget = uploadBudget(ctx.config.maxUploadBytes);
  let upload: { blob: BlobRef; filename: string } | undefined;
  const categories: string[] = [];
  for await (const part of req.parts()) {
    if (part.type === "file") {
      checkText(part.filename, part.fieldname, "fileName");
      if (part.fieldname !== "file" || upload !== undefined) {
        // Parts we do not keep still count against --max-upload while they are read and dropped.
        await discard(part.file, budget);
        continue;
      }
      const blob = await ctx.blobs.put(part.file, budget, undefined, lease);
      upload = { blob, filename: part.filename };
    } else {
      const value = fieldValue(part, budget);
      if (part.fieldname === "categories") categories.push(value);
    }
  }
  if (upload === undefined) throw invalid("file", "The file part is required");
  return { ...upload, categories: splitCategories(categories) };
}

const IngestionPayload = z.object({ datasetId: z.string() });

function ingestionHandler(
  ctx: EmulatorContext,
): JobHandler<z.infer<typeof IngestionPayload>, CsvSummary | undefined> {
  return {
    type: "datasetIngestion",
    payload: IngestionPayload,
    background: (_job, { datasetId }) =>
      (ctx.db.prepare<[string], { size: number }>("SELECT size FROM datasets WHERE id = ?").get(datasetId)
        ?.size ?? 0) > BACKGROUND_EVALUATION_BYTES,
    evaluate: async (_job, { datasetId }) => {
      const row = ctx.db.prepare<[string], DatasetRow>("SELECT * FROM datasets WHERE id = ?").get(datasetId);
      if (row === undefined) return undefined;
      return summariseCsv(ctx.blobs.open(row.blob));
    },
    apply: (db, _job, { datasetId }, summary) => {
      if (summary === undefined) return { state: "ERROR", message: `Dataset ${datasetId} no longer exists` };
      const now = ctx.now();
      if (summary.kind === "empty") {
        const message = "Dataset file is empty";
        db.prepare(
          "UPDATE datasets SET processing_state = 'ERROR', error = ?, modified = ? WHERE id = ?",
        ).run(message, now, datasetId);
        return { state: "ERROR", message };
      }
      const table = summary.kind === "table" ? summary : undefined;
      db.prepare(
        "UPDATE datasets SET processing_state = 'COMPLETED', row_count = ?, columns = ?, modified = ? WHERE id = ?",
      ).run(table?.rowCount ?? null, table ? JSON.stringify(table.columns) : null, now, datasetId);
      return { state: "COMPLETED", resultPath: `datasets/${datasetId}/` };
    },
  };
}

function isIngestionOf(job: JobRecord, datasetId: string): boolean {
  return (
    job.type === "datasetIngestion" && IngestionPayload.safeParse(job.payload).data?.datasetId === datasetId
  );
}

const ORDERS: Record<string, string> = { created: "seq ASC", "-created": "seq DESC" };

/** `datasets/`: upload from file (202 + ingestion job), list, get, PATCH, soft DELETE (API.md §8). */
export function registerDatasetRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  ctx.jobs.register(ingestionHandler(ctx));

  /** Stores the upload and its row; the caller discards `lease` if this throws. */
  const storeUpload = async (req: FastifyRequest, lease: BlobLease) => {
    const { blob, filename, categories } = await readUpload(ctx, req, lease);
    const name = filename.split(/[/\\]/).pop() || "data.csv";
    checkText(name, "file", "name");
    const datasetId = ctx.newId();
    const versionId = ctx.newId();
    const statusId = ctx.tx(() => {
      const now = ctx.now();
      ctx.db
        .prepare(
          `INSERT INTO datasets (id, seq, version_id, name, description, categories, blob, size, processing_state,
             created, modified)
           VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM datasets), ?, ?, NULL, ?, ?, ?, 'RUNNING', ?, ?)`,
        )
        .run(datasetId, versionId, name, JSON.stringify(categories), blob.sha256, blob.size, now, now);
      return ctx.jobs.enqueue({ type: "datasetIngestion", payload: { datasetId } });
    });
    return { catalogId: datasetId, catalogVersionId: versionId, statusId };
  };

  app.post("/datasets/fromFile/", MULTIPART_ROUTE, async (req, reply) => {
    const lease = ctx.blobs.lease();
    let accepted: { catalogId: string; catalogVersionId: string; statusId: string };
    try {
      accepted = await storeUpload(req, lease);
    } catch (error) {
      // Nothing of a refused upload stays behind: no row (the transaction) and no blob.
      lease.discard();
      throw error;
    }
    return sendAccepted(ctx, req, reply, accepted.statusId, accepted);
  });

  app.get("/datasets/", (req) => {
    const q = searchParams(req);
    const orderBy = q.get("orderBy") ?? "-created";
    const order = ORDERS[orderBy];
    if (order === undefined)
      throw invalid("orderBy", `orderBy must be created or -created, got "${orderBy}"`);
    const filterFailed = parseBoolean(q.get("filterFailed") ?? undefined, "filterFailed") ?? false;
    const category = q.get("category");
    let where = "deleted = 0";
    const args: (string | number)[] = [];
    if (filterFailed) where += " AND processing_state != 'ERROR'";
    if (category !== null && category !== "") {
      where += " AND EXISTS (SELECT 1 FROM json_each(categories) WHERE value = ?)";
      args.push(category);
    }
    const params = pageParams(req);
    const total =
      ctx.db
        .prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM datasets WHERE ${where}`)
        .get(...args)?.n ?? 0;
    const rows = ctx.db
      .prepare<unknown[], DatasetRow>(
        `SELECT * FROM datasets WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`,
      )
      .all(...args, params.limit, params.offset);
    return page(
      req,
      ctx.baseUrl(req),
      params,
      rows.map((r) => datasetObject(ctx, r)),
      total,
    );
  });

  app.get<{ Params: { datasetId: string } }>("/datasets/:datasetId/", async (req) => {
    // A large file's ingestion runs in the background; the dataset's own GET waits for it when due.
    await ctx.jobs.settle({ include: (job) => isIngestionOf(job, req.params.datasetId) });
    return datasetObject(ctx, requireRow(ctx.db, req.params.datasetId));
  });

  app.patch<{ Params: { datasetId: string } }>("/datasets/:datasetId/", (req) => {
    const body = jsonBody(req.body);
    return ctx.tx(() => {
      const row = requireRow(ctx.db, req.params.datasetId);
      const name = parseString(body.name, "name");
      if (name === null || name === "") throw invalid("name", "name must be a non-empty string");
      let categories: string[] | undefined;
      if (body.categories !== undefined) {
        const raw = body.categories === null ? [] : body.categories;
        const list = typeof raw === "string" ? [raw] : raw;
        if (!Array.isArray(list) || !list.every((c) => typeof c === "string")) {
          throw invalid("categories", "categories must be a string or a list of strings");
        }
        categories = splitCategories(list);
      }
      const description = parseString(body.description, "description");
      const next: DatasetRow = {
        ...row,
        name: name ?? row.name,
        categories: categories === undefined ? row.categories : JSON.stringify(categories),
        description: description === undefined ? row.description : description,
        modified: ctx.now(),
      };
      ctx.db
        .prepare("UPDATE datasets SET name = ?, categories = ?, description = ?, modified = ? WHERE id = ?")
        .run(next.name, next.categories, next.description, next.modified, next.id);
      return datasetObject(ctx, next);
    });
  });

  app.delete<{ Params: { datasetId: string } }>("/datasets/:datasetId/", async (req, reply) => {
    ctx.tx(() => {
      requireRow(ctx.db, req.params.datasetId);
      // Soft delete: versions that reference it keep their datasetName (API.md §8.2).
      ctx.db
        .prepare("UPDATE datasets SET deleted = 1, modified = ? WHERE id = ?")
        .run(ctx.now(), req.params.datasetId);
    });
    return reply.code(204).send();
  });
}
