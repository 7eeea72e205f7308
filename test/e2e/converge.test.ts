import { createHash } from "node:crypto";
import { appendFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../src/client/index.js";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import {
  EXAMPLES,
  cleanEnv,
  emulatorEnv,
  exampleRepo,
  git,
  planJson,
  resetStats,
  runCli,
  stats,
  writeRequests,
} from "./harness.js";

const SECRET = "s3cr3t-webhook-value-0042";

describe("apply then plan on the examples", { timeout: 120_000 }, () => {
  let emu: RunningEmulator;
  let repo: Awaited<ReturnType<typeof exampleRepo>>;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    emu = await startEmulator({
      seedFile: join(EXAMPLES, "emulator-seed.yaml"),
      jobDurationMs: 20,
      quiet: true,
    });
    repo = await exampleRepo();
    // A sensitive runtime value read from the environment: it must never reach any output.
    const model = join(repo.dir, "examples/models/house-price-regressor");
    await appendFile(
      join(model, "model-metadata.yaml"),
      "  - fieldName: WEBHOOK_SECRET\n    type: string\n    allowEmpty: true\n",
    );
    const manifest = join(repo.dir, "examples/manifests/house-price-regressor.yaml");
    const text = await readFile(manifest, "utf8");
    await writeFile(
      manifest,
      text.replace(
        "    PRICING_API_TOKEN: {credential: example-api-token}\n",
        "    PRICING_API_TOKEN: {credential: example-api-token}\n    WEBHOOK_SECRET: {env: WEBHOOK_SECRET, sensitive: true}\n",
      ),
    );
    env = emulatorEnv(emu, repo.dir, { WEBHOOK_SECRET: SECRET });
  }, 120_000);
  afterAll(async () => {
    await emu.stop();
    await repo.cleanup();
  });

  it("converges: apply succeeds, then plan is empty and a second apply writes nothing", async () => {
    const planned = await runCli(["plan", "--detailed-exitcode", "--out", "plan.json"], {
      cwd: repo.dir,
      env,
    });
    expect(planned.code).toBe(2);
    const planFile = await readFile(join(repo.dir, "plan.json"), "utf8");

    const applied = await runCli(["apply"], { cwd: repo.dir, env });
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/Resources: \d+ succeeded, 0 failed, 0 skipped/);

    // Every version records where it came from: trailer commit and gitModelVersion from the repo.
    const sha = await git(repo.dir, "rev-parse", "HEAD");
    const client = createClient({ endpoint: emu.url, token: emu.token });
    for await (const m of client.customModels.listAll({})) {
      expect(m.latestVersion?.description).toContain(`Drgitops-Commit: ${sha.slice(0, 7)}`);
      expect(m.latestVersion?.gitModelVersion).toMatchObject({
        refName: "main",
        mainBranchCommitSha: sha,
        commitUrl: `https://github.com/acme/models/commit/${sha}`,
      });
    }

    await resetStats(emu);
    const again = await runCli(["plan", "--detailed-exitcode"], { cwd: repo.dir, env });
    expect(again.stdout).toContain("No changes");
    expect(again.code).toBe(0);
    // O(pages), not O(models): one page of each listing (models, credentials, environments,
    // datasets, registered models, packages, deployments, prediction environments) and the stats
    // call itself; no per-model test or download call, no per-deployment settings read.
    const planStats = await stats(emu);
    expect(planStats.total).toBeLessThanOrEqual(9);
    expect(
      Object.keys(planStats.requests).some(
        (k) => k.includes("download") || k.includes("customModelTests") || k.includes("settings"),
      ),
    ).toBe(false);

    await resetStats(emu);
    const second = await runCli(["apply"], { cwd: repo.dir, env });
    expect(second.code).toBe(0);
    expect(writeRequests(await stats(emu))).toEqual({});

    for (const text of [
      planned.stdout,
      planned.stderr,
      planFile,
      applied.stdout,
      again.stdout,
      second.stdout,
    ]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(emu.token);
    }
  });

  it("a saved plan holds a keyed digest of a sensitive value, and is refused under another key", async () => {
    await writeFile(join(repo.dir, "examples/models/house-price-regressor/extra.txt"), "changed\n");
    const keyed = { ...env, DRGITOPS_PLAN_KEY: "plan-key-one" };
    expect((await runCli(["plan", "--out", "keyed.json"], { cwd: repo.dir, env: keyed })).code).toBe(0);
    const text = await readFile(join(repo.dir, "keyed.json"), "utf8");
    expect(text).toMatch(/"valueHash": "hmac-sha256:[0-9a-f]{64}"/);
    // A plain digest of a small secret could be reversed by trying values: it is nowhere.
    expect(text).not.toContain(createHash("sha256").update(SECRET).digest("hex"));
    for (const other of [{ ...env, DRGITOPS_PLAN_KEY: "plan-key-two" }, env]) {
      const refused = await runCli(["apply", "--plan", "keyed.json"], { cwd: repo.dir, env: other });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("digests of sensitive values made with another key");
    }
    const applied = await runCli(["apply", "--plan", "keyed.json"], { cwd: repo.dir, env: keyed });
    expect(applied.code).toBe(0);
    expect((await runCli(["plan", "--detailed-exitcode"], { cwd: repo.dir, env: keyed })).code).toBe(0);
    // Another key changes the digest in the trailer's fingerprint, not the version: a re-key only
    // annotates (the live value is compared under the new key), it never makes a version.
    const rekeyed = await planJson(repo.dir, env, "--detailed-exitcode");
    expect(rekeyed.code).toBe(2);
    expect(rekeyed.plan.actions.map((a) => a.type)).toEqual(["annotateVersion"]);
    expect((await runCli(["apply"], { cwd: repo.dir, env })).code).toBe(0);
    expect((await runCli(["plan", "--detailed-exitcode"], { cwd: repo.dir, env })).code).toBe(0);
  });

  it("refuses to plan with a sensitive variable unset, naming it, before anything is written", async () => {
    await resetStats(emu);
    const result = await runCli(["plan"], { cwd: repo.dir, env: emulatorEnv(emu, repo.dir) });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("WEBHOOK_SECRET");
    expect(writeRequests(await stats(emu))).toEqual({});
  });
});

