import { describe, expect, it } from "vitest";
import { createModel, createVersion, str, useEmulator } from "./helpers.js";

/** What import and the tags/bundle round trip rely on, over plain HTTP (API.md §1.2, §2.2, §2.9). */
describe("tags, resource bundles and adoption", () => {
  const api = useEmulator();

  it("PATCH replaces the whole tag list (API.md §1.2), and [] or null clears it", async () => {
    const m = await createModel(api(), { tags: [{ name: "team", value: "risk" }] });
    const path = `customModels/${str(m.id)}/`;
    const patched = await api().call("PATCH", path, { tags: [{ name: "tier", value: "gold" }] });
    expect(patched.status).toBe(200);
    expect(patched.body.tags).toEqual([{ name: "tier", value: "gold" }]);
    // A PATCH without tags leaves them as they are.
    expect((await api().call("PATCH", path, { name: "renamed" })).body.tags).toEqual([
      { name: "tier", value: "gold" },
    ]);
    expect((await api().call("PATCH", path, { tags: [] })).body.tags).toEqual([]);
    await api().call("PATCH", path, { tags: [{ name: "a", value: "b" }] });
    expect((await api().call("PATCH", path, { tags: null })).body.tags).toEqual([]);
    expect((await api().call("GET", path)).body.tags).toEqual([]);
  });

  it("refuses tags that are not a list of {name, value} strings, changing nothing", async () => {
    const m = await createModel(api(), { tags: [{ name: "team", value: "risk" }] });
    const path = `customModels/${str(m.id)}/`;
    const r = await api().call("PATCH", path, { tags: { team: "ops" } });
    expect(r.status).toBe(422);
    expect(r.body.errors).toMatchObject({ tags: expect.any(String) as unknown });
    expect((await api().call("GET", path)).body.tags).toEqual([{ name: "team", value: "risk" }]);
  });

  it("returns a version's resourceBundleId, sent in multipart, and a new version from the latest inherits it", async () => {
    const m = await createModel(api());
    const first = await createVersion(
      api(),
      str(m.id),
      { "custom.py": "1" },
      { resourceBundleId: "cpu.small" },
    );
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ resourceBundleId: "cpu.small", maximumMemory: null });
    const next = await createVersion(
      api(),
      str(m.id),
      { "custom.py": "2" },
      { isMajorUpdate: "true" },
      "PATCH",
    );
    expect(next.body.resourceBundleId).toBe("cpu.small");
    const changed = await createVersion(
      api(),
      str(m.id),
      { "custom.py": "3" },
      { resourceBundleId: "gpu.large" },
      "PATCH",
    );
    expect(changed.body.resourceBundleId).toBe("gpu.large");
    const model = await api().call("GET", `customModels/${str(m.id)}/`);
    expect(model.body.latestVersion?.resourceBundleId).toBe("gpu.large");
  });

  it("takes a userProvidedId by PATCH (adoption), and refuses one another model already has", async () => {
    const a = await createModel(api());
    const b = await createModel(api(), { userProvidedId: "acme/taken" });
    expect(a.userProvidedId).toBeNull();
    const adopted = await api().call("PATCH", `customModels/${str(a.id)}/`, { userProvidedId: "acme/a" });
    expect(adopted.status).toBe(200);
    expect(adopted.body.userProvidedId).toBe("acme/a");
    // Creating another model with that id is now refused, as for any userProvidedId.
    const dup = await api().call("POST", "customModels/", {
      name: "x",
      targetType: "Regression",
      targetName: "y",
      userProvidedId: "acme/a",
    });
    expect(dup.status).toBe(422);
    const stolen = await api().call("PATCH", `customModels/${str(a.id)}/`, { userProvidedId: "acme/taken" });
    expect(stolen.status).toBe(422);
    expect(str(stolen.body.message)).toContain("Cannot create a custom model with a user provided ID");
    expect((await api().call("GET", `customModels/${str(b.id)}/`)).body.userProvidedId).toBe("acme/taken");
    expect((await api().call("GET", `customModels/${str(a.id)}/`)).body.userProvidedId).toBe("acme/a");
  });
});
