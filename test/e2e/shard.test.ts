import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  actionsOf,
  cleanEnv,
  exampleRepo,
  exampleWorld,
  git,
  planJson,
  resetStats,
  runCli,
  stats,
  writeRequests,
} from "./harness.js";

/** `--shard I/N` through the built CLI: a CI matrix of N jobs covers the plan exactly once. */
const TIMEOUT = 120_000;

describe("--shard", { timeout: TIMEOUT }, () => {
  let repo: Awaited<ReturnType<typeof exampleRepo>>;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    repo = await exampleRepo();
    env = cleanEnv(repo.dir);
  });
  afterAll(async () => {
    await repo.cleanup();
  });

  it("the shares' plans add up to the whole plan, and applying each share converges", async () => {
    const whole = await planJson(repo.dir, env, "--endpoint", "local");
    const parts = [];
    for (const i of [1, 2, 3]) {
      const part = await planJson(repo.dir, env, "--endpoint", "local", "--shard", `${i}/3`);
      expect(part.plan.shard).toEqual({ index: i, count: 3 });
      expect(part.stderr).toMatch(new RegExp(`shard ${i}/3: \\d+ of ${whole.plan.actions.length} actions`));
      parts.push(part.plan);
    }
    expect(parts.flatMap(actionsOf).sort()).toEqual(actionsOf(whole.plan).sort());
    for (const i of [1, 2, 3]) {
      const applied = await runCli(["apply", "--endpoint", "local", "--shard", `${i}/3`], {
        cwd: repo.dir,
        env,
      });
      expect(applied.code, applied.stderr).toBe(0);
    }
    expect((await planJson(repo.dir, env, "--endpoint", "local", "--detailed-exitcode")).code).toBe(0);
  });

  it("refuses a malformed share, and --shard with a saved plan", async () => {
    for (const bad of ["0/3", "4/3", "x"]) {
      const r = await runCli(["plan", "--shard", bad], { cwd: repo.dir, env });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `--shard must be I/N with 1 <= I <= N (e.g. 2/3 for the second of three jobs), got "${bad}"`,
      );
    }
    const saved = await runCli(["apply", "--plan", "p.json", "--shard", "1/2"], { cwd: repo.dir, env });
    expect(saved.code).toBe(1);
    expect(saved.stderr).toContain("--shard cannot be used with --plan");
  });
});

describe("--shard with the apply lock", { timeout: TIMEOUT }, () => {
  it("only a share with actions takes the namespace's lock; a share with nothing to do writes nothing", async () => {
    const world = await exampleWorld();
    try {
      await appendFile(join(world.repo.dir, "examples/models/iris-classifier/custom.py"), "# tweak\n");
      await git(world.repo.dir, "commit", "-q", "-am", "iris");
      const shares = [];
      for (const i of [1, 2, 3])
        shares.push((await planJson(world.repo.dir, world.env, "--shard", `${i}/3`)).plan);
      const busy = shares.findIndex((p) => p.actions.length > 0);
      expect(shares.filter((p) => p.actions.length > 0)).toHaveLength(1);
      for (const [index, share] of shares.entries()) {
        await resetStats(world.emu);
        const applied = await world.cli("apply", "--shard", `${index + 1}/3`);
        expect(applied.code, applied.stderr).toBe(0);
        const writes = writeRequests(await stats(world.emu));
        if (index === busy) {
          expect(share.actions.length).toBeGreaterThan(0);
          // The lock is a custom model created, then deleted, around the share's own writes.
          expect(Object.keys(writes).some((k) => k.startsWith("DELETE /api/v2/customModels/"))).toBe(true);
        } else expect(writes).toEqual({});
      }
      expect((await planJson(world.repo.dir, world.env, "--detailed-exitcode")).code).toBe(0);
    } finally {
      await world.stop();
    }
  });
});
