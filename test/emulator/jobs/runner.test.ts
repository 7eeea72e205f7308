import BetterSqlite3 from "better-sqlite3";
import type { Database } from "better-sqlite3";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createJobRunner, type JobHandler } from "../../../src/emulator/jobs/runner.js";
import { applyMigrations } from "../../../src/emulator/store/db.js";
import { coreMigrations } from "../../../src/emulator/store/migrations-core.js";
import { jobMigrations } from "../../../src/emulator/store/migrations-jobs.js";
import { tempDir } from "./harness.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function openDb(file = ":memory:"): Database {
  const db = new BetterSqlite3(file);
  applyMigrations(db, [...coreMigrations, ...jobMigrations]);
  return db;
}

/** A handler that records what it was asked to do, in a table, so effects are observable. */
function recordingHandler(
  opts: { fail?: boolean; throwIn?: "evaluate" } = {},
): JobHandler<{ n: number }, number> {
  return {
    type: "featureImpact",
    payload: z.object({ n: z.number() }),
    onStart: (db, job) => {
      db.prepare("INSERT INTO effects (status_id, kind) VALUES (?, 'start')").run(job.statusId);
    },
    evaluate: async (_job, { n }) => {
      await new Promise((r) => setTimeout(r, 5));
      if (opts.throwIn === "evaluate") throw new Error("disk on fire");
      return n * 2;
    },
    apply: (db, job, _p, doubled) => {
      db.prepare("INSERT INTO effects (status_id, kind, value) VALUES (?, 'apply', ?)").run(
        job.statusId,
        doubled,
      );
      return opts.fail
        ? { state: "ERROR", message: "no luck" }
        : { state: "COMPLETED", resultPath: `things/${doubled}/` };
    },
    onAbort: (db, job) => {
      db.prepare("INSERT INTO effects (status_id, kind) VALUES (?, 'abort')").run(job.statusId);
    },
  };
}

function effects(db: Database, statusId: string): string[] {
  return db
    .prepare<[string], { kind: string }>("SELECT kind FROM effects WHERE status_id = ? ORDER BY rowid")
    .all(statusId)
    .map((r) => r.kind);
}

function setup(durationMs: number, file?: string) {
  const db = openDb(file);
  db.exec("CREATE TABLE IF NOT EXISTS effects (status_id TEXT, kind TEXT, value INTEGER)");
  let now = 1_000_000;
  const runner = createJobRunner({ db, defaultDurationMs: durationMs, clock: () => now });
  return { db, runner, advance: (ms: number) => (now += ms) };
}

