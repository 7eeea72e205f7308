/**
 * `tsx scripts/parallel.ts SCRIPT...`: runs npm scripts at once (typecheck, lint and format:check in
 * `npm test`, which otherwise take a minute one after the other), prints each one's output whole
 * when it ends, and exits non-zero when any of them failed.
 */
import { spawn } from "node:child_process";

const scripts = process.argv.slice(2);
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

const results = await Promise.all(
  scripts.map(
    (script) =>
      new Promise<{ script: string; code: number; output: string; ms: number }>((resolve) => {
        const started = performance.now();
        const child = spawn(npm, ["run", "--silent", script], { stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.on("error", (error) => {
          output += String(error);
        });
        child.on("close", (code) => {
          const ms = performance.now() - started;
          const head = `> ${script}: ${code === 0 ? "ok" : `failed (exit ${code})`} in ${(ms / 1000).toFixed(1)} s`;
          process.stdout.write(`${head}\n${output}${output.endsWith("\n") || output === "" ? "" : "\n"}`);
          resolve({ script, code: code ?? 1, output, ms });
        });
      }),
  ),
);
const failed = results.filter((r) => r.code !== 0).map((r) => r.script);
if (failed.length > 0) {
  process.stderr.write(`failed: ${failed.join(", ")}\n`);
  process.exitCode = 1;
}
