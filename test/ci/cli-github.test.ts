import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { cleanEnv, exampleRepo } from "../e2e/harness.js";
import { commandLines, runMain, type MainResult } from "./cli.js";
import { FakeGitHub } from "./fake-github.js";
import { INVALID_FIXTURES } from "./issues.js";
import { GitLabCodeQualitySchema, parseCommand } from "./readers.js";

/**
 * The commands in CI (DESIGN §12), through the CLI: annotations next to the issue lines, the job
 * summary, the pull-request comment against a stand-in for the GitHub API, GitLab's report.
 */
const TIMEOUT = 120_000;
const TOKEN = "ghs_CLI0123456789abcdefSECRET";
const FIXTURES = ["unknown-field", "out-of-range", "metadata-invalid-default", "dangling-ref"];

let repo: { dir: string; cleanup: () => Promise<void> };
let temp: string;

beforeAll(async () => {
  repo = await exampleRepo();
  for (const f of FIXTURES)
    await cp(join(INVALID_FIXTURES, f), join(repo.dir, "fixtures", f), { recursive: true });
  temp = join(repo.dir, ".drgitops", "test-ci");
}, TIMEOUT);
afterAll(async () => {
  await repo.cleanup();
});
beforeEach(async () => {
  await mkdir(temp, { recursive: true });
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

/** Environment of a GitHub Actions step: CI, GITHUB_ACTIONS and a job summary file. */
function actionsEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return cleanEnv(repo.dir, {
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_STEP_SUMMARY: join(temp, "summary.md"),
    ...extra,
  });
}

const HUMAN_ISSUE = /^(\S+):(\d+):(\d+)\s.*\[([a-z-]+)\]$/;

describe("annotations (GITHUB_ACTIONS=true)", () => {
  it("prints one ::error per issue, at the file, line and column of the human line, from the repo root", async () => {
    // From a subfolder: human lines are relative to the cwd, annotations to the repository root.
    const cwd = join(repo.dir, "fixtures");
    const r = await runMain(["validate", ...FIXTURES], cwd, actionsEnv());
    expect(r.code).toBe(3);
    const human = r.stdout
      .split("\n")
      .map((l) => HUMAN_ISSUE.exec(l))
      .filter((m) => m !== null)
      .map((m) => `error ${join("fixtures", m[1]!)}:${m[2]}:${m[3]} ${m[4]}`);
    expect(human.length).toBeGreaterThanOrEqual(FIXTURES.length);
    const annotations = commandLines(r.stdout).map(parseCommand);
    expect(
      annotations.map(
        (a) =>
          `${a.name} ${a.properties["file"]}:${a.properties["line"]}:${a.properties["col"]} ${a.properties["title"]}`,
      ),
    ).toEqual(human);

    const quiet = await runMain(["validate", ...FIXTURES], cwd, cleanEnv(repo.dir, { CI: "true" }));
    expect(commandLines(quiet.stdout + quiet.stderr)).toEqual([]);
  });

  it("annotates the validation that starts plan and apply, on stderr next to the issue lines", async () => {
    for (const command of ["plan", "apply"]) {
      const r = await runMain(
        [command, "fixtures/unknown-field", "--endpoint", "local"],
        repo.dir,
        actionsEnv(),
      );
      expect(r.code).toBe(3);
      expect(r.stdout).toBe("");
      const annotations = commandLines(r.stderr).map(parseCommand);
      expect(annotations.length).toBe(r.stderr.split("\n").filter((l) => HUMAN_ISSUE.test(l)).length);
      expect(annotations).toContainEqual({
        name: "error",
        properties: {
          file: "fixtures/unknown-field/manifest.yaml",
          line: "11",
          col: "3",
          title: "unknown-field",
        },
        message: expect.stringContaining('unknown field "runtimeParamters"') as unknown,
      });
    }
  });

  it("round-trips %, commas, colons and newlines of a message through GitHub's escaping", async () => {
    await mkdir(join(repo.dir, "fixtures/odd"), { recursive: true });
    await writeFile(
      join(repo.dir, "fixtures/odd/manifest.yaml"),
      'apiVersion: drgitops/v1\nkind: Dataset\nmetadata: {name: odd}\nspec:\n  file: ../../examples/data/iris-test.csv\n  "100% a,b: c\\nd%0A": 1\n',
    );
    const r = await runMain(["validate", "--format", "json", "fixtures/odd"], repo.dir, actionsEnv());
    expect(r.code).toBe(3);
    const { issues } = z
      .object({
        issues: z.array(
          z.object({ file: z.string(), line: z.number(), column: z.number(), message: z.string() }),
        ),
      })
      .parse(JSON.parse(r.stdout));
    expect(issues).toHaveLength(1);
    // A CR in a message is shown escaped (\u000d) since the file hardening; LF is kept as is. Any
    // text, CR included, round-trips through the escaping: workflow-commands.test.ts checks that.
    expect(issues[0]!.message).toContain('"100% a,b: c\nd%0A"');
    // On the wire the message is one line: %, CR and LF are encoded, the literal %0A too.
    expect(r.stderr).toContain("100%25 a,b: c%0Ad%250A");
    // stdout is the JSON document: the annotation goes to stderr.
    const [annotation, ...more] = commandLines(r.stderr).map(parseCommand);
    expect(more).toEqual([]);
    expect(annotation).toEqual({
      name: "error",
      properties: {
        file: issues[0]!.file,
        line: String(issues[0]!.line),
        col: String(issues[0]!.column),
        title: "unknown-field",
      },
      message: issues[0]!.message,
    });
  });
});

describe("validate --format codeclimate", () => {
  it("prints the GitLab code-quality report on stdout, paths from the repo root, exit codes unchanged", async () => {
    const cwd = join(repo.dir, "fixtures");
    const json = await runMain(["validate", "--format", "json", ...FIXTURES], cwd, cleanEnv(repo.dir));
    const expected = (JSON.parse(json.stdout) as { issues: unknown[] }).issues.length;
    const r = await runMain(["validate", "--format", "codeclimate", ...FIXTURES], cwd, cleanEnv(repo.dir));
    expect(r.code).toBe(3);
    const report = GitLabCodeQualitySchema.parse(JSON.parse(r.stdout));
    expect(report).toHaveLength(expected);
    for (const entry of report) expect(entry.location.path).toMatch(/^fixtures\/[a-z-]+\//);
    expect(new Set(report.map((e) => e.fingerprint)).size).toBe(report.length);

    const valid = await runMain(["validate", "--format", "codeclimate"], repo.dir, cleanEnv(repo.dir));
    expect(valid).toMatchObject({ code: 0, stdout: "[]\n" });
  });
});

describe("job summary", () => {
  it(
    "plan appends its markdown; apply appends its outcome table after it",
    async () => {
      const summary = join(temp, "summary.md");
      await writeFile(summary, "earlier step\n");
      const markdown = await runMain(
        ["plan", "--format", "markdown", "--endpoint", "local"],
        repo.dir,
        cleanEnv(repo.dir, { CI: "true" }),
      );
      expect(markdown.code).toBe(0);
      const planned = await runMain(["plan", "--endpoint", "local"], repo.dir, actionsEnv());
      expect(planned.code).toBe(0);
      expect(await readFile(summary, "utf8")).toBe(`earlier step\n${markdown.stdout}`);

      const applied = await runMain(["apply", "--endpoint", "local"], repo.dir, actionsEnv());
      expect(applied.code, applied.stderr).toBe(0);
      const after = await readFile(summary, "utf8");
      expect(
        after.startsWith(`earlier step\n${markdown.stdout}### drgitops apply for \`drgitops-examples\``),
      ).toBe(true);
      expect(after).toMatch(
        /\*\*Resources: \d+ succeeded, 0 failed, 0 skipped, 0 unchanged\.\*\* Exit code 0\./,
      );
      expect(after).toContain("| ✅ | `drgitops-examples/iris-classifier` | succeeded |");
    },
    TIMEOUT,
  );
});

describe("plan --pr-comment", () => {
  let github: FakeGitHub;
  beforeEach(async () => {
    github = await new FakeGitHub("", TOKEN).start();
  });
  afterEach(async () => {
    await github.server.close();
  });

  async function prEnv(extra: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
    const event = join(temp, "event.json");
    await writeFile(event, JSON.stringify({ action: "synchronize", pull_request: { number: 12 } }));
    return actionsEnv({
      GITHUB_TOKEN: TOKEN,
      GITHUB_REPOSITORY: "acme/models",
      GITHUB_EVENT_NAME: "pull_request",
      GITHUB_EVENT_PATH: event,
      GITHUB_API_URL: github.apiUrl,
      ...extra,
    });
  }
  const plan = async (env: NodeJS.ProcessEnv, ...args: string[]): Promise<MainResult> => {
    const r = await runMain(["plan", "--pr-comment", "--endpoint", "local", ...args], repo.dir, env);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    return r;
  };
  const requests = () => github.received.map((q) => `${q.method} ${new URL(q.url, github.apiUrl).pathname}`);

  it(
    "posts on the first run, edits the same comment on the next, and gives another namespace its own",
    async () => {
      const env = await prEnv();
      const first = await plan(env, "--detailed-exitcode");
      expect(first.code).toBe(0);
      expect(requests()).toEqual([
        "GET /repos/acme/models/issues/12/comments",
        "POST /repos/acme/models/issues/12/comments",
      ]);
      expect(first.stderr).toContain(
        "drgitops: posted the pull-request comment https://github.example/acme/models/pull/12#issuecomment-1000",
      );
      expect(github.comments).toHaveLength(1);
      const body = github.comments[0]!.body;
      expect(body.split("\n")[0]).toBe("<!-- drgitops plan: drgitops-examples -->");
      expect(body).toContain("### drgitops plan for `drgitops-examples`");

      const second = await plan(env);
      expect(second.code).toBe(0);
      expect(requests().slice(2)).toEqual([
        "GET /repos/acme/models/issues/12/comments",
        "PATCH /repos/acme/models/issues/comments/1000",
      ]);
      expect(second.stderr).toContain("drgitops: updated the pull-request comment");
      expect(github.comments).toHaveLength(1);

      // Another namespace on the same DataRobot: its registered models' names are taken by the first
      // one's (names are unique per DataRobot), a blocking refusal (exit 1) that is still commented.
      const other = await plan(env, "--namespace", "acme/other", "--detailed-exitcode");
      expect(other.code).toBe(1);
      expect(other.stdout + other.stderr).toContain('the registered model name "Customer churn" is taken');
      expect(github.comments.map((c) => c.body.split("\n")[0])).toEqual([
        "<!-- drgitops plan: drgitops-examples -->",
        "<!-- drgitops plan: acme/other -->",
      ]);
    },
    TIMEOUT,
  );

  it(
    "reports a rejected token (401) or a missing pull request (404) on stderr, keeping the plan's exit code",
    async () => {
      const rejected = await plan(
        await prEnv({ GITHUB_TOKEN: "ghs_not_the_right_one_at_all" }),
        "--detailed-exitcode",
      );
      expect(rejected.code).toBe(0);
      expect(rejected.stdout).toContain("drgitops plan for namespace drgitops-examples");
      expect(rejected.stderr).toMatch(
        /pull-request comment failed: GitHub API GET \S+ failed with 401 \(Bad credentials\): the token was rejected/,
      );
      expect(commandLines(rejected.stderr).map(parseCommand)).toMatchObject([
        { name: "warning", properties: { title: "drgitops pull-request comment" } },
      ]);
      expect(rejected.stdout + rejected.stderr).not.toContain("ghs_not_the_right_one_at_all");

      const missing = await plan(await prEnv({ GITHUB_REPOSITORY: "acme/gone" }));
      expect(missing.code).toBe(0);
      expect(missing.stderr).toContain(
        "failed with 404 (Not Found): repository or pull request not found, or the token lacks pull-requests: write",
      );
      expect(github.comments).toEqual([]);
    },
    TIMEOUT,
  );

  it("refuses before planning when the token or the pull request is missing", async () => {
    const noToken = await plan(await prEnv({ GITHUB_TOKEN: "" }));
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain("--pr-comment needs GITHUB_TOKEN");
    expect(noToken.stderr).not.toContain("embedded emulator");
    const push = join(temp, "push.json");
    await writeFile(push, JSON.stringify({ ref: "refs/heads/main" }));
    const notPr = await plan(await prEnv({ GITHUB_EVENT_PATH: push, GITHUB_EVENT_NAME: "push" }));
    expect(notPr.code).toBe(1);
    expect(notPr.stderr).toContain("the push event is not about a pull request");
    expect(github.received).toEqual([]);
  });
});
