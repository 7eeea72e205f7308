import { randomBytes } from "node:crypto";

let last = 0;

/** ISO-8601 UTC with microseconds (API.md §0.4); strictly increasing so ties never reorder lists. */
export function nowMicros(): string {
  let micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  if (micros <= last) micros = last + 1;
  last = micros;
  const iso = new Date(Math.floor(micros / 1000)).toISOString(); // ...T12:34:56.789Z
  return `${iso.slice(0, -1)}${String(micros % 1000).padStart(3, "0")}Z`;
}

/** 24 lowercase hex characters, ObjectId style (API.md §0.4). */
export function newObjectId(): string {
  return randomBytes(12).toString("hex");
}

/** Resource ids in paths: anything else is a 404 without a lookup (API.md §0.6). */
export const OBJECT_ID_PATTERN = /^[0-9a-f]{24}$/;