describe("connection (DESIGN §9)", { timeout: 120_000 }, () => {
  it("uses the embedded emulator with nothing configured and CI unset, and keeps its data between runs", async () => {
    const repo = await exampleRepo();
    try {
      const env = cleanEnv(repo.dir);
      const applied = await runCli(["apply", "--yes"], { cwd: repo.dir, env });
      expect(applied.code).toBe(0);
      expect(applied.stderr.match(/embedded emulator/g)).toHaveLength(1);
      const planned = await runCli(["plan", "--detailed-exitcode"], { cwd: repo.dir, env });
      expect(planned.code).toBe(0);
      // Its data, the digest and version caches: all under .drgitops/, which git never sees.
      expect(await readFile(join(repo.dir, ".drgitops/.gitignore"), "utf8")).toBe("*\n");
      expect(await git(repo.dir, "status", "--porcelain", "--untracked-files=all")).toBe("");
    } finally {
      await repo.cleanup();
    }
  });

  it("in CI with nothing configured: exit 1 naming what to set; --endpoint local opts in", async () => {
    const repo = await exampleRepo();
    try {
      const ci = await runCli(["plan"], { cwd: repo.dir, env: cleanEnv(repo.dir, { CI: "true" }) });
      expect(ci.code).toBe(1);
      expect(ci.stderr).toContain("DATAROBOT_ENDPOINT");
      expect(ci.stderr).toContain("--endpoint local");
      const local = await runCli(["plan", "--endpoint", "local", "--detailed-exitcode"], {
        cwd: repo.dir,
        env: cleanEnv(repo.dir, { CI: "true" }),
      });
      expect(local.code).toBe(2);
    } finally {
      await repo.cleanup();
    }
  });

  it("exits 3 with the validate output when a manifest is invalid, without connecting", async () => {
    const repo = await exampleRepo();
    try {
      const file = join(repo.dir, "examples/manifests/iris-classifier.yaml");
      await writeFile(
        file,
        (await readFile(file, "utf8")).replace("targetType: Multiclass", "targetTyp: Multiclass"),
      );
      const result = await runCli(["plan"], { cwd: repo.dir, env: cleanEnv(repo.dir, { CI: "true" }) });
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/iris-classifier\.yaml:\d+:\d+/);
      expect(result.stderr).not.toContain("DATAROBOT_ENDPOINT");
    } finally {
      await repo.cleanup();
    }
  });
});
