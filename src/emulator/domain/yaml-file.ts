import { parseDocument } from "yaml";
import type { z } from "zod";
import { UsageError } from "../../errors.js";

export interface YamlFileOptions {
  /** Appended to the reason of an unknown key at `path` (e.g. the valid names there). */
  unknownKeyHint?: (path: readonly PropertyKey[], key: string) => string;
  /** A last line for the error, e.g. where the format is documented. */
  footer?: string;
}

/**
 * Parses a YAML configuration file (`what`: "scenario file", "seed file") against `schema`. Every
 * problem is reported at once with the file, line and field path; an unknown key points at itself.
 */
export function parseYamlFile<S extends z.ZodType>(
  schema: S,
  text: string,
  file: string,
  what: string,
  options: YamlFileOptions = {},
): z.output<S> {
  const doc = parseDocument(text, { prettyErrors: false });
  const yamlError = doc.errors[0];
  if (yamlError !== undefined) {
    const line = yamlError.linePos?.[0].line ?? 1;
    throw new UsageError(`${file}:${line}: invalid YAML in ${what}: ${yamlError.message}`);
  }
  const parsed = schema.safeParse(doc.toJS() ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.flatMap((issue) => {
    const at = (path: readonly PropertyKey[], message: string): string => {
      const keys = path.map((k) => (typeof k === "number" ? k : String(k)));
      const node = doc.getIn(keys, true) as { range?: [number, number] } | undefined;
      const offset = node?.range?.[0];
      const line = offset === undefined ? 1 : text.slice(0, offset).split("\n").length;
      const field = keys.length === 0 ? "(top level)" : keys.join(".");
      return `${file}:${line}: ${field}: ${message}`;
    };
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) =>
        at([...issue.path, key], `unknown key${options.unknownKeyHint?.(issue.path, key) ?? ""}`),
      );
    }
    return [at(issue.path, issue.message)];
  });
  const title = `Invalid ${what}:`;
  throw new UsageError([title, ...problems, ...(options.footer ? [options.footer] : [])].join("\n"));
}
