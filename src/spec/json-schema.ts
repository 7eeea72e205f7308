import { z } from "zod";
import { ManifestSchema } from "../kinds/index.js";
import { ProjectConfigSchema } from "./schema/project-config.js";

/** JSON Schema of one manifest document, for editors; generated from the zod schemas (input side). */
export function manifestJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ManifestSchema, { io: "input", target: "draft-7", unrepresentable: "any" });
  return {
    ...schema,
    $id: "https://github.com/drgitops/drgitops/schema/drgitops.schema.json",
    title: "drgitops manifest (drgitops/v1)",
  };
}

/** JSON Schema of drgitops.yaml, the optional project file. */
export function projectConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ProjectConfigSchema, {
    io: "input",
    target: "draft-7",
    unrepresentable: "any",
  });
  return {
    ...schema,
    $id: "https://github.com/drgitops/drgitops/schema/drgitops-config.schema.json",
    title: "drgitops project file (drgitops.yaml)",
  };
}
