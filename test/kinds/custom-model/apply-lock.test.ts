import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type DataRobotClient } from "../../../src/client/index.js";
import { startEmulator, type RunningEmulator } from "../../../src/emulator/index.js";
import { acquireApplyLock } from "../../../src/kinds/custom-model/apply-lock.js";
import { APPLY_LOCK_NAME, liveModelsFrom } from "../../../src/kinds/custom-model/live.js";

const NS = "acme/lock";
const KEY = `${NS}/${APPLY_LOCK_NAME}`;

describe("the namespace's apply lock", { timeout: 60_000 }, () => {
  let emu: RunningEmulator;
  let client: DataRobotClient;

  beforeAll(async () => {
    emu = await startEmulator({ quiet: true });
    client = createClient({ endpoint: emu.url, token: emu.token });
  });
  afterAll(async () => {
    await emu.stop();
  });

  /** A lock left by someone else, as its description records it. */
  async function leftBy(host: string, pid: number, expires: Date): Promise<void> {
    await client.customModels.create({
      name: "left over",
      targetType: "Unstructured",
      userProvidedId: KEY,
      description: `drgitops apply in progress: ${host} pid ${pid}\nDrgitops-Lock: t0k3n ${expires.toISOString()} ${host} ${pid}`,
    });
  }

  async function lockModels(): Promise<number> {
    let n = 0;
    for await (const m of client.customModels.listAll({})) if (m.userProvidedId === KEY) n += 1;
    return n;
  }

  it("lets one holder at a time: a second waits, and gives up naming the holder", async () => {
    const first = await acquireApplyLock({ client, namespace: NS, waitMs: 0 });
    const waits: string[] = [];
    await expect(
      acquireApplyLock({ client, namespace: NS, waitMs: 300, pollMs: 50, onWait: (h) => waits.push(h) }),
    ).rejects.toThrow(/another drgitops apply holds the lock of namespace acme\/lock .*pid \d+/);
    expect(waits[0]).toContain(`pid ${process.pid}`);
    const second = acquireApplyLock({ client, namespace: NS, waitMs: 10_000, pollMs: 50 });
    await first.release();
    await (await second).release();
    expect(await lockModels()).toBe(0);
  });

  it("takes over a lock whose holder on this machine is gone, or whose lease expired elsewhere", async () => {
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid;
    await leftBy(hostname().replace(/\s/g, "_"), dead, new Date(Date.now() + 3_600_000));
    const afterKill = await acquireApplyLock({ client, namespace: NS, waitMs: 0 });
    await afterKill.release();
    await leftBy("another-runner", 1, new Date(Date.now() - 1_000));
    const afterExpiry = await acquireApplyLock({ client, namespace: NS, waitMs: 0 });
    await afterExpiry.release();
    expect(await lockModels()).toBe(0);
  });

  it("waits for a live lease held on another machine", async () => {
    await leftBy("another-runner", 1, new Date(Date.now() + 3_600_000));
    await expect(acquireApplyLock({ client, namespace: NS, waitMs: 100, pollMs: 20 })).rejects.toThrow(
      /another-runner pid 1/,
    );
    for await (const m of client.customModels.listAll({}))
      if (m.userProvidedId === KEY) await client.customModels.delete(m.id);
  });

  it("is never a model drgitops plans or prunes", async () => {
    const lock = await acquireApplyLock({ client, namespace: NS, waitMs: 0 });
    const models = [];
    for await (const m of client.customModels.listAll({})) models.push(m);
    expect(models.some((m) => m.userProvidedId === KEY)).toBe(true);
    expect(liveModelsFrom(NS, models, []).models).toEqual([]);
    await lock.release();
  });
});
