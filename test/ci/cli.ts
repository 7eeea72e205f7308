import { PassThrough } from "node:stream";
import { main } from "../../src/cli/main.js";

export interface MainResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process (main(), as bin/drgitops.js does) with its own env and streams. */
export async function runMain(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<MainResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on("data", (c: Buffer) => out.push(c));
  stderr.on("data", (c: Buffer) => err.push(c));
  const code = await main(["node", "drgitops", ...args], { cwd, env, stdout, stderr });
  return { code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
}

/** The workflow-command lines of an output. */
export function commandLines(text: string): string[] {
  return text.split("\n").filter((l) => l.startsWith("::"));
}
