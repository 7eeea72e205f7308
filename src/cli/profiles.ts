import type { Command } from "commander";
import type { ProfileConnection } from "../client/index.js";
import { UsageError } from "../errors.js";
import { profileNames, profileOf, type LoadedConfig, type Profile } from "../spec/index.js";
import type { CliContext } from "./context.js";

/** The variable that selects a profile when `--profile` is not given. */
export const PROFILE_VARIABLE = "DRGITOPS_PROFILE";

/** A drgitops.yaml profile chosen for this run (DESIGN §9). */
export interface SelectedProfile {
  name: string;
  profile: Profile;
}

/**
 * `--profile NAME` for any command that loads manifests or connects. Adding it twice is harmless,
 * so a command may call this and `addConnectionOptions` (which includes it).
 */
export function addProfileOption(command: Command): Command {
  if (command.options.some((o) => o.long === "--profile")) return command;
  return command.option(
    "--profile <name>",
    `profile of drgitops.yaml: its namespace, connection and defaults (default: $${PROFILE_VARIABLE})`,
  );
}

/** The profile name asked for: `--profile`, else DRGITOPS_PROFILE; undefined when neither is set. */
export function requestedProfile(ctx: Pick<CliContext, "env">, flag: string | undefined): string | undefined {
  const name = (flag ?? ctx.env[PROFILE_VARIABLE])?.trim();
  return name === undefined || name === "" ? undefined : name;
}

/**
 * The selected profile, or undefined when none is asked for. An unknown name is a usage error that
 * lists the defined ones. With a broken drgitops.yaml nothing can be selected: the loader reports
 * the file's issues (exit 3), so this returns undefined rather than a misleading "unknown profile".
 */
export function selectProfile(
  ctx: Pick<CliContext, "env">,
  loaded: Pick<LoadedConfig, "config" | "issues">,
  flag: string | undefined,
): SelectedProfile | undefined {
  const name = requestedProfile(ctx, flag);
  if (name === undefined) return undefined;
  const from = flag !== undefined ? "--profile" : PROFILE_VARIABLE;
  if (loaded.issues.length > 0) return undefined;
  const profile = profileOf(loaded.config, name);
  if (profile !== undefined) return { name, profile };
  const defined = profileNames(loaded.config);
  throw new UsageError(
    defined.length === 0
      ? `${from} ${name}: drgitops.yaml defines no profiles; define it under profiles: in drgitops.yaml, or unset ${from}`
      : `unknown profile "${name}" (${from}); drgitops.yaml defines: ${defined.join(", ")}`,
  );
}

/** What the connection resolver needs of a profile (names of variables, never their values). */
export function profileConnection(selected: SelectedProfile | undefined): ProfileConnection | undefined {
  if (selected === undefined) return undefined;
  const { endpoint, endpointEnv, tokenEnv } = selected.profile;
  return { name: selected.name, endpoint, endpointEnv, tokenEnv };
}
