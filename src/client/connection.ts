import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { z } from "zod";
import { DrgitopsError } from "../errors.js";
import { normaliseEndpoint } from "./endpoint.js";

export type ConnectionSource = "flags" | "profile" | "env" | "config-file" | "default-config";

/** A DataRobot (or emulator) URL with its token. */
export interface RemoteConnection {
  kind: "remote";
  endpoint: string; // normalised …/api/v2
  token: string;
  source: ConnectionSource;
}

/** `--endpoint local` (from any source): the caller starts the embedded emulator; no token. */
export interface LocalConnection {
  kind: "local";
  endpoint: "local";
  source: ConnectionSource;
}

export type ResolvedConnection = RemoteConnection | LocalConnection;

/** Where a drgitops.yaml profile connects: an endpoint (or the variable holding it) and the token's variable. */
export interface ProfileConnection {
  name: string;
  endpoint?: string | undefined;
  endpointEnv?: string | undefined;
  tokenEnv?: string | undefined;
}

export interface ResolveConnectionOptions {
  endpoint?: string | undefined;
  token?: string | undefined;
  /** The selected profile; it is a source only when it names an endpoint (or endpointEnv). */
  profile?: ProfileConnection | undefined;
  env: NodeJS.ProcessEnv;
  homeDir: string;
}

/** drconfig.yaml as the official clients write it; other keys (ssl_verify, …) are ignored. */
const DrConfigSchema = z.object({
  endpoint: z.string().optional(),
  token: z.string().optional(),
});

const nonEmpty = (v: string | undefined): string | undefined =>
  v === undefined || v.trim() === "" ? undefined : v.trim();

/**
 * DESIGN.md §9, first complete source wins: flags, the profile's endpoint with the variable its
 * `tokenEnv` names, DATAROBOT_ENDPOINT + DATAROBOT_API_TOKEN,
 * DATAROBOT_CONFIG_FILE, ~/.config/datarobot/drconfig.yaml. Returns undefined when nothing is
 * configured (the CLI then decides about the embedded emulator). A half-configured source is an
 * error, so a token is never paired with an endpoint it was not meant for — with one exception:
 * `--endpoint` may take its token from DATAROBOT_API_TOKEN, which keeps the token out of argv.
 */
export function resolveConnection(options: ResolveConnectionOptions): ResolvedConnection | undefined {
  const { env } = options;
  const flagEndpoint = nonEmpty(options.endpoint);
  const flagToken = nonEmpty(options.token);
  const envEndpoint = nonEmpty(env.DATAROBOT_ENDPOINT);
  const envToken = nonEmpty(env.DATAROBOT_API_TOKEN);

  if (flagEndpoint !== undefined || flagToken !== undefined) {
    if (flagEndpoint === undefined) {
      throw incomplete("--token was given without --endpoint", "pass --endpoint <url> (or --endpoint local)");
    }
    const token = flagToken ?? envToken;
    return complete(flagEndpoint, token, "flags", () =>
      incomplete(
        `--endpoint ${flagEndpoint} was given without a token (looked at --token and DATAROBOT_API_TOKEN)`,
        "set DATAROBOT_API_TOKEN (preferred: it stays out of the process list) or pass --token",
      ),
    );
  }

  const profile = options.profile;
  if (profile !== undefined && (profile.endpoint !== undefined || profile.endpointEnv !== undefined))
    return fromProfile(profile, env);

  if (envEndpoint !== undefined || envToken !== undefined) {
    if (envEndpoint === undefined && envToken !== undefined) {
      throw incomplete(
        "DATAROBOT_API_TOKEN is set but DATAROBOT_ENDPOINT is not",
        "set DATAROBOT_ENDPOINT (e.g. https://app.datarobot.com/api/v2) or pass --endpoint",
      );
    }
    return complete(envEndpoint ?? "", envToken, "env", () =>
      incomplete("DATAROBOT_ENDPOINT is set but DATAROBOT_API_TOKEN is not", "set DATAROBOT_API_TOKEN"),
    );
  }

  const explicitFile = nonEmpty(env.DATAROBOT_CONFIG_FILE);
  if (explicitFile !== undefined) {
    if (!existsSync(explicitFile)) {
      throw incomplete(
        `DATAROBOT_CONFIG_FILE points to ${explicitFile}, which does not exist`,
        "fix the path or unset DATAROBOT_CONFIG_FILE",
      );
    }
    return fromConfigFile(explicitFile, "config-file");
  }

  const defaultFile = join(options.homeDir, ".config", "datarobot", "drconfig.yaml");
  if (existsSync(defaultFile)) return fromConfigFile(defaultFile, "default-config");
  return undefined;
}

