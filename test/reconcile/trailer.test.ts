import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatTrailer,
  parseDescription,
  stripTrailer,
  withTrailer,
  type Trailer,
} from "../../src/reconcile/trailer.js";

const digest = (c: string) => `sha256:${c.repeat(64)}`;

const trailerArb: fc.Arbitrary<Trailer> = fc.record(
  {
    key: fc.stringMatching(/^[a-z0-9]+(\/[a-z0-9-]+){1,3}$/),
    fingerprint: fc.constantFrom(digest("a"), digest("b")),
    commit: fc.stringMatching(/^[0-9a-f]{7,40}$/),
    test: fc.record({
      outcome: fc.constantFrom(
        "succeeded" as const,
        "warning" as const,
        "failed" as const,
        "not_tested" as const,
      ),
      configDigest: fc.constantFrom(digest("c"), digest("d")),
    }),
    protected: fc.constant(true),
    applied: fc.constant(digest("e")),
  },
  { requiredKeys: ["key"] },
);

describe("trailer", () => {
  it("writes the fixed format of DESIGN.md §5", () => {
    expect(
      withTrailer("Scores card transactions", {
        key: "acme/models/fraud-detector",
        fingerprint: digest("a"),
        commit: "3f2a9c1",
      }),
    ).toBe(
      [
        "Scores card transactions",
        "",
        "Managed-By: drgitops",
        "Drgitops-Key: acme/models/fraud-detector",
        `Drgitops-Fingerprint: ${digest("a")}`,
        "Drgitops-Commit: 3f2a9c1",
      ].join("\n"),
    );
    expect(formatTrailer({ key: "k/x", test: { outcome: "failed", configDigest: digest("c") } })).toBe(
      `Managed-By: drgitops\nDrgitops-Key: k/x\nDrgitops-Test: failed ${digest("c")}`,
    );
  });

  it("round-trips any body and trailer (fast-check)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), trailerArb, (body, trailer) => {
        const parsed = parseDescription(withTrailer(body, trailer));
        expect(parsed.trailer).toEqual(trailer);
        expect(parsed.body).toBe(body.trimEnd());
        expect(stripTrailer(withTrailer(body, trailer))).toBe(body.trimEnd());
      }),
      { numRuns: 300 },
    );
  });

  it("re-trailering replaces the old trailer instead of stacking a second one", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), trailerArb, trailerArb, (body, first, second) => {
        const once = withTrailer(body, first);
        const twice = withTrailer(stripTrailer(once), second);
        expect(twice).toBe(withTrailer(body, second));
      }),
    );
  });

  it("does not mistake user text for a trailer", () => {
    const texts = [
      "Managed-By: drgitops\nThis model is managed by drgitops, see the wiki.",
      "Managed-By: drgitops\nDrgitops-Key: a/b\nDrgitops-Unknown: x",
      "Managed-By: drgitops\nDrgitops-Key: a/b\nDrgitops-Key: a/c",
      "Managed-By: drgitops\nDrgitops-Fingerprint: md5:abc\nDrgitops-Key: a/b",
      "Managed-By: drgitops\nDrgitops-Key: a/b\nDrgitops-Protected: yes",
      "Managed-By: drgitops",
      "Just a description",
    ];
    for (const text of texts) {
      expect(parseDescription(text)).toEqual({ body: text, trailer: null });
    }
  });

  it("keeps a user's own trailer-like block in the body when drgitops' trailer follows it", () => {
    const body = "Notes\n\nManaged-By: drgitops\nDrgitops-Key: someone/else";
    const parsed = parseDescription(withTrailer(body, { key: "acme/models/x" }));
    expect(parsed.trailer).toEqual({ key: "acme/models/x" });
    expect(parsed.body).toBe(body);
  });

  it("reads trailer lines in any order and tolerates CRLF", () => {
    const text = `Body\r\n\r\nManaged-By: drgitops\r\nDrgitops-Protected: true\r\nDrgitops-Key: a/b\r\n`;
    expect(parseDescription(text)).toEqual({ body: "Body", trailer: { key: "a/b", protected: true } });
  });
});
