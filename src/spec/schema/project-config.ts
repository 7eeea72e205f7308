import { z } from "zod";

export const PROJECT_CONFIG_FILE = "drgitops.yaml";

/** A namespace: path-like segments, the same rule for drgitops.yaml and `--namespace`. */
export const NAMESPACE_PATTERN = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;
export const NAMESPACE_RULE =
  "must be path-like segments of letters, digits, '.', '_' or '-' separated by '/'";

const NamespaceSchema = z.string().regex(NAMESPACE_PATTERN, { error: NAMESPACE_RULE });
const DefaultsSchema = z.record(z.string(), z.unknown());

/** The name of an environment variable (what a profile names instead of holding a secret). */
const EnvVarSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
  error: "must be an environment variable name: letters, digits and '_', not starting with a digit",
});

/** The message that refuses a token written into drgitops.yaml. */
export const TOKEN_IN_CONFIG_MESSAGE =
  "a profile never holds the token (drgitops.yaml is committed): put the token in an environment variable or CI secret and name that variable with tokenEnv";

/**
 * One DataRobot instance or stage the repository feeds (DESIGN §9): its namespace, where to connect
 * (the token only by the name of the variable holding it) and defaults merged over the top-level ones.
 */
export const ProfileSchema = z
  .strictObject({
    namespace: NamespaceSchema.optional().meta({
      description: "Prefix of model keys with this profile (overrides the top-level namespace)",
    }),
    endpoint: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "DataRobot endpoint (…/api/v2), or `local` for the embedded emulator" }),
    endpointEnv: EnvVarSchema.optional().meta({
      description: "Environment variable holding the endpoint (instead of endpoint)",
    }),
    tokenEnv: EnvVarSchema.optional().meta({
      description: "Environment variable holding the API token; the token itself never goes in this file",
    }),
    // Accepted by the shape only to be refused with a message that says what to do instead.
    token: z
      .custom<undefined>((value) => value === undefined, {
        error: TOKEN_IN_CONFIG_MESSAGE,
        params: { code: "token-in-config" },
      })
      .optional()
      // `not: {}`: editors flag any value, as drgitops does.
      .meta({ description: "Never: name the variable holding the token with tokenEnv", not: {} }),
    defaults: DefaultsSchema.optional().meta({
      description: "Merged over the top-level defaults, under the spec of every CustomModel",
    }),
  })
  .superRefine((profile, ctx) => {
    if (profile.endpoint !== undefined && profile.endpointEnv !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["endpointEnv"],
        params: { code: "conflicting-fields" },
        message: '"endpoint" and "endpointEnv" are alternative forms: give one',
      });
    if (profile.tokenEnv !== undefined && profile.endpoint === undefined && profile.endpointEnv === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["tokenEnv"],
        params: { code: "missing-field" },
        message:
          "tokenEnv needs endpoint or endpointEnv in the same profile: a token is never sent to an endpoint from another source",
      });
  });
export type Profile = z.infer<typeof ProfileSchema>;

/** `drgitops.yaml` at the project root; every field is optional. */
export const ProjectConfigSchema = z.strictObject({
  namespace: NamespaceSchema.optional().meta({
    description: "Prefix of every model key; default: the git remote's owner/repo",
  }),
  paths: z
    .array(z.string().min(1))
    .optional()
    .meta({ description: "Manifest files or folders used when none is given on the command line" }),
  parallelism: z.number().int().min(1).max(64).optional(),
  defaults: DefaultsSchema.optional().meta({
    description: "Merged under the spec of every CustomModel (the manifest wins)",
  }),
  profiles: z
    .record(
      z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
        error: "must be letters, digits, '.', '_' or '-', starting with a letter or digit",
      }),
      ProfileSchema,
    )
    .optional()
    .meta({
      description: "Named DataRobot instances or stages, selected with --profile or DRGITOPS_PROFILE",
    }),
  emulator: z
    .strictObject({
      seed: z.string().min(1).optional().meta({ description: "Credentials/environments loaded at start" }),
    })
    .optional(),
});
export type ProjectConfig = z.infer<typeof ProjectConfigSchema>;
