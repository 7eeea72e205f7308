import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Plan } from "../../src/reconcile/plan-file.js";
import { withTrailer } from "../../src/reconcile/trailer.js";
import { desired, model, modelsOf, NS } from "./builders.js";
import { simulate } from "./simulate.js";
import { plan, serverWithCredential, worldArb } from "./arbitraries.js";

/**
 * Reconciler invariants over generated manifests: apply converges (plan after apply is empty), one
 * version per model per plan, uploads only what changed, prune never touches protected or deployed
 * models, and a run stopped anywhere converges when re-run.
 */

function expectEmpty(p: Plan): void {
  expect(p.actions.map((a) => `${a.type} ${a.key}: ${a.reasons.join("; ")}`)).toEqual([]);
  expect(p.drift).toEqual([]);
  expect(p.refusals).toEqual([]);
}

function versionsPerKey(p: Plan): Map<string, number> {
  const counts = new Map<string, number>();
  for (const a of p.actions) if (a.type === "createVersion") counts.set(a.key, (counts.get(a.key) ?? 0) + 1);
  return counts;
}

// FC_RUNS=1000 for a longer hunt; the default keeps the suite fast.
const RUNS = { numRuns: Number(process.env.FC_RUNS ?? 60) };

describe("reconciler invariants (fast-check)", () => {
  it("apply then plan is empty, from an empty DataRobot", () => {
    fc.assert(
      fc.property(worldArb, ({ state, env }) => {
        const server = serverWithCredential();
        const first = plan(server, state);
        expect([...versionsPerKey(first).values()].every((n) => n === 1)).toBe(true);
        simulate(server, first, { env });
        expectEmpty(plan(server, state));
      }),
      RUNS,
    );
  });

  it("changing manifests converges in one apply, with one version per model, uploading only changed files", () => {
    fc.assert(
      fc.property(worldArb, worldArb, (before, after) => {
        const server = serverWithCredential();
        simulate(server, plan(server, before.state), { env: before.env });
        const liveDigests = new Map(
          server.live.models.map((m) => [
            m.key,
            new Map((server.live.versionFiles[m.latestVersion!.id] ?? []).map((f) => [f.path, f.sha256])),
          ]),
        );
        const change = plan(server, after.state);
        for (const n of versionsPerKey(change).values()) expect(n).toBe(1);
        for (const a of change.actions) {
          if (a.type !== "createVersion" || a.mode !== "fromPrevious") continue;
          const live = liveDigests.get(a.key)!;
          for (const u of a.uploads) expect(live.get(u.path)).not.toBe(u.sha256);
        }
        simulate(server, change, { env: after.env });
        expectEmpty(plan(server, after.state));
        // The manifest lists every override: one it no longer sets is back to its default.
        for (const m of modelsOf(after.state)) {
          if (m.lifecycle.ignoreChanges.includes("runtimeParameters")) continue;
          const live = server.live.models.find((l) => l.key === m.key)!.latestVersion!;
          const overridden = live.runtimeParameters.filter((p) => p.overrideValue !== null);
          expect(overridden.map((p) => p.fieldName).sort()).toEqual(
            m.runtimeParameters.map((p) => p.name).sort(),
          );
        }
      }),
      RUNS,
    );
  });

  it("a run stopped before any action converges when re-run, without duplicates", () => {
    fc.assert(
      fc.property(worldArb, fc.nat(), ({ state, env }, stopAt) => {
        const server = serverWithCredential();
        const first = plan(server, state);
        simulate(server, first, { env, before: (_a, i) => i < stopAt % (first.actions.length + 1) });
        simulate(server, plan(server, state), { env });
        expectEmpty(plan(server, state));
        const keys = server.live.models.map((m) => m.key);
        expect(new Set(keys).size).toBe(keys.length);
        const datasetNames = server.live.datasets.map((d) => d.name);
        expect(new Set(datasetNames).size).toBe(datasetNames.length);
      }),
      RUNS,
    );
  });

  it("prune never selects protected or deployed models, nor more than --max-deletions", () => {
    const liveModelArb = fc.record({
      protect: fc.boolean(),
      deployments: fc.constantFrom(0, 0, 1),
      keep: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(liveModelArb, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 6 }),
        (specs, maxDeletions) => {
          const server = serverWithCredential();
          const models = specs.map((s, i) =>
            model(`p${i}`, { lifecycle: { protected: s.protect, ignoreChanges: [] } }),
          );
          simulate(server, plan(server, desired({ models })));
          specs.forEach((s, i) => {
            const m = server.live.models.find((x) => x.key === `${NS}/p${i}`)!;
            m.deploymentsCount = s.deployments;
          });
          const kept = desired({ models: models.filter((_m, i) => specs[i]!.keep) });
          // --allow-empty: keeping no manifest at all is a case of the selection under test here.
          const p = plan(server, kept, { prune: true, maxDeletions, allowEmpty: true });
          const deletions = p.actions.filter((a) => a.type === "deleteModel");
          expect(deletions.length).toBeLessThanOrEqual(maxDeletions);
          for (const d of deletions) {
            const i = Number(d.key.slice(`${NS}/p`.length));
            expect(specs[i]).toMatchObject({ protect: false, deployments: 0, keep: false });
          }
          const eligible = specs.filter((s) => !s.keep && !s.protect && s.deployments === 0).length;
          if (eligible > maxDeletions) expect(p.refusals.some((r) => r.blocking)).toBe(true);
          else expect(deletions).toHaveLength(eligible);
        },
      ),
      RUNS,
    );
  });

  it("a version made outside drgitops is either annotated (equal) or drift (different), never silently kept", () => {
    fc.assert(
      fc.property(worldArb, fc.boolean(), ({ state, env }, differs) => {
        const server = serverWithCredential();
        simulate(server, plan(server, state), { env });
        const target = server.live.models[0]!;
        const v = target.latestVersion!;
        const files = server.live.versionFiles[v.id]!;
        const uiFiles = differs
          ? files.map((f, i) => (i === 0 ? { ...f, sha256: "0".repeat(64) } : f))
          : files;
        target.latestVersion = {
          ...v,
          id: "ver-ui",
          description: withTrailer("", { key: "someone/else" }),
          trailer: { key: "someone/else" },
        };
        server.live.versionFiles["ver-ui"] = uiFiles;
        const p = plan(server, state);
        const forKey = p.actions.filter((a) => a.key === target.key).map((a) => a.type);
        if (differs) {
          expect(p.drift.map((d) => d.key)).toContain(target.key);
          expect(forKey).toContain("createVersion");
        } else {
          expect(p.drift).toEqual([]);
          expect(forKey).toContain("annotateVersion");
          expect(forKey).not.toContain("createVersion");
        }
      }),
      RUNS,
    );
  });
});
