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


def test_cross_conformal_coverage_by_hand():
    # One series, three backtest windows, forecast 10 throughout, errors y - 10:
    #   A: 0 1 2 3 4    B: 0 0 0 0 10    C: 5 5 5 5 5
    # Each window is scored with widths from the other two (10 errors: 80 % -> the ceil(11 * 0.8) = 9th
    # smallest, 95 % -> ceil(11 * 0.95) = 11, capped at the 10th):
    #   A from B+C = 0 0 0 0 5 5 5 5 5 10: w80 5, w95 10 -> 5/5 and 5/5 inside
    #   B from A+C = 0 1 2 3 4 5 5 5 5 5:  w80 5, w95 5  -> 4/5 and 4/5 (the 10 is outside)
    #   C from A+B = 0 0 0 0 0 1 2 3 4 10: w80 4, w95 10 -> 0/5 and 5/5
    from shopmine.forecast.intervals import coverage

    errors = {"A": [0, 1, 2, 3, 4], "B": [0, 0, 0, 0, 10], "C": [5, 5, 5, 5, 5]}
    bt = pd.DataFrame([{"unique_id": "a", "cutoff": c, "y": 10.0 + e, "m": 10.0}
                       for c, errs in errors.items() for e in errs])
    cov = coverage(bt, "m", nonnegative=True)
    assert cov[80] == pytest.approx(9 / 15)
    assert cov[95] == pytest.approx(14 / 15)
    one = coverage(bt[bt["cutoff"] == "A"], "m", nonnegative=True)
    assert math.isnan(one[80]) and math.isnan(one[95])  # nothing else to calibrate on


def test_holdout_coverage_counts_bounds_as_inside():
    from shopmine.forecast.intervals import holdout_coverage

    f = pd.DataFrame({"unique_id": ["a", "a", "b"], "ds": [1, 2, 1],
                      "forecast-lo-80": [1.0, 1.0, np.nan], "forecast-hi-80": [3.0, 3.0, np.nan],
                      "forecast-lo-95": [0.0, 0.0, 0.0], "forecast-hi-95": [5.0, 5.0, 1.0]})
    actual = pd.DataFrame({"unique_id": ["a", "a", "b", "c"], "ds": [1, 2, 1, 1], "y": [3.0, 4.0, 2.0, 9.0]})
    # 80 %: a/1 on the bound (in), a/2 out, b has no interval -> 1/2; 95 %: a/1, a/2 in, b out -> 2/3; c unforecast
    assert holdout_coverage(f, actual) == {80: pytest.approx(0.5), 95: pytest.approx(2 / 3)}


def test_series_without_backtest_errors_borrow_relative_widths():
    from shopmine.forecast.intervals import borrowed_widths, conformal_widths

    # a: mean |y| 4, errors 1 and 3 -> relative 0.25, 0.75; b: mean 10, errors 5 -> 0.5.
    # Pooled 0.25 0.5 0.75: 80 % -> ceil(4 * 0.8) = 4th, capped at the 3rd = 0.75; c (mean 2) -> 1.5;
    # z never sold -> 0.
    bt = pd.DataFrame({"unique_id": ["a", "a", "b"], "y": [3.0, 7.0, 15.0], "m": [4.0, 4.0, 10.0]})
    hist = pd.DataFrame({"unique_id": ["a", "a", "b", "c", "c", "z"], "y": [3.0, 5.0, 10.0, 1.0, 3.0, 0.0]})
    w = borrowed_widths(conformal_widths(bt, "m"), bt, "m", hist, ["a", "b", "c", "z"]).set_index("unique_id")
    assert w.loc["a", "width_80"] == 3.0 and w.loc["b", "width_80"] == 5.0  # their own errors
    assert w.loc["c", "width_80"] == pytest.approx(1.5) and w.loc["c", "width_95"] == pytest.approx(1.5)
    assert w.loc["z", "width_80"] == 0.0


def test_mase_scale_of_a_series_shorter_than_its_season_is_the_lag_one_scale():
    # 4 weekly values, season 52: no seasonal difference exists; |2-0|, |4-2|, |4-4| -> mean 4/3
    h = pd.DataFrame({"unique_id": "a", "ds": range(4), "y": [0.0, 2.0, 4.0, 4.0]})
    assert series_scales(h, 52)["mase_scale"].iloc[0] == pytest.approx(4 / 3)
    # a single period has no difference at all
    one = pd.DataFrame({"unique_id": "b", "ds": [0], "y": [3.0]})
    assert np.isnan(series_scales(one, 52)["mase_scale"].iloc[0])


def test_scales_of_several_series_in_any_row_order():
    # a: y = 0, 2, 4, 4, 8 (as above, m = 2): 10/3 and 20/3; b: one period: nothing to difference;
    # c: never sold: seasonal diffs 0 -> 0, no step from a first sale -> NaN; d: 3, 1 (2 periods <= m,
    # so the one-step diff 2 serves MASE) and one step (1 - 3)**2 = 4.
    h = pd.DataFrame({"unique_id": ["a"] * 5 + ["b"] + ["c"] * 3 + ["d"] * 2,
                      "ds": [*range(5), 0, 0, 1, 2, 0, 1],
                      "y": [0.0, 2, 4, 4, 8, 5, 0, 0, 0, 3, 1]})
    s = series_scales(h.sample(frac=1.0, random_state=0), 2)
    assert s.index.tolist() == ["a", "b", "c", "d"]
    assert s.loc["a"].tolist() == pytest.approx([10 / 3, 20 / 3])
    assert np.isnan(s.loc["b"]).all()
    assert s.loc["c", "mase_scale"] == 0.0 and np.isnan(s.loc["c", "rmsse_scale"])
    assert s.loc["d"].tolist() == pytest.approx([2.0, 4.0])


def test_conformal_widths_of_several_series_skip_missing_forecasts():
    from shopmine.forecast.intervals import conformal_widths

    # a: errors 1..10 (ranks 9 and 10 of 10); b: errors 3, 1 and a missing forecast: ceil(3 * 0.8) = 3
    # and ceil(3 * 0.95) = 3, both capped at n = 2 -> 3; c: no forecast at all -> NaN.
    bt = pd.DataFrame({"unique_id": ["b", "c"] + ["a"] * 10 + ["b", "b"],
                       "y": [3.0, 1.0, *np.arange(1.0, 11.0), 1.0, 5.0],
                       "m": [0.0, np.nan, *np.zeros(10), np.nan, 4.0]})
    w = conformal_widths(bt, "m").set_index("unique_id")
    assert w.index.tolist() == ["a", "b", "c"]
    assert w.loc["a"].tolist() == [9.0, 10.0]
    assert w.loc["b"].tolist() == [3.0, 3.0]
    assert np.isnan(w.loc["c"]).all()
