import { randomUUID } from "node:crypto";
import type { Database } from "better-sqlite3";
import {
  FINAL_STATES,
  JobState,
  JobType,
  type JobHandler,
  type JobOutcome,
  type JobRecord,
} from "./types.js";

export type { JobHandler, JobOutcome, JobRecord } from "./types.js";
export { JobState, JobType } from "./types.js";

/**
 * The durable job queue behind every 202/`status/{id}/` flow. State lives only in the `jobs` table
 * (migrations-jobs.ts), so a restarted emulator resumes whatever was in flight.
 */
export interface JobRunner {
  /** Records a new job and returns its status id (UUID v4). Call inside the request's transaction. */
  enqueue(job: { type: JobType; payload: unknown; durationMs?: number }): string;
  /** Adds the behaviour of one job type; jobs of unregistered types stay queued. */
  register<P, E>(handler: JobHandler<P, E>): void;
  get(statusId: string): JobRecord | undefined;
  /** Newest first. */
  list(page: { offset: number; limit: number }): { total: number; jobs: JobRecord[] };
  /** Cancels an unfinished job (handler's onAbort + ABORTED, one transaction); false if already final. */
  abort(statusId: string, message?: string): boolean;
  /** Removes the status record, aborting the job first if it is still running. */
  remove(statusId: string): boolean;
  /**
   * Starts queued jobs and finishes due ones; called before reads and by the ticker. Resolves once
   * every due job is final, except background ones (large files) that `include` does not select:
   * those keep running, so one big upload never stalls unrelated requests.
   */
  settle(options?: { include?: (job: JobRecord) => boolean }): Promise<void>;
  /** Starts the background ticker (unref'd, so it never keeps the process alive). */
  start(tickMs?: number): void;
  /** Stops the ticker and waits for completions already in progress. */
  stop(): Promise<void>;
  readonly defaultDurationMs: number;
}

export interface JobRunnerOptions {
  db: Database;
  /** Default duration of a job when enqueue() gives none (`--job-duration`). */
  defaultDurationMs: number;
  /** Epoch milliseconds; injectable for unit tests. */
  clock?: () => number;
  /** Where failures of the background ticker go (never thrown: a tick has no caller). */
  onError?: (error: unknown) => void;
}

interface JobRow {
  status_id: string;
  type: string;
  payload: string;
  state: string;
  created: number;
  started: number | null;
  duration_ms: number;
  finished: number | null;
  result_path: string | null;
  message: string;
  code: number;
}

/** Thrown inside a transaction to roll back a completion that another settle() already made. */
class AlreadySettled extends Error {}

