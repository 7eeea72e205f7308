import { UsageError } from "../errors.js";
import { displayOrder } from "../kinds/index.js";
import type { AnyKind } from "../kinds/kind.js";
import type { KindOperations, OperationArgs } from "../kinds/operations.js";
import { matchesTarget } from "../reconcile/plan-context.js";
import type { Project } from "../spec/project.js";
import type { Connection } from "./connection.js";
import { ExitCode } from "./exit-codes.js";
import type { CliContext } from "./context.js";
import { addConnectionOptions, connect, loadManifests } from "./shared.js";
import type { Command } from "commander";

/** What `logs` and `cancel` share: finding the one resource KEY names, and never printing a secret. */

export interface OperateFlags {
  namespace?: string;
  endpoint?: string;
  token?: string;
}

export function addOperateOptions(command: Command): Command {
  command.option(
    "--namespace <namespace>",
    "namespace of keys (default: drgitops.yaml, else the git remote)",
  );
  return addConnectionOptions(command);
}

export interface Located {
  key: string;
  kind: AnyKind;
  operations: KindOperations;
  /** The live object, as the kind's operations found it. */
  handle: unknown;
  args: OperationArgs;
  /** The API token and every sensitive value the manifests name, replaced by [REDACTED]. */
  redact: (text: string) => string;
  connection: Connection;
}

/** A resource that has a manifest but no live object yet: nothing to show or cancel. */
export interface NotLive {
  key: string;
  notLive: string;
  connection: Connection;
}

/** Replaces every secret, longest first (so one that contains another goes whole); any length. */
export function secretRedactor(secrets: readonly string[]): (text: string) => string {
  const active = [...new Set(secrets.filter((s) => s !== ""))].sort((a, b) => b.length - a.length);
  return (text) => active.reduce((acc, secret) => acc.split(secret).join("[REDACTED]"), text);
}

/** `fraud` or `acme/models/fraud`: a key outside the namespace is never another namespace's. */
export function keyFor(arg: string, namespace: string): string {
  return arg.startsWith(`${namespace}/`) ? arg : `${namespace}/${arg}`;
}

async function operationsOf(kind: AnyKind): Promise<KindOperations | undefined> {
  return kind.operations ? await kind.operations() : undefined;
}

/**
 * Which resource KEY is: the manifests say its kind (a name may be a model and an environment:
 * `want` keeps the kinds that have what the command asks for); without a manifest, the live state
 * of every kind that has operations is asked in registry order. The connection is returned open.
 */
export async function locate(
  ctx: CliContext,
  arg: string,
  flags: OperateFlags,
  want: (operations: KindOperations) => boolean,
): Promise<Located | NotLive> {
  // Invalid manifests do not stop an operator from reading a log: the valid ones still say kinds.
  const { project } = await loadManifests(ctx, [], flags.namespace, { hash: false });
  const key = keyFor(arg, project.namespace);
  const all: { kind: AnyKind; operations: KindOperations }[] = [];
  for (const kind of displayOrder) {
    const operations = await operationsOf(kind);
    if (operations) all.push({ kind, operations });
  }
  const candidates = all.filter((c) => want(c.operations));
  const declared = candidates.filter((c) =>
    project.resources.some((r) => r.kind === c.kind.name && matchesTarget(r.key, arg, project.namespace)),
  );
  const connection = await connect(ctx, project, flags);
  try {
    const args: OperationArgs = {
      client: connection.client,
      namespace: project.namespace,
      signal: ctx.signal,
    };
    for (const c of declared.length > 0 ? declared : candidates) {
      const handle = await c.operations.locate(key, args);
      if (handle === undefined) continue;
      return {
        key,
        kind: c.kind,
        operations: c.operations,
        handle,
        args,
        redact: redactorFor(ctx, project, connection, all),
        connection,
      };
    }
    if (declared.length > 0)
      return {
        key,
        connection,
        notLive: `${key} has a manifest but is not on DataRobot yet (run drgitops apply)`,
      };
    throw new UsageError(
      `no manifest and no live resource has the key ${key}; check the name (drgitops status lists them)`,
    );
  } catch (error) {
    await connection.close();
    throw error;
  }
}

function redactorFor(
  ctx: CliContext,
  project: Project,
  connection: Connection,
  candidates: readonly { operations: KindOperations }[],
): (text: string) => string {
  const secrets = candidates.flatMap((c) => c.operations.secrets?.(project.resources, ctx.env) ?? []);
  const redactSecrets = secretRedactor(secrets);
  return (text) => redactSecrets(connection.client.redact(text));
}

/**
 * Runs `body` on the resource KEY names (see locate), closing the connection after; a resource with
 * a manifest but nothing live yet is exit 8, like any other "nothing to show or cancel".
 */
export async function operateOn(
  ctx: CliContext,
  arg: string,
  flags: OperateFlags,
  want: (operations: KindOperations) => boolean,
  body: (found: Located) => Promise<number>,
): Promise<number> {
  const found = await locate(ctx, arg, flags, want);
  try {
    if ("notLive" in found) {
      ctx.stderr.write(`drgitops: ${found.notLive}\n`);
      return ExitCode.nothingToShowOrCancel;
    }
    return await body(found);
  } finally {
    await found.connection.close();
  }
}
