import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { loadAction } from "./runner.js";

const ROOT = resolve(import.meta.dirname, "../..");
const EXAMPLES = join(ROOT, "examples/ci");

const StepSchema = z.object({
  id: z.string().optional(),
  uses: z.string().optional(),
  run: z.string().optional(),
  with: z.record(z.string(), z.unknown()).optional(),
  env: z.record(z.string(), z.string()).optional(),
});
const WorkflowSchema = z.object({
  name: z.string(),
  on: z.record(z.string(), z.unknown()),
  permissions: z.record(z.string(), z.string()),
  concurrency: z.object({ group: z.string(), "cancel-in-progress": z.boolean() }).optional(),
  jobs: z.record(z.string(), z.object({ "runs-on": z.string(), steps: z.array(StepSchema) })),
});
type Workflow = z.infer<typeof WorkflowSchema>;

async function workflow(file: string): Promise<Workflow> {
  return WorkflowSchema.parse(parse(await readFile(join(EXAMPLES, file), "utf8")));
}

/** The steps that use this repository's action (`<owner>/drgitops@<ref>`). */
function drgitopsSteps(w: Workflow): z.infer<typeof StepSchema>[] {
  return Object.values(w.jobs).flatMap((j) =>
    j.steps.filter((s) => /^[\w.-]+\/drgitops@/.test(s.uses ?? "")),
  );
}

const CONNECTION = {
  DATAROBOT_ENDPOINT: "${{ secrets.DATAROBOT_ENDPOINT }}",
  DATAROBOT_API_TOKEN: "${{ secrets.DATAROBOT_API_TOKEN }}",
};

describe("examples/ci", () => {
  it("github-plan.yml plans pull requests with the PR comment and the permissions it needs", async () => {
    const w = await workflow("github-plan.yml");
    expect(Object.keys(w.on)).toEqual(["pull_request"]);
    expect(w.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    const [step, ...others] = drgitopsSteps(w);
    expect(others).toEqual([]);
    expect(step?.with).toEqual({ command: "plan", "pr-comment": true });
    expect(step?.env).toEqual({ ...CONNECTION, GITHUB_TOKEN: "${{ secrets.GITHUB_TOKEN }}" });
    // The artifact step reads an output the action declares.
    expect(JSON.stringify(w.jobs)).toContain("steps.drgitops.outputs.plan-file");
  });

  it("github-apply.yml applies pushes to main, one run per profile at a time, never cancelled", async () => {
    const w = await workflow("github-apply.yml");
    expect(w.on["push"]).toEqual({ branches: ["main"] });
    const [step] = drgitopsSteps(w);
    expect(step?.with).toMatchObject({ command: "apply" });
    const profile = String(step?.with?.["profile"]);
    expect(w.concurrency).toEqual({ group: `drgitops-${profile}`, "cancel-in-progress": false });
    expect(w.permissions).toEqual({ contents: "read" });
    expect(step?.env).toEqual(CONNECTION);
  });

  it("uses only inputs the action declares", async () => {
    const action = await loadAction(join(ROOT, "action.yml"));
    for (const file of ["github-plan.yml", "github-apply.yml"]) {
      const steps = drgitopsSteps(await workflow(file));
      expect(steps.length).toBeGreaterThan(0);
      for (const step of steps)
        for (const input of Object.keys(step.with ?? {})) expect(Object.keys(action.inputs)).toContain(input);
    }
  });

  it("gitlab-ci.yml plans merge requests with a code-quality report and applies the default branch in a resource group", async () => {
    const JobSchema = z.object({
      stage: z.string(),
      rules: z.array(z.object({ if: z.string() })),
      script: z.array(z.string()),
      resource_group: z.string().optional(),
      artifacts: z
        .object({ when: z.string(), reports: z.object({ codequality: z.string() }).optional() })
        .loose()
        .optional(),
    });
    const ci = z
      .object({ stages: z.array(z.string()), plan: JobSchema, apply: JobSchema })
      .loose()
      .parse(parse(await readFile(join(EXAMPLES, "gitlab-ci.yml"), "utf8")));
    expect(ci.stages).toEqual([ci.plan.stage, ci.apply.stage]);
    expect(ci.plan.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
    const report = ci.plan.artifacts?.reports?.codequality;
    expect(report).toBeDefined();
    expect(ci.plan.artifacts?.when).toBe("always");
    expect(ci.plan.script).toContain(`drgitops validate --format codeclimate > ${report}`);
    expect(ci.plan.script.some((s) => s.startsWith("drgitops plan --detailed-exitcode"))).toBe(true);
    expect(ci.plan.script.some((s) => s.includes("apply"))).toBe(false);
    expect(ci.apply.rules).toEqual([{ if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" }]);
    expect(ci.apply.resource_group).toMatch(/^drgitops-/);
    expect(ci.apply.script.some((s) => s.startsWith("drgitops apply"))).toBe(true);
  });
});

describe("README ## CI integration", () => {
  async function section(): Promise<string> {
    const readme = await readFile(join(ROOT, "README.md"), "utf8");
    const start = readme.indexOf("\n## CI integration\n");
    const end = readme.indexOf("\n## Exit codes\n");
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    return readme.slice(start, end);
  }

  it("shows the example files inline exactly as they are", async () => {
    const text = await section();
    for (const file of ["github-plan.yml", "github-apply.yml", "gitlab-ci.yml"]) {
      const content = await readFile(join(EXAMPLES, file), "utf8");
      expect(text).toContain("```yaml\n" + content + "```\n");
    }
  });

  it("documents every input and output of the action and the flags the commands take", async () => {
    const text = await section();
    const action = await loadAction(join(ROOT, "action.yml"));
    for (const name of [...Object.keys(action.inputs), ...Object.keys(action.outputs)])
      expect(text).toContain(`| \`${name}\` |`);
    for (const flag of [
      "plan --pr-comment",
      "validate --format codeclimate",
      "<!-- drgitops plan: <namespace> -->",
    ])
      expect(text).toContain(flag);
    for (const variable of ["GITHUB_TOKEN", "GITHUB_REPOSITORY", "GITHUB_EVENT_PATH", "GITHUB_API_URL"])
      expect(text).toContain(`| \`${variable}\` |`);
  });
});
