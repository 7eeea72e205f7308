import { join } from "node:path";
import { PassThrough } from "node:stream";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import type * as Observe from "../../src/reconcile/observe.js";
import type * as Spec from "../../src/spec/index.js";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import { EXAMPLES, emulatorEnv, exampleRepo } from "./harness.js";

/** Weak handles on what planning built, so the test can tell whether apply still holds it. */
const planned = vi.hoisted(() => ({ refs: new Map<string, WeakRef<object>>() }));

vi.mock("../../src/spec/index.js", async (importOriginal) => {
  const spec = await importOriginal<typeof Spec>();
  return {
    ...spec,
    loadProject: async (...args: Parameters<typeof spec.loadProject>) => {
      const result = await spec.loadProject(...args);
      planned.refs.set("loaded project", new WeakRef(result.project));
      return result;
    },
  };
});

vi.mock("../../src/reconcile/observe.js", async (importOriginal) => {
  const mod = await importOriginal<typeof Observe>();
  return {
    ...mod,
    observeAndPlan: async (...args: Parameters<typeof mod.observeAndPlan>) => {
      const result = await mod.observeAndPlan(...args);
      if (result.ok) {
        planned.refs.set("desired state", new WeakRef(result.desired));
        planned.refs.set("live state", new WeakRef(result.live));
        planned.refs.set("live file texts", new WeakRef(result.texts));
      }
      return result;
    },
  };
});

/** A full collection on demand; the flag only exposes `gc` to contexts created after it is set. */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

describe("apply lets go of what only planning needed", { timeout: 120_000 }, () => {
  let emu: RunningEmulator;
  let repo: Awaited<ReturnType<typeof exampleRepo>>;

  beforeAll(async () => {
    emu = await startEmulator({ seedFile: join(EXAMPLES, "emulator-seed.yaml"), quiet: true });
    repo = await exampleRepo();
  });
  afterAll(async () => {
    await emu.stop();
    await repo.cleanup();
  });

  it("holds no loaded manifests, desired or live state while the actions run", async () => {
    const stdout = new PassThrough();
    const out: string[] = [];
    let stillHeld: string[] | undefined;
    stdout.on("data", (c: Buffer) => {
      out.push(c.toString());
      // The first action to finish: planning is over, the run is under way.
      if (stillHeld === undefined && /^done {5}/m.test(c.toString())) {
        collectGarbage();
        stillHeld = [...planned.refs].filter(([, ref]) => ref.deref() !== undefined).map(([what]) => what);
      }
    });
    const code = await main(["node", "drgitops", "apply"], {
      cwd: repo.dir,
      env: emulatorEnv(emu, repo.dir),
      stdin: new PassThrough(),
      stdout,
      stderr: new PassThrough(),
    });
    expect(code).toBe(0);
    expect([...planned.refs.keys()].sort()).toEqual([
      "desired state",
      "live file texts",
      "live state",
      "loaded project",
    ]);
    expect(out.join("")).toMatch(/^done {5}createModel /m);
    expect(stillHeld).toEqual([]);
  });
});
