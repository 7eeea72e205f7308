import { describe, expect, it } from "vitest";
import { liveEnvironment } from "../../../src/kinds/execution-environment/live.js";
import { executionEnvironmentKind } from "../../../src/kinds/execution-environment/index.js";
import { withTrailer } from "../../../src/reconcile/trailer.js";

describe("execution environments as listed", () => {
  it("finds managed environments by their trailer, not by name", () => {
    const environments = [
      { id: "e1", name: "py311", description: withTrailer("", { key: "acme/models/py311" }) },
      { id: "e2", name: "py311", description: "same name, not ours" },
    ].map(liveEnvironment);
    expect(environments.map((e) => [e.id, e.key])).toEqual([
      ["e1", "acme/models/py311"],
      ["e2", null],
    ]);
    // Only the one with a trailer pairs with a manifest; the other is never drgitops'.
    expect(environments.map((e) => executionEnvironmentKind.live.identities(e, "acme/models"))).toEqual([
      ["acme/models/py311"],
      [],
    ]);
  });
});
