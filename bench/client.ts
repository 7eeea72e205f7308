/**
 * Client bench: streamed upload (multipart from disk) and download (to disk) of a large file against
 * a bare local server that discards / streams, with throughput and the peak RSS seen meanwhile.
 * Size: DRGITOPS_BENCH_CLIENT_MB (default 1024).
 */
import { createReadStream } from "node:fs";
import { mkdtemp, open, rm, stat } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "../src/client/index.js";

const MB = 1024 * 1024;

async function makeFile(path: string, bytes: number): Promise<void> {
  const handle = await open(path, "w");
  const chunk = Buffer.alloc(8 * MB, 0x5a);
  for (let written = 0; written < bytes; written += chunk.length) {
    await handle.write(chunk, 0, Math.min(chunk.length, bytes - written));
  }
  await handle.close();
}

/** Runs `fn` while sampling RSS; returns its duration and the peak RSS over the run. */
async function measure(fn: () => Promise<void>): Promise<{ seconds: number; peakRssMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const started = process.hrtime.bigint();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, peakRssMb: peak / MB };
}

export async function run(): Promise<void> {
  const sizeMb = Number(process.env.DRGITOPS_BENCH_CLIENT_MB ?? 1024);
  const dir = await mkdtemp(join(tmpdir(), "drgitops-bench-client-"));
  const source = join(dir, "artifact.bin");
  await makeFile(source, sizeMb * MB);
  let uploaded = 0;
  const server = createServer((req, res) => {
    if (req.method === "POST") {
      req.on("data", (c: Buffer) => (uploaded += c.length));
      req.on("end", () => {
        res.writeHead(201, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            id: "v1",
            customModelId: "m1",
            versionMajor: 1,
            versionMinor: 0,
            isFrozen: false,
            items: [],
          }),
        );
      });
      return;
    }
    res.writeHead(200, { "content-type": "application/zip" });
    createReadStream(source).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const client = createClient({ endpoint: `http://127.0.0.1:${port}`, token: "bench-token" });
  try {
    global.gc?.();
    const baseline = process.memoryUsage().rss / MB;
    const up = await measure(async () => {
      await client.versions.createClean("m1", { files: [{ filePath: "artifact.bin", absPath: source }] });
    });
    const dest = join(dir, "download.bin");
    const down = await measure(async () => {
      await client.versions.download("m1", "v1", dest);
    });
    const downloaded = (await stat(dest)).size;
    const row = (name: string, bytes: number, m: { seconds: number; peakRssMb: number }) =>
      `| ${name} | ${(bytes / MB).toFixed(0)} MB | ${m.seconds.toFixed(2)} s | ${(bytes / MB / m.seconds).toFixed(0)} MB/s | ${m.peakRssMb.toFixed(0)} MB | ${(m.peakRssMb - baseline).toFixed(0)} MB |`;
    console.log(`client: ${sizeMb} MB file over loopback (baseline RSS ${baseline.toFixed(0)} MB)`);
    console.log("| operation | bytes | time | throughput | peak RSS | peak - baseline |");
    console.log("|---|---|---|---|---|---|");
    console.log(row("upload (multipart from disk)", uploaded, up));
    console.log(row("download (stream to disk)", downloaded, down));
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
}
