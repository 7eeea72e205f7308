import { Document, isMap, isPair, isScalar, visit } from "yaml";
import type { z } from "zod";
import { DrgitopsError } from "../errors.js";

/** How every import writes YAML: a comment header, short maps and lists inline, ambiguous words quoted. */

const FLOW_MAPS = new Set([
  "environment",
  "dataset",
  "resources",
  "performance",
  "stability",
  "tags",
  "model",
  "predictionEnvironment",
  "associationId",
]);

/** YAML 1.1 readers (PyYAML, so CMA and many tools) take these for booleans or null: always quoted. */
const AMBIGUOUS = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|~|null|Null|NULL)$/;

/** Short maps (references, resources, checks) and lists of scalars on one line; ambiguous words quoted. */
function style(doc: Document): void {
  visit(doc, {
    Map(_, node, path) {
      const parent = path.at(-1);
      const key = isPair(parent) && isScalar(parent.key) ? String(parent.key.value) : "";
      if (FLOW_MAPS.has(key) && node.items.every((p) => isScalar(p.value))) node.flow = true;
    },
    Seq(_, node) {
      if (node.items.every((i) => isScalar(i))) node.flow = true;
    },
    Scalar(_, node) {
      if (typeof node.value === "string" && AMBIGUOUS.test(node.value)) node.type = "QUOTE_DOUBLE";
    },
  });
}

/** `value` as a YAML document under a comment header (each line a comment, without its `#`). */
export function yamlText(value: object, header: readonly string[]): string {
  const doc = new Document(value);
  doc.commentBefore = header.map((l) => ` ${l}`).join("\n");
  style(doc);
  if (isMap(doc.contents)) doc.contents.spaceBefore = false;
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** An import writes only manifests its own schema accepts; anything else is a bug to report, not a file. */
export function checkManifest(schema: z.ZodType, manifest: object, what: string): void {
  const valid = schema.safeParse(manifest);
  if (!valid.success)
    throw new DrgitopsError(
      "import-invalid",
      `the manifest of ${what} would be invalid (${valid.error.issues[0]?.message ?? "?"}); nothing was written`,
    );
}
