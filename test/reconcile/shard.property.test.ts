import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Plan } from "../../src/reconcile/plan-file.js";
import { hashShard, parseShard, shardPlan } from "../../src/reconcile/shard.js";
import type { DesiredState } from "../../src/reconcile/state.js";
import { plan, serverWithCredential, worldArb } from "./arbitraries.js";
import { desired, environment, model, NS } from "./builders.js";
import { simulate } from "./simulate.js";

/**
 * `--shard I/N` over generated manifests: the N shares partition the whole plan (no action twice,
 * none lost), each share is complete on its own (no action waits for one in another share), and
 * the split depends on nothing but the plan and the manifests.
 */
const RUNS = { numRuns: Number(process.env.FC_RUNS ?? 60) };

function shares(whole: Plan, state: DesiredState, count: number): Plan[] {
  return Array.from({ length: count }, (_, i) => shardPlan(whole, state, { index: i + 1, count }));
}

function expectPartition(whole: Plan, parts: Plan[]): void {
  const sorted = (xs: string[]) => [...xs].sort();
  expect(sorted(parts.flatMap((p) => p.actions.map((a) => a.id)))).toEqual(
    sorted(whole.actions.map((a) => a.id)),
  );
  expect(sorted(parts.flatMap((p) => p.unchanged))).toEqual(sorted(whole.unchanged));
  expect(sorted(parts.flatMap((p) => p.drift.map((d) => `${d.key} ${d.subject}`)))).toEqual(
    sorted(whole.drift.map((d) => `${d.key} ${d.subject}`)),
  );
  expect(sorted(parts.flatMap((p) => p.gate.map((g) => g.key)))).toEqual(
    sorted(whole.gate.map((g) => g.key)),
  );
  expect(sorted(parts.flatMap((p) => p.untested))).toEqual(sorted(whole.untested));
  for (const [i, p] of parts.entries()) {
    const ids = new Set(p.actions.map((a) => a.id));
    for (const a of p.actions)
      for (const dep of a.dependsOn) expect(ids.has(dep), `${a.id} waits for ${dep}`).toBe(true);
    // A resource's actions are never split between shares.
    for (const a of p.actions)
      expect(parts.filter((q, j) => j !== i && q.actions.some((b) => b.key === a.key))).toEqual([]);
    expect(p.summary.total).toBe(p.actions.length);
    expect(p.summary.untested).toBe(p.untested.length);
    expect(p.shard).toEqual({ index: i + 1, count: parts.length });
    // What concerns the whole plan is in every share.
    expect(p.refusals.filter((r) => r.key === null || r.blocking)).toEqual(
      whole.refusals.filter((r) => r.key === null || r.blocking),
    );
  }
}

describe("--shard (fast-check)", () => {
  it("the N shares of a first plan partition it, each complete on its own", () => {
    fc.assert(
      fc.property(worldArb, fc.integer({ min: 1, max: 5 }), ({ state }, count) => {
        const whole = plan(serverWithCredential(), state);
        const parts = shares(whole, state, count);
        expectPartition(whole, parts);
        expect(shares(whole, state, count)).toEqual(parts);
      }),
      RUNS,
    );
  });

  it("so do the shares of a plan after edits (updates, unchanged resources, prune)", () => {
    fc.assert(
      fc.property(worldArb, worldArb, fc.integer({ min: 1, max: 5 }), (before, after, count) => {
        const server = serverWithCredential();
        simulate(server, plan(server, before.state), { env: before.env });
        const whole = plan(server, after.state, { prune: true, maxDeletions: 2 });
        expectPartition(whole, shares(whole, after.state, count));
      }),
      RUNS,
    );
  });
});

describe("--shard ownership", () => {
  const models = ["a", "b", "c", "d", "e", "f"].map((n) => model(n, { environment: { ref: "env" } }));
  const state = desired({ environments: [environment("env")], models });

  it("spreads models by their key's hash when nothing they need changes", () => {
    const server = serverWithCredential();
    simulate(server, plan(server, state));
    // The environment is unchanged: only the models' descriptions are edited.
    const edited = desired({
      environments: [environment("env")],
      models: models.map((m) => ({ ...m, fields: { ...m.fields, description: "edited" } })),
    });
    const whole = plan(server, edited);
    const parts = shares(whole, edited, 3);
    expect(whole.actions.map((a) => a.key).sort()).toEqual(models.map((m) => m.key).sort());
    for (const a of whole.actions)
      expect(parts.findIndex((p) => p.actions.includes(a)) + 1).toBe(hashShard(a.key, 3));
    expect(new Set(whole.actions.map((a) => hashShard(a.key, 3))).size).toBeGreaterThan(1);
  });

  it("keeps models that wait for their environment's new build in the environment's share", () => {
    const whole = plan(serverWithCredential(), state);
    const parts = shares(whole, state, 3);
    const holder = parts.find((p) => p.actions.some((a) => a.type === "buildEnvironmentVersion"))!;
    expect(new Set(holder.actions.map((a) => a.key))).toEqual(
      new Set([`${NS}/env`, ...models.map((m) => m.key)]),
    );
    // The environment goes with its first dependent, by key.
    expect(holder.shard?.index).toBe(hashShard(`${NS}/a`, 3));
  });

  it("refuses a malformed share as a usage error", () => {
    expect(parseShard("2/3")).toEqual({ index: 2, count: 3 });
    for (const bad of ["0/3", "4/3", "x", "1/0", "-1/3", "1/3/4", ""])
      expect(() => parseShard(bad)).toThrow(/--shard must be I\/N with 1 <= I <= N/);
  });
});
