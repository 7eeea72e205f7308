import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";
import yazl from "yazl";

/** In-memory docker-context archives for the emulator's build checks. */
export async function zip(entries: Record<string, string>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, text] of Object.entries(entries)) z.addBuffer(Buffer.from(text), name);
  z.end();
  const chunks: Buffer[] = [];
  for await (const c of z.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

export async function tar(entries: Record<string, string>): Promise<Buffer> {
  const p = pack();
  for (const [name, text] of Object.entries(entries)) p.entry({ name }, text);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** The 512-byte tar header of one file entry of `size` bytes. */
async function tarHeader(name: string, size: number): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on("data", (c: unknown) => chunks.push(c as Buffer));
  p.entry({ name, size }, () => undefined);
  while (Buffer.concat(chunks).length < 512) await new Promise((r) => setTimeout(r, 1));
  return Buffer.concat(chunks).subarray(0, 512);
}

/**
 * A tar.gz whose `Dockerfile` expands to `mib` MiB of `chunk` (1 MiB) repeated: gzip members
 * concatenated, so a gigabyte costs one compression of 1 MiB.
 */
export async function gzipBomb(mib: number, chunk: Buffer = Buffer.alloc(1024 * 1024)): Promise<Buffer> {
  const member = gzipSync(chunk);
  return Buffer.concat([
    gzipSync(await tarHeader("Dockerfile", mib * 1024 * 1024)),
    ...Array.from({ length: mib }, () => member),
  ]);
}

/** 1 MiB that deflates about 80:1 (one pseudo-random byte in 40): below a 100:1 ratio limit. */
export function compressible(): Buffer {
  const b = Buffer.alloc(1024 * 1024);
  let x = 12345;
  for (let i = 0; i < b.length; i += 40) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    b[i] = x & 0xff;
  }
  return b;
}

/** A zip holding a `Dockerfile` of `mib` MiB of zeros (deflated about 1000:1). */
export async function zipBomb(mib: number): Promise<Buffer> {
  const z = new yazl.ZipFile();
  z.addBuffer(Buffer.alloc(mib * 1024 * 1024), "Dockerfile");
  z.end();
  const chunks: Buffer[] = [];
  for await (const c of z.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}
