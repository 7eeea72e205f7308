import type { AnyKind } from "../../kinds/kind.js";
import { hint } from "../did-you-mean.js";
import { pathIssues, posixRelative } from "../local-paths.js";
import { locate } from "../yaml-doc.js";
import type { Entry, RuleContext } from "./context.js";
import { reporter } from "./context.js";

/** Two documents of the same kind may not claim the same key: one of them would silently win. */
function duplicateKeys(ctx: RuleContext): void {
  const first = new Map<string, Entry>();
  for (const entry of ctx.entries) {
    const id = `${entry.kind}\u0000${entry.key}`;
    const earlier = first.get(id);
    if (earlier === undefined) {
      first.set(id, entry);
      continue;
    }
    reporter(
      ctx,
      entry,
    )({
      code: "duplicate-key",
      path: ["metadata", "name"],
      message: `${entry.kind} "${entry.name}" is already defined at ${posixRelative(ctx.root, earlier.doc.file)}:${locate(earlier.doc, ["metadata", "name"]).line}; names must be unique per kind`,
    });
  }
}

/** Every `{ref: name}` must name a manifest of the right kind among those loaded. */
function danglingRefs(ctx: RuleContext, kinds: readonly AnyKind[]): void {
  // A document too broken to judge still exists: a ref to it is not dangling.
  const names = (kind: string): string[] => [
    ...ctx.entries.filter((e) => e.kind === kind).map((e) => e.name),
    ...ctx.unjudged.filter((u) => u.kind === kind).map((u) => u.name),
  ];
  for (const entry of ctx.entries) {
    const kind = kinds.find((k) => k.name === entry.kind);
    for (const ref of kind?.references(entry.manifest) ?? []) {
      const known = names(ref.kind);
      if (known.includes(ref.name)) continue;
      reporter(
        ctx,
        entry,
      )({
        code: "dangling-ref",
        path: ref.path,
        message: `no ${ref.kind} named "${ref.name}" among the loaded manifests${hint(ref.name, known)}`,
      });
    }
  }
}

/** Local paths must exist inside the root, with the right type and content (DESIGN.md §3). */
function pathRules(ctx: RuleContext): void {
  for (const entry of ctx.entries) {
    const report = reporter(ctx, entry);
    for (const path of Object.values(entry.paths)) for (const issue of pathIssues(path)) report(issue);
  }
}

/** Every rule runs on every load, so one validation reports all problems at once. */
export function runRules(ctx: RuleContext, kinds: readonly AnyKind[]): void {
  duplicateKeys(ctx);
  danglingRefs(ctx, kinds);
  pathRules(ctx);
  for (const kind of kinds)
    for (const rule of kind.rules)
      for (const entry of ctx.entries) if (entry.kind === kind.name) rule(entry, ctx);
}

export type { RuleContext, RuleIssue, Entry, KindRule } from "./context.js";
export { isInvalid, reporter } from "./context.js";
