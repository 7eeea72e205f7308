import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context.js";

/** What `version/` reports; PY refuses a major above 2 and needs `^\d+\.\d+` (API.md §0.8). */
export const API_VERSION = { major: 2, minor: 38, versionString: "2.38.0", releasedVersion: "11.0.0" };

export function registerServiceRoutes(app: FastifyInstance, _ctx: EmulatorContext): void {
  app.get("/version/", () => API_VERSION);
  // The one route without auth (server.ts skips it): CMA checks reachability with it.
  app.get("/ping/", () => ({ response: "pong" }));
}
