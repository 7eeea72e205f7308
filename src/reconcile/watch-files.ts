import { statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { watch, type FSWatcher } from "chokidar";
import type { FileEvent } from "../spec/incremental.js";
import { PathSet } from "../spec/path-set.js";

/**
 * What to hand chokidar for a set of wanted paths: existing ones watched recursively (none inside
 * another), missing ones through their nearest existing folder, one level deep, for the name that
 * leads to them (creating `models/new/` is seen without watching all of `models/` recursively).
 */
export interface WatchTargets {
  deep: string[];
  /** Folder -> names of children that lead to a missing wanted path. */
  shallow: Map<string, Set<string>>;
}

export function watchTargets(wanted: readonly string[]): WatchTargets {
  const existing = new Map<string, boolean>();
  const missing: string[] = [];
  for (const path of wanted) {
    const s = statSync(path, { throwIfNoEntry: false });
    if (s === undefined) missing.push(path);
    else existing.set(path, s.isDirectory());
  }
  // One lookup per level, not one `isInside` per folder: on the bench's repository (2,000 wanted
  // paths) comparing every pair cost 4 million `path.relative` calls, 2.3 s of every watch cycle.
  const dirs = new PathSet([...existing].filter(([, isDir]) => isDir).map(([p]) => p));
  // Inside another wanted folder (not itself): its recursive watch covers it.
  const covered = (p: string): boolean => dirname(p) !== p && dirs.covers(dirname(p));
  const deep = [...existing.keys()].filter((p) => !covered(p)).sort();
  const shallow = new Map<string, Set<string>>();
  for (const path of missing) {
    let at = dirname(path);
    while (statSync(at, { throwIfNoEntry: false })?.isDirectory() !== true && dirname(at) !== at)
      at = dirname(at);
    if (dirs.covers(at)) continue; // a recursive watch sees it appear
    const name = relative(at, path).split(sep)[0];
    if (name === undefined || name === "" || name === "..") continue;
    shallow.set(at, (shallow.get(at) ?? new Set()).add(name));
  }
  return { deep, shallow };
}

const isLimit = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === "ENOSPC";

/**
 * An `error` event's message for what chokidar reported. Linux allows each user a fixed number of
 * inotify watches and chokidar takes one per file and folder: a large repository can run out, and
 * `ENOSPC` ("no space left on device" to most) says nothing of how to fix it.
 */
export function watcherError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (isLimit(error))
    return (
      `file watcher: ${message}. The system's limit on watched files (one per file and folder) was reached, ` +
      "so changes under some paths are not seen (the other paths past the limit are not listed one by one): " +
      "raise it (sudo sysctl fs.inotify.max_user_watches=524288; add the line to /etc/sysctl.conf to keep it), " +
      "exclude large folders from the sources, or run `drgitops watch` on fewer manifests"
    );
  return `file watcher: ${message}`;
}

/**
 * Turns chokidar's errors into `error` events. Past the inotify limit chokidar reports every path
 * it cannot watch (21,501 of them on the bench's repository with the limit at 500): that is one
 * event per `set`, not a flood on the terminal and the webhook.
 */
export class WatcherErrors {
  private limitReported = false;

  constructor(private readonly onError: (message: string) => void) {}

  /** A new batch of paths: hitting the limit again is news again. */
  reset(): void {
    this.limitReported = false;
  }

  report(error: unknown): void {
    if (isLimit(error)) {
      if (this.limitReported) return;
      this.limitReported = true;
    }
    this.onError(watcherError(error));
  }
}

/** What chokidar reports that counts (`rescan` is the watch's own). */
const EVENT_TYPES = new Set<string>(["add", "addDir", "change", "unlink", "unlinkDir"]);

/**
 * chokidar drops a file's `change` events for 50 ms after one it reported (no trailing event), so
 * a second save right after the first would go unseen. Each reported change is checked again after
 * that window: if the file moved on since, one more `change` is reported.
 */
export const RECHECK_MS = 75;

function stampOf(path: string): string {
  const s = statSync(path, { throwIfNoEntry: false });
  return s === undefined ? "gone" : `${s.ino}:${s.size}:${s.mtimeMs}`;
}

/**
 * chokidar over the paths a project wants watched; `set` follows them as manifests change. Each
 * batch of new paths gets its own chokidar instance whose `ready` is awaited, so once `set`
 * resolves a save under any of them is seen.
 */
