import { Option } from "commander";
import { displayOrder } from "../../kinds/index.js";
import type { LoadResult } from "../../spec/index.js";
import { ExitCode } from "../exit-codes.js";
import { displayFile, formatIssue, loadManifests } from "../shared.js";
import type { RegisterCommand } from "./index.js";

interface Flags {
  format: "human" | "json";
  namespace?: string;
  verbose?: boolean;
}

/** `drgitops validate`: every problem of every manifest at once, offline; exit 3 when any is an error. */
export const register: RegisterCommand = (program, ctx, run) => {
  program
    .command("validate")
    .description("Check manifests offline and report every problem with file:line:column")
    .argument("[paths...]", "manifest files or folders (default: drgitops.yaml paths, else .)")
    .addOption(new Option("--format <format>", "output format").choices(["human", "json"]).default("human"))
    .option(
      "--namespace <namespace>",
      "namespace of model keys (default: drgitops.yaml, else the git remote, else the folder name)",
    )
    .option("--verbose", "also list YAML documents skipped because they are not drgitops manifests")
    .addHelpText(
      "after",
      "\nEach issue is printed as `file:line:column  kind/name  field.path  message`.\n" +
        "Exit codes: 0 valid (warnings allowed), 3 invalid, 1 usage or internal error.\n",
    )
    .action((paths: string[], flags: Flags) =>
      run(async () => {
        const result = await loadManifests(ctx, paths, flags.namespace, { hash: false });
        const text =
          flags.format === "json"
            ? renderJson(result, ctx.cwd)
            : renderHuman(result, ctx.cwd, flags.verbose === true);
        ctx.stdout.write(text);
        return result.ok ? ExitCode.ok : ExitCode.invalidManifests;
      }),
    );
};

function summary(result: LoadResult): { errors: number; warnings: number; documents: number } {
  const errors = result.issues.filter((i) => i.severity === "error").length;
  return { errors, warnings: result.issues.length - errors, documents: result.project.resources.length };
}

/**
 * Valid manifests per kind, in display order: `["model", 4]`. A manifest that parsed but broke a rule
 * (a dangling ref, a bad model-metadata.yaml) is loaded all the same; an error of its own makes it invalid.
 */
function countsByKind(result: LoadResult): [string, number][] {
  const broken = new Set(
    result.issues
      .filter((i) => i.severity === "error" && i.kind !== undefined)
      .map((i) => `${i.kind ?? ""}\u0000${i.name ?? ""}`),
  );
  return displayOrder.map((k) => [
    k.render.noun,
    result.project.resources.filter((r) => r.kind === k.name && !broken.has(`${r.kind}\u0000${r.name}`))
      .length,
  ]);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function renderHuman(result: LoadResult, cwd: string, verbose: boolean): string {
  const lines = result.issues.map((i) => formatIssue(i, cwd));
  if (verbose) {
    for (const n of result.notes)
      lines.push(`${displayFile(n.file, cwd)}:${n.line}:${n.column}  note: ${n.message}`);
  }
  const { errors, warnings, documents } = summary(result);
  const counts = countsByKind(result)
    .map(([noun, n]) => plural(n, noun))
    .join(", ");
  const skipped =
    result.notes.length > 0 && !verbose
      ? `; ${plural(result.notes.length, "other YAML document")} skipped (--verbose lists them)`
      : "";
  if (lines.length > 0) lines.push("");
  if (errors === 0 && documents === 0) {
    // Exit 0 (nothing is wrong), but an empty run is usually a wrong path: say so plainly.
    lines.push(`no drgitops manifests found (apiVersion: drgitops/v1)${skipped}`);
    return `${lines.join("\n")}\n`;
  }
  lines.push(
    errors > 0
      ? `invalid: ${plural(errors, "error")}, ${plural(warnings, "warning")} (${counts} valid${skipped})`
      : `valid: ${plural(documents, "manifest")} (${counts})${warnings > 0 ? `, ${plural(warnings, "warning")}` : ""}${skipped}`,
  );
  return `${lines.join("\n")}\n`;
}

function renderJson(result: LoadResult, cwd: string): string {
  const { errors, warnings } = summary(result);
  const body = {
    ok: result.ok,
    namespace: result.project.namespace,
    summary: {
      errors,
      warnings,
      ...Object.fromEntries(countsByKind(result).map(([noun, n]) => [`${noun}s`, n])),
      skippedDocuments: result.notes.length,
    },
    issues: result.issues.map((i) => ({ ...i, file: displayFile(i.file, cwd) })),
    notes: result.notes.map((n) => ({ ...n, file: displayFile(n.file, cwd) })),
    manifests: displayOrder.flatMap((k) =>
      result.project.resources
        .filter((r) => r.kind === k.name)
        .map((m) => ({
          kind: m.kind,
          name: m.name,
          key: m.key,
          file: displayFile(m.file, cwd),
          line: m.line,
        })),
    ),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}
