import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { HttpError } from "./http/errors.js";

/** Fault injection settings (issue item 6); all off by default. */
export const FaultSettingsSchema = z.strictObject({
  /** Added before every API request is handled. */
  latencyMs: z.number().int().min(0).max(600_000).default(0),
  /** Share of API requests answered 500/502/503 with a JSON body. */
  errorRate: z.number().min(0).max(1).default(0),
  /** GET requests allowed per second; more get 429 + Retry-After (API.md §0.7). 0 = off. */
  rateLimit: z.number().int().min(0).default(0),
  /** Share of API requests whose connection is destroyed without an answer. */
  dropRate: z.number().min(0).max(1).default(0),
});
export type FaultSettings = z.infer<typeof FaultSettingsSchema>;

/** Counts for `GET /__emulator/stats`: requests by "METHOD /route/template", body bytes read. */
export class RequestStats {
  requests: Record<string, number> = {};
  bytesReceived = 0;
  total = 0;

  count(key: string): void {
    this.requests[key] = (this.requests[key] ?? 0) + 1;
    this.total += 1;
  }

  reset(): void {
    this.requests = {};
    this.bytesReceived = 0;
    this.total = 0;
  }

  toJSON(): { requests: Record<string, number>; bytesReceived: number; total: number } {
    return { requests: { ...this.requests }, bytesReceived: this.bytesReceived, total: this.total };
  }
}

/** Live fault state plus the rate-limit window; `random` is injectable for deterministic tests. */
export class Faults {
  settings: FaultSettings;
  private windowSecond = 0;
  private windowCount = 0;
  private readonly random: () => number;

  constructor(initial: Partial<FaultSettings> = {}, random: () => number = Math.random) {
    this.settings = FaultSettingsSchema.parse(initial);
    this.random = random;
  }

  /** Applies the faults to one API request; returns true when the reply was already dealt with. */
  async apply(req: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const s = this.settings;
    if (s.dropRate > 0 && this.random() < s.dropRate) {
      reply.hijack();
      req.raw.socket.destroy();
      return true;
    }
    if (s.rateLimit > 0 && req.method === "GET") {
      const second = Math.floor(Date.now() / 1000);
      if (second !== this.windowSecond) {
        this.windowSecond = second;
        this.windowCount = 0;
      }
      this.windowCount += 1;
      if (this.windowCount > s.rateLimit)
        throw new HttpError(429, "Rate limit exceeded", undefined, { "Retry-After": "1" });
    }
    if (s.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, s.latencyMs));
    if (s.errorRate > 0 && this.random() < s.errorRate) {
      const status = [500, 502, 503][Math.floor(this.random() * 3)] ?? 500;
      throw new HttpError(status, `Injected fault: HTTP ${status}`);
    }
    return false;
  }
}

export interface AdminHooks {
  faults: Faults;
  stats: RequestStats;
  /** Clears every table and blob, then re-seeds. */
  reset(): Promise<void>;
}

/** `/__emulator/*` (token required like the API): faults, stats, reset. */
export function registerAdminRoutes(app: FastifyInstance, admin: AdminHooks): void {
  app.get("/__emulator/faults", () => admin.faults.settings);
  app.put("/__emulator/faults", (req) => {
    const body = req.body ?? {};
    const parsed = FaultSettingsSchema.partial().safeParse(body);
    if (!parsed.success) {
      const errors = Object.fromEntries(
        parsed.error.issues.map((i) => [i.path.join(".") || "body", i.message]),
      );
      throw new HttpError(422, "Invalid fault settings", errors);
    }
    const change = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
    admin.faults.settings = FaultSettingsSchema.parse({ ...admin.faults.settings, ...change });
    return admin.faults.settings;
  });
  app.get("/__emulator/stats", () => admin.stats.toJSON());
  app.post("/__emulator/stats/reset", (_req, reply) => {
    admin.stats.reset();
    return reply.code(204).send();
  });
  app.post("/__emulator/reset", async (_req, reply) => {
    await admin.reset();
    return reply.code(204).send();
  });
}
