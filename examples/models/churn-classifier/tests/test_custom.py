"""Excluded from uploads by the manifest (source.exclude: tests/**); run locally with pytest."""
import os

import pandas as pd

import custom


def test_probabilities_sum_to_one():
    model = custom.load_model(os.path.dirname(os.path.dirname(__file__)))
    data = pd.DataFrame([{"tenure_months": 3, "monthly_charges": 90.0, "support_calls": 4, "contract": "monthly"}])
    out = custom.score(data, model)
    assert abs(out["yes"][0] + out["no"][0] - 1.0) < 1e-9