describe("job runner", () => {
  it("moves a job INITIALIZED -> RUNNING -> COMPLETED as its duration passes", async () => {
    const { db, runner, advance } = setup(1000);
    runner.register(recordingHandler());
    const id = runner.enqueue({ type: "featureImpact", payload: { n: 21 } });
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(runner.get(id)?.state).toBe("INITIALIZED");
    await runner.settle();
    expect(runner.get(id)?.state).toBe("RUNNING");
    advance(999);
    await runner.settle();
    expect(runner.get(id)?.state).toBe("RUNNING");
    advance(1);
    await runner.settle();
    expect(runner.get(id)).toMatchObject({ state: "COMPLETED", resultPath: "things/42/", code: 0 });
    expect(effects(db, id)).toEqual(["start", "apply"]);
  });

  it("finishes a zero-duration job on the first settle", async () => {
    const { runner } = setup(0);
    runner.register(recordingHandler());
    const id = runner.enqueue({ type: "featureImpact", payload: { n: 1 } });
    await runner.settle();
    expect(runner.get(id)?.state).toBe("COMPLETED");
  });

  it("applies the completion exactly once when many settle() calls race", async () => {
    const { db, runner } = setup(0);
    runner.register(recordingHandler());
    const ids = [1, 2, 3].map((n) => runner.enqueue({ type: "featureImpact", payload: { n } }));
    await Promise.all(Array.from({ length: 10 }, () => runner.settle()));
    for (const id of ids) expect(effects(db, id)).toEqual(["start", "apply"]);
  });

  it("applies the completion exactly once across two runners on one database (a restart)", async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const file = join(dir, "jobs.db");
    const first = setup(1000, file);
    first.runner.register(recordingHandler());
    const id = first.runner.enqueue({ type: "featureImpact", payload: { n: 5 } });
    await first.runner.settle();
    first.db.close();

    const second = setup(0, file);
    second.runner.register(recordingHandler());
    second.advance(5000);
    await Promise.all([second.runner.settle(), second.runner.settle()]);
    await second.runner.settle();
    expect(second.runner.get(id)).toMatchObject({ state: "COMPLETED", resultPath: "things/10/" });
    expect(effects(second.db, id)).toEqual(["start", "apply"]);
  });

  it("records an ERROR outcome with a non-zero code and the handler's message", async () => {
    const { runner } = setup(0);
    runner.register(recordingHandler({ fail: true }));
    const id = runner.enqueue({ type: "featureImpact", payload: { n: 1 } });
    await runner.settle();
    expect(runner.get(id)).toMatchObject({ state: "ERROR", message: "no luck", code: 1, resultPath: null });
  });

  it("ends a job whose evaluation throws as ERROR instead of leaving it running forever", async () => {
    const { db, runner } = setup(0);
    runner.register(recordingHandler({ throwIn: "evaluate" }));
    const id = runner.enqueue({ type: "featureImpact", payload: { n: 1 } });
    await runner.settle();
    expect(runner.get(id)?.state).toBe("ERROR");
    expect(runner.get(id)?.message).toContain("disk on fire");
    expect(effects(db, id)).toEqual(["start"]);
  });

  it("aborts an unfinished job once and never completes it afterwards", async () => {
    const { db, runner, advance } = setup(1000);
    runner.register(recordingHandler());
    const id = runner.enqueue({ type: "featureImpact", payload: { n: 1 } });
    expect(runner.abort(id, "stop it")).toBe(true);
    expect(runner.abort(id)).toBe(false);
    advance(5000);
    await runner.settle();
    expect(runner.get(id)).toMatchObject({ state: "ABORTED", message: "stop it" });
    expect(effects(db, id)).toEqual(["abort"]);
  });

  it("does not abort a finished job", async () => {
    const { db, runner } = setup(0);
    runner.register(recordingHandler());
    const id = runner.enqueue({ type: "featureImpact", payload: { n: 1 } });
    await runner.settle();
    expect(runner.abort(id)).toBe(false);
    expect(runner.get(id)?.state).toBe("COMPLETED");
    expect(effects(db, id)).toEqual(["start", "apply"]);
  });

  it("removes a status record, aborting the job first", () => {
    const { db, runner } = setup(1000);
    runner.register(recordingHandler());
    const id = runner.enqueue({ type: "featureImpact", payload: { n: 1 } });
    expect(runner.remove(id)).toBe(true);
    expect(runner.get(id)).toBeUndefined();
    expect(runner.remove(id)).toBe(false);
    expect(effects(db, id)).toEqual(["abort"]);
  });

  it("lists newest first with a total", () => {
    const { runner, advance } = setup(1000);
    const a = runner.enqueue({ type: "featureImpact", payload: { n: 1 } });
    advance(1);
    const b = runner.enqueue({ type: "featureImpact", payload: { n: 2 } });
    const { total, jobs } = runner.list({ offset: 0, limit: 1 });
    expect(total).toBe(2);
    expect(jobs.map((j) => j.statusId)).toEqual([b]);
    expect(runner.list({ offset: 1, limit: 5 }).jobs.map((j) => j.statusId)).toEqual([a]);
  });

  it("uses a per-job duration over the default", async () => {
    const { runner, advance } = setup(0);
    runner.register(recordingHandler());
    const id = runner.enqueue({ type: "featureImpact", payload: { n: 1 }, durationMs: 100 });
    await runner.settle();
    expect(runner.get(id)?.state).toBe("RUNNING");
    advance(100);
    await runner.settle();
    expect(runner.get(id)?.state).toBe("COMPLETED");
  });

  it("finishes due jobs from its background ticker, without any caller", async () => {
    const db = openDb();
    db.exec("CREATE TABLE effects (status_id TEXT, kind TEXT, value INTEGER)");
    const runner = createJobRunner({ db, defaultDurationMs: 0 });
    runner.register(recordingHandler());
    const id = runner.enqueue({ type: "featureImpact", payload: { n: 1 } });
    runner.start(5);
    while (runner.get(id)?.state !== "COMPLETED") await new Promise((r) => setTimeout(r, 5));
    await runner.stop();
    expect(effects(db, id)).toEqual(["start", "apply"]);
  });

  it("does not make unrelated callers wait for a background evaluation, only those that include it", async () => {
    const { db, runner } = setup(0);
    let release = (): void => undefined;
    const gate = new Promise<void>((r) => (release = r));
    runner.register({
      ...recordingHandler(),
      background: () => true,
      evaluate: async (_job, { n }) => {
        await gate;
        return n;
      },
    });
    const id = runner.enqueue({ type: "featureImpact", payload: { n: 7 } });
    await runner.settle();
    expect(runner.get(id)?.state).toBe("RUNNING");
    const waiting = runner.settle({ include: (job) => job.statusId === id });
    release();
    await waiting;
    expect(runner.get(id)?.state).toBe("COMPLETED");
    expect(effects(db, id)).toEqual(["start", "apply"]);
  });
});
