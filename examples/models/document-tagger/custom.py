"""Tags support messages by keyword; an unstructured model gets raw bytes and returns text."""
import json
import os


def load_model(code_dir):
    with open(os.path.join(code_dir, "keywords.json"), encoding="utf-8") as f:
        return json.load(f)


def score_unstructured(model, data, query=None, **kwargs):
    text = data.decode("utf-8") if isinstance(data, bytes) else str(data)
    lowered = text.lower()
    hits = {tag: sum(word in lowered for word in words) for tag, words in model.items()}
    tag = max(hits, key=hits.get) if any(hits.values()) else "other"
    return json.dumps({"tag": tag, "matches": hits}), {"mimetype": "application/json", "charset": "utf-8"}
