import { z } from "zod";

const secret = z.string().nullish();
const required = z.string().min(1);
// PY, CMA and TF send the config id of a stored connection with these types.
const configId = z.string().nullish();

/**
 * The secret fields of each credentialType (API.md §9.1): the types PY knows plus `api_token`.
 * Only `basic` and `api_token` require theirs; every other key is refused.
 */
export const CREDENTIAL_SECRETS = {
  basic: { user: required, password: required },
  s3: { awsAccessKeyId: secret, awsSecretAccessKey: secret, awsSessionToken: secret, configId },
  oauth: { token: secret, refreshToken: secret },
  azure: { azureConnectionString: secret },
  gcp: { gcpKey: z.union([z.record(z.string(), z.unknown()), z.string()]).nullish(), configId },
  api_token: { apiToken: required },
  snowflake_key_pair_user_account: { user: secret, privateKeyStr: secret, passphrase: secret, configId },
  databricks_access_token_account: { databricksAccessToken: secret },
  databricks_service_principal_account: { clientId: secret, clientSecret: secret, configId },
} as const;

export type CredentialType = keyof typeof CREDENTIAL_SECRETS;
export const CREDENTIAL_TYPES = Object.keys(CREDENTIAL_SECRETS) as CredentialType[];

function createSchema<T extends CredentialType>(type: T) {
  return z.strictObject({
    name: z.string().min(1),
    credentialType: z.literal(type),
    description: z.string().nullish(),
    ...CREDENTIAL_SECRETS[type],
  });
}

/** A credential create body (POST credentials/ and the seed file's `credentials` entries). */
export const CredentialCreateSchema = z.discriminatedUnion("credentialType", [
  createSchema("basic"),
  createSchema("s3"),
  createSchema("oauth"),
  createSchema("azure"),
  createSchema("gcp"),
  createSchema("api_token"),
  createSchema("snowflake_key_pair_user_account"),
  createSchema("databricks_access_token_account"),
  createSchema("databricks_service_principal_account"),
]);
export type CredentialCreate = z.output<typeof CredentialCreateSchema>;

/** The keys a credential of `type` may carry, for error messages. */
export function credentialKeys(type: unknown): string[] {
  const secrets: Record<string, unknown> =
    typeof type === "string" && Object.hasOwn(CREDENTIAL_SECRETS, type)
      ? CREDENTIAL_SECRETS[type as CredentialType]
      : {};
  return ["name", "credentialType", "description", ...Object.keys(secrets)];
}
