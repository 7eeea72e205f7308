import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PlanSchema } from "../../src/reconcile/plan-file.js";
import { cleanEnv, exampleRepo, exampleWorld } from "../e2e/harness.js";
import { FakeGitHub } from "./fake-github.js";
import { loadAction, runAction, type ActionRun } from "./runner.js";

const ROOT = resolve(import.meta.dirname, "../..");
const CHILD_TIMEOUT = 120_000;

/** The action's logic module (plain JavaScript, loaded as the runner's Node would load it). */
interface Inputs {
  command: "validate" | "plan" | "apply";
  paths: string[];
  profile: string;
  args: string[];
  prComment: boolean;
  version: string;
}
interface ActionModule {
  splitWords(text: string): string[];
  readInputs(env: Record<string, string | undefined>): Inputs;
  drgitopsArgs(inputs: Inputs, planFile: string): string[];
  invocation(
    inputs: Inputs,
    args: string[],
    where: { actionPath: string; nodePath: string; platform: string },
  ): { file: string; argv: string[]; shell: boolean };
  planOutputs(planFile: string | undefined): Record<string, string>;
  SUCCESS_CODES: Record<string, number[]>;
}
const logic = (await import(pathToFileURL(join(ROOT, "action/drgitops-action.mjs")).href)) as ActionModule;

describe("action.yml", () => {
  it("declares the inputs and outputs of DESIGN §12 and runs as a composite action", async () => {
    const action = await loadAction(join(ROOT, "action.yml"));
    expect(Object.keys(action.inputs).sort()).toEqual(
      ["args", "command", "paths", "pr-comment", "profile", "version"].sort(),
    );
    expect(Object.keys(action.outputs).sort()).toEqual(
      ["drift", "exitcode", "has-changes", "plan-file"].sort(),
    );
    expect(action.inputs["command"]!.default).toBe("plan");
    expect(action.inputs["pr-comment"]!.default).toBe("false");
    expect(action.inputs["version"]!.default).toBe("");
    expect(action.runs.using).toBe("composite");
    const setupNode = action.runs.steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
    expect(setupNode).toMatchObject({ uses: "actions/setup-node@v4", with: { "node-version": 20 } });
  });

  it("maps every input into the run step's env as INPUT_<NAME>, as the runner does for JavaScript actions", async () => {
    const action = await loadAction(join(ROOT, "action.yml"));
    const run = action.runs.steps.find((s) => s.id === "drgitops")!;
    for (const name of Object.keys(action.inputs))
      expect(run.env?.[`INPUT_${name.toUpperCase()}`]).toBe(`\${{ inputs.${name} }}`);
    expect(run.run).toBe('node "$GITHUB_ACTION_PATH/action/run.mjs"');
    for (const [name, output] of Object.entries(action.outputs))
      expect(output.value).toBe(`\${{ steps.drgitops.outputs.${name} }}`);
  });
});

