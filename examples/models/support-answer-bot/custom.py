"""Answers support questions from a curated FAQ; a text-generation model returns one text per prompt."""
import json
import os

import pandas as pd
from datarobot_drum import RuntimeParameters


def load_model(code_dir):
    with open(os.path.join(code_dir, "answers.json"), encoding="utf-8") as f:
        return json.load(f)


def score(data, model, **kwargs):
    fallback = RuntimeParameters.get("FALLBACK_ANSWER")
    limit = int(RuntimeParameters.get("MAX_ANSWER_CHARS") or 400)
    answers = [model.get(prompt, fallback)[:limit] for prompt in data["promptText"]]
    # DRUM names the output column after the target: <targetName>_PREDICTION.
    return pd.DataFrame({"resultText_PREDICTION": answers})
