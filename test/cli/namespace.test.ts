import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";

const MANIFEST = `apiVersion: drgitops/v1
kind: Dataset
metadata: {name: scores}
spec: {id: 0123456789abcdef01234567}
`;

async function validateJson(cwd: string, extra: string[] = []): Promise<{ code: number; namespace: string }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  const code = await main(["node", "drgitops", "validate", ".", "--format", "json", ...extra], {
    cwd,
    stdout: out,
    stderr: new PassThrough(),
  });
  const body = JSON.parse(Buffer.concat(chunks).toString()) as { namespace: string };
  return { code, namespace: body.namespace };
}

describe("namespace of model keys", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "drgitops-ns-"));
    await writeFile(join(dir, "dataset.yaml"), MANIFEST);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("validate takes the git remote's owner/repo, as plan and apply do", async () => {
    execFileSync("git", ["init", "-q"], { cwd: dir });
    execFileSync("git", ["remote", "add", "origin", "git@github.com:acme/fraud-models.git"], { cwd: dir });
    expect(await validateJson(dir)).toEqual({ code: 0, namespace: "acme/fraud-models" });
  });

  it("drgitops.yaml and then --namespace take precedence over the remote", async () => {
    execFileSync("git", ["init", "-q"], { cwd: dir });
    execFileSync("git", ["remote", "add", "origin", "https://github.com/acme/fraud-models"], { cwd: dir });
    await writeFile(join(dir, "drgitops.yaml"), "namespace: risk\n");
    expect((await validateJson(dir)).namespace).toBe("risk");
    expect((await validateJson(dir, ["--namespace", "other"])).namespace).toBe("other");
  });
});

describe("--namespace that no later run could agree on", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "drgitops-ns-"));
    await writeFile(join(dir, "dataset.yaml"), MANIFEST);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it.each([[""], ["a b"], ["/leading"], ["trailing/"]])(
    "refuses %j as a usage error, naming the rule",
    async (ns) => {
      const err = new PassThrough();
      const chunks: Buffer[] = [];
      err.on("data", (c: Buffer) => chunks.push(c));
      const code = await main(["node", "drgitops", "validate", ".", "--namespace", ns], {
        cwd: dir,
        stdout: new PassThrough(),
        stderr: err,
      });
      expect(code).toBe(1);
      expect(Buffer.concat(chunks).toString()).toContain(`--namespace "${ns}" must be path-like segments`);
    },
  );
});