/** A profile's connection: only the variables it names, never DATAROBOT_API_TOKEN or another source. */
function fromProfile(profile: ProfileConnection, env: NodeJS.ProcessEnv): ResolvedConnection {
  const where = `profile ${profile.name} of drgitops.yaml`;
  let endpoint = nonEmpty(profile.endpoint);
  if (endpoint === undefined && profile.endpointEnv !== undefined) {
    endpoint = nonEmpty(env[profile.endpointEnv]);
    if (endpoint === undefined)
      throw incomplete(
        `${where} reads its endpoint from ${profile.endpointEnv} (endpointEnv), which is not set`,
        `set ${profile.endpointEnv} (in CI: from a secret), or pass --endpoint`,
      );
  }
  const token = profile.tokenEnv === undefined ? undefined : nonEmpty(env[profile.tokenEnv]);
  return complete(endpoint ?? "", token, "profile", () =>
    profile.tokenEnv === undefined
      ? incomplete(
          `${where} names an endpoint but no tokenEnv`,
          "add tokenEnv: <VARIABLE> to the profile and put the token in that variable",
        )
      : incomplete(
          `${where} reads its token from ${profile.tokenEnv} (tokenEnv), which is not set`,
          `set ${profile.tokenEnv} (in CI: from a secret)`,
        ),
  );
}

function complete(
  endpoint: string,
  token: string | undefined,
  source: ConnectionSource,
  missingToken: () => DrgitopsError,
): ResolvedConnection {
  if (endpoint.toLowerCase() === "local") return { kind: "local", endpoint: "local", source };
  const normalised = normaliseEndpoint(endpoint);
  if (token === undefined) throw missingToken();
  return { kind: "remote", endpoint: normalised, token, source };
}

function fromConfigFile(file: string, source: ConnectionSource): ResolvedConnection {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new DrgitopsError("connection-config", `Cannot read ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const doc = parseDocument(text);
  const [yamlError] = doc.errors;
  if (yamlError) {
    const pos = yamlError.linePos?.[0];
    const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
    // The YAML parser's message quotes source text, which may be the token: keep only its code.
    throw new DrgitopsError("connection-config", `${where}: invalid YAML (${yamlError.code}); fix the file`);
  }
  const parsed = DrConfigSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") ?? "";
    throw new DrgitopsError(
      "connection-config",
      `${file}: ${field === "" ? "top level must be a mapping" : `"${field}" must be a string`}`,
    );
  }
  const endpoint = nonEmpty(parsed.data.endpoint);
  const token = nonEmpty(parsed.data.token);
  if (endpoint === undefined) {
    throw incomplete(`${file} has no "endpoint"`, `add "endpoint: https://…/api/v2" to ${file}`);
  }
  return complete(endpoint, token, source, () =>
    incomplete(`${file} has "endpoint" but no "token"`, `add "token: <your API token>" to ${file}`),
  );
}

function incomplete(what: string, todo: string): DrgitopsError {
  return new DrgitopsError("connection-incomplete", `Incomplete DataRobot connection: ${what}; ${todo}.`);
}
