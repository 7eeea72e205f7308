import { appendFile, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { actionsOf, exampleWorld, git, planJson, runCli, type ExampleWorld } from "./harness.js";

/**
 * `--changed-since REF` (DESIGN §12) on the applied examples: only what a commit touched is read,
 * hashed and planned, with what depends on it and what that needs.
 */
const TIMEOUT = 120_000;
const NS = "drgitops-examples";

let world: ExampleWorld;
const cacheFile = (): string => join(world.repo.dir, ".drgitops/cache/digests.json");

/** The files the digest cache holds, relative to the repo: what was hashed. */
async function hashedFiles(): Promise<string[]> {
  const text = await readFile(cacheFile(), "utf8").catch(() => '{"entries":[]}');
  const { entries } = z
    .object({ entries: z.array(z.tuple([z.string()]).rest(z.unknown())) })
    .parse(JSON.parse(text));
  return entries.map(([p]) => p.slice(world.repo.dir.length + 1));
}

/** Models planned: the keys of the plan's actions, per kind of key. */
const keysOf = (actions: string[]): string[] => [...new Set(actions.map((a) => a.split(" ")[1]!))].sort();

async function commit(file: string, text: string, message: string): Promise<void> {
  await appendFile(join(world.repo.dir, file), text);
  await git(world.repo.dir, "commit", "-q", "-am", message);
}

beforeAll(async () => {
  world = await exampleWorld();
}, TIMEOUT);
afterAll(async () => {
  await world.stop();
});

describe("--changed-since", { timeout: TIMEOUT }, () => {
  it("a commit touching one model's file plans only that model, and files of the others are not read", async () => {
    await commit("examples/models/iris-classifier/custom.py", "# tweak\n", "iris");
    await rm(cacheFile(), { force: true });
    const { code, plan, stderr } = await planJson(
      world.repo.dir,
      world.env,
      "--changed-since",
      "HEAD~1",
      "--detailed-exitcode",
    );
    expect(code).toBe(2);
    expect(plan.changedSince).toBe("HEAD~1");
    expect(keysOf(actionsOf(plan))).toEqual([`${NS}/iris-classifier`]);
    expect(actionsOf(plan)).toContain(`createVersion ${NS}/iris-classifier`);
    // Its environment and test dataset stay in scope (unchanged); nothing else is planned.
    expect([...plan.unchanged].sort()).toEqual([`${NS}/iris-test`, `${NS}/python311-sklearn`]);
    expect(stderr).toContain(
      `--changed-since HEAD~1: changed: ${NS}/iris-classifier; needed by them: ${NS}/iris-test, ${NS}/python311-sklearn; 14 other resources neither read nor planned`,
    );
    // What was hashed: the changed model and what it needs, never the other models' files.
    const hashed = await hashedFiles();
    expect(hashed).toContain("examples/models/iris-classifier/custom.py");
    expect(hashed).toContain("examples/data/iris-test.csv");
    expect(hashed.filter((f) => !/iris|python311-sklearn/.test(f))).toEqual([]);

    const applied = await world.cli("apply", "--changed-since", "HEAD~1");
    expect(applied.code, applied.stderr).toBe(0);
    expect((await planJson(world.repo.dir, world.env, "--detailed-exitcode")).code).toBe(0);
  });

  it("touching an environment's Dockerfile plans the environment and every model on it", async () => {
    await commit("examples/envs/python311-sklearn/Dockerfile", "# rebuild\n", "env");
    const { plan } = await planJson(world.repo.dir, world.env, "--changed-since", "HEAD~1");
    expect(keysOf(actionsOf(plan))).toEqual(
      [
        // churn-classifier's registered model and deployment follow its new version.
        `${NS}/churn`,
        `${NS}/churn-classifier`,
        `${NS}/churn-prod`,
        `${NS}/house-price-regressor`,
        `${NS}/iris-classifier`,
        `${NS}/python311-sklearn`,
      ].sort(),
    );
    expect(actionsOf(plan)).toContain(`buildEnvironmentVersion ${NS}/python311-sklearn`);
    expect(actionsOf(plan).join("\n")).not.toMatch(/document-tagger|support-answer-bot|genai/);
    expect((await world.cli("apply", "--changed-since", "HEAD~1")).code).toBe(0);
  });

  it("validate --changed-since checks the touched manifests' files only", async () => {
    const r = await world.cli("validate", "--changed-since", "HEAD~1");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "valid: 9 manifests (1 deployment, 1 registered model, 3 models, 1 environment, 3 datasets)",
    );
  });

  it("counts uncommitted and untracked files as changed, and says so", async () => {
    await appendFile(join(world.repo.dir, "examples/models/document-tagger/custom.py"), "# local edit\n");
    try {
      const { plan, stderr } = await planJson(world.repo.dir, world.env, "--changed-since", "HEAD");
      expect(stderr).toContain(
        "--changed-since HEAD: 1 uncommitted file counts as changed: examples/models/document-tagger/custom.py",
      );
      // The model, and the registered model and deployment that follow it.
      expect(keysOf(actionsOf(plan))).toEqual([`${NS}/document-tagger`, `${NS}/tagger`, `${NS}/tagger-prod`]);
    } finally {
      await git(world.repo.dir, "checkout", "--", "examples/models/document-tagger/custom.py");
    }
  });

  it("explains an unknown ref, a shallow clone missing it, and refuses --prune", async () => {
    const unknown = await world.cli("plan", "--changed-since", "no-such-branch");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      "--changed-since no-such-branch: no-such-branch is not a branch, tag or commit of this repository",
    );
    const pruned = await world.cli("plan", "--changed-since", "HEAD~1", "--prune");
    expect(pruned.code).toBe(1);
    expect(pruned.stderr).toContain("--prune cannot be used with --changed-since");

    const shallow = join(world.repo.dir, "..", `${world.repo.dir.split("/").at(-1)}-shallow`);
    await git(world.repo.dir, "clone", "-q", "--depth", "1", `file://${world.repo.dir}`, shallow);
    try {
      const r = await runCli(["plan", "--changed-since", "HEAD~1"], { cwd: shallow, env: world.env });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("HEAD~1 is not in this clone, which is shallow");
      expect(r.stderr).toContain("`fetch-depth: 0`");
    } finally {
      await rm(shallow, { recursive: true, force: true });
    }
  });
});
