import { kindNamed } from "../../kinds/index.js";
import {
  countStates,
  ResourceStateSchema,
  STATE_ORDER,
  type ResourceState,
  type ResourceStatus,
} from "../../reconcile/status.js";
import { createStyle, type Style } from "./style.js";

/** `drgitops status`: a table a person reads at a glance, or JSON for scripts. */

const NONE = "-";

/** `2026-05-01T12:34:56.789012Z` -> `2026-05-01 12:34` (UTC): minutes are what a person compares. */
export function shortTime(iso: string | null): string {
  if (iso === null) return NONE;
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return match ? `${match[1]} ${match[2]}` : iso;
}

function paintState(s: Style, state: ResourceState): (text: string) => string {
  switch (state) {
    case "in sync":
      return s.add;
    case "changes pending":
      return s.change;
    case "drifted":
      return s.warn;
    case "gate failed":
      return s.remove;
    case "unmanaged":
      return s.dim;
  }
}

/** `5 in sync, 1 changes pending, 1 drifted, 0 gate failed, 0 unmanaged`. */
export function statusSummary(rows: readonly ResourceStatus[]): string {
  const counts = countStates(rows);
  return ResourceStateSchema.options.map((state) => `${counts[state]} ${state}`).join(", ");
}

interface Column {
  title: string;
  cell: (r: ResourceStatus) => string;
}

const COLUMNS: Column[] = [
  { title: "RESOURCE", cell: (r) => r.key },
  { title: "KIND", cell: (r) => kindNamed(r.kind)?.render.noun ?? r.kind },
  { title: "STATE", cell: (r) => r.state },
  { title: "VERSION", cell: (r) => r.version?.label ?? NONE },
  { title: "CREATED", cell: (r) => shortTime(r.version?.created ?? null) },
  { title: "TEST", cell: (r) => r.test ?? NONE },
  { title: "COMMIT", cell: (r) => r.commit ?? NONE },
];

/** Shown only when some kind fills it (deployments: what each serves), so models alone stay narrow. */
const SERVES: Column = { title: "SERVES", cell: (r) => r.serves ?? NONE };

export function renderStatusHuman(
  rows: readonly ResourceStatus[],
  options: { namespace: string; color: boolean },
): string {
  const s = createStyle(options.color);
  const out = [`drgitops status for namespace ${s.bold(options.namespace)}`, ""];
  if (rows.length === 0) {
    out.push("No manifests and no managed resources in this namespace.");
    return `${out.join("\n")}\n`;
  }
  const columns = rows.some((r) => r.serves !== null) ? [...COLUMNS, SERVES] : COLUMNS;
  const cells = rows.map((r) => columns.map((c) => c.cell(r)));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[], paint: (i: number, text: string) => string): string =>
    values
      .map((v, i) => paint(i, i === values.length - 1 ? v : v.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  out.push(
    line(
      columns.map((c) => c.title),
      (_i, t) => t,
    ),
  );
  const stateColumn = columns.findIndex((c) => c.title === "STATE");
  for (const [n, r] of rows.entries())
    out.push(line(cells[n]!, (i, t) => (i === stateColumn ? paintState(s, r.state)(t) : t)));

  const explained = STATE_ORDER.filter((state) => state !== "in sync").flatMap((state) =>
    rows.filter((r) => r.state === state),
  );
  if (explained.length > 0) {
    out.push("", s.bold("Not in sync"));
    for (const r of explained) {
      out.push(`  ${s.bold(r.key)} (${paintState(s, r.state)(r.state)})`);
      for (const reason of r.reasons) out.push(`      ${reason}`);
    }
  }
  out.push("", `${s.bold("Status:")} ${statusSummary(rows)}.`);
  return `${out.join("\n")}\n`;
}

const SUMMARY_KEYS: Record<ResourceState, string> = {
  "in sync": "inSync",
  "changes pending": "changesPending",
  drifted: "drifted",
  "gate failed": "gateFailed",
  unmanaged: "unmanaged",
};

export function renderStatusJson(rows: readonly ResourceStatus[], namespace: string): string {
  const counts = countStates(rows);
  const summary = Object.fromEntries(
    ResourceStateSchema.options.map((state) => [SUMMARY_KEYS[state], counts[state]]),
  );
  return `${JSON.stringify({ namespace, summary, resources: rows }, null, 2)}\n`;
}
