import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLES_NAMESPACE as NS, exampleWorld, type ExampleWorld } from "./harness.js";
import { plansFrom, startWatch, type WatchProcess } from "./watch-harness.js";

describe("drgitops watch --apply (self-heal with apply's guards)", { timeout: 120_000 }, () => {
  let world: ExampleWorld;
  let w: WatchProcess | undefined;
  const path = (relative: string): string => join(world.repo.dir, relative);

  beforeAll(async () => {
    // iris-classifier's sideEffects check fails whenever its test runs in `fail` mode.
    world = await exampleWorld({
      scenario:
        "models:\n  drgitops-examples/iris-classifier:\n    tests:\n      sideEffects: {outcome: fail, message: writes to /tmp}\n",
    });
  }, 120_000);
  afterAll(async () => {
    await w?.stop("SIGKILL");
    await world.stop();
  });

  it("heals drift, refuses a prune beyond --max-deletions, and stops at a failing test gate", async () => {
    w = startWatch(["--apply", "--prune", "--max-deletions", "0", "--interval", "1"], {
      cwd: world.repo.dir,
      env: world.env,
    });
    expect(await w.waitFor("plan")).toMatchObject({ trigger: "start", changes: 0 });

    // Drift is reported, applied away, and resolved; the model has its manifest's name again.
    const churn = await world.model("churn-classifier");
    await world.client.customModels.update(churn.id, { name: "Renamed in the UI" });
    await w.waitFor("drift", (d) => d.key === `${NS}/churn-classifier`);
    const applied = await w.waitFor("applied");
    expect(applied.outcomes).toEqual([
      expect.objectContaining({ key: `${NS}/churn-classifier`, outcome: "succeeded" }),
    ]);
    await w.waitFor("resolved", (r) => r.key === `${NS}/churn-classifier`);
    expect((await world.model("churn-classifier")).name).toBe("Customer churn classifier");

    // A manifest removed: prune would delete its model, more than --max-deletions allows: refused.
    const manifest = path("examples/manifests/support-answer-bot.yaml");
    const text = await readFile(manifest, "utf8");
    let mark = w.events.length;
    await rm(manifest);
    const refused = await w.waitFor("error", (e) => e.message.includes("--max-deletions"), { from: mark });
    expect(refused.message).toMatch(
      /refused to apply: prune would delete 1 resources? \(drgitops-examples\/support-answer-bot\)/,
    );
    expect(w.events.slice(mark).filter((e) => e.event === "applied")).toEqual([]);
    await world.model("support-answer-bot");
    mark = w.events.length;
    await writeFile(manifest, text);
    await w.waitFor("plan", (p) => p.trigger === "files" && p.changes === 0, { from: mark });

    // A test configuration whose test fails: the test runs once, its gate fails, and later cycles
    // do not run it again (a re-run never turns a failed gate green).
    const iris = path("examples/manifests/iris-classifier.yaml");
    const irisText = await readFile(iris, "utf8");
    mark = w.events.length;
    await writeFile(
      iris,
      irisText.replace(
        "    dataset: {ref: iris-test}\n",
        "    dataset: {ref: iris-test}\n    checks: {sideEffects: fail}\n",
      ),
    );
    const gated = await w.waitFor("applied", undefined, { from: mark });
    expect(gated.outcomes).toEqual([
      expect.objectContaining({
        key: `${NS}/iris-classifier`,
        outcome: "failed",
        detail: expect.stringContaining("runTest") as unknown,
      }),
    ]);
    const after = w.events.length;
    for (let i = 0; i < 2; i++)
      await w.waitFor("plan", (p) => p.trigger === "interval", { from: w.events.length, timeoutMs: 15_000 });
    expect(w.events.slice(after).filter((e) => e.event === "applied")).toEqual([]);
    expect(plansFrom(w, after).every((p) => p.changes === 0)).toBe(true);

    expect(await w.stop()).toMatchObject({ code: 0 });
  });
});
