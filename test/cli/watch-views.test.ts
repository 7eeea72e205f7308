import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createWatchHumanView, statusLine } from "../../src/cli/views/watch-human.js";
import type { WatchEngineEvent } from "../../src/reconcile/watch.js";
import type { Issue } from "../../src/spec/issue.js";

/** A stream that records what is written, as a terminal or not. */
function sink(tty: boolean): PassThrough & { isTTY?: boolean; text: () => string } {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean; text: () => string };
  let out = "";
  stream.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  if (tty) stream.isTTY = true;
  stream.text = () => out;
  return stream;
}

const at = (s: number): string => new Date(2026, 11, 3, 9, 30, s).toISOString();
const issue: Issue = {
  code: "invalid-value",
  severity: "error",
  file: "/p/m.yaml",
  line: 10,
  column: 15,
  path: ["spec", "targetType"],
  message: "must be one of ...",
};
const view = (tty: boolean) => {
  const stream = sink(tty);
  const v = createWatchHumanView(stream, {
    color: false,
    formatIssue: (i) => `${i.file}:${i.line}:${i.column}  ${i.message} [${i.code}]`,
  });
  return { stream, v };
};
const status = {
  lastCheckAt: at(1),
  nextCheckAt: at(59),
  changes: 0,
  drifted: 1,
  invalid: false,
};

describe("watch --format human", () => {
  it("prints one line per event after its time, the issues of an invalid plan under it, and no control codes off a terminal", () => {
    const { stream, v } = view(false);
    const events: WatchEngineEvent[] = [
      { type: "ready", at: at(0), paths: ["/p/a", "/p/b"], intervalMs: 60_000, once: false },
      { type: "plan", at: at(1), trigger: "start", changes: 0, drifted: [], durationMs: 480 },
      { type: "plan", at: at(2), trigger: "files", changes: 0, drifted: [], durationMs: 20, issues: [issue] },
      { type: "drift", at: at(3), key: "ns/m", reasons: ["name changed outside drgitops"] },
      { type: "resolved", at: at(4), key: "ns/m" },
      { type: "error", at: at(5), message: "GET customModels/ failed: 503" },
      { type: "stopped", at: at(6) },
    ];
    for (const e of events) v.onEvent(e);
    v.onStatus?.(status);
    v.close?.();
    expect(stream.text().split("\n")).toEqual([
      "09:30:00 watching 2 paths; DataRobot is re-checked every 60 s (Ctrl-C stops)",
      "09:30:01 plan (start, 480 ms): in sync",
      "09:30:02 plan (files, 20 ms): invalid manifests, 1 error; nothing planned",
      "  /p/m.yaml:10:15  must be one of ... [invalid-value]",
      "09:30:03 drift: ns/m was changed outside drgitops: name changed outside drgitops",
      "09:30:04 resolved: ns/m matches its manifest again",
      "09:30:05 error: GET customModels/ failed: 503",
      "09:30:06 stopped",
      "",
    ]);
  });

  it("says so when it checks once and watches nothing", () => {
    const { stream, v } = view(false);
    v.onEvent({ type: "ready", at: at(0), paths: [], intervalMs: 60_000, once: true });
    expect(stream.text()).toBe(
      "09:30:00 checking the manifests against DataRobot once (--once): no files watched\n",
    );
  });

  it("on a terminal keeps the status line at the bottom: erased before each event line, drawn again after", () => {
    const { stream, v } = view(true);
    const erase = "\r\u001b[2K";
    v.onEvent({ type: "plan", at: at(1), trigger: "start", changes: 0, drifted: [], durationMs: 480 });
    v.onStatus?.(status);
    v.onEvent({ type: "resolved", at: at(4), key: "ns/m" });
    v.close?.();
    const line = "last check 09:30:01 · next 09:30:59 · 1 drifted";
    expect(stream.text()).toBe(
      "09:30:01 plan (start, 480 ms): in sync\n" +
        `${erase}${line}` +
        `${erase}09:30:04 resolved: ns/m matches its manifest again\n${line}` +
        erase,
    );
  });

  it("states the status as in sync, changes and drift, or invalid manifests", () => {
    expect(statusLine({ ...status, drifted: 0 })).toBe("last check 09:30:01 · next 09:30:59 · in sync");
    expect(statusLine({ ...status, changes: 3 })).toBe(
      "last check 09:30:01 · next 09:30:59 · 3 changes, 1 drifted",
    );
    expect(statusLine({ ...status, changes: 1, drifted: 0 })).toMatch(/· 1 change$/);
    expect(statusLine({ ...status, invalid: true })).toMatch(/· invalid manifests$/);
    expect(statusLine({ ...status, lastCheckAt: undefined, nextCheckAt: undefined })).toBe(
      "last check - · next - · 1 drifted",
    );
  });
});
