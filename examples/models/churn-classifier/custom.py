"""Churn classifier: a logistic regression whose weights live in model.json (DRUM custom model hooks)."""
import json
import math
import os

import pandas as pd


def load_model(code_dir):
    with open(os.path.join(code_dir, "model.json"), encoding="utf-8") as f:
        return json.load(f)


def _probability(row, model):
    c = model["coefficients"]
    z = model["intercept"]
    z += c["tenure_months"] * float(row["tenure_months"])
    z += c["monthly_charges"] * float(row["monthly_charges"])
    z += c["support_calls"] * float(row["support_calls"])
    z += c.get("contract_" + str(row["contract"]), 0.0)
    return 1.0 / (1.0 + math.exp(-z))


def score(data, model, **kwargs):
    # DRUM expects one column per class label, named exactly as the labels in the manifest.
    positive = data.apply(lambda row: _probability(row, model), axis=1)
    return pd.DataFrame({"yes": positive, "no": 1.0 - positive})
