import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exampleWorld, runCli, type ExampleWorld } from "./harness.js";
import {
  createStrayModel,
  editFile,
  failIrisOnSideEffects,
  IRIS_SIDE_EFFECTS_FAIL,
  startTestThroughApi,
} from "./timed-world.js";

const NS = "drgitops-examples";

describe("logs", { timeout: 240_000 }, () => {
  let world: ExampleWorld;

  beforeAll(async () => {
    world = await exampleWorld({ scenario: IRIS_SIDE_EFFECTS_FAIL });
  }, 120_000);
  afterAll(async () => {
    await world.stop();
  });

  it("prints the log of a failed test (scripted by the scenario), its title on stderr", async () => {
    await failIrisOnSideEffects(world.repo.dir);
    expect((await world.cli("apply", "--yes", "--target", "iris-classifier")).code).toBe(7);

    for (const key of ["iris-classifier", `${NS}/iris-classifier`]) {
      const r = await world.cli("logs", key);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(
        new RegExp(
          `^==> test \\S+ of ${NS}/iris-classifier version 1\\.0: failed \\(sideEffects failed: writes to /tmp\\)\\n$`,
        ),
      );
      expect(r.stdout).toMatch(/^Testing custom model Iris species classifier version 1\.0\n/);
      expect(r.stdout).toContain("sideEffects: failed");
      expect(r.stdout).toContain("writes to /tmp");
    }
    // --follow of a test that already ended: the log, then the outcome as the exit code.
    const followed = await world.cli("logs", "iris-classifier", "--test", "--follow");
    expect(followed.code).toBe(7);
    expect(followed.stderr).toContain("==> ended: gate-failed");
  });

  it("--build prints the build log of a failed dependency build, naming the invalid requirements.txt line", async () => {
    await appendFile(
      join(world.repo.dir, "examples/models/house-price-regressor/requirements.txt"),
      "this is not a requirement!\n",
    );
    const applied = await world.cli("apply", "--yes", "--target", "house-price-regressor");
    expect(applied.code).toBe(4);
    const r = await world.cli("logs", "house-price-regressor", "--build");
    expect(r.code).toBe(0);
    // The example is untested, so its version 1.0 is not frozen: the new version is a minor one.
    expect(r.stderr).toMatch(
      /^==> dependency build of drgitops-examples\/house-price-regressor version 1\.1: failed\n$/,
    );
    expect(r.stdout).toMatch(
      /ERROR: Invalid requirement at requirements\.txt line \d+: "this is not a requirement!"/,
    );
    expect(r.stdout.trimEnd().split("\n").at(-1)).toMatch(/^Build failed/);
  });

  it("--environment prints an environment's latest build log", async () => {
    const r = await world.cli("logs", "python311-sklearn", "--environment");
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^==> build of environment drgitops-examples\/python311-sklearn version v1: success\n$/,
    );
    expect(r.stdout).toContain("Successfully built");
  });

  it("says plainly when there is no such log (exit 8), and when the key is unknown (exit 1)", async () => {
    await createStrayModel(world.client);
    const noTest = await world.cli("logs", "stray");
    expect(noTest).toMatchObject({ code: 8, stdout: "" });
    expect(noTest.stderr).toBe(`drgitops: no test has run on ${NS}/stray yet\n`);
    const noBuild = await world.cli("logs", "stray", "--build");
    expect(noBuild.code).toBe(8);
    expect(noBuild.stderr).toBe(`drgitops: ${NS}/stray has no version yet\n`);
    const noCancel = await world.cli("cancel", "stray");
    expect(noCancel.code).toBe(8);
    const noEnvLog = await world.cli("logs", "iris-classifier", "--environment");
    expect(noEnvLog.code).toBe(1);
    const unknown = await world.cli("logs", "no-such-model");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`no manifest and no live resource has the key ${NS}/no-such-model`);
  });

  it("never prints the API token or a sensitive value the manifests name", async () => {
    const secret = "fallback-s3cr3t-Vx9";
    // The manifest names the value as sensitive; the model's name (in the test log) carries both secrets.
    await editFile(
      join(world.repo.dir, "examples/manifests/support-answer-bot.yaml"),
      "    MAX_ANSWER_CHARS: 600\n",
      "    MAX_ANSWER_CHARS: 600\n    FALLBACK_ANSWER: {env: BOT_FALLBACK, sensitive: true}\n",
    );
    const bot = await world.model("support-answer-bot");
    await world.client.customModels.update(bot.id, { name: `Bot ${secret} ${world.emu.token}` });
    await startTestThroughApi(world.emu, world.client, bot, "support-prompts");

    const r = await runCli(["logs", "support-answer-bot"], {
      cwd: world.repo.dir,
      env: { ...world.env, BOT_FALLBACK: secret },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Testing custom model Bot \[REDACTED\] \[REDACTED\] version/);
    expect(`${r.stdout}${r.stderr}`).not.toContain(secret);
    expect(`${r.stdout}${r.stderr}`).not.toContain(world.emu.token);
  });
});
