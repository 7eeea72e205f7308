import { readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DataRobotClient } from "../../src/client/index.js";
import { withTrailer } from "../../src/reconcile/trailer.js";
import { planJson } from "./harness.js";
import { projectWorld, type ProjectWorld } from "./project-world.js";

const NS = "acme/all";
const BUILTIN_ENV = "5e8c889607389fe0f466c72d";

describe("drgitops import --all", { timeout: 180_000 }, () => {
  let world: ProjectWorld;
  let client: DataRobotClient;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => world.cli(...args);
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    world = await projectWorld(NS);
    ({ client, dir, env } = world);
    const code = join(dir, "custom.py");
    await writeFile(code, "def score(data, model, **kw):\n    return data\n");
    const make = async (label: string, fields: Record<string, unknown>, withVersion = true) => {
      const { model } = await client.customModels.create({ targetType: "Anomaly", name: "m", ...fields });
      if (withVersion)
        await client.versions.createClean(model.id, {
          files: [{ filePath: "custom.py", absPath: code }],
          baseEnvironmentId: BUILTIN_ENV,
        });
      ids[label] = model.id;
    };
    await make("first", { name: "Fraud Detector" });
    await make("second", { name: "Fraud detector" });
    await make("foreign", { name: "CMA model", userProvidedId: "712345678/cma-model" });
    await make("other-ns", {
      name: "Theirs",
      userProvidedId: "other/team/theirs",
      description: withTrailer("", { key: "other/team/theirs" }),
    });
    await make("empty", { name: "No version yet" }, false);
    await rm(code);
  }, 120_000);
  afterAll(() => world?.stop());

  it("imports every model outside a drgitops namespace under valid, unique names, and says why it skips the rest", async () => {
    const r = await cli("import", "--all");
    expect(r.code, r.stderr).toBe(0);
    expect((await readdir(join(dir, "manifests"))).sort()).toEqual([
      "fraud-detector-2.yaml",
      "fraud-detector.yaml",
    ]);
    const skipped = r.stdout.split("\n").filter((l) => l.startsWith("skipped"));
    expect(skipped).toHaveLength(3);
    expect(skipped).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`${ids["foreign"]} "CMA model": has userProvidedId 712345678/cma-model`),
        expect.stringContaining(`${ids["other-ns"]} "Theirs": managed by drgitops as other/team/theirs`),
        expect.stringContaining(`${ids["empty"]} "No version yet": has no version`),
      ]),
    );
    expect((await client.customModels.get(ids["foreign"]!)).userProvidedId).toBe("712345678/cma-model");
    const keys = [
      (await client.customModels.get(ids["first"]!)).userProvidedId,
      (await client.customModels.get(ids["second"]!)).userProvidedId,
    ];
    expect(keys.sort()).toEqual([`${NS}/fraud-detector`, `${NS}/fraud-detector-2`]);
    const { plan } = await planJson(dir, env);
    expect(plan.actions.filter((a) => a.type === "createModel" || a.type === "createVersion")).toEqual([]);
    expect(plan.untested).toEqual([`${NS}/fraud-detector`, `${NS}/fraud-detector-2`]);
  });

  it("a second --all finds nothing left to import", async () => {
    const r = await cli("import", "--all");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("no model to import");
    expect(r.stdout).toContain(`already managed in ${NS} as ${NS}/fraud-detector`);
  });

  it("an explicit import takes over another tool's userProvidedId, and says so", async () => {
    const r = await cli("import", ids["foreign"]!, "--name", "cma-model");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("its userProvidedId was 712345678/cma-model");
    expect(r.stdout).toContain(`adopted: userProvidedId 712345678/cma-model -> ${NS}/cma-model`);
  });
});
