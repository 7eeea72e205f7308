import { z } from "zod";

export const PROJECT_CONFIG_FILE = "drgitops.yaml";

/** A namespace: path-like segments, the same rule for drgitops.yaml and `--namespace`. */
export const NAMESPACE_PATTERN = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;
export const NAMESPACE_RULE =
  "must be path-like segments of letters, digits, '.', '_' or '-' separated by '/'";

/** `drgitops.yaml` at the project root; every field is optional. */
export const ProjectConfigSchema = z.strictObject({
  namespace: z
    .string()
    .regex(NAMESPACE_PATTERN, { error: NAMESPACE_RULE })
    .optional()
    .meta({ description: "Prefix of every model key; default: the git remote's owner/repo" }),
  paths: z
    .array(z.string().min(1))
    .optional()
    .meta({ description: "Manifest files or folders used when none is given on the command line" }),
  parallelism: z.number().int().min(1).max(64).optional(),
  defaults: z
    .record(z.string(), z.unknown())
    .optional()
    .meta({ description: "Merged under the spec of every CustomModel (the manifest wins)" }),
  emulator: z
    .strictObject({
      seed: z.string().min(1).optional().meta({ description: "Credentials/environments loaded at start" }),
    })
    .optional(),
});
export type ProjectConfig = z.infer<typeof ProjectConfigSchema>;
