import { createHash } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CustomModel, DataRobotClient } from "../../src/client/index.js";
import { hashZipFile } from "../../src/reconcile/version-cache.js";
import {
  EXAMPLES_NAMESPACE as NS,
  actionsOf,
  countRequests as count,
  exampleWorld,
  planJson,
  resetStats,
  stats,
  type ExampleWorld,
} from "./harness.js";

const VERSION_CREATES = /^\/api\/v2\/customModels\/:\w+\/versions\/?$/;

describe("changes, drift, saved plans and prune on the examples", { timeout: 120_000 }, () => {
  let world: ExampleWorld;
  let emu: ExampleWorld["emu"];
  let repo: ExampleWorld["repo"];
  let env: NodeJS.ProcessEnv;
  let client: DataRobotClient;

  const cli = (...args: string[]) => world.cli(...args);
  const model = (name: string): Promise<CustomModel> => world.model(name);
  async function edit(relative: string, change: (text: string) => string): Promise<void> {
    const file = join(repo.dir, relative);
    await writeFile(file, change(await readFile(file, "utf8")));
  }

  beforeAll(async () => {
    world = await exampleWorld();
    ({ emu, repo, env, client } = world);
  }, 120_000);
  afterAll(() => world.stop());

  it("editing one file creates exactly one version that uploads exactly that file", async () => {
    const before = await model("iris-classifier");
    await edit("examples/models/iris-classifier/centroids.json", (t) => t.replace(/\d\.\d/, "9.9"));
    const planned = await planJson(repo.dir, env, "--detailed-exitcode");
    expect(planned.code).toBe(2);
    const versions = actionsOf(planned.plan).filter((a) => a.startsWith("createVersion "));
    expect(versions).toEqual([`createVersion ${NS}/iris-classifier`]);
    const upload = planned.plan.actions.flatMap((a) => (a.type === "createVersion" ? a.uploads : []));
    expect(upload.map((u) => u.path)).toEqual(["centroids.json"]);

    await resetStats(emu);
    const applied = await cli("apply");
    expect(applied.code).toBe(0);
    const s = await stats(emu);
    expect(count(s, "PATCH", VERSION_CREATES) + count(s, "POST", VERSION_CREATES)).toBe(1);

    const after = await model("iris-classifier");
    const oldItems = new Map(before.latestVersion!.items.map((i) => [i.filePath, i.id]));
    const replaced = after.latestVersion!.items.filter((i) => oldItems.get(i.filePath) !== i.id);
    expect(replaced.map((i) => i.filePath)).toEqual(["centroids.json"]);
    expect(after.latestVersion!.items).toHaveLength(before.latestVersion!.items.length);
    expect((await cli("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("a version created behind drgitops' back is drift (exit 6), and apply restores the manifest", async () => {
    const m = await model("house-price-regressor");
    const rogue = join(repo.dir, "rogue.py");
    await writeFile(rogue, "print('hotfix made in the UI')\n");
    await client.versions.createFromPrevious(m.id, { files: [{ filePath: "custom.py", absPath: rogue }] });
    await rm(rogue);

    await resetStats(emu);
    const drift = await planJson(repo.dir, env, "--detect-drift");
    expect(drift.code).toBe(6);
    expect(count(await stats(emu), "GET", /download/)).toBe(1);
    expect(drift.plan.drift.map((d) => [d.key, d.subject])).toEqual([
      [`${NS}/house-price-regressor`, "version"],
    ]);
    // The rogue version's files were downloaded and hashed once; versions are immutable, so cached.
    await resetStats(emu);
    expect((await planJson(repo.dir, env, "--detect-drift")).code).toBe(6);
    expect(count(await stats(emu), "GET", /download/)).toBe(0);
    expect((await cli("apply")).code).toBe(0);
    expect((await cli("plan", "--detect-drift", "--detailed-exitcode")).code).toBe(0);
    const restored = await model("house-price-regressor");
    const local = await readFile(join(repo.dir, "examples/models/house-price-regressor/custom.py"));
    const zip = join(repo.dir, "restored.zip");
    await client.versions.download(restored.id, restored.latestVersion!.id, zip);
    const files = (await hashZipFile(zip, restored.latestVersion!.id)).files;
    expect(files.find((f) => f.path === "custom.py")?.sha256).toBe(
      createHash("sha256").update(local).digest("hex"),
    );
    await rm(zip);
  });

  it("a model field changed behind drgitops' back is drift, and apply patches it back", async () => {
    const m = await model("churn-classifier");
    await client.customModels.update(m.id, { name: "Renamed in the UI" });
    const drift = await planJson(repo.dir, env, "--detect-drift");
    expect(drift.code).toBe(6);
    expect(drift.plan.drift.map((d) => [d.key, d.subject])).toEqual([[`${NS}/churn-classifier`, "model"]]);
    await resetStats(emu);
    expect((await cli("apply")).code).toBe(0);
    const s = await stats(emu);
    expect(count(s, "PATCH", /customModels\/:\w+\/?$/)).toBe(1);
    expect(count(s, "PATCH", VERSION_CREATES)).toBe(0);
    expect((await model("churn-classifier")).name).toBe("Customer churn classifier");
  });

  it("a saved plan is refused (exit 5) for exactly the model that moved; the others are applied", async () => {
    await edit("examples/models/iris-classifier/custom.py", (t) => `${t}\n# tuned\n`);
    await edit("examples/models/document-tagger/keywords.json", (t) => t.replace("{", '{"extra": ["x"], '));
    // --target and --selector narrow the plan to the named or labelled models.
    const targeted = await planJson(repo.dir, env, "--target", "iris-classifier");
    expect(new Set(targeted.plan.actions.map((a) => a.key))).toEqual(new Set([`${NS}/iris-classifier`]));
    const selected = await planJson(repo.dir, env, "--selector", "team=support");
    expect(new Set(selected.plan.actions.map((a) => a.key))).toEqual(new Set([`${NS}/document-tagger`]));

    expect((await cli("plan", "--out", "plan.json")).code).toBe(0);

    const iris = await model("iris-classifier");
    const tagger = await model("document-tagger");
    const rogue = join(repo.dir, "rogue.txt");
    await writeFile(rogue, "notes\n");
    await client.versions.createFromPrevious(iris.id, { files: [{ filePath: "NOTES.txt", absPath: rogue }] });
    const movedTo = (await model("iris-classifier")).latestVersion!.id;

    const applied = await cli("apply", "--plan", "plan.json");
    expect(applied.code).toBe(5);
    expect(applied.stdout).toMatch(/iris-classifier\s+skipped/);
    expect((await model("iris-classifier")).latestVersion!.id).toBe(movedTo);
    expect((await model("document-tagger")).latestVersion!.id).not.toBe(tagger.latestVersion!.id);

    // A fresh plan picks the rest up.
    expect((await cli("apply")).code).toBe(0);
    expect((await cli("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("prune deletes a managed model whose manifest is gone, never a protected one, never more than --max-deletions", async () => {
    await rm(join(repo.dir, "examples/manifests/iris-classifier.yaml"));
    await rm(join(repo.dir, "examples/manifests/churn-classifier.yaml"));
    const refused = await cli("apply", "--prune", "--max-deletions", "0");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("--max-deletions");
    await model("iris-classifier");

    const pruned = await cli("apply", "--prune");
    expect(pruned.code).toBe(0);
    await expect(model("iris-classifier")).rejects.toThrow(/not found/);
    const churn = await model("churn-classifier");
    expect(churn.id).toBeTruthy();
    expect((await cli("plan", "--prune", "--detailed-exitcode")).code).toBe(0);
  });
});
