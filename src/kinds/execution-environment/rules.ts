import type { KindRule } from "../../spec/rules/context.js";
import type { PartialExecutionEnvironmentManifest } from "./schema.js";

/** The docker context is judged as a local path (it must hold a Dockerfile); nothing else spans fields. */
export const environmentRules: readonly KindRule<PartialExecutionEnvironmentManifest>[] = [];
