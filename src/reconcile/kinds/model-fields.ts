import type { DesiredModel, ModelFieldName, ModelFields } from "../desired.js";
import { valueChange } from "../diff.js";
import { modelFieldsDigest } from "../fingerprint.js";
import type { LiveModel } from "../live.js";
import type { ActionOf, DriftItem, FieldChange } from "../plan-file.js";
import { stripTrailer, withTrailer, type Trailer } from "../trailer.js";

/** Manifest field names (as `ignoreChanges` lists them) of each model-level field. */
const MANIFEST_NAME: Record<ModelFieldName, string[]> = {
  name: ["displayName"],
  description: ["description"],
  targetName: ["targetName"],
  positiveClassLabel: ["positiveClassLabel"],
  negativeClassLabel: ["negativeClassLabel"],
  predictionThreshold: ["predictionThreshold"],
  classLabels: ["classLabels", "classLabelsFile"],
  language: ["language"],
};

/** Declared model-level fields minus ignored ones: exactly what drgitops manages on this model. */
export function managedFields(d: DesiredModel): ModelFields {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(d.fields)) {
    const names = MANIFEST_NAME[field as ModelFieldName];
    if (value !== undefined && !names.some((n) => d.lifecycle.ignoreChanges.includes(n))) out[field] = value;
  }
  return out;
}

/** The model's trailer: ownership, protection (survives the manifest) and what was last applied. */
export function modelTrailer(d: DesiredModel): Trailer {
  return {
    key: d.key,
    ...(d.lifecycle.protected ? { protected: true } : {}),
    applied: modelFieldsDigest(managedFields(d)),
  };
}

function copyField<K extends ModelFieldName>(to: ModelFields, from: ModelFields, field: K): void {
  to[field] = from[field];
}

function liveValue(live: LiveModel, field: ModelFieldName): unknown {
  return field === "description" ? stripTrailer(live.description) : live[field];
}

export interface ModelFieldsPlan {
  /** Field changes to PATCH (managed fields whose live value differs). */
  changes: FieldChange[];
  /** The PATCH body; empty when nothing needs writing. */
  patch: ActionOf<"updateModel">["patch"];
  reasons: string[];
  drift: DriftItem | null;
}

/**
 * Diff of the managed model-level fields. `Drgitops-Applied` tells why live differs: when the
 * manifest still hashes to what was last applied, the live value moved (drift); otherwise the
 * manifest changed (an intended change). Either way the PATCH restores the manifest.
 */
export function planModelFields(d: DesiredModel, live: LiveModel): ModelFieldsPlan {
  const wanted = managedFields(d);
  // Descriptions are compared as users see them: trailing whitespace is never kept (withTrailer).
  if (wanted.description !== undefined) wanted.description = wanted.description.trimEnd();
  const changes: FieldChange[] = [];
  const patch: ActionOf<"updateModel">["patch"] = {};
  for (const field of Object.keys(wanted) as ModelFieldName[]) {
    const change = valueChange(field, liveValue(live, field), wanted[field]);
    if (change) {
      changes.push(change);
      copyField(patch, wanted, field);
    }
  }
  const trailer = modelTrailer(d);
  const liveTrailer = live.trailer;
  const ownershipChanged =
    liveTrailer?.key !== trailer.key || (liveTrailer.protected ?? false) !== (trailer.protected ?? false);
  const trailerChanged = ownershipChanged || liveTrailer.applied !== trailer.applied;
  if (trailerChanged || "description" in patch) {
    patch.description = withTrailer(patch.description ?? stripTrailer(live.description), trailer);
  }
  const reasons: string[] = [];
  let drift: DriftItem | null = null;
  const drifted = changes.length > 0 && liveTrailer?.applied === trailer.applied;
  const names = changes.map((c) => c.path).join(", ");
  if (drifted) {
    drift = {
      key: d.key,
      subject: "model",
      summary: `${names} changed outside drgitops`,
      changes,
    };
    reasons.push(`restore ${names} changed outside drgitops`);
  } else if (changes.length > 0) {
    reasons.push(`${names} changed in the manifest`);
  }
  const wasProtected = liveTrailer?.protected ?? false;
  if (wasProtected !== (trailer.protected ?? false)) {
    changes.push({ kind: "value", path: "lifecycle.protected", before: wasProtected, after: !wasProtected });
    reasons.push(trailer.protected ? "protect the model from prune" : "remove the model's prune protection");
  }
  if (trailerChanged && reasons.length === 0)
    reasons.push(
      liveTrailer?.key === trailer.key
        ? "record the applied fields in the model's trailer"
        : "record drgitops ownership in the model's description trailer",
    );
  return { changes, patch, reasons, drift };
}
