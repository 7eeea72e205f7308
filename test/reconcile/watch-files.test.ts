import { mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileWatcher, RECHECK_MS, WatcherErrors, watcherError } from "../../src/reconcile/watch-files.js";
import type { FileEvent } from "../../src/spec/incremental.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await sleep(5);
  }
}

describe("FileWatcher (real chokidar)", () => {
  let dir: string | undefined;
  let watcher: FileWatcher | undefined;
  afterEach(async () => {
    await watcher?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("reports a second save made right after the first (inside chokidar's 50 ms change throttle)", async () => {
    dir = await mkdtemp(join(tmpdir(), "drgitops-watch-files-"));
    const file = join(dir, "custom.py");
    await writeFile(file, "a\n");
    const events: { event: FileEvent; at: number }[] = [];
    watcher = new FileWatcher(
      (event) => events.push({ event, at: Date.now() }),
      (message) => {
        throw new Error(message);
      },
      () => false,
    );
    await watcher.set([dir]);

    await writeFile(file, "first save\n");
    await until(() => events.some((e) => e.event.type === "change"));
    // At once, as an editor's second save or an undo would be.
    await writeFile(file, "second\n");
    const secondAt = Date.now();
    await sleep(RECHECK_MS + 300);
    const after = events.filter(
      (e) => e.event.type === "change" && e.event.path === file && e.at >= secondAt,
    );
    expect(after.length).toBeGreaterThanOrEqual(1);
  });

  it("adds no event when nothing was written after the change it reported", async () => {
    dir = await mkdtemp(join(tmpdir(), "drgitops-watch-files-"));
    const file = join(dir, "custom.py");
    await writeFile(file, "a\n");
    const events: FileEvent[] = [];
    watcher = new FileWatcher(
      (event) => events.push(event),
      () => undefined,
      () => false,
    );
    await watcher.set([dir]);
    // One write(2) in place, no truncation: a single modify event on disk. (writeFile truncates and
    // then writes, two events that a loaded machine may see more than 50 ms apart: a real second change.)
    const handle = await open(file, "r+");
    await handle.write("b\n", 0);
    await handle.close();
    await until(() => events.some((e) => e.type === "change"));
    await sleep(RECHECK_MS + 300);
    expect(events.filter((e) => e.type === "change")).toHaveLength(1);
  });
});

describe("watcherError", () => {
  it("says how to raise the inotify limit when the system runs out of watches, and passes other errors on", () => {
    const full = Object.assign(
      new Error("ENOSPC: System limit for number of file watchers reached, watch '/p/m'"),
      {
        code: "ENOSPC",
      },
    );
    const text = watcherError(full);
    expect(text).toMatch(/^file watcher: ENOSPC: System limit .* watch '\/p\/m'\. /);
    expect(text).toContain("sysctl fs.inotify.max_user_watches=");
    expect(watcherError(Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" }))).toBe(
      "file watcher: EACCES: permission denied",
    );
    expect(watcherError("boom")).toBe("file watcher: boom");
  });

  it("reports running out of watches once per batch of paths, and every other error", () => {
    const seen: string[] = [];
    const errors = new WatcherErrors((m) => seen.push(m));
    const full = (path: string): Error =>
      Object.assign(new Error(`ENOSPC: System limit for number of file watchers reached, watch '${path}'`), {
        code: "ENOSPC",
      });
    for (let i = 0; i < 1000; i++) errors.report(full(`/p/f${i}`));
    errors.report(new Error("EACCES: permission denied"));
    expect(seen).toHaveLength(2);
    expect(seen[0]).toContain("watch '/p/f0'");
    errors.reset();
    errors.report(full("/p/again"));
    expect(seen).toHaveLength(3);
  });
});
