import { z } from "zod";

const UNITS: Record<string, number> = {
  "": 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

const MEMORY_PATTERN = /^(\d+(?:\.\d+)?)(k|K|M|G|T|Ki|Mi|Gi|Ti)?$/;

/** Parses a Kubernetes-style quantity (`512Mi`, `2Gi`, `1.5G`, `1048576`) into whole bytes. */
export function parseMemory(text: string): number | undefined {
  const match = MEMORY_PATTERN.exec(text.trim());
  if (!match?.[1]) return undefined;
  const unit = UNITS[match[2] ?? ""];
  if (unit === undefined) return undefined;
  // A fraction of a byte is meaningless; "1.5" without a unit is almost surely a mistake.
  if (unit === 1 && match[1].includes(".")) return undefined;
  const bytes = Math.ceil(Number(match[1]) * unit);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

const MEMORY_HELP = "a size like 512Mi, 2Gi or 1.5G, or a whole number of bytes";

/** Memory as written in a manifest; the output is always an integer number of bytes. */
export const MemorySchema = z
  .union([z.number().int().positive(), z.string()], { error: `memory must be ${MEMORY_HELP}` })
  .transform((value, ctx) => {
    if (typeof value === "number") return value;
    const bytes = parseMemory(value);
    if (bytes === undefined) {
      ctx.addIssue({
        code: "custom",
        message: `"${value}" is not a memory size; use ${MEMORY_HELP}`,
        params: { code: "invalid-memory" },
      });
      return z.NEVER;
    }
    return bytes;
  })
  .meta({ description: `Memory: ${MEMORY_HELP}` });

/** Bytes as a manifest would say them: `512Mi`, `2Gi` when exact in a binary unit, else the bytes. */
export function formatMemory(bytes: number): string | number {
  for (const unit of ["Ti", "Gi", "Mi", "Ki"] as const) {
    const size = UNITS[unit]!;
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return bytes;
}
