"""Error measures against hand-computed answers."""

import math

import numpy as np
import pandas as pd
import pytest

from shopmine.forecast.metrics import evaluate, series_scales


def test_scales_by_hand():
    # y = 0, 2, 4, 4, 8 with m = 2: seasonal diffs 4, 2, 4 -> 10/3; from the first sale (2):
    # one-step diffs 2, 0, 4 -> squares 4, 0, 16 -> 20/3 (the leading zero is not counted).
    h = pd.DataFrame({"unique_id": "a", "ds": range(5), "y": [0.0, 2, 4, 4, 8]})
    s = series_scales(h, 2).loc["a"]
    assert s["mase_scale"] == pytest.approx(10 / 3)
    assert s["rmsse_scale"] == pytest.approx(20 / 3)


def test_measures_by_hand_and_plain_mean_over_series():
    scales = pd.DataFrame({"mase_scale": [2.0, 1.0], "rmsse_scale": [4.0, 1.0]},
                          index=pd.Index(["a", "b"], name="unique_id"))
    actual = pd.DataFrame({"unique_id": ["a", "a", "b", "b"], "y": [1.0, 3.0, 10.0, 10.0],
                           "f": [2.0, 2.0, 10.0, 14.0]})
    m = evaluate(actual, ["f"], scales)["f"]
    # series a: errors -1, 1 -> mae 1, mse 1, wape 2/4, mase 1/2, rmsse sqrt(1/4)
    # series b: errors 0, -4 -> mae 2, mse 8, wape 4/20, mase 2/1, rmsse sqrt(8/1)
    assert m["mae"] == pytest.approx(1.5)
    assert m["mse"] == pytest.approx(4.5)
    assert m["rmse"] == pytest.approx((1 + math.sqrt(8)) / 2)
    assert m["wape"] == pytest.approx((2 + 4) / (4 + 20))  # pooled over series: sum |e| / sum y
    assert m["mase"] == pytest.approx((0.5 + 2) / 2)
    assert m["rmsse"] == pytest.approx((0.5 + math.sqrt(8)) / 2)


def test_undefined_scales_are_left_out_and_wape_pools_every_error():
    scales = pd.DataFrame({"mase_scale": [0.0, 1.0], "rmsse_scale": [np.nan, 1.0]},
                          index=pd.Index(["a", "b"], name="unique_id"))
    actual = pd.DataFrame({"unique_id": ["a", "b"], "y": [0.0, 2.0], "f": [1.0, 1.0]})
    m = evaluate(actual, ["f"], scales)["f"]
    assert m["mase"] == pytest.approx(1.0)
    assert m["rmsse"] == pytest.approx(1.0)
    assert m["wape"] == pytest.approx((1 + 1) / (0 + 2))  # series a sold nothing but its error counts
    assert m["mae"] == pytest.approx(1.0)
