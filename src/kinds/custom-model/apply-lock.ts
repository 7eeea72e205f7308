import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { isNotFound, type DataRobotClient } from "../../client/index.js";
import { DrgitopsError } from "../../errors.js";
import type { NamespaceLock } from "../../reconcile/io.js";
import { APPLY_LOCK_NAME } from "./live.js";

/**
 * One apply at a time per namespace, across machines: the lock is a custom model whose
 * `userProvidedId` is `<namespace>/.drgitops-apply-lock`. DataRobot refuses a second model with the
 * same `userProvidedId` (API.md §1.5), which makes taking it an atomic test-and-set; its description
 * says who holds it until when, and a holder that died is recognised by its expired lease.
 */

const LEASE_MS = 120_000;
const POLL_MS = 2_000;

export interface LockOptions {
  client: DataRobotClient;
  namespace: string;
  /** How long to wait for another run's lock before giving up. */
  waitMs: number;
  signal?: AbortSignal | undefined;
  /** Called while waiting, with who holds the lock. */
  onWait?: ((holder: string) => void) | undefined;
  /** Test seams. */
  leaseMs?: number;
  pollMs?: number;
}

interface LockRecord {
  token: string;
  holder: string;
  host: string;
  pid: number;
  expires: number;
}

function describe(record: LockRecord): string {
  return [
    `drgitops apply in progress: ${record.holder}`,
    "Delete this model only if no drgitops apply is running; it expires on its own.",
    `Drgitops-Lock: ${record.token} ${new Date(record.expires).toISOString()} ${record.host} ${record.pid}`,
  ].join("\n");
}

function parse(description: string): LockRecord | undefined {
  const match = /^Drgitops-Lock: (\S+) (\S+) (\S+) (\d+)$/m.exec(description);
  const holder = /^drgitops apply in progress: (.*)$/m.exec(description)?.[1] ?? "another run";
  if (!match) return undefined;
  const expires = Date.parse(match[2]!);
  return Number.isFinite(expires)
    ? { token: match[1]!, holder, host: match[3]!, pid: Number(match[4]), expires }
    : undefined;
}

/** A holder on this machine whose process is gone (killed, crashed) need not be waited for. */
function holderIsGone(record: LockRecord): boolean {
  if (record.host !== hostname().replace(/\s/g, "_")) return false;
  try {
    process.kill(record.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(new DrgitopsError("aborted", "stopped waiting for the apply lock"));
      },
      { once: true },
    );
  });
}

export async function acquireApplyLock(options: LockOptions): Promise<NamespaceLock> {
  const { client, namespace, signal } = options;
  const leaseMs = options.leaseMs ?? LEASE_MS;
  const key = `${namespace}/${APPLY_LOCK_NAME}`;
  const ci = process.env["GITHUB_RUN_ID"] ? `, GitHub run ${process.env["GITHUB_RUN_ID"]}` : "";
  const mine: LockRecord = {
    token: randomUUID(),
    holder: `${hostname()} pid ${process.pid}${ci} since ${new Date().toISOString()}`,
    host: hostname().replace(/\s/g, "_"),
    pid: process.pid,
    expires: Date.now() + leaseMs,
  };
  const started = Date.now();
  for (;;) {
    mine.expires = Date.now() + leaseMs;
    const { model, existed } = await client.customModels.create(
      {
        name: `drgitops apply lock (${namespace})`.slice(0, 255),
        targetType: "Unstructured",
        userProvidedId: key,
        description: describe(mine),
      },
      signal,
    );
    const held = parse(model.description);
    // Ours when the create went through, also when a retried create found the one it had made.
    if (!existed || held?.token === mine.token) return hold(client, model.id, mine, leaseMs);
    if (held === undefined || held.expires < Date.now() || holderIsGone(held)) {
      // A holder that died (or a lock nobody can read): take it over; a race is settled by the next create.
      await client.customModels.delete(model.id, signal).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
      continue;
    }
    if (Date.now() - started >= options.waitMs)
      throw new DrgitopsError(
        "apply-locked",
        `another drgitops apply holds the lock of namespace ${namespace} (${held.holder}); waited ${Math.round((Date.now() - started) / 1000)} s. Re-run when it is done, or raise --lock-timeout.`,
      );
    options.onWait?.(held.holder);
    await sleep(options.pollMs ?? POLL_MS, signal);
  }
}

/** Keeps the lease alive while the run lasts; release deletes the lock model. */
function hold(client: DataRobotClient, id: string, record: LockRecord, leaseMs: number): NamespaceLock {
  const renew = setInterval(() => {
    record.expires = Date.now() + leaseMs;
    // A failed renewal only shortens the lease; the next one may succeed.
    client.customModels.update(id, { description: describe(record) }).catch(() => undefined);
  }, leaseMs / 3);
  renew.unref();
  return {
    release: async () => {
      clearInterval(renew);
      await client.customModels.delete(id).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
    },
  };
}
