import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResourceStatusSchema } from "../../src/reconcile/status.js";
import { runCli } from "./harness.js";
import { eventually, timedWorld, type TimedWorld } from "./timed-world.js";

const IRIS = "drgitops-examples/iris-classifier";

/** `cancel` and `logs --follow` against jobs that really run for a while. */
describe("cancel and logs --follow on running jobs", { timeout: 300_000 }, () => {
  let world: TimedWorld;

  beforeAll(async () => {
    world = await timedWorld();
  }, 180_000);
  afterAll(async () => {
    await world.stop();
  });

  const latestTestStatus = async (): Promise<string | undefined> => {
    const m = await world.model("iris-classifier");
    return (await world.client().tests.listPage(m.id, { limit: 1 })).data[0]?.overallStatus;
  };

  it("cancel stops the running test of an apply, says what it cancelled, and the next apply runs it again", async () => {
    // A new version, built but not tested yet: the next apply's only work is its test.
    await appendFile(join(world.repo.dir, "examples/models/iris-classifier/custom.py"), "# cancel me\n");
    const prepared = await world.cli("apply", "--yes", "--skip-tests", "--target", "iris-classifier");
    expect(prepared.code).toBe(0);

    await world.setJobDuration(600_000);
    const applying = runCli(["apply", "--yes", "--target", "iris-classifier"], {
      cwd: world.repo.dir,
      env: world.env(),
    });
    await eventually("the test to run", async () => (await latestTestStatus()) === "in_progress");

    const cancelled = await world.cli("cancel", "iris-classifier");
    expect(cancelled.stderr).toBe("");
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toMatch(
      new RegExp(`^cancelled test \\S+ of ${IRIS} version 2\\.0 after \\d+ s\\n$`),
    );

    // The apply waiting on it fails that action (exit 4); it does not record a failed gate.
    const applied = await applying;
    expect(applied.code).toBe(4);
    expect(applied.stdout).toMatch(
      /FAILED {3}runTest drgitops-examples\/iris-classifier: .*cancelled.* \[[\d.hms]+\]/,
    );

    const again = await world.cli("cancel", "iris-classifier", "--test");
    expect(again.code).toBe(8);
    expect(again.stderr).toContain(`no test is running on ${IRIS}: the latest`);
    expect(again.stderr).toContain("cancelled");

    const status = await world.cli("status", "--format", "json");
    expect(status.code).toBe(0);
    const rows = (JSON.parse(status.stdout) as { resources: unknown[] }).resources.map((r) =>
      ResourceStatusSchema.parse(r),
    );
    expect(rows.find((r) => r.key === IRIS)).toMatchObject({
      state: "changes pending",
      test: "cancelled",
      reasons: ["runTest: the latest test was cancelled"],
    });

    await world.setJobDuration(0);
    const rerun = await world.cli("apply", "--yes");
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(/done {5}runTest drgitops-examples\/iris-classifier: test succeeded \[/);
    expect(await latestTestStatus()).toBe("succeeded");
  });

  it("cancel with nothing running says so and exits 8; a build can be cancelled too", async () => {
    const idle = await world.cli("cancel", "iris-classifier");
    expect(idle.code).toBe(8);
    expect(idle.stderr).toContain("no dependency build is running");

    await appendFile(join(world.repo.dir, "examples/models/iris-classifier/custom.py"), "# build\n");
    await world.setJobDuration(600_000);
    const applying = runCli(["apply", "--yes", "--target", "iris-classifier"], {
      cwd: world.repo.dir,
      env: world.env(),
    });
    await eventually("the dependency build to run", async () => {
      const m = await world.model("iris-classifier");
      if (m.latestVersion?.label !== "3.0") return false;
      const build = await world
        .client()
        .dependencyBuilds.get(m.id, m.latestVersion.id)
        .catch(() => undefined);
      return build !== undefined && build.buildStatus !== "success" && build.buildStatus !== "failed";
    });
    const cancelled = await world.cli("cancel", "iris-classifier", "--build");
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toMatch(new RegExp(`^cancelled dependency build of ${IRIS} version 3\\.0`));
    const applied = await applying;
    expect(applied.code).toBe(4);
    const log = await world.cli("logs", "iris-classifier", "--build");
    expect(log.stdout.trimEnd().endsWith("Build cancelled")).toBe(true);
    await world.setJobDuration(0);
    expect((await world.cli("apply", "--yes")).code).toBe(0);
  });

  it("logs --follow prints the test's log while it runs and ends when the test ends, with its outcome", async () => {
    await world.setJobDuration(8_000);
    await world.startTest("iris-classifier", "iris-test");
    const followed = await world.cli("logs", "iris-classifier", "--follow");
    expect(followed.stderr).toContain("==> following until it ends");
    expect(followed.stderr).toContain("==> ended: passed");
    expect(followed.code).toBe(0);
    // It ended because the test did, not before: the test is final and its last line was printed.
    expect(await latestTestStatus()).toBe("succeeded");
    const lines = followed.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^Testing custom model /);
    expect(lines.at(-1)).toBe("overallStatus: succeeded");
    expect(new Set(lines).size).toBe(lines.length);
    await world.setJobDuration(0);
  });
});
