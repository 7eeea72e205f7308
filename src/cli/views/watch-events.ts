import { z } from "zod";
import type { WatchEngineEvent } from "../../reconcile/watch.js";
import { IssueSchema } from "../../spec/issue.js";
import { displayFile } from "../shared.js";
import { summaryLine } from "./format.js";
import { ResourceSummary, summariseByResource } from "./outcome-table.js";

/**
 * The events of `drgitops watch --format json` (DESIGN.md §11), one JSON object per line, each with
 * `event` and `at`. The same objects, with a Slack-compatible `text`, are what `--notify` POSTs.
 */
const at = z.string().describe("ISO 8601 time of the event");

export const WatchEventSchema = z.discriminatedUnion("event", [
  z.object({ event: z.literal("ready"), at, paths: z.array(z.string()), interval: z.number() }),
  z.object({
    event: z.literal("plan"),
    at,
    trigger: z.enum(["start", "files", "interval", "git"]),
    changes: z.number().int(),
    drifted: z.array(z.string()),
    durationMs: z.number(),
    /** Present when the manifests are invalid: nothing was planned. */
    issues: z.array(IssueSchema).optional(),
  }),
  z.object({ event: z.literal("drift"), at, key: z.string(), reasons: z.array(z.string()) }),
  z.object({ event: z.literal("resolved"), at, key: z.string() }),
  z.object({ event: z.literal("applied"), at, outcomes: z.array(ResourceSummary) }),
  z.object({ event: z.literal("error"), at, message: z.string() }),
  z.object({ event: z.literal("stopped"), at }),
]);
export type WatchEvent = z.infer<typeof WatchEventSchema>;

/** The events a webhook is told about. */
export const NOTIFIED: ReadonlySet<WatchEvent["event"]> = new Set(["drift", "resolved", "applied", "error"]);

/** The engine's event as the public JSON line (paths relative to the working directory). */
export function publicEvent(e: WatchEngineEvent, cwd: string): WatchEvent {
  switch (e.type) {
    case "ready":
      return {
        event: "ready",
        at: e.at,
        paths: e.paths.map((p) => displayFile(p, cwd)),
        interval: e.intervalMs / 1000,
      };
    case "plan":
      return {
        event: "plan",
        at: e.at,
        trigger: e.trigger,
        changes: e.changes,
        drifted: e.drifted,
        durationMs: e.durationMs,
        ...(e.issues ? { issues: e.issues.map((i) => ({ ...i, file: displayFile(i.file, cwd) })) } : {}),
      };
    case "drift":
      return { event: "drift", at: e.at, key: e.key, reasons: e.reasons };
    case "resolved":
      return { event: "resolved", at: e.at, key: e.key };
    case "applied":
      return { event: "applied", at: e.at, outcomes: summariseByResource(e.results, []) };
    case "error":
      return { event: "error", at: e.at, message: e.message };
    case "stopped":
      return { event: "stopped", at: e.at };
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** One plain sentence per event: the human line (after its time) and a notification's `text`. */
export function describeEvent(e: WatchEngineEvent): string {
  switch (e.type) {
    case "ready":
      return e.once
        ? "checking the manifests against DataRobot once (--once): no files watched"
        : `watching ${plural(e.paths.length, "path")}; DataRobot is re-checked every ${e.intervalMs / 1000} s (Ctrl-C stops)`;
    case "plan": {
      const head = `plan (${e.trigger}, ${e.durationMs} ms):`;
      if (e.issues) return `${head} invalid manifests, ${plural(e.issues.length, "error")}; nothing planned`;
      const body = e.plan && e.changes > 0 ? summaryLine(e.plan) : "in sync";
      return `${head} ${body}${e.drifted.length > 0 ? `; drifted: ${e.drifted.join(", ")}` : ""}`;
    }
    case "drift":
      return `drift: ${e.key} was changed outside drgitops: ${e.reasons.join("; ")}`;
    case "resolved":
      return `resolved: ${e.key} matches its manifest again`;
    case "applied": {
      const rows = summariseByResource(e.results, []);
      const failed = rows.filter((r) => r.outcome !== "succeeded");
      const counts = `${rows.length - failed.length} succeeded, ${failed.length} failed or skipped`;
      return `applied: ${counts}${failed.map((r) => `; ${r.key}: ${r.detail}`).join("")}`;
    }
    case "error":
      return `error: ${e.message}`;
    case "stopped":
      return "stopped";
  }
}
