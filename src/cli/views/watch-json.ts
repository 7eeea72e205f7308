import type { Writable } from "node:stream";
import type { ApplyEvent } from "../../reconcile/events.js";
import type { WatchEngineEvent, WatchStatus } from "../../reconcile/watch.js";
import { publicEvent } from "./watch-events.js";

export interface WatchView {
  onEvent: (event: WatchEngineEvent) => void;
  onStatus: (status: WatchStatus) => void;
  /** Progress of an apply (human only: the JSON lines are the watch events). */
  onApplyEvent?: (event: ApplyEvent) => void;
  close: () => void;
}

/** `watch --format json`: one JSON object per line, each with `event` and `at`. */
export function createWatchJsonView(stream: Writable, cwd: string): WatchView {
  return {
    onEvent: (event) => stream.write(`${JSON.stringify(publicEvent(event, cwd))}\n`),
    onStatus: () => undefined,
    close: () => undefined,
  };
}
