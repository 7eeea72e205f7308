import { afterEach, describe, expect, it } from "vitest";
import { collect, createClient } from "../../src/client/index.js";
import { sendJson, startBareServer, TOKEN, type BareServer, type Handler } from "./helpers/bare-server.js";

let server: BareServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(handler: Handler) {
  server = await startBareServer(handler);
  return { client: createClient({ endpoint: server.endpoint, token: TOKEN }), server };
}

const cred = (id: string, name: string) => ({
  credentialId: id,
  name,
  credentialType: "basic",
  description: "",
});
const model = (id: string, userProvidedId: string | null) => ({
  id,
  name: id,
  description: "",
  language: "",
  targetType: "Binary",
  created: "2024-01-01T00:00:00Z",
  userProvidedId,
});

/** Serves `items` in pages of two, with `next` repeating the query as API.md §0.5 says. */
function pages(items: unknown[]): Handler {
  return (req, res) => {
    const url = new URL(req.url, server?.origin);
    const offset = Number(url.searchParams.get("offset") ?? 0);
    const next = new URL(url);
    next.searchParams.set("offset", String(offset + 2));
    next.searchParams.set("limit", "2");
    sendJson(res, 200, {
      count: Math.min(2, items.length - offset),
      totalCount: items.length,
      next: offset + 2 < items.length ? next.href : null,
      previous: null,
      data: items.slice(offset, offset + 2),
    });
  };
}

describe("pagination", () => {
  it("follows next exactly as given, keeping filters, until null", async () => {
    const items = Array.from({ length: 5 }, (_, i) => model(`m${i}`, null));
    const { client, server } = await setup(pages(items));
    const all = await collect(
      client.customModels.listAll({ targetType: "Binary", orderBy: "-updated", tagKeys: ["a", "b"] }),
    );
    expect(all.map((m) => m.id)).toEqual(["m0", "m1", "m2", "m3", "m4"]);
    expect(server.received.map((r) => r.url)).toEqual([
      "/api/v2/customModels/?targetType=Binary&orderBy=-updated&tagKeys=a&tagKeys=b",
      "/api/v2/customModels/?targetType=Binary&orderBy=-updated&tagKeys=a&tagKeys=b&offset=2&limit=2",
      "/api/v2/customModels/?targetType=Binary&orderBy=-updated&tagKeys=a&tagKeys=b&offset=4&limit=2",
    ]);
  });

  it("stops with an error when the server's next loops", async () => {
    const { client } = await setup((req, res) =>
      sendJson(res, 200, { data: [cred("c1", "x")], next: `${server?.origin}/api/v2/credentials/?offset=1` }),
    );
    await expect(collect(client.credentials.listAll())).rejects.toThrow(/returned as "next" twice/);
  });
});

describe("credentials.findByName", () => {
  it("matches the name exactly across pages", async () => {
    const { client } = await setup(
      pages([cred("c1", "openai"), cred("c2", "OpenAI-prod"), cred("c3", "openai-prod")]),
    );
    await expect(client.credentials.findByName("openai-prod")).resolves.toMatchObject({ credentialId: "c3" });
  });

  it("fails clearly for no match and for several", async () => {
    const { client } = await setup(pages([cred("c1", "dup"), cred("c2", "x"), cred("c3", "dup")]));
    await expect(client.credentials.findByName("missing")).rejects.toMatchObject({
      code: "credential-not-found",
      message: expect.stringMatching(/No DataRobot credential is named "missing"/) as unknown,
    });
    await expect(client.credentials.findByName("dup")).rejects.toMatchObject({
      code: "credential-ambiguous",
      message: expect.stringMatching(/2 DataRobot credentials are named "dup" \(ids c1, c3\)/) as unknown,
    });
  });
});

describe("customModels.create idempotence (DESIGN §4)", () => {
  it("returns the existing model on the duplicate userProvidedId 422", async () => {
    const { client, server } = await setup((req, res) => {
      if (req.method === "POST") {
        sendJson(res, 422, {
          message:
            "Cannot create a custom model with a user provided ID (ns/a) that equals to an already existing one.",
        });
      } else {
        void pages([model("m0", null), model("m1", "other/a"), model("m2", "ns/a")])(
          req,
          res,
          undefined as never,
        );
      }
    });
    const created = await client.customModels.create({
      name: "a",
      targetType: "Regression",
      targetName: "y",
      userProvidedId: "ns/a",
    });
    expect(created).toMatchObject({ existed: true, model: { id: "m2" } });
    expect(server.received.filter((r) => r.method === "POST")).toHaveLength(1);
  });

  it("rethrows any other 422", async () => {
    const { client } = await setup((_req, res) =>
      sendJson(res, 422, { message: "Invalid field data", errors: { name: "bad" } }),
    );
    await expect(
      client.customModels.create({
        name: "a",
        targetType: "Regression",
        targetName: "y",
        userProvidedId: "ns/a",
      }),
    ).rejects.toMatchObject({ status: 422, fieldErrors: { name: "bad" } });
  });
});
