/**
 * Work that packages the CLI bundles do when they load and that no command needs then, deferred
 * to first use (scripts/bundle.ts). Each was found in a CPU profile of a no-change `plan`:
 * - got imports `http2-wrapper` for its `http2: true` option, which drgitops never sets; loading it
 *   loads node:http2 and makes a TLS socket (~40 ms). scripts/lazy-http2-wrapper.cjs stands in.
 * - `@sindresorhus/is` (got's) makes two `Intl.ListFormat`s when it loads, for one assertion
 *   message, and the first one loads ICU's locale data (~15 ms).
 * A deferral that no longer matches its package's text fails the build rather than going quiet.
 */
import { readFile } from "node:fs/promises";
import { join, sep } from "node:path";
import type { Plugin } from "esbuild";

const LIST_FORMATTERS =
  "const andFormatter = new Intl.ListFormat('en', { style: 'long', type: 'conjunction' });\n" +
  "const orFormatter = new Intl.ListFormat('en', { style: 'long', type: 'disjunction' });\n";

const LAZY_LIST_FORMATTERS =
  "// Made on first use (drgitops' scripts/bundle-deferrals.ts): ICU's locale data is slow to load.\n" +
  "const listFormatters = {};\n" +
  "const lazyListFormat = (type) => ({ format: (items) => " +
  "(listFormatters[type] ??= new Intl.ListFormat('en', { style: 'long', type })).format(items) });\n" +
  "const andFormatter = lazyListFormat('conjunction');\n" +
  "const orFormatter = lazyListFormat('disjunction');\n";

/** `@sindresorhus/is`'s distribution/index.js with its list formatters made on first use. */
export function deferListFormatters(source: string, file = "@sindresorhus/is"): string {
  const normalised = source.replace(/\r\n/g, "\n");
  if (!normalised.includes(LIST_FORMATTERS)) {
    throw new Error(
      `${file}: its Intl.ListFormat lines are not the ones scripts/bundle-deferrals.ts defers; ` +
        "update the deferral to the new text, or drop it",
    );
  }
  return normalised.replace(LIST_FORMATTERS, LAZY_LIST_FORMATTERS);
}

export function deferrals(root: string): Plugin {
  return {
    name: "drgitops-deferrals",
    setup(b) {
      b.onResolve({ filter: /^http2-wrapper$/ }, (args) =>
        args.importer.includes(`${sep}node_modules${sep}got${sep}`)
          ? { path: join(root, "scripts/lazy-http2-wrapper.cjs") }
          : undefined,
      );
      b.onLoad({ filter: /[\\/]@sindresorhus[\\/]is[\\/]distribution[\\/]index\.js$/ }, async (args) => ({
        contents: deferListFormatters(await readFile(args.path, "utf8"), args.path),
        loader: "js",
      }));
    },
  };
}
