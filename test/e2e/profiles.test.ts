import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type DataRobotClient } from "../../src/client/index.js";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import { cleanEnv, EXAMPLES, exampleRepo, git, planJson, runCli } from "./harness.js";

/**
 * Profiles (DESIGN §9) through the built CLI: one repository, two stages on one DataRobot (the
 * emulator), each with its own namespace, connection variables and defaults.
 */
const TIMEOUT = 120_000;

const CONFIG = `namespace: drgitops-examples
paths: [examples/manifests]
emulator: {seed: examples/emulator-seed.yaml}
defaults:
  resources: {replicas: 1}
profiles:
  dev:
    namespace: acme/dev
    endpointEnv: STAGE_ENDPOINT
    tokenEnv: STAGE_TOKEN
  prod:
    namespace: acme/prod
    endpointEnv: STAGE_ENDPOINT
    tokenEnv: STAGE_TOKEN
    defaults:
      resources: {replicas: 2}
`;

let emu: RunningEmulator;
let client: DataRobotClient;
let repo: { dir: string; cleanup: () => Promise<void> };
let env: NodeJS.ProcessEnv;

const cli = (args: string[], extra: Record<string, string> = {}) =>
  runCli(args, { cwd: repo.dir, env: { ...env, ...extra } });

/** The replicas of each model's latest version on the emulator, by userProvidedId. */
async function replicasByKey(): Promise<Record<string, number | null>> {
  const out: Record<string, number | null> = {};
  for await (const m of client.customModels.listAll({}))
    if (m.userProvidedId) out[m.userProvidedId] = m.latestVersion?.replicas ?? null;
  return out;
}

beforeAll(async () => {
  emu = await startEmulator({ seedFile: join(EXAMPLES, "emulator-seed.yaml"), quiet: true });
  client = createClient({ endpoint: emu.url, token: emu.token });
  repo = await exampleRepo();
  await writeFile(join(repo.dir, "drgitops.yaml"), CONFIG);
  // Registered model names are unique on one DataRobot, so two stages sharing one (the emulator
  // here) cannot both register "Customer churn": these stages stop at the tested model version.
  for (const file of ["churn-classifier.yaml", "document-tagger.yaml"]) {
    const path = join(repo.dir, "examples", "manifests", file);
    const documents = (await readFile(path, "utf8")).split(/^---$/m);
    const models = documents.filter((d) => !/^kind: (RegisteredModel|Deployment)$/m.test(d));
    expect(models).toHaveLength(documents.length - 2);
    await writeFile(path, models.join("---"));
  }
  await git(repo.dir, "commit", "-q", "-am", "profiles");
  // CI is set and DATAROBOT_* are not: only the profile's variables can connect.
  env = cleanEnv(repo.dir, { CI: "true", STAGE_ENDPOINT: emu.url, STAGE_TOKEN: emu.token });
}, TIMEOUT);
afterAll(async () => {
  await emu.stop();
  await repo.cleanup();
});

