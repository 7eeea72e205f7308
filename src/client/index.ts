/** The DataRobot REST client: the only part of drgitops that talks to DataRobot (API.md). */
export { createClient, httpTraceFromEnv, type CreateClientOptions, type DataRobotClient } from "./client.js";
export {
  resolveConnection,
  type ConnectionSource,
  type LocalConnection,
  type RemoteConnection,
  type ResolveConnectionOptions,
  type ResolvedConnection,
} from "./connection.js";
export { normaliseEndpoint } from "./endpoint.js";
export { ApiError, isNotFound, type ApiErrorCode, type SentRequest } from "./errors.js";
export { collect } from "./paginate.js";
export type { CreatedModel } from "./resources/custom-models.js";
export { isStillDeployed, type CreatedDeployment } from "./resources/deployments.js";
export { isNameTaken } from "./resources/registered-models.js";
export type { RetryOptions } from "./retry-policy.js";
export type { UploadOptions } from "./context.js";
export type { UploadProgress } from "./http.js";
export type { WaitOptions, WaitProgress } from "./waiters.js";
export * from "./wire/index.js";
