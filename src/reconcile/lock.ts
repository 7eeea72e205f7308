import type { DataRobotClient } from "../client/index.js";
import { kinds } from "../kinds/index.js";
import type { NamespaceLock } from "./io.js";

/**
 * Takes every namespace-wide lock the kinds offer (apply plans and runs under it, so two applies on
 * one namespace never interleave: the second waits, then plans against what the first did).
 */
export async function lockNamespace(options: {
  client: DataRobotClient;
  namespace: string;
  waitMs: number;
  signal?: AbortSignal | undefined;
  onWait?: ((holder: string) => void) | undefined;
}): Promise<NamespaceLock> {
  const held: NamespaceLock[] = [];
  const release = async (): Promise<void> => {
    for (const lock of held.reverse()) await lock.release();
  };
  try {
    for (const kind of kinds) {
      const io = await kind.io();
      if (io.lock) held.push(await io.lock(options));
    }
  } catch (error) {
    await release();
    throw error;
  }
  return { release };
}
