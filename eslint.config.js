// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "node_modules/**",
      "coverage/**",
      ".drgitops/**",
      "examples/**",
      "test/fixtures/**",
      "bin/**",
      // Plain CommonJS that esbuild puts in the bundle in a package's place (scripts/bundle.ts).
      "scripts/*.cjs",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/restrict-template-expressions": [
        "error",
        { allowNumber: true, allowBoolean: true },
      ],
      "no-console": "error",
    },
  },
  {
    // Fences (DESIGN.md §2): schemas, rules, the pure reconciler and every kind's non-apply files do
    // no I/O. Types may still be imported (a live.ts reads the client's wire shapes).
    files: [
      "src/spec/schema/**",
      "src/spec/rules/**",
      "src/spec/digest.ts",
      "src/spec/runtime-values.ts",
      "src/kinds/**/*.ts",
      "src/reconcile/{action,diff,desired,events,executor,pair,plan,plan-context,plan-file,state,trailer}.ts",
    ],
    ignores: ["src/kinds/**/apply*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [
            "fs",
            "fs/promises",
            "node:fs",
            "node:fs/promises",
            "got",
            "simple-git",
            "chokidar",
            "yauzl",
            "yazl",
          ].map((name) => ({
            name,
            message: "no I/O here: only a kind's apply*.ts (or the engine's I/O modules) may",
            allowTypeImports: true,
          })),
          patterns: [
            {
              group: [
                "**/client/*",
                "!**/client/wire",
                "**/client/resources/*",
                "**/emulator/**",
                "**/git/**",
                "**/cli/**",
              ],
              message: "no I/O here: import the client's wire schemas only, or move the call to apply.ts",
              allowTypeImports: true,
            },
            {
              group: [
                "**/version-cache.js",
                "**/observe.js",
                "**/spec/load-project.js",
                "**/spec/local-paths.js",
              ],
              message: "an I/O module: pure code takes its results as data",
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    files: ["test/**", "bench/**", "src/cli/**"],
    rules: { "no-console": "off" },
  },
  {
    files: ["eslint.config.js"],
    ...tseslint.configs.disableTypeChecked,
  },
);
