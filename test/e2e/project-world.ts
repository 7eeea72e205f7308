import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type DataRobotClient } from "../../src/client/index.js";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import { EXAMPLES, emulatorEnv, git, runCli, type CliResult } from "./harness.js";

/** An empty project (a git repository with a drgitops.yaml naming its namespace) and a fresh emulator. */
export interface ProjectWorld {
  emu: RunningEmulator;
  client: DataRobotClient;
  dir: string;
  env: NodeJS.ProcessEnv;
  /** The built CLI in the project, pointed at the emulator. */
  cli: (...args: string[]) => Promise<CliResult>;
  stop: () => Promise<void>;
}

export async function projectWorld(
  namespace: string,
  options: { seeded?: boolean; env?: Record<string, string> } = {},
): Promise<ProjectWorld> {
  const emu = await startEmulator({
    quiet: true,
    ...(options.seeded ? { seedFile: join(EXAMPLES, "emulator-seed.yaml") } : {}),
  });
  const dir = await mkdtemp(join(tmpdir(), "drgitops-project-"));
  await git(dir, "init", "-q", "-b", "main");
  await writeFile(join(dir, "drgitops.yaml"), `namespace: ${namespace}\n`);
  const env = emulatorEnv(emu, dir, options.env);
  return {
    emu,
    client: createClient({ endpoint: emu.url, token: emu.token }),
    dir,
    env,
    cli: (...args) => runCli(args, { cwd: dir, env }),
    stop: async () => {
      await emu.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
