"""Messy inputs (issue 4, acceptance 6): short, all-zero, once-sold and negative series, gaps in dates,
bad horizons and levels without data. Library level, and the CLI's exit 2 naming the option."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shopmine.errors import ShopmineInputError
from shopmine.forecast import run_forecast, series_from_table
from shopmine.forecast.intervals import LEVELS
from shopmine.forecast.run import FALLBACK_MODEL, min_history, short_series
from shopmine.ingest import ingest
from shopmine.workspace import Workspace

END = pd.Timestamp("2024-04-29")
INTERVALS = [f"forecast-{b}-{lv}" for lv in LEVELS for b in ("lo", "hi")]


def _series(uid: str, values, end: pd.Timestamp = END) -> pd.DataFrame:
    return pd.DataFrame({"unique_id": uid, "ds": pd.date_range(end=end, periods=len(values)),
                         "y": np.asarray(values, dtype=float)})


@pytest.fixture(scope="module")
def steady() -> pd.DataFrame:
    """A seller with 120 days of history, so that the other series have company."""
    return _series("steady", np.random.default_rng(0).poisson(4, 120))


def _rows(run, uid: str) -> pd.DataFrame:
    return run.forecasts[run.forecasts["unique_id"] == uid]


def _ordered_intervals(frame: pd.DataFrame) -> bool:
    f = frame
    return bool(((f["forecast-lo-95"] <= f["forecast-lo-80"]) & (f["forecast-lo-80"] <= f["forecast"])
                 & (f["forecast"] <= f["forecast-hi-80"]) & (f["forecast-hi-80"] <= f["forecast-hi-95"])).all())


# --- the fallback rule -------------------------------------------------------------------------

def test_min_history_is_one_more_than_the_season_or_the_window():
    assert min_history(7, 28) == 29
    assert min_history(52, 8) == 53
    assert min_history(12, 6) == 13


def test_short_series_counts_periods_from_the_first_non_zero_value():
    frame = pd.concat([_series("a", [0, 0, 0, 1, 0, 2]), _series("b", [0, 0, 0]), _series("c", [5, 0, 0])])
    # a: 3 periods from its first sale; b: never sold; c: 3 periods
    assert short_series(frame, 3) == {"b"}
    assert short_series(frame, 4) == {"a", "b", "c"}


def test_a_series_with_three_observations_is_served_by_the_window_average(steady):
    run = run_forecast(pd.concat([steady, _series("new", [1, 2, 3])]), horizon=7, freq="D", model="auto",
                       season_length=7, windows=2)
    new = _rows(run, "new")
    assert len(new) == 7 and new["ds"].min() == END + pd.Timedelta(days=1)
    # the mean of its three days, (1 + 2 + 3) / 3, in the forecast and in every model's column
    for col in ("forecast", "naive", "seasonal_naive", "window_average", "ets", "linear", "lgbm", "auto"):
        assert new[col].tolist() == pytest.approx([2.0] * 7), col
    assert set(new["model"]) == {FALLBACK_MODEL}
    assert set(_rows(run, "steady")["model"]) == {run.served} and run.served != FALLBACK_MODEL
    # no backtest errors of its own (born after the last origin): widths borrowed, never missing
    assert new[INTERVALS].notna().all().all() and _ordered_intervals(new)


def test_the_rule_switches_at_min_history(steady):
    # 28 days from the first sale: short, so the mean of the last 28 (27 ones and a final 29 -> 56/28 = 2);
    # 29 days: long enough, so naive gives its last value, 30.
    short = _series("short", [0] * 5 + [1] * 27 + [29])
    full = _series("full", [1] * 28 + [30])
    run = run_forecast(pd.concat([steady, short, full]), horizon=3, freq="D", model="naive", season_length=7,
                       windows=1)
    assert _rows(run, "short")["forecast"].tolist() == pytest.approx([2.0] * 3)
    assert set(_rows(run, "short")["model"]) == {FALLBACK_MODEL}
    assert _rows(run, "full")["forecast"].tolist() == pytest.approx([30.0] * 3)
    assert set(_rows(run, "full")["model"]) == {"naive"}


def test_an_all_zero_series_forecasts_zero_with_zero_width(steady):
    run = run_forecast(pd.concat([steady, _series("never", [0] * 120)]), horizon=7, freq="D", model="auto",
                       season_length=7, windows=2)
    never = _rows(run, "never")
    assert (never[["forecast", *INTERVALS]] == 0).all().all()
    assert set(never["model"]) == {FALLBACK_MODEL}


def test_only_all_zero_series_still_forecast():
    # LightGBM's Tweedie objective refuses labels that sum to zero; such series never reach it.
    run = run_forecast(pd.concat([_series("a", [0] * 60), _series("b", [0] * 60)]), horizon=7, freq="D",
                       model="auto", season_length=7, windows=1)
    assert len(run.forecasts) == 14
    assert (run.forecasts[["forecast", *INTERVALS]] == 0).all().all()
    assert set(run.forecasts["model"]) == {FALLBACK_MODEL}


def test_a_product_sold_once(steady):
    long_ago = _series("long_ago", [6] + [0] * 59)  # 60 days old: every model fits it
    yesterday = _series("yesterday", [5])  # first and only sale on the last day
    run = run_forecast(pd.concat([steady, long_ago, yesterday]), horizon=7, freq="D", model="auto",
                       season_length=7, windows=2)
    old = _rows(run, "long_ago")
    assert set(old["model"]) == {run.served}
    assert np.isfinite(old[["forecast", *INTERVALS]].to_numpy()).all() and (old["forecast"] >= 0).all()
    new = _rows(run, "yesterday")
    assert new["forecast"].tolist() == pytest.approx([5.0] * 7) and set(new["model"]) == {FALLBACK_MODEL}
    assert new[INTERVALS].notna().all().all() and _ordered_intervals(new)
    assert (new["forecast-hi-95"] > 5.0).all()


def test_negative_net_sales_are_modelled_as_they_are():
    # Net sales (sales minus returns) dip below zero on some days; lgbm then uses squared error and
    # the intervals are not cut at zero.
    rng = np.random.default_rng(5)
    net = rng.poisson(2, 140) - rng.poisson(1.5, 140)
    assert (net < 0).sum() > 20
    run = run_forecast(_series("net", net), horizon=7, freq="D", model="lgbm", season_length=7, windows=2)
    f = run.forecasts
    assert np.isfinite(f[["forecast", *INTERVALS]].to_numpy()).all()
    assert (f["forecast-lo-95"] < 0).all()
    assert set(f["model"]) == {"lgbm"}


# --- gaps in dates -----------------------------------------------------------------------------

def test_missing_days_in_a_table_are_days_without_sales():
    table = pd.DataFrame({
        "sku": ["a", "a", "a", "b", "b", "b", "b", "b"],
        "day": ["2024-01-01", "2024-01-02", "2024-01-04", "2024-01-01", "2024-01-02", "2024-01-03",
                "2024-01-04", "2024-01-05"],
        "units": [3, 1, 2, 1, 1, 1, 1, 1],
        "price": [2.0, 2.0, 2.5, 1.0, 1.0, 1.0, 1.0, 1.0],
    })
    s = series_from_table(table, id_col="sku", time_col="day", target_col="units", freq="D")
    a = s[s["unique_id"] == "a"]
    # the gap on the 3rd and the end on the 5th (the table's last day) are filled with 0 units;
    # the price a shopper saw is carried forward
    assert a["ds"].dt.day.tolist() == [1, 2, 3, 4, 5]
    assert a["y"].tolist() == [3.0, 1.0, 0.0, 2.0, 0.0]
    assert a["price"].tolist() == [2.0, 2.0, 2.0, 2.5, 2.5]


def test_monthly_series_shorter_than_the_longest_window_are_still_modelled():
    # 30 months: past min_history (13) but short of the 48-month rolling window of the tree features
    rng = np.random.default_rng(0)
    ds = pd.date_range("2022-01-01", periods=30, freq="MS")
    df = pd.concat([pd.DataFrame({"unique_id": u, "ds": ds, "y": rng.poisson(20, 30).astype(float)})
                    for u in "abc"], ignore_index=True)
    run = run_forecast(df, horizon=3, freq="M", model="lgbm", season_length=12, windows=2)
    f = run.forecasts
    assert len(f) == 9 and set(f["model"]) == {"lgbm"} and f["lgbm"].between(5, 40).all()
    # every month with a year of lags trains: 30 - 12 per series
    assert run.explainers["lgbm"].train_rows_ == 3 * (30 - 12)


def test_weekly_rows_read_as_days_are_refused():
    table = pd.DataFrame({"week": pd.date_range("2024-01-01", periods=10, freq="W-MON"), "sales": range(10)})
    with pytest.raises(ShopmineInputError, match=r"^freq D: the dates in time_col 'week' are at least 7 days"):
        series_from_table(table, id_col=None, time_col="week", target_col="sales", freq="D")


def test_a_hand_made_frame_with_a_gap_is_refused_naming_the_series(steady):
    gappy = steady.drop(index=[50, 51])
    with pytest.raises(ShopmineInputError, match=r"series steady skip or repeat a period at freq D"):
        run_forecast(gappy, horizon=7, freq="D", season_length=7, model="naive")


# --- bad horizons ------------------------------------------------------------------------------

@pytest.mark.parametrize("horizon", [0, -3, 2.5])
def test_run_forecast_refuses_a_bad_horizon(steady, horizon):
    with pytest.raises(ShopmineInputError, match=rf"^horizon must be a whole number of periods, at least 1; "
                                                 rf"got {horizon}\."):
        run_forecast(steady, horizon=horizon, freq="D", season_length=7, model="naive")


# --- the CLI -----------------------------------------------------------------------------------

@pytest.fixture
def table_csv(tmp_path) -> str:
    """Three products over 60 days: a steady one with two days missing, one with three sales, one
    that never sold."""
    rng = np.random.default_rng(2)
    days = pd.date_range("2024-01-01", periods=60)
    steady = pd.DataFrame({"sku": "steady", "day": days, "units": rng.poisson(4, 60)}).drop(index=[10, 11])
    new = pd.DataFrame({"sku": "new", "day": days[-3:], "units": [1, 2, 3]})
    never = pd.DataFrame({"sku": "never", "day": days, "units": 0})
    path = tmp_path / "sales.csv"
    pd.concat([steady, new, never]).to_csv(path, index=False)
    return path


def _data_args(path) -> list:
    return ["forecast", "--data", path, "--id-col", "sku", "--time-col", "day", "--target-col", "units",
            "--freq", "D"]


def test_cli_on_a_messy_table(table_csv, run, tmp_path):
    out = tmp_path / "f.csv"
    code, _, stderr = run(*_data_args(table_csv), "--horizon", "7", "--backtest", "2", "--output", out)
    assert code == 0, stderr
    frame = pd.read_csv(out)
    assert frame.groupby("unique_id").size().to_dict() == {"never": 7, "new": 7, "steady": 7}
    assert set(frame["ds"]) == {f"2024-03-{d:02d}" for d in range(1, 8)}
    served = frame.groupby("unique_id")["model"].first()
    assert served["new"] == served["never"] == FALLBACK_MODEL and served["steady"] != FALLBACK_MODEL
    assert frame.loc[frame["unique_id"] == "new", "forecast"].tolist() == pytest.approx([2.0] * 7)
    assert frame[INTERVALS].notna().all().all()


@pytest.mark.parametrize("value", ["0", "-1", "2.5", "seven"])
def test_cli_bad_horizon_exits_2_naming_the_option(table_csv, run, value):
    code, _, stderr = run(*_data_args(table_csv), "--horizon", value)
    assert code == 2 and "--horizon" in stderr


@pytest.fixture(scope="module")
def plain_workspace(tmp_path_factory):
    """A shop log without categories: p1 sells daily, p2 once, p3 has a day of returns only."""
    root = tmp_path_factory.mktemp("plain")
    rng = np.random.default_rng(4)
    rows = []
    for i, day in enumerate(pd.date_range("2024-01-01", periods=70)):
        rows.append((f"o{i}", f"c{i % 9}", "p1", day + pd.Timedelta(hours=10), int(rng.integers(1, 5)), 3.0))
        if i % 3 == 0:
            rows.append((f"o{i}", f"c{i % 9}", "p3", day + pd.Timedelta(hours=10), 2, 5.0))
    rows.append(("o999", "c1", "p2", pd.Timestamp("2024-02-10 09:00"), 1, 7.5))
    rows.append(("r1", "c2", "p3", pd.Timestamp("2024-03-05 12:00"), -6, 5.0))
    orders = pd.DataFrame(rows, columns=["order_id", "customer_id", "product_id", "ordered_at", "quantity",
                                         "unit_price"])
    path = root / "orders.csv"
    orders.to_csv(path, index=False)
    ws = Workspace(root / "ws")
    ingest(ws, [path])
    return root / "ws"


def test_cli_level_category_without_categories_exits_2(plain_workspace, run):
    code, _, stderr = run("--workspace", plain_workspace, "forecast", "--level", "category", "--horizon", "7")
    assert code == 2 and "--level category: no sold product has a category" in stderr


def test_cli_as_of_before_any_sale_exits_2(plain_workspace, run):
    code, _, stderr = run("--workspace", plain_workspace, "--as-of", "2023-06-01", "forecast", "--horizon", "7")
    assert code == 2 and "--as-of 2023-06-01: no product was sold before this date" in stderr
    code, _, stderr = run("--workspace", plain_workspace, "--as-of", "2023-06-01", "forecast", "--horizon", "7",
                          "--reconcile", "bottom_up")
    assert code == 2 and "--as-of 2023-06-01" in stderr


def test_cli_products_sold_once_or_returned_on_the_workspace(plain_workspace, run, tmp_path):
    # Forecasts are of gross units: the day p3 only had returns counts 0 units, never a negative number.
    out = tmp_path / "f.csv"
    code, _, stderr = run("--workspace", plain_workspace, "forecast", "--horizon", "7", "--backtest", "2",
                          "--output", out)
    assert code == 0, stderr
    frame = pd.read_csv(out)
    assert frame.groupby("unique_id").size().to_dict() == {"p1": 7, "p2": 7, "p3": 7}
    assert (frame[["forecast", *INTERVALS]] >= 0).all().all()
    # p2: sold once, on Feb 10; Feb 10 .. Mar 10 is 30 days, at least min_history (29): all models ran
    assert frame.loc[frame["unique_id"] == "p2", "model"].iloc[0] != FALLBACK_MODEL
