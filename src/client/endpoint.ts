import { DrgitopsError } from "../errors.js";

/**
 * API.md §0.1: accept an endpoint with or without `/api/v2` and trailing slashes; return
 * `{origin}{prefix}/api/v2` with no trailing slash.
 */
export function normaliseEndpoint(raw: string): string {
  const trimmed = raw.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new DrgitopsError(
      "invalid-endpoint",
      `Endpoint "${trimmed}" is not a URL; give one like https://app.datarobot.com/api/v2`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new DrgitopsError("invalid-endpoint", `Endpoint "${url.origin}" must use http or https`);
  }
  if (url.username !== "" || url.password !== "") {
    // Never echo the URL here: its user-info is a secret.
    throw new DrgitopsError(
      "invalid-endpoint",
      "Endpoint must not contain user:password; pass the API token with --token or DATAROBOT_API_TOKEN",
    );
  }
  const path = url.pathname.replace(/\/+$/, "").replace(/\/{2,}/g, "/");
  const base = path.endsWith("/api/v2") ? path : `${path}/api/v2`;
  return `${url.origin}${base}`;
}
