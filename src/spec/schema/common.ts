import { z } from "zod";

export const API_VERSION = "drgitops/v1";

/** DESIGN §3: a key segment that is also safe in URLs, labels and DataRobot names. */
export const ResourceNameSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, {
  error: "must be 1-63 characters: lowercase letters, digits and '-', starting with a letter or digit",
});

export const MetadataSchema = z.strictObject({
  name: ResourceNameSchema,
  labels: z.record(z.string(), z.string()).optional().meta({ description: "Used by --selector" }),
});

/** Relative path from the manifest's folder; must stay inside the project root. */
export const RelativePathSchema = z.string().min(1, { error: "must not be empty" });

/** A reference to a Dataset manifest by name, or to an existing AI catalog dataset by id. */
export const DatasetRefSchema = z.union(
  [z.strictObject({ ref: ResourceNameSchema }), z.strictObject({ id: z.string().min(1) })],
  { error: "a dataset reference must be {ref: <Dataset name>} or {id: <catalog id>}" },
);
export type DatasetRef = z.infer<typeof DatasetRefSchema>;

/** Labels such as "1"/"0" are often written unquoted; DataRobot wants strings. */
export const LabelSchema = z
  .union([z.string().min(1), z.number()], { error: "a class label must be a string" })
  .transform(String);

/**
 * A kind's manifest schema (strict: unknown fields are errors) and its partial form, every spec field
 * optional: what is left of an invalid document once its invalid fields are dropped, so rules can
 * judge the valid rest. metadata.name stays required: it is the identity.
 */
export function manifestSchemas<K extends string, S extends z.ZodRawShape>(kind: K, spec: z.ZodObject<S>) {
  const schema = z.strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal(kind),
    metadata: MetadataSchema,
    spec,
  });
  return { schema, partialSchema: schema.extend({ spec: spec.partial() }) };
}
