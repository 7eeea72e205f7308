import type { DriftItem, FieldChange } from "../../reconcile/action.js";
import { valueChange } from "../../reconcile/diff.js";
import { stripTrailer, withTrailer, type Trailer } from "../../reconcile/trailer.js";
import type { UpdateModelAction } from "./actions.js";
import type { DesiredModel } from "./desired.js";
import { MODEL_FIELD_NAMES, MODEL_FIELDS, type ModelFieldName, type ModelFields } from "./fields.js";
import { modelFieldsDigest } from "./fingerprint.js";
import type { LiveModel } from "./live.js";

/** Declared model-level fields minus ignored ones: exactly what drgitops manages on this model. */
export function managedFields(d: DesiredModel): ModelFields {
  const out: ModelFields = {};
  for (const field of declared(d.fields)) {
    const ignored = MODEL_FIELDS[field].manifest.some((n) => d.lifecycle.ignoreChanges.includes(n));
    if (!ignored) copyField(out, d.fields, field);
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

/** The fields present, in the order they were declared (the order changes are shown in). */
function declared(fields: ModelFields): ModelFieldName[] {
  return (Object.keys(fields) as ModelFieldName[]).filter(
    (f) => MODEL_FIELD_NAMES.includes(f) && fields[f] !== undefined,
  );
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
  patch: UpdateModelAction["patch"];
  reasons: string[];
  drift: DriftItem | null;
}

/**
 * Diff of the managed model-level fields. `Drgitops-Applied` tells why live differs: when the
 * manifest still hashes to what was last applied, the live value moved (drift); otherwise the
 * manifest changed (an intended change). A model in the namespace without its trailer (a description
 * or name typed in the UI removes it) has no record of what was applied: a difference is drift too.
 * Either way the PATCH restores the manifest.
 */
export function planModelFields(d: DesiredModel, live: LiveModel): ModelFieldsPlan {
  const wanted = managedFields(d);
  // Descriptions are compared as users see them: trailing whitespace is never kept (withTrailer).
  if (wanted.description !== undefined) wanted.description = wanted.description.trimEnd();
  const changes: FieldChange[] = [];
  const patch: UpdateModelAction["patch"] = {};
  for (const field of declared(wanted)) {
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
  const applied = liveTrailer?.key === trailer.key ? liveTrailer.applied : undefined;
  const drifted = changes.length > 0 && (applied === undefined || applied === trailer.applied);
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
