import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";

const REPO = resolve(import.meta.dirname, "../..");

async function cli(args: string[], cwd = REPO): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: [Buffer[], Buffer[]] = [[], []];
  out.on("data", (c: Buffer) => chunks[0].push(c));
  err.on("data", (c: Buffer) => chunks[1].push(c));
  const code = await main(["node", "drgitops", ...args], { cwd, stdout: out, stderr: err });
  return { code, stdout: Buffer.concat(chunks[0]).toString(), stderr: Buffer.concat(chunks[1]).toString() };
}

describe("drgitops validate", () => {
  it("exits 0 on the examples and summarises what it checked", async () => {
    const { code, stdout } = await cli(["validate", "examples/manifests"]);
    expect(code).toBe(0);
    expect(stdout).toBe(
      "valid: 17 manifests (2 deployments, 2 registered models, 5 models, 2 environments, 6 datasets)\n",
    );
  });

  it("uses drgitops.yaml paths when no path is given", async () => {
    const { code, stdout } = await cli(["validate"]);
    expect(code).toBe(0);
    expect(stdout).toContain("5 models");
  });

  it("counts a manifest that broke a cross-document rule as invalid, not valid", async () => {
    // The model parses but refers to an environment no manifest defines: it is loaded, and not valid.
    const human = await cli(["validate", "test/fixtures/invalid/dangling-ref"]);
    expect(human.stdout.trimEnd().split("\n").at(-1)).toBe(
      "invalid: 1 error, 0 warnings (0 deployments, 0 registered models, 0 models, 1 environment, 0 datasets valid)",
    );
    // The same for a deployment whose registered model no manifest defines.
    const deployment = await cli(["validate", "test/fixtures/invalid/deployment-dangling-ref"]);
    expect(deployment.stdout.trimEnd().split("\n").at(-1)).toBe(
      "invalid: 1 error, 0 warnings (0 deployments, 0 registered models, 1 model, 0 environments, 0 datasets valid)",
    );
    const json = await cli(["validate", "test/fixtures/invalid/dangling-ref", "--format", "json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ summary: { errors: 1, models: 0, environments: 1 } });
  });

  it("exits 3 and prints file:line:column  kind/name  field.path  message", async () => {
    const { code, stdout } = await cli(["validate", "test/fixtures/invalid/unknown-field"]);
    expect(code).toBe(3);
    const [line, blank, summary] = stdout.split("\n");
    expect(line).toBe(
      'test/fixtures/invalid/unknown-field/manifest.yaml:11:3  CustomModel/fixture-model  spec.runtimeParamters  unknown field "runtimeParamters" (did you mean "runtimeParameters"?) [unknown-field]',
    );
    expect(blank).toBe("");
    expect(summary).toMatch(/^invalid: 1 error, 0 warnings/);
  });

  it("prints list indexes in field paths and reports several files at once", async () => {
    const { code, stdout } = await cli([
      "validate",
      "test/fixtures/invalid/metadata-invalid-default",
      "test/fixtures/invalid/dockerfile-missing",
    ]);
    expect(code).toBe(3);
    expect(stdout).toContain(
      "model-metadata.yaml:7:19  CustomModel/fixture-model  runtimeParameterDefinitions[0].defaultValue",
    );
    expect(stdout).toContain(
      "dockerfile-missing/manifest.yaml:7:18  ExecutionEnvironment/fixture-env  spec.dockerContext",
    );
    expect(stdout).toMatch(/invalid: 2 errors/);
  });

  it("--format json gives CI the issues with files relative to the cwd", async () => {
    const { code, stdout } = await cli([
      "validate",
      "--format",
      "json",
      "test/fixtures/invalid/invalid-memory",
    ]);
    expect(code).toBe(3);
    const body = JSON.parse(stdout) as {
      ok: boolean;
      summary: { errors: number };
      issues: Record<string, unknown>[];
    };
    expect(body.ok).toBe(false);
    expect(body.summary.errors).toBe(1);
    expect(body.issues).toEqual([
      expect.objectContaining({
        code: "invalid-memory",
        file: "test/fixtures/invalid/invalid-memory/manifest.yaml",
        line: 12,
        column: 13,
        path: ["spec", "resources", "memory"],
      }),
    ]);
  });

  it("--verbose lists skipped documents of other tools", async () => {
    const quiet = await cli(["validate", "examples"]);
    expect(quiet.stdout).toMatch(/other YAML documents? skipped \(--verbose lists them\)/);
    const verbose = await cli(["validate", "--verbose", "examples"]);
    expect(verbose.stdout).toContain(
      "examples/emulator-seed.yaml:3:1  note: skipped a document with no apiVersion",
    );
  });

  it("says so when a path holds no drgitops manifests", async () => {
    const { code, stdout } = await cli(["validate", "examples/models/churn-classifier"]);
    expect(code).toBe(0);
    expect(stdout).toBe(
      "no drgitops manifests found (apiVersion: drgitops/v1); 1 other YAML document skipped (--verbose lists them)\n",
    );
  });

  it("rejects an unknown format as a usage error", async () => {
    const { code, stderr } = await cli(["validate", "--format", "xml"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/xml/);
  });

  it("has --help", async () => {
    const { code, stdout } = await cli(["validate", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("--format <format>");
    expect(stdout).toContain("file:line:column");
  });
});

describe("drgitops schema", () => {
  it("prints the JSON Schema, and the committed copy is up to date", async () => {
    const { code, stdout } = await cli(["schema"]);
    expect(code).toBe(0);
    const committed = await readFile(resolve(REPO, "schema/drgitops.schema.json"), "utf8");
    expect(
      committed === stdout,
      "schema/drgitops.schema.json is stale: run `npx drgitops schema > schema/drgitops.schema.json` (after npm run build)",
    ).toBe(true);
  });

  it("--project-config prints the schema of drgitops.yaml, and its committed copy is up to date", async () => {
    const { code, stdout } = await cli(["schema", "--project-config"]);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { properties: object }).properties).toHaveProperty("namespace");
    const committed = await readFile(resolve(REPO, "schema/drgitops-config.schema.json"), "utf8");
    expect(
      committed === stdout,
      "schema/drgitops-config.schema.json is stale: run `npx drgitops schema --project-config > schema/drgitops-config.schema.json`",
    ).toBe(true);
  });

  it("describes every manifest kind and rejects unknown fields", async () => {
    const schema = JSON.parse((await cli(["schema"])).stdout) as {
      oneOf: { properties: { kind: { const: string } }; additionalProperties: boolean }[];
    };
    expect(schema.oneOf.map((s) => s.properties.kind.const)).toEqual([
      "Deployment",
      "RegisteredModel",
      "CustomModel",
      "ExecutionEnvironment",
      "Dataset",
    ]);
    expect(schema.oneOf.every((s) => s.additionalProperties === false)).toBe(true);
  });

  it("has --help that says how to use it in an editor", async () => {
    const { stdout } = await cli(["schema", "--help"]);
    expect(stdout).toContain("yaml-language-server: $schema=");
  });
});
