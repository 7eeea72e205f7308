import { appendFile, cp, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApplyEventSchema } from "../../src/reconcile/events.js";
import { PlanSchema } from "../../src/reconcile/plan-file.js";
import { exampleWorld, runCli, type ExampleWorld } from "./harness.js";

const IRIS = "examples/models/iris-classifier/custom.py";

describe("apply for machines and saved plans", { timeout: 120_000 }, () => {
  let world: ExampleWorld;

  beforeAll(async () => {
    world = await exampleWorld();
  }, 120_000);
  afterAll(async () => {
    await world.stop();
  });

  it("--format json prints the plan, one event per line, then the outcome, and nothing else", async () => {
    await appendFile(join(world.repo.dir, IRIS), "# json\n");
    const r = await world.cli("apply", "--format", "json");
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string } & Record<string, unknown>);
    expect(lines[0]?.type).toBe("plan");
    expect(PlanSchema.parse(lines[0]!["plan"]).actions.map((a) => a.type)).toEqual([
      "createVersion",
      "buildDependencies",
      "runTest",
    ]);
    const events = lines.slice(1, -1).map((l) => ApplyEventSchema.parse(l));
    expect(events.filter((e) => e.type === "action-succeeded").map((e) => e.action)).toEqual([
      "createVersion",
      "buildDependencies",
      "runTest",
    ]);
    expect(events.every((e) => e.type !== "action-succeeded" || e.durationMs >= 0)).toBe(true);
    const outcome = lines.at(-1) as { type: string; exitCode: number; totals: object; resources: object[] };
    expect(outcome).toMatchObject({ type: "outcome", exitCode: 0, totals: { succeeded: 3, failed: 0 } });
    expect(outcome.resources).toContainEqual(
      expect.objectContaining({ key: "drgitops-examples/iris-classifier", outcome: "succeeded" }),
    );
  });

  it("apply --plan refuses the flags the saved plan already decided, before connecting", async () => {
    await appendFile(join(world.repo.dir, IRIS), "# saved\n");
    expect((await world.cli("plan", "--out", "saved.json")).code).toBe(0);
    for (const flags of [
      ["--prune"],
      ["--target", "iris-classifier"],
      ["--selector", "a=b"],
      ["--skip-tests"],
    ]) {
      const r = await world.cli("apply", "--plan", "saved.json", ...flags);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${flags[0]} cannot be used with --plan`);
    }
  });

  it("a saved plan holds paths relative to the project root, so it applies from another checkout", async () => {
    const text = await readFile(join(world.repo.dir, "saved.json"), "utf8");
    expect(text).not.toContain(world.repo.dir);
    expect(text).toContain(`"localPath": "${IRIS}"`);
    const other = `${world.repo.dir}-copy`;
    await cp(world.repo.dir, other, { recursive: true });
    try {
      const r = await runCli(["apply", "--plan", "saved.json", "--yes"], { cwd: other, env: world.env });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^done {5}createVersion drgitops-examples\/iris-classifier/m);
      expect((await runCli(["plan", "--detailed-exitcode"], { cwd: other, env: world.env })).code).toBe(0);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});