describe("the action's logic", () => {
  const inputs = (over: Partial<Inputs> = {}): Inputs => ({
    command: "plan",
    paths: [],
    profile: "",
    args: [],
    prComment: false,
    version: "",
    ...over,
  });

  it("splits args and paths like a shell, without running one", () => {
    expect(logic.splitWords(` --target "a b"  --selector 'team=risk'\n x\\ y $HOME ""`)).toEqual([
      "--target",
      "a b",
      "--selector",
      "team=risk",
      "x y",
      "$HOME",
      "",
    ]);
    expect(logic.splitWords("")).toEqual([]);
    expect(() => logic.splitWords('--target "open')).toThrow(/unterminated " quote/);
  });

  it("reads INPUT_* variables with defaults and refuses bad values", () => {
    expect(logic.readInputs({})).toEqual(inputs());
    expect(
      logic.readInputs({
        INPUT_COMMAND: "apply",
        INPUT_PATHS: "manifests/a.yaml\nmanifests/b",
        INPUT_PROFILE: " prod ",
        INPUT_ARGS: "--endpoint local",
        "INPUT_PR-COMMENT": "TRUE",
        INPUT_VERSION: "^0.1.0",
      }),
    ).toEqual({
      command: "apply",
      paths: ["manifests/a.yaml", "manifests/b"],
      profile: "prod",
      args: ["--endpoint", "local"],
      prComment: true,
      version: "^0.1.0",
    });
    expect(() => logic.readInputs({ INPUT_COMMAND: "destroy" })).toThrow(
      /command must be one of validate, plan, apply/,
    );
    expect(() => logic.readInputs({ "INPUT_PR-COMMENT": "yes" })).toThrow(/pr-comment must be true or false/);
    expect(() => logic.readInputs({ INPUT_VERSION: "1.0; rm -rf /" })).toThrow(
      /version must be an npm version/,
    );
  });

  it("builds the drgitops command line", () => {
    expect(logic.drgitopsArgs(inputs({ paths: ["m"], args: ["--endpoint", "local"] }), "/t/p.json")).toEqual([
      "plan",
      "m",
      "--detailed-exitcode",
      "--out",
      "/t/p.json",
      "--endpoint",
      "local",
    ]);
    expect(logic.drgitopsArgs(inputs({ prComment: true, profile: "prod" }), "/t/p.json")).toEqual([
      "plan",
      "--detailed-exitcode",
      "--out",
      "/t/p.json",
      "--pr-comment",
      "--profile",
      "prod",
    ]);
    expect(
      logic.drgitopsArgs(inputs({ command: "apply", prComment: true, profile: "prod" }), "/t/p.json"),
    ).toEqual(["apply", "--pr-comment", "--profile", "prod"]);
    expect(logic.drgitopsArgs(inputs({ command: "validate", prComment: true }), "/t/p.json")).toEqual([
      "validate",
    ]);
    expect(logic.drgitopsArgs(inputs({ command: "validate" }), "/t/p.json")).toEqual(["validate"]);
  });

  it("runs the action's checkout by default, else the npm version through npx", () => {
    const where = { actionPath: "/a", nodePath: "/usr/bin/node", platform: "linux" };
    expect(logic.invocation(inputs(), ["plan"], where)).toEqual({
      file: "/usr/bin/node",
      argv: [join("/a", "bin", "drgitops.js"), "plan"],
      shell: false,
    });
    expect(logic.invocation(inputs({ version: "1.2.3" }), ["plan"], where)).toEqual({
      file: "npx",
      argv: ["-y", "drgitops@1.2.3", "plan"],
      shell: false,
    });
    expect(logic.invocation(inputs({ version: "latest" }), [], { ...where, platform: "win32" }).shell).toBe(
      true,
    );
  });

  it("fails the step only for exit codes that mean failure", () => {
    expect(logic.SUCCESS_CODES).toEqual({ validate: [0], plan: [0, 2, 6], apply: [0] });
  });

  it("gives empty plan outputs without a readable plan file", () => {
    const empty = { "has-changes": "", drift: "", "plan-file": "" };
    expect(logic.planOutputs(undefined)).toEqual(empty);
    expect(logic.planOutputs(join(ROOT, "does-not-exist.json"))).toEqual(empty);
    expect(logic.planOutputs(join(ROOT, "package.json"))).toEqual(empty);
  });
});

describe("running the action on examples/manifests", () => {
  let repo: { dir: string; cleanup: () => Promise<void> };
  const temps: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(ROOT, "dist/bundle/drgitops.cjs")))
      await promisify(execFile)("npm", ["run", "build"], { cwd: ROOT, timeout: CHILD_TIMEOUT });
    repo = await exampleRepo();
    await cp(join(ROOT, "test/fixtures"), join(repo.dir, "fixtures"), { recursive: true });
  }, CHILD_TIMEOUT);
  afterEach(async () => {
    for (const t of temps.splice(0)) await rm(t, { recursive: true, force: true });
  });
  afterAll(async () => {
    await repo.cleanup();
  });

  async function action(inputs: Record<string, string>): Promise<ActionRun> {
    const run = await runAction({
      actionDir: ROOT,
      inputs,
      workspace: repo.dir,
      env: cleanEnv(repo.dir),
    });
    temps.push(run.runnerTemp);
    return run;
  }

  it(
    "validates: exit code 0, no plan outputs, the install step skipped because dist/ is built",
    async () => {
      const run = await action({ command: "validate", paths: "examples/manifests" });
      expect(run.outcome).toBe("success");
      expect(run.outputs).toEqual({ exitcode: "0", "has-changes": "", drift: "", "plan-file": "" });
      expect(run.steps.map((s) => [s.name, s.skipped])).toEqual([
        ["Set up Node.js", true],
        ["Install drgitops", false],
        ["Run drgitops", false],
      ]);
      expect(run.steps[1]!.stdout).toBe(`drgitops is already built in ${ROOT}\n`);
      expect(run.log).toContain("drgitops validate examples/manifests\n");
      expect(run.log).toMatch(/valid: \d+ manifests/);
    },
    CHILD_TIMEOUT,
  );

  it(
    "plans on a fresh emulator (exit code 2, has-changes), applies (0), then plans no changes (0)",
    async () => {
      const planned = await action({
        command: "plan",
        paths: "examples/manifests",
        args: "--endpoint local",
      });
      expect(planned.outcome).toBe("success");
      const planFile = join(planned.runnerTemp, "drgitops-plan.json");
      expect(planned.outputs).toEqual({
        exitcode: "2",
        "has-changes": "true",
        drift: "false",
        "plan-file": planFile,
      });
      const plan = PlanSchema.parse(JSON.parse(await readFile(planFile, "utf8")));
      expect(plan.actions.length).toBeGreaterThan(0);
      expect(planned.log).toContain(
        `drgitops plan examples/manifests --detailed-exitcode --out ${planFile} --endpoint local\n`,
      );

      const applied = await action({
        command: "apply",
        paths: "examples/manifests",
        args: "--endpoint local",
      });
      expect(applied.outcome).toBe("success");
      expect(applied.outputs).toEqual({ exitcode: "0", "has-changes": "", drift: "", "plan-file": "" });

      const again = await action({ paths: "examples/manifests", args: "--endpoint local" });
      expect(again.outcome).toBe("success");
      expect(again.outputs).toMatchObject({ exitcode: "0", "has-changes": "false", drift: "false" });
    },
    CHILD_TIMEOUT,
  );

  it(
    "fails the step on invalid manifests with exit code 3 (validate and plan)",
    async () => {
      const validated = await action({ command: "validate", paths: "fixtures/invalid/unknown-field" });
      expect(validated.outcome).toBe("failure");
      expect(validated.outputs["exitcode"]).toBe("3");
      expect(validated.steps.at(-1)!.exitCode).toBe(3);
      expect(validated.log).toContain(
        "::error title=drgitops validate::drgitops validate exited 3 (manifests invalid)",
      );
      expect(validated.log).toMatch(/manifest\.yaml:11:3 .*unknown-field/);
      // The runner turns this line into an annotation on the pull request's file.
      expect(validated.log).toContain(
        "::error file=fixtures/invalid/unknown-field/manifest.yaml,line=11,col=3,title=unknown-field::unknown field",
      );

      const planned = await action({
        command: "plan",
        paths: "fixtures/invalid/unknown-field",
        args: "--endpoint local",
      });
      expect(planned.outcome).toBe("failure");
      expect(planned.outputs).toEqual({ exitcode: "3", "has-changes": "", drift: "", "plan-file": "" });
    },
    CHILD_TIMEOUT,
  );

  it(
    "fails the step on an error (exit code 1): a missing connection in CI, an unknown command",
    async () => {
      // CI=true and nothing configured: drgitops refuses to fall back to the emulator.
      const planned = await action({ command: "plan", paths: "examples/manifests" });
      expect(planned.outcome).toBe("failure");
      expect(planned.outputs).toMatchObject({ exitcode: "1", "has-changes": "" });

      const bad = await action({ command: "destroy" });
      expect(bad.outcome).toBe("failure");
      expect(bad.outputs["exitcode"]).toBe("1");
      expect(bad.log).toContain(
        "::error title=drgitops action::input command must be one of validate, plan, apply",
      );
    },
    CHILD_TIMEOUT,
  );

  it(
    "warns that pr-comment applies to plan and apply only",
    async () => {
      const run = await action({ command: "validate", paths: "examples/manifests", "pr-comment": "true" });
      expect(run.outcome).toBe("success");
      expect(run.log).toContain(
        "::warning title=drgitops action::pr-comment applies to plan and apply only; ignored for validate",
      );
    },
    CHILD_TIMEOUT,
  );
});

