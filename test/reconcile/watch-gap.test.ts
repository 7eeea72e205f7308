import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createClient, type DataRobotClient } from "../../src/client/index.js";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import { BUILTIN_ENVIRONMENT } from "../../src/emulator/seed.js";
import { WatchEngine, type WatchEngineEvent } from "../../src/reconcile/watch.js";
import { FileWatcher } from "../../src/reconcile/watch-files.js";
import { IncrementalProject } from "../../src/spec/incremental.js";
import { makeProject } from "../spec/project-builder.js";

/**
 * chokidar reports nothing about files already there when it starts watching a path, so whatever
 * is saved between the project reading a path and the watcher covering it must be read again. The
 * watcher here writes that save itself, in the gap: just before it starts watching.
 */

const manifest = (name: string): string =>
  `apiVersion: drgitops/v1\nkind: CustomModel\nmetadata: {name: ${name}}\nspec:\n` +
  `  targetType: Unstructured\n  language: python\n` +
  `  environment: {id: ${BUILTIN_ENVIRONMENT.id}, versionId: ${BUILTIN_ENVIRONMENT.versionId}}\n` +
  `  source: {path: ../models/${name}}\n`;

/** A FileWatcher that runs `gap` with what it is asked to watch, before watching it. */
class GappyWatcher extends FileWatcher {
  gap: (wanted: readonly string[]) => Promise<void> = async () => {};
  override async set(wanted: readonly string[]): Promise<string[]> {
    await this.gap(wanted);
    return await super.set(wanted);
  }
}

describe("watch: what is saved while a path is not yet watched", { timeout: 60_000 }, () => {
  let emu: RunningEmulator;
  let client: DataRobotClient;
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    emu = await startEmulator({ quiet: true });
    client = createClient({ endpoint: emu.url, token: emu.token });
  });
  afterAll(async () => {
    await emu.stop();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  /** A watch over one model, `alpha`; `gap` runs inside each `set` of its file watcher. */
  async function start(gap: (root: string, wanted: readonly string[]) => Promise<void>) {
    const p = await makeProject({
      "models/alpha/custom.py": "x = 1\n",
      "manifests/alpha.yaml": manifest("alpha"),
    });
    cleanups.push(p.cleanup);
    const project = await IncrementalProject.open({ paths: ["manifests"], cwd: p.root, namespace: "gap" });
    const events: WatchEngineEvent[] = [];
    const waiters = new Set<() => void>();
    const abort = new AbortController();
    const engine = new WatchEngine({
      project,
      client,
      env: {},
      planOptions: {},
      parallelism: 2,
      intervalMs: 3_600_000,
      debounceMs: 20,
      watchFiles: true,
      once: false,
      emit: (e) => {
        events.push(e);
        for (const w of waiters) w();
      },
      fileWatcher: (...args) => {
        const w = new GappyWatcher(...args);
        w.gap = (wanted) => gap(p.root, wanted);
        return w;
      },
    });
    const done = engine.run(abort.signal);
    cleanups.push(async () => {
      abort.abort();
      await done;
    });
    /** The first plan event from `from` on that matches. */
    const plan = (from: number, match: (e: Extract<WatchEngineEvent, { type: "plan" }>) => boolean) =>
      new Promise<Extract<WatchEngineEvent, { type: "plan" }>>((resolve, reject) => {
        const seen = (): string =>
          events.map((e) => (e.type === "plan" ? `plan(${e.trigger}, ${e.changes})` : e.type)).join(", ");
        const timer = setTimeout(() => reject(new Error(`no such plan among: ${seen()}`)), 20_000);
        const check = (): void => {
          const found = events.slice(from).find((e) => e.type === "plan" && match(e));
          if (found === undefined || found.type !== "plan") return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        waiters.add(check);
        check();
      });
    return { root: p.root, project, events, plan };
  }

  /** Whether the plan (as its plan file would hold it) names the file `name` anywhere. */
  const planned = (e: Extract<WatchEngineEvent, { type: "plan" }>, name: string): boolean =>
    JSON.stringify(e.plan ?? {}).includes(name);

  it("at start: a file added after the project was read and before chokidar watched is in the first plan", async () => {
    let once = false;
    const w = await start(async (root) => {
      if (once) return;
      once = true;
      await writeFile(join(root, "models/alpha/late.py"), "y = 2\n");
    });
    const first = await w.plan(0, (e) => e.trigger === "start");
    expect(first.issues).toBeUndefined();
    expect(planned(first, "late.py")).toBe(true);
    const files = w.project.result.project.resources[0]?.paths["source"]?.files?.map((f) => f.path);
    expect(files).toEqual(["custom.py", "late.py"]);
  });

  it("a new manifest's source: a file added there before it is watched is planned", async () => {
    const w = await start(async (root, wanted) => {
      if (wanted.includes(join(root, "models/beta")))
        await writeFile(join(root, "models/beta/late.py"), "z = 3\n");
    });
    await w.plan(0, (e) => e.trigger === "start");
    const from = w.events.length;
    await mkdir(join(w.root, "models/beta"), { recursive: true });
    await writeFile(join(w.root, "models/beta/custom.py"), "x = 1\n");
    await writeFile(join(w.root, "manifests/beta.yaml"), manifest("beta"));
    const seen = await w.plan(from, (e) => e.trigger === "files" && planned(e, "late.py"));
    expect(seen.issues).toBeUndefined();
    const beta = w.project.result.project.resources.find((r) => r.name === "beta");
    expect(beta?.paths["source"]?.files?.map((f) => f.path)).toEqual(["custom.py", "late.py"]);
  });

  it("a source folder removed and made again (a branch switch): what lands in it before it is watched is planned", async () => {
    let armed = false;
    const w = await start(async (root) => {
      // The folder is back and about to be watched again: the rest of the checkout lands now.
      if (!armed || !existsSync(join(root, "models/alpha"))) return;
      armed = false;
      await mkdir(join(root, "models/alpha/lib"));
      await writeFile(join(root, "models/alpha/lib/util.py"), "u = 1\n");
    });
    await w.plan(0, (e) => e.trigger === "start");
    const source = join(w.root, "models/alpha");
    let from = w.events.length;
    await rm(source, { recursive: true });
    await w.plan(from, (e) => e.issues?.some((i) => i.code === "source-missing") === true);
    from = w.events.length;
    armed = true;
    await mkdir(source);
    await writeFile(join(source, "custom.py"), "x = 1\n");
    // The cycle that begins to watch the folder again plans what landed in it meanwhile.
    const first = await w.plan(from, () => true);
    expect(planned(first, "lib/util.py")).toBe(true);
    await w.plan(from, (e) => e.issues === undefined && planned(e, "custom.py"));
    const files = w.project.result.project.resources[0]?.paths["source"]?.files?.map((f) => f.path);
    expect(files).toEqual(["custom.py", "lib/util.py"]);
  });
});
