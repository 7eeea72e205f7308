"""House price regressor: a linear model in weights.json, tuned by runtime parameters."""
import json
import os

import pandas as pd
from datarobot_drum import RuntimeParameters


def load_model(code_dir):
    with open(os.path.join(code_dir, "weights.json"), encoding="utf-8") as f:
        weights = json.load(f)
    # The pricing API token is a DataRobot credential: DRUM hands us its payload, never the manifest.
    token = RuntimeParameters.get("PRICING_API_TOKEN")
    weights["has_pricing_api"] = bool(token and token.get("apiToken"))
    return weights


def score(data, model, **kwargs):
    floor = float(RuntimeParameters.get("PRICE_FLOOR") or 0)
    c = model["coefficients"]
    price = (
        model["intercept"]
        + c["sqft"] * data["sqft"]
        + c["bedrooms"] * data["bedrooms"]
        + c["bathrooms"] * data["bathrooms"]
        + c["year_built"] * (data["year_built"] - model["year_offset"])
    ).clip(lower=floor)
    if RuntimeParameters.get("ROUND_TO_HUNDREDS"):
        price = (price / 100).round() * 100
    return pd.DataFrame({"Predictions": price})
