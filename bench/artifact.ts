/**
 * Large-artifact benchmark (issue 9, item 9): one model whose source holds a big binary artifact
 * (BENCH_ARTIFACT_MB, default 1024) next to the same model with a 1 MiB one. For each size: the initial
 * apply, then a plan and an apply after changing one byte in the middle of the artifact. Prints the peak
 * RSS of each CLI run (the emulator runs in this process and is not counted) so the two sizes can be
 * compared in one run: memory should not grow with the artifact. Asserts nothing.
 */
import { randomBytes } from "node:crypto";
import { open, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUILTIN_ENVIRONMENT } from "../src/emulator/seed.js";
import { startEmulator } from "../src/emulator/index.js";
import { admin, cli } from "./reconcile.js";

const MiB = 1024 * 1024;
const CHUNK = 8 * MiB;

/** Writes `bytes` of random (incompressible) content in chunks, never holding the whole file. */
async function writeArtifact(file: string, bytes: number): Promise<void> {
  const handle = await open(file, "w");
  try {
    for (let written = 0; written < bytes; written += CHUNK) {
      await handle.write(randomBytes(Math.min(CHUNK, bytes - written)));
    }
  } finally {
    await handle.close();
  }
}

async function flipMiddleByte(file: string, bytes: number): Promise<void> {
  const handle = await open(file, "r+");
  try {
    const one = Buffer.alloc(1);
    const at = Math.floor(bytes / 2);
    await handle.read(one, 0, 1, at);
    one[0] = (one[0] ?? 0) ^ 0xff;
    await handle.write(one, 0, 1, at);
  } finally {
    await handle.close();
  }
}

async function scenario(bytes: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "drgitops-bench-artifact-"));
  const emu = await startEmulator({ quiet: true, maxUploadBytes: bytes + 64 * MiB });
  try {
    await writeFile(join(dir, "drgitops.yaml"), "namespace: bench/artifact\npaths: [manifests]\n");
    await mkdir(join(dir, "manifests"));
    await mkdir(join(dir, "model"));
    await writeFile(join(dir, "model", "custom.py"), "def score(data, model, **kwargs):\n    return data\n");
    await writeArtifact(join(dir, "model", "weights.bin"), bytes);
    await writeFile(
      join(dir, "manifests", "big.yaml"),
      `apiVersion: drgitops/v1\nkind: CustomModel\nmetadata: {name: big}\nspec:\n` +
        `  targetType: Unstructured\n  language: python\n` +
        `  environment: {id: ${BUILTIN_ENVIRONMENT.id}, versionId: ${BUILTIN_ENVIRONMENT.versionId}}\n` +
        `  source: {path: ../model}\n`,
    );
    const env: NodeJS.ProcessEnv = {
      PATH: process.env["PATH"],
      HOME: dir,
      DATAROBOT_ENDPOINT: emu.url,
      DATAROBOT_API_TOKEN: emu.token,
    };
    const first = await cli(dir, env, ["apply"]);
    await flipMiddleByte(join(dir, "model", "weights.bin"), bytes);
    const planned = await cli(dir, env, ["plan", "--detailed-exitcode"]);
    await admin(emu, "POST", "stats/reset");
    const applied = await cli(dir, env, ["apply"]);
    const { bytesReceived } = (await admin(emu, "GET", "stats")) as { bytesReceived: number };
    const after = await cli(dir, env, ["plan", "--detailed-exitcode"]);
    const mb = (n: number): string => `${n.toFixed(0)} MB`;
    return (
      `| ${(bytes / MiB).toFixed(0)} MiB | ${mb(first.maxRssMb)} (exit ${first.code}) | ${mb(planned.maxRssMb)} (exit ${planned.code}) ` +
      `| ${mb(applied.maxRssMb)} (exit ${applied.code}) | ${(bytesReceived / MiB).toFixed(1)} MiB | exit ${after.code} |`
    );
  } finally {
    await emu.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const bigMb = Number(process.env["BENCH_ARTIFACT_MB"] ?? 1024);
  console.log("one model, one artifact; a 1-byte change in the middle of it, then plan and apply");
  console.log(
    "| artifact | initial apply peak RSS | plan peak RSS | apply peak RSS | bytes on the wire (apply) | plan after |",
  );
  console.log("|---|---|---|---|---|---|");
  for (const size of [1, bigMb]) console.log(await scenario(size * MiB));
}
