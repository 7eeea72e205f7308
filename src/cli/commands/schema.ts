import { manifestJsonSchema, projectConfigJsonSchema } from "../../spec/index.js";
import { ExitCode } from "../exit-codes.js";
import type { RegisterCommand } from "./index.js";

/** `drgitops schema`: the JSON Schema of a manifest document, generated from the zod schemas. */
export const register: RegisterCommand = (program, ctx, run) => {
  program
    .command("schema")
    .description("Print the JSON Schema of drgitops manifests (for editors and CI linters)")
    .option("--project-config", "print the schema of drgitops.yaml instead")
    .addHelpText(
      "after",
      "\nCopies are committed as schema/drgitops.schema.json and schema/drgitops-config.schema.json.\n" +
        "Point your editor at one with a first line\n" +
        "  # yaml-language-server: $schema=<path or URL of drgitops.schema.json>\n" +
        "or regenerate them with: npx drgitops schema > schema/drgitops.schema.json\n" +
        "                         npx drgitops schema --project-config > schema/drgitops-config.schema.json\n",
    )
    .action((flags: { projectConfig?: boolean }) =>
      run(() => {
        const schema = flags.projectConfig === true ? projectConfigJsonSchema() : manifestJsonSchema();
        ctx.stdout.write(`${JSON.stringify(schema, null, 2)}\n`);
        return Promise.resolve(ExitCode.ok);
      }),
    );
};
