import { manifestJsonSchema } from "../../spec/index.js";
import { ExitCode } from "../exit-codes.js";
import type { RegisterCommand } from "./index.js";

/** `drgitops schema`: the JSON Schema of a manifest document, generated from the zod schemas. */
export const register: RegisterCommand = (program, ctx, run) => {
  program
    .command("schema")
    .description("Print the JSON Schema of drgitops manifests (for editors and CI linters)")
    .addHelpText(
      "after",
      "\nA copy is committed as schema/drgitops.schema.json. Point your editor at it with a first line\n" +
        "  # yaml-language-server: $schema=<path or URL of drgitops.schema.json>\n" +
        "or regenerate it with: npx drgitops schema > schema/drgitops.schema.json\n",
    )
    .action(() =>
      run(() => {
        ctx.stdout.write(`${JSON.stringify(manifestJsonSchema(), null, 2)}\n`);
        return Promise.resolve(ExitCode.ok);
      }),
    );
};
