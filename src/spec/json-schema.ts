import { z } from "zod";
import { ManifestSchema } from "./schema/manifest.js";

/** JSON Schema of one manifest document, for editors; generated from the zod schemas (input side). */
export function manifestJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ManifestSchema, { io: "input", target: "draft-7", unrepresentable: "any" });
  return {
    ...schema,
    $id: "https://github.com/drgitops/drgitops/schema/drgitops.schema.json",
    title: "drgitops manifest (drgitops/v1)",
  };
}
