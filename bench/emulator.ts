/**
 * Emulator figures: requests/second for a model list and for version creation (in-process emulator,
 * concurrent loops on loopback, bounded counts), and the peak RSS of an emulator child process
 * (`node bin/drgitops.js emulator`, built dist/) while a 1 GiB file is streamed to it.
 */
import { spawn } from "node:child_process";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator } from "../src/emulator/index.js";

const BUILTIN_ENV = "5e8c889607389fe0f466c72d";

async function concurrently(
  total: number,
  workers: number,
  task: (i: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < total) await task(next++);
    }),
  );
  return (performance.now() - started) / 1000;
}

async function throughput(): Promise<void> {
  const emu = await startEmulator();
  const auth = { Authorization: `Token ${emu.token}` };
  try {
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) {
      const r = await fetch(`${emu.url}/customModels/`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ name: `bench-${i}`, targetType: "Regression", targetName: "y" }),
      });
      ids.push(((await r.json()) as { id: string }).id);
    }
    for (const id of ids.slice(0, 100)) {
      const form = new FormData();
      form.append("baseEnvironmentId", BUILTIN_ENV);
      form.append("file", new Blob(["print('hi')\n"]), "custom.py");
      await fetch(`${emu.url}/customModels/${id}/versions/`, { method: "POST", headers: auth, body: form });
    }
    const lists = 1000;
    const listSeconds = await concurrently(lists, 8, async () => {
      const r = await fetch(`${emu.url}/customModels/?limit=20`, { headers: auth });
      if (r.status !== 200) throw new Error(`list: ${r.status}`);
      await r.arrayBuffer();
    });
    console.log(
      `model list (20 per page, each with latestVersion; 100 models), 8 concurrent: ${(lists / listSeconds).toFixed(0)} req/s over ${lists} requests`,
    );

    const creates = 500;
    const createSeconds = await concurrently(creates, 8, async (i) => {
      const form = new FormData();
      form.append("isMajorUpdate", "false");
      form.append("file", new Blob([`print(${i})\n`]), "custom.py");
      form.append("filePath", "custom.py");
      const r = await fetch(`${emu.url}/customModels/${ids[i % 10] ?? ""}/versions/`, {
        method: "PATCH",
        headers: auth,
        body: form,
      });
      if (r.status !== 201) throw new Error(`create: ${r.status} ${await r.text()}`);
      await r.arrayBuffer();
    });
    console.log(
      `version create from latest (1 file, 10 models), 8 concurrent: ${(creates / createSeconds).toFixed(0)} req/s over ${creates} requests`,
    );
  } finally {
    await emu.stop();
  }
}

/** Peak resident set of a process (VmHWM), in MiB; Linux /proc only. */
function peakRssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

async function uploadMemory(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "drgitops-bench-"));
  const token = "bench-token";
  const child = spawn(
    process.execPath,
    [
      "bin/drgitops.js",
      "emulator",
      "--port",
      "0",
      "--data",
      dataDir,
      "--token",
      token,
      "--max-upload",
      String(2 * 1024 ** 3),
    ],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
        const m = /listening on (\S+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      child.once("exit", (code) => reject(new Error(`emulator exited with ${code}`)));
    });
    const api = new URL(url);
    const auth = { Authorization: `Token ${token}` };
    const model = (await (
      await fetch(`${url}/customModels/`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ name: "big", targetType: "Anomaly" }),
      })
    ).json()) as { id: string };
    const baseline = peakRssMiB(child.pid ?? 0);
    const size = 1024 ** 3;
    const chunk = Buffer.alloc(1024 * 1024, 0x5a);
    const boundary = "----drgitopsbench";
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="baseEnvironmentId"\r\n\r\n${BUILTIN_ENV}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="weights.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const started = performance.now();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          hostname: api.hostname,
          port: api.port,
          method: "POST",
          path: `/api/v2/customModels/${model.id}/versions/`,
          headers: {
            ...auth,
            "content-type": `multipart/form-data; boundary=${boundary}`,
            "content-length": String(head.length + size + tail.length),
          },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      let sent = 0;
      const pump = (): void => {
        while (sent < size) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once("drain", pump);
        }
        req.end(tail);
      };
      req.write(head);
      pump();
    });
    const seconds = (performance.now() - started) / 1000;
    const peak = peakRssMiB(child.pid ?? 0);
    console.log(
      `1 GiB version upload to an emulator child process: HTTP ${status}, ${(1024 / seconds).toFixed(0)} MiB/s; ` +
        `peak RSS ${peak?.toFixed(0) ?? "n/a"} MiB (before the upload: ${baseline?.toFixed(0) ?? "n/a"} MiB; /proc VmHWM)`,
    );
  } finally {
    child.kill("SIGTERM");
    await new Promise((done) => child.once("exit", done));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  await throughput();
  await uploadMemory();
}
