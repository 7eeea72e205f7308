import { isRecord, mergeDefaults } from "./normalise.js";
import type { Profile, ProjectConfig } from "./schema/project-config.js";

/** The profiles drgitops.yaml defines, in file order. */
export function profileNames(config: ProjectConfig): string[] {
  return Object.keys(config.profiles ?? {});
}

/** A defined profile by name, or undefined (own properties only: `constructor` is not a profile). */
export function profileOf(config: ProjectConfig, name: string): Profile | undefined {
  const profiles = config.profiles ?? {};
  return Object.hasOwn(profiles, name) ? profiles[name] : undefined;
}

/**
 * The CustomModel defaults with a profile: its `defaults` merged over the top-level ones (deeply,
 * lists replaced), both under each manifest's spec.
 */
export function defaultsFor(
  config: ProjectConfig,
  profile: Profile | undefined,
): Record<string, unknown> | undefined {
  const over = profile?.defaults;
  if (over === undefined) return config.defaults;
  return isRecord(config.defaults) ? mergeDefaults(config.defaults, over) : over;
}