describe("profiles", () => {
  it(
    "gives two namespaces on one DataRobot, each with its own defaults, the other profile untouched",
    async () => {
      const dev = await cli(["apply", "--profile", "dev", "--yes"]);
      expect(dev.code, dev.stderr).toBe(0);
      expect(dev.stdout).toContain("drgitops plan for namespace acme/dev (profile dev)");
      const afterDev = await replicasByKey();
      expect(afterDev["acme/dev/document-tagger"]).toBe(1);
      expect(Object.keys(afterDev).some((k) => k.startsWith("acme/prod/"))).toBe(false);

      // DRGITOPS_PROFILE selects like --profile does.
      const prod = await cli(["apply", "--yes"], { DRGITOPS_PROFILE: "prod" });
      expect(prod.code, prod.stderr).toBe(0);
      const afterProd = await replicasByKey();
      // prod's defaults are merged over the top-level ones; a manifest's own value still wins.
      expect(afterProd["acme/prod/document-tagger"]).toBe(2);
      expect(afterProd["acme/prod/churn-classifier"]).toBe(1);
      // dev is exactly as dev left it.
      for (const [key, replicas] of Object.entries(afterDev)) expect(afterProd[key]).toBe(replicas);

      for (const profile of ["dev", "prod"]) {
        const again = await planJson(repo.dir, env, "--profile", profile, "--detailed-exitcode");
        expect(again.code).toBe(0);
        expect(again.plan).toMatchObject({ namespace: `acme/${profile}`, profile, actions: [] });
      }
    },
    TIMEOUT,
  );

  it(
    "status, logs and cancel look in the profile's namespace, through the profile's connection",
    async () => {
      // Runs after the applies above; only the profiles' variables can connect (CI, no DATAROBOT_*).
      const status = await cli(["status", "--profile", "prod", "--format", "json"]);
      expect(status.code, status.stderr).toBe(0);
      const parsed = JSON.parse(status.stdout) as { namespace: string; resources: { state: string }[] };
      expect(parsed.namespace).toBe("acme/prod");
      expect(parsed.resources.length).toBeGreaterThan(0);
      expect(parsed.resources.every((r) => r.state === "in sync")).toBe(true);

      const logs = await cli(["logs", "python311-sklearn", "--environment", "--profile", "dev"]);
      expect(logs.code, logs.stderr).toBe(0);
      expect(logs.stdout).not.toBe("");
      // Without the profile the key is another namespace's, which has no such environment.
      const elsewhere = await cli(
        ["logs", "python311-sklearn", "--environment", "--endpoint", env["STAGE_ENDPOINT"]!],
        {
          DATAROBOT_API_TOKEN: env["STAGE_TOKEN"]!,
        },
      );
      expect(elsewhere.code).not.toBe(0);

      const cancel = await cli(["cancel", "churn-classifier"], { DRGITOPS_PROFILE: "dev" });
      expect(cancel.stderr).not.toContain("not on DataRobot yet");
      expect(cancel.code, cancel.stderr).toBe(8);
    },
    TIMEOUT,
  );

  it(
    "watch --once plans the profile's namespace with its defaults, and refuses the CI-only flags",
    async () => {
      // Runs after the applies above: prod is in sync with its own namespace and replicas: 2.
      const prod = await cli(["watch", "--once", "--profile", "prod", "--format", "json"]);
      expect(prod.code, prod.stderr).toBe(0);
      const ready = prod.stdout
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l) as { event: string; changes?: number })
        .find((e) => e.event === "plan");
      expect(ready?.changes).toBe(0);
      for (const flag of [
        ["--shard", "1/2"],
        ["--changed-since", "HEAD"],
      ]) {
        const refused = await cli(["watch", "--once", "--profile", "prod", ...flag]);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain(`${flag[0]} is for CI`);
      }
    },
    TIMEOUT,
  );

  it("refuses an unknown profile, naming the defined ones, before connecting", async () => {
    const r = await cli(["plan", "--profile", "stage"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown profile "stage" (--profile); drgitops.yaml defines: dev, prod');
    const fromEnv = await cli(["validate"], { DRGITOPS_PROFILE: "qa" });
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stderr).toContain(
      'unknown profile "qa" (DRGITOPS_PROFILE); drgitops.yaml defines: dev, prod',
    );
  });

  it("refuses a token written into drgitops.yaml, at its line, without echoing it", async () => {
    const secret = "tok-0123456789-in-the-repo";
    await writeFile(
      join(repo.dir, "drgitops.yaml"),
      `${CONFIG}  leaky:\n    endpoint: https://dr.example.com\n    token: ${secret}\n`,
    );
    try {
      const r = await cli(["validate", "--profile", "dev"]);
      expect(r.code).toBe(3);
      const lines = CONFIG.split("\n").length + 2;
      expect(r.stdout).toMatch(
        new RegExp(`drgitops\\.yaml:${lines}:12 .*profiles\\.leaky\\.token .*tokenEnv \\[token-in-config\\]`),
      );
      expect(r.stdout + r.stderr).not.toContain(secret);
    } finally {
      await git(repo.dir, "checkout", "--", "drgitops.yaml");
    }
  });

  it("connects with the profile only after the flags, and says which variable is missing", async () => {
    const missing = await cli(["plan", "--profile", "dev"], { STAGE_TOKEN: "" });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      "profile dev of drgitops.yaml reads its token from STAGE_TOKEN (tokenEnv)",
    );
    // --endpoint wins over the profile's endpoint: here it is the embedded emulator, on purpose.
    const flagged = await cli(["plan", "--profile", "dev", "--endpoint", "local", "--detailed-exitcode"]);
    expect(flagged.stderr).toContain("--endpoint local; using the embedded emulator");
    expect(flagged.code).toBe(2);
  });
});