describe("running the action against a DataRobot endpoint from the job's env", () => {
  it(
    "reports drift (exit code 6 with --detect-drift) without failing the step, then apply restores it",
    async () => {
      const world = await exampleWorld();
      const temps: string[] = [];
      try {
        const m = await world.model("churn-classifier");
        await world.client.customModels.update(m.id, { name: "Renamed in the UI" });
        const run = async (inputs: Record<string, string>) => {
          const r = await runAction({ actionDir: ROOT, inputs, workspace: world.repo.dir, env: world.env });
          temps.push(r.runnerTemp);
          return r;
        };
        const planned = await run({ args: "--detect-drift" });
        expect(planned.outcome).toBe("success");
        expect(planned.outputs).toMatchObject({ exitcode: "6", "has-changes": "true", drift: "true" });
        const applied = await run({ command: "apply" });
        expect(applied.outputs["exitcode"]).toBe("0");
        expect((await run({ args: "--detect-drift" })).outputs).toMatchObject({
          exitcode: "0",
          "has-changes": "false",
          drift: "false",
        });
      } finally {
        for (const t of temps) await rm(t, { recursive: true, force: true });
        await world.stop();
      }
    },
    CHILD_TIMEOUT,
  );
});

describe("running the action with a profile and pr-comment against a stand-in for the GitHub API", () => {
  const TOKEN = "ghs_ACTION0123456789abcdefJOBTOKEN";
  let repo: { dir: string; cleanup: () => Promise<void> };
  let github: FakeGitHub;
  const temps: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(ROOT, "dist/bundle/drgitops.cjs")))
      await promisify(execFile)("npm", ["run", "build"], { cwd: ROOT, timeout: CHILD_TIMEOUT });
    repo = await exampleRepo();
    const config = await readFile(join(repo.dir, "drgitops.yaml"), "utf8");
    // The review stage runs on the embedded emulator, on purpose (CI is set by the runner).
    await writeFile(
      join(repo.dir, "drgitops.yaml"),
      `${config}profiles:\n  review:\n    namespace: acme/review\n    endpoint: local\n`,
    );
    await writeFile(
      join(repo.dir, "event.json"),
      JSON.stringify({ action: "opened", pull_request: { number: 5 } }),
    );
    github = await new FakeGitHub("", TOKEN).start();
  }, CHILD_TIMEOUT);
  afterAll(async () => {
    await github.server.close();
    for (const t of temps) await rm(t, { recursive: true, force: true });
    await repo.cleanup();
  });

  async function action(inputs: Record<string, string>): Promise<ActionRun> {
    const run = await runAction({
      actionDir: ROOT,
      inputs,
      workspace: repo.dir,
      // No GITHUB_TOKEN in the job's env: the action passes the job's own token (github.token).
      env: cleanEnv(repo.dir, {
        GITHUB_REPOSITORY: "acme/models",
        GITHUB_EVENT_NAME: "pull_request",
        GITHUB_EVENT_PATH: join(repo.dir, "event.json"),
        GITHUB_API_URL: github.apiUrl,
      }),
      github: { token: TOKEN },
    });
    temps.push(run.runnerTemp);
    expect(run.log).not.toContain(TOKEN);
    return run;
  }

  it(
    "posts the plan once and edits it on the next run, in the profile's namespace, with the job summary",
    async () => {
      const first = await action({ command: "plan", profile: "review", "pr-comment": "true" });
      expect(first.outcome).toBe("success");
      expect(first.outputs).toMatchObject({ exitcode: "2", "has-changes": "true", drift: "false" });
      expect(first.log).toMatch(
        /drgitops plan --detailed-exitcode --out \S+ --pr-comment --profile review\n/,
      );
      expect(github.comments).toHaveLength(1);
      const [marker, heading] = github.comments[0]!.body.split("\n");
      expect(marker).toBe("<!-- drgitops plan: acme/review (profile review) -->");
      expect(heading).toBe("### drgitops plan for `acme/review` (profile `review`)");
      const run = first.steps.at(-1)!;
      expect(run.summary.startsWith("### drgitops plan for `acme/review` (profile `review`)")).toBe(true);
      const plan = PlanSchema.parse(JSON.parse(await readFile(first.outputs["plan-file"]!, "utf8")));
      expect(plan).toMatchObject({ namespace: "acme/review", profile: "review" });

      const second = await action({ command: "plan", profile: "review", "pr-comment": "true" });
      expect(second.outcome).toBe("success");
      expect(github.comments).toHaveLength(1);
      expect(github.received.map((r) => r.method)).toEqual(["GET", "POST", "GET", "PATCH"]);
    },
    CHILD_TIMEOUT,
  );

  it(
    "applies with the profile, reporting the outcome in the comment and the summary, then plans no changes",
    async () => {
      const applied = await action({ command: "apply", profile: "review", "pr-comment": "true" });
      expect(applied.outcome).toBe("success");
      expect(applied.outputs).toMatchObject({ exitcode: "0", "has-changes": "" });
      expect(applied.steps.at(-1)!.summary).toMatch(
        /^### drgitops apply for `acme\/review` \(profile `review`\)\n\n\*\*Resources: \d+ succeeded, 0 failed/,
      );
      expect(github.comments).toHaveLength(1);
      expect(github.comments[0]!.body).toContain("### drgitops apply for `acme/review` (profile `review`)");

      const again = await action({ command: "plan", profile: "review" });
      expect(again.outputs).toMatchObject({ exitcode: "0", "has-changes": "false" });
    },
    CHILD_TIMEOUT,
  );

  it(
    "fails the step with exit code 1 when pr-comment has no pull request to comment on",
    async () => {
      const run = await runAction({
        actionDir: ROOT,
        inputs: { command: "plan", profile: "review", "pr-comment": "true" },
        workspace: repo.dir,
        env: cleanEnv(repo.dir, { GITHUB_REPOSITORY: "acme/models" }),
        github: { token: TOKEN },
      });
      temps.push(run.runnerTemp);
      expect(run.outcome).toBe("failure");
      expect(run.outputs).toMatchObject({ exitcode: "1", "has-changes": "" });
      expect(run.log).toContain("--pr-comment needs GITHUB_EVENT_PATH");
    },
    CHILD_TIMEOUT,
  );
});
