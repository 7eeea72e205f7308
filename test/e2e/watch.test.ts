import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { EXAMPLES_NAMESPACE as NS, git, setFaults, type ExampleWorld } from "./harness.js";
import { plansFrom, sleep, startWebhook, useWatchWorld } from "./watch-harness.js";

describe("drgitops watch (detect-only)", { timeout: 120_000 }, () => {
  const setup = useWatchWorld();
  const { watch } = setup;
  let world: ExampleWorld;
  beforeAll(() => {
    world = setup.world();
  });
  const path = (relative: string): string => join(world.repo.dir, relative);

  it("plans on every save: a change, its undo, a burst of saves; follows manifests as they come, break and go", async () => {
    const w = watch("--interval", "3600", "--debounce", "150");
    const ready = await w.waitFor("ready");
    expect(ready.interval).toBe(3600);
    expect(ready.paths).toEqual(
      expect.arrayContaining(["examples/manifests", "examples/models/iris-classifier"]),
    );
    expect(await w.waitFor("plan")).toMatchObject({ trigger: "start", changes: 0, drifted: [] });

    // A save under a model's source is a plan with changes; undoing it is a plan without.
    const source = path("examples/models/iris-classifier/custom.py");
    const original = await readFile(source, "utf8");
    let mark = w.events.length;
    await writeFile(source, `${original}\n# tuned\n`);
    const changed = await w.waitFor("plan", (p) => p.changes > 0, { from: mark });
    expect(changed.trigger).toBe("files");
    expect(changed.changes).toBeGreaterThanOrEqual(1);
    mark = w.events.length;
    await writeFile(source, original);
    expect(await w.waitFor("plan", (p) => p.changes === 0, { from: mark })).toMatchObject({
      trigger: "files",
      changes: 0,
    });

    // A burst of 50 saves is debounced into at most two plans; the last one sees the last content.
    mark = w.events.length;
    for (let i = 0; i < 50; i++) await writeFile(source, `${original}\n# burst ${i}\n`);
    await w.waitFor("plan", undefined, { from: mark });
    await sleep(1500);
    const burst = plansFrom(w, mark);
    expect(burst.length).toBeGreaterThanOrEqual(1);
    expect(burst.length).toBeLessThanOrEqual(2);
    expect(burst.at(-1)!.changes).toBeGreaterThanOrEqual(1);
    mark = w.events.length;
    await writeFile(source, original);
    expect(await w.waitFor("plan", (p) => p.changes === 0, { from: mark })).toMatchObject({
      trigger: "files",
    });

    // An invalid manifest: a plan carrying the issues and no changes; the loop goes on and recovers.
    const manifest = path("examples/manifests/iris-classifier.yaml");
    const manifestText = await readFile(manifest, "utf8");
    mark = w.events.length;
    await writeFile(manifest, manifestText.replace("targetType: Multiclass", "targetType: Multiklass"));
    const invalid = await w.waitFor("plan", (p) => p.issues !== undefined, { from: mark });
    expect(invalid.changes).toBe(0);
    expect(invalid.issues).toEqual([
      expect.objectContaining({ code: "invalid-value", file: "examples/manifests/iris-classifier.yaml" }),
    ]);
    mark = w.events.length;
    await writeFile(manifest, manifestText);
    const fixed = await w.waitFor("plan", (p) => p.issues === undefined, { from: mark });
    expect(fixed).toMatchObject({ trigger: "files", changes: 0 });
    expect(fixed.issues).toBeUndefined();

    // A new manifest (with its own new source folder) is planned, and saves in that folder are seen.
    await cp(path("examples/models/iris-classifier"), path("examples/models/iris-copy"), { recursive: true });
    const copy = path("examples/manifests/iris-copy.yaml");
    mark = w.events.length;
    await writeFile(
      copy,
      manifestText
        .replace("name: iris-classifier", "name: iris-copy")
        .replace("models/iris-classifier", "models/iris-copy"),
    );
    const added = await w.waitFor("plan", (p) => p.changes > 0, { from: mark });
    mark = w.events.length;
    await writeFile(path("examples/models/iris-copy/extra.py"), "X = 1\n");
    const grown = await w.waitFor("plan", undefined, { from: mark });
    expect(grown.trigger).toBe("files");
    expect(grown.changes).toBe(added.changes);
    // The deleted manifest is gone from the plan again.
    mark = w.events.length;
    await rm(copy);
    await rm(path("examples/models/iris-copy"), { recursive: true });
    expect(await w.waitFor("plan", (p) => p.changes === 0, { from: mark })).toMatchObject({
      trigger: "files",
    });

    expect(w.events.filter((e) => e.event === "error")).toEqual([]);
    const stopped = await w.stop();
    expect(stopped.code).toBe(0);
    expect(w.events.at(-1)?.event).toBe("stopped");
  });

  it("reports drift once per resource, keeps quiet while it lasts, says when it is resolved; a hanging or failing webhook delays nothing", async () => {
    // The first POST hangs (until the notifier's timeout), every later one gets a 500.
    const hook = await startWebhook((n) => (n === 1 ? "hang" : "fail"), "/hooks/T000/B000/SECRET-PATH");
    try {
      const w = watch("--interval", "1", "--notify", hook.url);
      await w.waitFor("plan", (p) => p.trigger === "start");
      const churn = await world.model("churn-classifier");
      await world.client.customModels.update(churn.id, { name: "Renamed in the UI" });
      const house = await world.model("house-price-regressor");
      const rogue = path("rogue.py");
      await writeFile(rogue, "print('hotfix made in the UI')\n");
      await world.client.versions.createFromPrevious(house.id, {
        files: [{ filePath: "custom.py", absPath: rogue }],
      });
      await rm(rogue);

      const driftAt = w.events.length;
      await w.waitFor("drift", (d) => d.key === `${NS}/churn-classifier`);
      await w.waitFor("drift", (d) => d.key === `${NS}/house-price-regressor`);
      // Several more interval cycles while the webhook hangs and then fails: they keep coming, silently.
      const after = w.events.length;
      for (let i = 0; i < 3; i++)
        await w.waitFor("plan", (p) => p.trigger === "interval", {
          from: w.events.length,
          timeoutMs: 15_000,
        });
      expect(plansFrom(w, after).every((p) => p.drifted.length === 2)).toBe(true);
      expect(w.events.slice(driftAt).filter((e) => e.event === "drift")).toHaveLength(2);
      // Meanwhile the webhook has held the first notification (one goes out at a time).
      expect(hook.received.length).toBeGreaterThanOrEqual(1);
      expect(hook.received[0]).toMatchObject({
        event: "drift",
        key: expect.stringMatching(/churn-classifier|house-price-regressor/) as unknown,
        text: expect.stringContaining("drift") as unknown,
      });

      const resolvedAt = w.events.length;
      expect((await world.cli("apply")).code).toBe(0);
      await w.waitFor("resolved", (r) => r.key === `${NS}/churn-classifier`, { from: resolvedAt });
      await w.waitFor("resolved", (r) => r.key === `${NS}/house-price-regressor`, { from: resolvedAt });
      const quiet = w.events.length;
      for (let i = 0; i < 2; i++)
        await w.waitFor("plan", (p) => p.trigger === "interval", {
          from: w.events.length,
          timeoutMs: 15_000,
        });
      expect(w.events.slice(quiet).filter((e) => e.event === "drift" || e.event === "resolved")).toEqual([]);
      expect(plansFrom(w, quiet).every((p) => p.changes === 0 && p.drifted.length === 0)).toBe(true);

      // The hanging POST timed out and was retried (the webhook then answered 500), all in the background.
      for (let i = 0; hook.received.length < 2 && i < 100; i++) await sleep(200);
      expect(hook.received[1]).toEqual(hook.received[0]);
      // The webhook URL is a secret, like the token: neither appears in any event or log line.
      expect(w.stdout()).not.toContain("SECRET-PATH");
      expect(`${w.stdout()}${w.stderr()}${JSON.stringify(hook.received)}`).not.toContain(world.emu.token);
      expect(await w.stop()).toMatchObject({ code: 0 });
    } finally {
      await hook.close();
    }
  });

  it("--once: one cycle, exit 0 in sync, 2 with changes, 6 with drift, 3 with invalid manifests", async () => {
    const once = async (): Promise<{ code: number | null; events: string[] }> => {
      const w = watch("--once");
      const code = await w.exited;
      return { code, events: w.events.map((e) => e.event) };
    };
    expect(await once()).toEqual({ code: 0, events: ["ready", "plan", "stopped"] });
    const source = path("examples/models/document-tagger/custom.py");
    const original = await readFile(source, "utf8");
    await writeFile(
      source,
      `${original}
# changed
`,
    );
    expect((await once()).code).toBe(2);
    const tagger = await world.model("document-tagger");
    await world.client.customModels.update(tagger.id, { name: "Renamed in the UI" });
    expect(await once()).toEqual({ code: 6, events: ["ready", "plan", "drift", "stopped"] });
    await writeFile(source, original);
    expect((await world.cli("apply")).code).toBe(0);
    const manifest = path("examples/manifests/document-tagger.yaml");
    const text = await readFile(manifest, "utf8");
    await writeFile(manifest, `${text}  bogusField: 1\n`);
    expect((await once()).code).toBe(3);
    await writeFile(manifest, text);
  });

  it("stops within a second on SIGTERM, idle or in the middle of a cycle", async () => {
    const idle = watch("--interval", "3600");
    await idle.waitFor("plan");
    const idleStop = await idle.stop("SIGTERM");
    expect(idleStop.code).toBe(0);
    expect(idleStop.ms).toBeLessThan(1000);
    expect(idle.events.at(-1)?.event).toBe("stopped");

    // Every request now takes 5 s: the start cycle is still listing when the signal comes.
    await setFaults(world.emu, { latencyMs: 5000 });
    try {
      const busy = watch("--interval", "3600");
      await busy.waitFor("ready");
      await sleep(300);
      const busyStop = await busy.stop("SIGTERM");
      expect(busyStop.code).toBe(0);
      expect(busyStop.ms).toBeLessThan(1000);
      expect(busy.events.map((e) => e.event)).toEqual(["ready", "stopped"]);
    } finally {
      await setFaults(world.emu, { latencyMs: 0 });
    }
  });

  // Last: it moves the repository's branch.
  it("--git-pull fast-forwards to a new commit and plans it; a diverged branch is an error and the work tree stays", async () => {
    const dir = world.repo.dir;
    const bare = await mkdtemp(join(tmpdir(), "drgitops-bare-"));
    const other = await mkdtemp(join(tmpdir(), "drgitops-other-"));
    try {
      await git(dir, "clone", "-q", "--bare", dir, bare);
      await git(dir, "remote", "add", "upstream", bare);
      await git(dir, "fetch", "-q", "upstream");
      await git(dir, "branch", "-q", "--set-upstream-to", "upstream/main");
      await git(other, "clone", "-q", bare, ".");
      const commit = async (repo: string, file: string, line: string): Promise<string> => {
        const at = join(repo, file);
        await writeFile(at, `${await readFile(at, "utf8")}${line}\n`);
        await git(repo, "commit", "-q", "-am", line);
        return git(repo, "rev-parse", "HEAD");
      };

      const w = watch("--git-pull", "--interval", "1");
      await w.waitFor("plan", (p) => p.trigger === "start" && p.changes === 0);
      const pushed = await commit(other, "examples/models/iris-classifier/custom.py", "# from upstream");
      await git(other, "push", "-q", "origin", "main");
      const pulled = await w.waitFor("plan", (p) => p.trigger === "git");
      expect(pulled.changes).toBeGreaterThanOrEqual(1);
      expect(await git(dir, "rev-parse", "HEAD")).toBe(pushed);

      // A commit that moves a manifest and edits it: the pull's own list of files (one gone, one
      // new) is planned as the work tree now is: no unreadable file, and the edit (one more action).
      const from = join(other, "examples/manifests/iris-classifier.yaml");
      const to = join(other, "examples/manifests/iris.yaml");
      await git(other, "mv", from, to);
      await writeFile(
        to,
        (await readFile(to, "utf8")).replace(/displayName: .*/, "displayName: Iris, moved"),
      );
      await git(other, "commit", "-q", "-am", "move and rename a manifest");
      await git(other, "push", "-q", "origin", "main");
      const moved = await w.waitFor("plan", (p) => p.trigger === "git", {
        from: w.events.indexOf(pulled) + 1,
      });
      expect(moved.issues).toBeUndefined();
      expect(moved.changes).toBe(pulled.changes + 1);

      // Both sides commit: nothing is merged or reset, the loop reports it and goes on.
      await commit(other, "examples/models/document-tagger/custom.py", "# upstream again");
      await git(other, "push", "-q", "origin", "main");
      const local = await commit(dir, "examples/models/house-price-regressor/custom.py", "# local work");
      const mark = w.events.length;
      const diverged = await w.waitFor("error", (e) => e.message.includes("diverged"), { from: mark });
      expect(diverged.message).toMatch(/main and upstream\/main have diverged/);
      await w.waitFor("plan", (p) => p.trigger === "interval", { from: w.events.length });
      expect(await git(dir, "rev-parse", "HEAD")).toBe(local);
      expect(await git(dir, "status", "--porcelain", "--untracked-files=no")).toBe("");
      expect(await readFile(join(dir, "examples/models/document-tagger/custom.py"), "utf8")).not.toContain(
        "upstream again",
      );
      expect(await w.stop()).toMatchObject({ code: 0 });
    } finally {
      await rm(bare, { recursive: true, force: true });
      await rm(other, { recursive: true, force: true });
    }
  });
});