function decode(row: JobRow): JobRecord {
  return {
    statusId: row.status_id,
    type: JobType.parse(row.type),
    payload: JSON.parse(row.payload) as unknown,
    state: JobState.parse(row.state),
    created: row.created,
    started: row.started,
    durationMs: row.duration_ms,
    finished: row.finished,
    resultPath: row.result_path,
    message: row.message,
    code: row.code,
  };
}

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { db } = options;
  const clock = options.clock ?? Date.now;
  const handlers = new Map<JobType, JobHandler<unknown, unknown>>();
  // One completion per job at a time in this process; concurrent settle() calls share it.
  const inflight = new Map<string, Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;

  const selectOne = db.prepare<[string], JobRow>("SELECT * FROM jobs WHERE status_id = ?");
  const selectOpen = db.prepare<[], JobRow>(
    "SELECT * FROM jobs WHERE state IN ('INITIALIZED', 'RUNNING') ORDER BY created, rowid",
  );

  function get(statusId: string): JobRecord | undefined {
    const row = selectOne.get(statusId);
    return row === undefined ? undefined : decode(row);
  }

  function handlerFor(job: JobRecord): JobHandler<unknown, unknown> | undefined {
    return handlers.get(job.type);
  }

  function markStarted(job: JobRecord): void {
    const handler = handlerFor(job);
    if (handler === undefined) return;
    db.transaction(() => {
      const now = clock();
      const changed = db
        .prepare(
          "UPDATE jobs SET state = 'RUNNING', started = ? WHERE status_id = ? AND state = 'INITIALIZED'",
        )
        .run(now, job.statusId).changes;
      if (changed === 1)
        handler.onStart?.(db, { ...job, state: "RUNNING", started: now }, handler.payload.parse(job.payload));
    })();
  }

  function finish(job: JobRecord, outcome: JobOutcome): void {
    const resultPath = outcome.state === "COMPLETED" ? outcome.resultPath : null;
    const code = outcome.state === "ERROR" ? (outcome.code ?? 1) : 0;
    const changed = db
      .prepare(
        `UPDATE jobs SET state = ?, finished = ?, result_path = ?, message = ?, code = ?,
           started = COALESCE(started, created)
         WHERE status_id = ? AND state IN ('INITIALIZED', 'RUNNING')`,
      )
      .run(outcome.state, clock(), resultPath, outcome.message ?? "", code, job.statusId).changes;
    if (changed !== 1) throw new AlreadySettled();
  }

  async function complete(job: JobRecord, handler: JobHandler<unknown, unknown>): Promise<void> {
    let evaluation: unknown;
    let payload: unknown;
    try {
      payload = handler.payload.parse(job.payload);
      evaluation = await handler.evaluate(job, payload);
    } catch (error) {
      failInternally(job, error);
      return;
    }
    try {
      db.transaction(() => {
        const current = get(job.statusId);
        if (current === undefined || FINAL_STATES.includes(current.state)) throw new AlreadySettled();
        finish(current, handler.apply(db, current, payload, evaluation));
      })();
    } catch (error) {
      if (error instanceof AlreadySettled) return;
      failInternally(job, error);
    }
  }

  // A handler bug must not leave a job polling forever: end it as ERROR, saying so.
  function failInternally(job: JobRecord, error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    try {
      db.transaction(() => finish(job, { state: "ERROR", message: `Internal emulator error: ${reason}` }))();
    } catch (inner) {
      if (!(inner instanceof AlreadySettled)) throw inner;
    }
  }

  async function settle(options: { include?: (job: JobRecord) => boolean } = {}): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const row of selectOpen.all()) {
      const job = decode(row);
      const handler = handlerFor(job);
      if (handler === undefined) continue;
      if (job.state === "INITIALIZED") markStarted(job);
      if (clock() < job.created + job.durationMs) continue;
      let running = inflight.get(job.statusId);
      if (running === undefined) {
        running = complete(job, handler).finally(() => inflight.delete(job.statusId));
        inflight.set(job.statusId, running);
      }
      const background = handler.background?.(job, handler.payload.parse(job.payload)) ?? false;
      if (!background || options.include?.(job) === true) waits.push(running);
    }
    await Promise.all(waits);
  }

  function abort(statusId: string, message = "Cancelled"): boolean {
    return db.transaction(() => {
      const job = get(statusId);
      if (job === undefined || FINAL_STATES.includes(job.state)) return false;
      const handler = handlerFor(job);
      if (handler !== undefined) handler.onAbort?.(db, job, handler.payload.parse(job.payload));
      db.prepare(
        `UPDATE jobs SET state = 'ABORTED', finished = ?, message = ?, started = COALESCE(started, created)
         WHERE status_id = ?`,
      ).run(clock(), message, statusId);
      return true;
    })();
  }

  return {
    defaultDurationMs: options.defaultDurationMs,
    enqueue({ type, payload, durationMs }) {
      const statusId = randomUUID();
      const duration = Math.max(0, Math.round(durationMs ?? options.defaultDurationMs));
      db.prepare(
        `INSERT INTO jobs (status_id, type, payload, state, created, duration_ms)
         VALUES (?, ?, ?, 'INITIALIZED', ?, ?)`,
      ).run(statusId, JobType.parse(type), JSON.stringify(payload ?? null), clock(), duration);
      return statusId;
    },
    register(handler) {
      handlers.set(handler.type, handler as JobHandler<unknown, unknown>);
    },
    get,
    list({ offset, limit }) {
      const total = (db.prepare("SELECT COUNT(*) AS n FROM jobs").get() as { n: number }).n;
      const rows = db
        .prepare<[number, number], JobRow>(
          "SELECT * FROM jobs ORDER BY created DESC, rowid DESC LIMIT ? OFFSET ?",
        )
        .all(limit, offset);
      return { total, jobs: rows.map(decode) };
    },
    abort,
    remove(statusId) {
      return db.transaction(() => {
        if (get(statusId) === undefined) return false;
        abort(statusId);
        db.prepare("DELETE FROM jobs WHERE status_id = ?").run(statusId);
        return true;
      })();
    },
    settle,
    start(tickMs = 25) {
      if (timer !== undefined) return;
      timer = setInterval(() => {
        if (ticking !== undefined) return;
        ticking = settle()
          .catch((error: unknown) => options.onError?.(error))
          .finally(() => (ticking = undefined));
      }, tickMs);
      timer.unref();
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await ticking;
      await Promise.all(inflight.values());
    },
  };
}
