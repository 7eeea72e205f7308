import { z } from "zod";
import type { DeploymentSettings } from "../../client/wire/deployment.js";
import type { DeploymentSettingsSpec } from "./schema.js";

/**
 * The settings table (API.md §13.8): each manifest setting, its value as desired and as read back,
 * and the section PATCH settings/ takes. Only declared settings are managed; the others stay as
 * DataRobot has them.
 */

/** Settings as compared: the manifest's shape with defaults written out. */
export const ManagedSettingsSchema = z.object({
  predictionsDataCollection: z.boolean().optional(),
  targetDrift: z.boolean().optional(),
  featureDrift: z.boolean().optional(),
  associationId: z.object({ column: z.string().nullable(), required: z.boolean() }).optional(),
});
export type ManagedSettings = z.infer<typeof ManagedSettingsSchema>;
export type SettingName = keyof ManagedSettings;
/** Every setting, as GET settings/ answers. */
export type AllSettings = { [K in SettingName]-?: NonNullable<ManagedSettings[K]> };

type Section = Record<string, unknown>;

const enabled = (section: { enabled?: boolean | null | undefined } | null | undefined): boolean =>
  section?.enabled ?? false;

export const SETTINGS: {
  [K in SettingName]-?: {
    wire(value: NonNullable<ManagedSettings[K]>): Section;
    live(s: DeploymentSettings): NonNullable<ManagedSettings[K]>;
  };
} = {
  predictionsDataCollection: {
    wire: (v) => ({ enabled: v }),
    live: (s) => enabled(s.predictionsDataCollection),
  },
  targetDrift: { wire: (v) => ({ enabled: v }), live: (s) => enabled(s.targetDrift) },
  featureDrift: { wire: (v) => ({ enabled: v }), live: (s) => enabled(s.featureDrift) },
  associationId: {
    wire: (v) => ({
      columnNames: v.column === null ? [] : [v.column],
      requiredInPredictionRequests: v.required,
    }),
    live: (s) => ({
      column: s.associationId?.columnNames?.[0] ?? null,
      required: s.associationId?.requiredInPredictionRequests ?? false,
    }),
  },
};
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

export function managedSettings(spec: DeploymentSettingsSpec | undefined): ManagedSettings {
  const out: ManagedSettings = {};
  if (spec?.predictionsDataCollection !== undefined)
    out.predictionsDataCollection = spec.predictionsDataCollection;
  if (spec?.targetDrift !== undefined) out.targetDrift = spec.targetDrift;
  if (spec?.featureDrift !== undefined) out.featureDrift = spec.featureDrift;
  if (spec?.associationId !== undefined)
    out.associationId = { column: spec.associationId.column, required: spec.associationId.required ?? false };
  return out;
}

/** Every setting as a GET settings/ answer holds it. */
export function liveSettings(s: DeploymentSettings): AllSettings {
  return {
    predictionsDataCollection: SETTINGS.predictionsDataCollection.live(s),
    targetDrift: SETTINGS.targetDrift.live(s),
    featureDrift: SETTINGS.featureDrift.live(s),
    associationId: SETTINGS.associationId.live(s),
  };
}

/** The PATCH settings/ body for some managed settings. */
export function settingsPatch(
  settings: ManagedSettings,
  names: readonly SettingName[],
): Record<string, Section> {
  const out: Record<string, Section> = {};
  for (const name of names) {
    const value = settings[name];
    if (value !== undefined) out[name] = (SETTINGS[name].wire as (v: unknown) => Section)(value);
  }
  return out;
}
