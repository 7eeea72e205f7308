import { describe, expect, it } from "vitest";
import { parseMemory } from "../../src/spec/index.js";

describe("parseMemory", () => {
  it.each([
    ["512Mi", 512 * 1024 ** 2],
    ["2Gi", 2 * 1024 ** 3],
    ["1.5G", 1.5e9],
    ["100M", 1e8],
    ["64Ki", 65536],
    ["128k", 128000],
    ["1048576", 1048576],
    [" 1Ti ", 1024 ** 4],
  ])("%s -> %i bytes", (text, bytes) => {
    expect(parseMemory(text)).toBe(bytes);
  });

  it.each(["", "2GB", "1.5", "-1Gi", "0", "0Mi", "Mi", "1e9", "two gigs", "1.5.2G", "9".repeat(30)])(
    "rejects %j",
    (text) => {
      expect(parseMemory(text)).toBeUndefined();
    },
  );
});
