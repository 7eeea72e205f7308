import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import { FakeGitHub } from "../ci/fake-github.js";
import { parseCommand } from "../ci/readers.js";
import { EXAMPLES, emulatorEnv, exampleRepo, runCli } from "./harness.js";

/**
 * A failed test gate in GitHub Actions (DESIGN §12): the tail of the test log reaches the step's
 * annotations, the job summary and the pull-request comment, so nobody opens DataRobot to learn why.
 */
const TIMEOUT = 120_000;
const GITHUB_TOKEN = "ghs_APPLY0123456789abcdefSECRET";

describe("apply in GitHub Actions with a failing test", { timeout: TIMEOUT }, () => {
  let emu: RunningEmulator;
  let repo: Awaited<ReturnType<typeof exampleRepo>>;
  let github: FakeGitHub;
  let temp: string;

  beforeAll(async () => {
    repo = await exampleRepo();
    temp = await mkdtemp(join(tmpdir(), "drgitops-ci-apply-"));
    const scenario = join(temp, "scenario.yaml");
    await writeFile(
      scenario,
      "models:\n  drgitops-examples/iris-classifier:\n    tests:\n      sideEffects: {outcome: fail, message: 'writes to /tmp: 100%, then stops'}\n",
    );
    emu = await startEmulator({
      seedFile: join(EXAMPLES, "emulator-seed.yaml"),
      scenarioFile: scenario,
      quiet: true,
    });
    const manifest = join(repo.dir, "examples/manifests/iris-classifier.yaml");
    const text = await readFile(manifest, "utf8");
    await writeFile(
      manifest,
      text.replace(
        "    dataset: {ref: iris-test}\n",
        "    dataset: {ref: iris-test}\n    checks: {sideEffects: fail}\n",
      ),
    );
    github = await new FakeGitHub("", GITHUB_TOKEN).start();
  }, TIMEOUT);
  afterAll(async () => {
    await github.server.close();
    await emu.stop();
    await repo.cleanup();
    await rm(temp, { recursive: true, force: true });
  });

  it("shows the test log's tail in the annotation, the job summary, the terminal and the PR comment", async () => {
    const summary = join(temp, "summary.md");
    const event = join(temp, "event.json");
    await writeFile(
      event,
      JSON.stringify({ issue: { number: 3, pull_request: {} }, comment: { body: "apply" } }),
    );
    const env = emulatorEnv(emu, repo.dir, {
      CI: "true",
      GITHUB_ACTIONS: "true",
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_TOKEN,
      GITHUB_REPOSITORY: "acme/models",
      GITHUB_EVENT_NAME: "issue_comment",
      GITHUB_EVENT_PATH: event,
      GITHUB_API_URL: github.apiUrl,
    });
    const r = await runCli(["apply", "--pr-comment"], { cwd: repo.dir, env });
    expect(r.code, r.stderr).toBe(7);
    expect(r.stdout + r.stderr).not.toContain(GITHUB_TOKEN);
    expect(r.stdout + r.stderr).not.toContain(emu.token);

    const logLine = "sideEffects: writes to /tmp: 100%, then stops";
    const failed = r.stderr
      .split("\n")
      .filter((l) => l.startsWith("::error title=drgitops runTest"))
      .map(parseCommand);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.properties["title"]).toBe("drgitops runTest drgitops-examples/iris-classifier");
    const [message, ...logLines] = failed[0]!.message.split("\n");
    expect(message).toMatch(/^test \S+ failed: sideEffects failed: writes to \/tmp: 100%, then stops$/);
    expect(logLines).toContain(logLine);

    expect(r.stdout).toContain("runTest drgitops-examples/iris-classifier: last ");
    expect(r.stdout).toContain(`  | ${logLine}`);

    const written = await readFile(summary, "utf8");
    expect(written).toContain("### drgitops apply for `drgitops-examples`");
    expect(written).toMatch(/\| ❌ \| `drgitops-examples\/iris-classifier` \| failed \| .*runTest failed/);
    expect(written).toMatch(
      /<details><summary>runTest drgitops-examples\/iris-classifier: last \d+ lines of the test log<\/summary>\n\n```text\n[^]*sideEffects: writes to \/tmp: 100%, then stops\n[^]*```\n\n<\/details>/,
    );

    expect(github.comments).toHaveLength(1);
    const body = github.comments[0]!.body;
    expect(body.split("\n")[0]).toBe("<!-- drgitops plan: drgitops-examples -->");
    expect(body).toContain("### drgitops apply for `drgitops-examples`");
    expect(body).toContain(logLine);
    expect(body).toContain("### drgitops plan for `drgitops-examples`");
  });
});
