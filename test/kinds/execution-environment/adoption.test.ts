import { describe, expect, it } from "vitest";
import { environmentFieldsDigest } from "../../../src/kinds/execution-environment/desired.js";
import type { LiveEnvironment } from "../../../src/kinds/execution-environment/live.js";
import type { Plan } from "../../../src/reconcile/plan-file.js";
import type { DesiredState } from "../../../src/reconcile/state.js";
import { parseDescription, withTrailer, type Trailer } from "../../../src/reconcile/trailer.js";
import { desired, environment, freshLive, model, NS, planOf } from "../../reconcile/builders.js";
import { observe, newServer, type Server } from "../../reconcile/simulate.js";

const AT = "2026-01-01T00:00:00.000Z";

function planFor(server: Server, state: DesiredState): Plan {
  return planOf(state, observe(server, state), { createdAt: AT });
}

/**
 * An environment made in the UI and adopted by `import --environment`: its trailer names the
 * version (made outside drgitops, so without a trailer of its own) as the build of the context.
 */
function adoptedWorld(trailer: Partial<Trailer> = {}): { server: Server; live: LiveEnvironment } {
  const env = environment("gpu");
  const full: Trailer = {
    key: `${NS}/gpu`,
    applied: environmentFieldsDigest(env.fields),
    fingerprint: env.contextDigest,
    adoptedVersion: "envv-ui-1",
    ...trailer,
  };
  const description = withTrailer("", full);
  const version = { id: "envv-ui-1", label: "v1", description: "", trailer: null, buildStatus: "success" };
  const live: LiveEnvironment = {
    id: "env-ui",
    key: full.key,
    name: "gpu",
    description,
    trailer: parseDescription(description).trailer,
    programmingLanguage: "python",
    useCases: ["customModel"],
    latestVersion: version,
    latestSuccessfulVersion: version,
  };
  const world = freshLive();
  world.environments.push(live);
  const server = newServer(world);
  return { server, live: server.live.environments.find((e) => e.id === "env-ui")! };
}

const types = (plan: Plan): string[] => plan.actions.map((a) => `${a.type} ${a.key.slice(NS.length + 1)}`);

describe("an adopted environment version (Drgitops-Adopted-Version)", () => {
  const onGpu = model("scorer", { environment: { ref: "gpu" } });

  it("counts as the build of its context: nothing to build, and models resolve {ref} to it", () => {
    const { server } = adoptedWorld();
    const plan = planFor(server, desired({ environments: [environment("gpu")], models: [onGpu] }));
    expect(types(plan)).toEqual(["createModel scorer", "createVersion scorer"]);
    const version = plan.actions.find((a) => a.type === "createVersion");
    expect(version && "version" in version ? version.version.environment : null).toEqual({
      id: "env-ui",
      versionId: "envv-ui-1",
    });
  });

  it("is kept in the trailer when the environment's fields change", () => {
    const { server } = adoptedWorld();
    const edited = environment("gpu");
    edited.fields = { ...edited.fields, description: "now described" };
    const plan = planFor(server, desired({ environments: [edited] }));
    expect(types(plan)).toEqual(["updateEnvironment gpu"]);
    const update = plan.actions[0]!;
    const patch = "patch" in update ? (update.patch as { description?: string }) : {};
    expect(parseDescription(patch.description ?? "").trailer).toMatchObject({
      adoptedVersion: "envv-ui-1",
      fingerprint: edited.contextDigest,
    });
  });

  it("stops counting when the context changes: a build, and the trailer drops it", () => {
    const { server } = adoptedWorld();
    const plan = planFor(server, desired({ environments: [environment("gpu", "FROM python:3.12\n")] }));
    expect(types(plan)).toEqual(["updateEnvironment gpu", "buildEnvironmentVersion gpu"]);
  });

  it("does not count for another digest or another version id", () => {
    for (const trailer of [{ fingerprint: `sha256:${"0".repeat(64)}` }, { adoptedVersion: "envv-other" }]) {
      const { server } = adoptedWorld(trailer);
      const plan = planFor(server, desired({ environments: [environment("gpu")] }));
      expect(types(plan)).toContain("buildEnvironmentVersion gpu");
    }
  });

  it("a failed adopted version is not a build", () => {
    const { server, live } = adoptedWorld();
    live.latestVersion = { ...live.latestVersion!, buildStatus: "failed" };
    live.latestSuccessfulVersion = null;
    expect(types(planFor(server, desired({ environments: [environment("gpu")] })))).toContain(
      "buildEnvironmentVersion gpu",
    );
  });
});

describe("the Drgitops-Adopted-Version trailer line", () => {
  it("is written after the other lines and read back; a malformed id leaves no trailer", () => {
    const text = withTrailer("body", {
      key: "a/b",
      fingerprint: `sha256:${"1".repeat(64)}`,
      adoptedVersion: "v-1",
    });
    expect(text.split("\n").at(-1)).toBe("Drgitops-Adopted-Version: v-1");
    expect(parseDescription(text).trailer).toEqual({
      key: "a/b",
      fingerprint: `sha256:${"1".repeat(64)}`,
      adoptedVersion: "v-1",
    });
    expect(
      parseDescription("Managed-By: drgitops\nDrgitops-Key: a/b\nDrgitops-Adopted-Version: a b").trailer,
    ).toBeNull();
  });
});
