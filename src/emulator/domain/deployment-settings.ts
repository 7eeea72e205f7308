import { invalid } from "../http/errors.js";

type Section = Record<string, unknown>;

/** GET `deployments/{did}/settings/` of a deployment never PATCHed (API.md §13.8, Emulator choice). */
export const DEFAULT_SETTINGS: Readonly<Record<string, Readonly<Section>>> = {
  associationId: { columnNames: [], requiredInPredictionRequests: false, autoGenerateId: false },
  challengerModels: { enabled: false },
  predictionsDataCollection: { enabled: false },
  targetDrift: { enabled: false },
  featureDrift: { enabled: false },
  segmentAnalysis: { enabled: false, attributes: [] },
  predictionWarning: { enabled: false, customBoundaries: null },
  predictionIntervals: { enabled: false, percentiles: [] },
  batchMonitoring: { enabled: false },
  humility: { enabled: false },
};

const isSection = (v: unknown): v is Section => typeof v === "object" && v !== null && !Array.isArray(v);

/** What GET shows: each default section with the stored keys over it, then other stored sections as given. */
export function effectiveSettings(stored: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, defaults] of Object.entries(DEFAULT_SETTINGS)) {
    const given = stored[name];
    out[name] = { ...defaults, ...(isSection(given) ? given : {}) };
  }
  for (const [name, value] of Object.entries(stored)) if (!(name in DEFAULT_SETTINGS)) out[name] = value;
  return out;
}

/**
 * A PATCH body applied to the stored sections: inside a section the keys given replace the stored
 * ones; a known section must be an object and every `enabled` a boolean (422 otherwise); sections
 * the emulator does not know (TF sends several) are stored as given.
 */
export function mergeSettings(
  stored: Readonly<Record<string, unknown>>,
  patch: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const next: Record<string, unknown> = { ...stored };
  for (const [name, value] of Object.entries(patch)) {
    const known = name in DEFAULT_SETTINGS;
    if (!isSection(value)) {
      if (known) throw invalid(name, `${name} must be an object`);
      next[name] = value;
      continue;
    }
    if ("enabled" in value && typeof value.enabled !== "boolean")
      throw invalid(name, `${name}.enabled must be a boolean`);
    const before = next[name];
    next[name] = { ...(isSection(before) ? before : {}), ...value };
  }
  return next;
}

/** `challengerModels.enabled` as GET shows it (challengers need it, §13.9). */
export function challengersEnabled(stored: Readonly<Record<string, unknown>>): boolean {
  const section = effectiveSettings(stored).challengerModels;
  return isSection(section) && section.enabled === true;
}
