import { realpath } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { changedSince } from "../git/index.js";
import type { ChangedScope } from "../spec/index.js";
import type { CliContext } from "./context.js";

/** `--changed-since REF` for the commands that load manifests (validate, plan, apply). */
export function addChangedSinceOption(command: Command): Command {
  return command.option(
    "--changed-since <ref>",
    "only what changed since REF (git diff REF...HEAD, plus uncommitted files), what depends on it and what that needs",
  );
}

const SHOWN = 5;

function list(items: readonly string[]): string {
  const shown = items.slice(0, SHOWN).join(", ");
  return items.length > SHOWN ? `${shown} and ${items.length - SHOWN} more` : shown;
}

async function sameFolder(a: string, b: string): Promise<boolean> {
  const [ra, rb] = await Promise.all([realpath(a).catch(() => a), realpath(b).catch(() => b)]);
  return ra === rb;
}

/**
 * The absolute paths that changed since `ref` (committed since the merge base, and uncommitted),
 * under the project root as the loader spells it. Uncommitted files count as changed and are named
 * on stderr, so a dirty checkout never silently widens (or narrows) what a CI job plans.
 */
export async function changedFilesSince(
  ctx: CliContext,
  ref: string,
  projectRoot: string,
): Promise<string[]> {
  const changed = await changedSince(ctx.cwd, ref);
  // git names the root by its real path; the loader by the path it was given (a symlinked temp dir).
  const base = (await sameFolder(changed.root, projectRoot)) ? projectRoot : changed.root;
  if (changed.uncommitted.length > 0)
    ctx.stderr.write(
      `drgitops: --changed-since ${ref}: ${changed.uncommitted.length} uncommitted file${changed.uncommitted.length === 1 ? "" : "s"} count${changed.uncommitted.length === 1 ? "s" : ""} as changed: ${list(changed.uncommitted)}\n`,
    );
  return [...new Set([...changed.committed, ...changed.uncommitted])].map((p) => join(base, ...p.split("/")));
}

/** One line on stderr: what the change brought into scope, and how much was left out. */
export function describeScope(ctx: CliContext, ref: string, scope: ChangedScope): void {
  const where = `drgitops: --changed-since ${ref}`;
  if (scope.everything !== undefined) {
    ctx.stderr.write(`${where}: ${scope.everything}: all ${scope.changed.length} resources are in scope\n`);
    return;
  }
  if (scope.changed.length === 0) {
    ctx.stderr.write(`${where}: no manifest or file of a resource changed; nothing is in scope\n`);
    return;
  }
  const parts = [`changed: ${list(scope.changed)}`];
  if (scope.dependents.length > 0) parts.push(`depending on them: ${list(scope.dependents)}`);
  if (scope.dependencies.length > 0) parts.push(`needed by them: ${list(scope.dependencies)}`);
  const left = scope.unchanged.length;
  ctx.stderr.write(
    `${where}: ${parts.join("; ")}; ${left} other resource${left === 1 ? "" : "s"} neither read nor planned\n`,
  );
}