export class FileWatcher {
  private readonly deep = new Map<string, FSWatcher>();
  private readonly shallow = new Map<string, { watcher: FSWatcher; names: Set<string> }>();
  private readonly rechecks = new Map<string, ReturnType<typeof setTimeout>>();
  private closed = false;
  private readonly errors: WatcherErrors;

  constructor(
    private readonly onEvent: (event: FileEvent) => void,
    onError: (message: string) => void,
    private readonly ignored: (path: string) => boolean,
  ) {
    this.errors = new WatcherErrors(onError);
  }

  /** Every path watched (recursively or for a missing child), for the `ready` event. */
  get paths(): string[] {
    return [...this.deep.keys(), ...this.shallow.keys()].sort();
  }

  /**
   * Watches `wanted` (and stops watching the rest). Resolves once chokidar watches everything, with
   * the paths it began to watch in this call: recursive roots, and under a folder newly watched for
   * a missing path, the child leading to it. What was read from those before now may be stale (a
   * save in between reports nothing, chokidar ignoring what is already there): the caller reads them
   * again.
   */
  async set(wanted: readonly string[]): Promise<string[]> {
    if (this.closed) return [];
    this.errors.reset();
    const targets = watchTargets(wanted);
    const keep = new Set(targets.deep);
    for (const [path, watcher] of [...this.deep]) {
      if (keep.has(path)) continue;
      this.deep.delete(path);
      await this.release(watcher, path);
    }
    const added = targets.deep.filter((p) => !this.deep.has(p));
    if (added.length > 0) {
      const watcher = await this.open(added, {});
      for (const path of added) this.deep.set(path, watcher);
    }
    const began = [...added];
    for (const [dir, entry] of [...this.shallow]) {
      const names = targets.shallow.get(dir);
      if (names === undefined) {
        this.shallow.delete(dir);
        await entry.watcher.close();
        continue;
      }
      // A name it filtered out until now: that child may have appeared unreported.
      for (const name of names) if (!entry.names.has(name)) began.push(join(dir, name));
      entry.names = names;
    }
    for (const [dir, names] of targets.shallow) {
      if (this.shallow.has(dir)) continue;
      const watcher = await this.open([dir], {
        depth: 0,
        dir: () => this.shallow.get(dir)?.names ?? names,
      });
      this.shallow.set(dir, { watcher, names });
      for (const name of names) began.push(join(dir, name));
    }
    return began;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.rechecks.values()) clearTimeout(timer);
    this.rechecks.clear();
    const watchers = new Set([...this.deep.values(), ...[...this.shallow.values()].map((s) => s.watcher)]);
    this.deep.clear();
    this.shallow.clear();
    await Promise.all([...watchers].map((w) => w.close()));
  }

  /** Reports a change chokidar's throttle swallowed (see RECHECK_MS). */
  private recheck(path: string): void {
    const seen = stampOf(path);
    const pending = this.rechecks.get(path);
    if (pending !== undefined) clearTimeout(pending);
    this.rechecks.set(
      path,
      setTimeout(() => {
        this.rechecks.delete(path);
        if (!this.closed && stampOf(path) !== seen) this.onEvent({ type: "change", path });
      }, RECHECK_MS),
    );
  }

  /** Unwatches one path; closes its instance when it watches nothing else. */
  private async release(watcher: FSWatcher, path: string): Promise<void> {
    if ([...this.deep.values()].includes(watcher)) watcher.unwatch(path);
    else await watcher.close();
  }

  private async open(
    paths: string[],
    options: { depth?: number; dir?: () => Set<string> },
  ): Promise<FSWatcher> {
    const watcher = watch(paths, {
      ignoreInitial: true,
      ignored: (path: string) => this.ignored(path),
      ...(options.depth !== undefined ? { depth: options.depth } : {}),
    });
    const only = options.dir;
    const base = paths[0] ?? "";
    watcher.on("all", (type: string, path: string) => {
      if (!EVENT_TYPES.has(type)) return;
      // One level below a folder watched for a missing path: only the names leading to it count.
      if (only && (dirname(path) !== base || !only().has(relative(base, path)))) return;
      this.onEvent({ type: type as FileEvent["type"], path });
      if (type === "change") this.recheck(path);
    });
    watcher.on("error", (error: unknown) => this.errors.report(error));
    // chokidar may report ready twice; the first one is enough.
    await new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
    return watcher;
  }
}
