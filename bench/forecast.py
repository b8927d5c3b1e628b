"""Benchmark of ``shopmine.forecast`` on UCI Online Retail (issue 4, acceptance 1).

Protocol: product lines (StockCode upper-cased, starting with five digits), no cancellations, no
non-positive quantities or prices; gross daily units per product, zero-filled from each product's
first sale; 2011-12-09 dropped; the last 28 days (2011-11-11..2011-12-08) held out; the 500 best
sellers by training units among products first sold at least 8 weeks before the cutoff.

Run: ``.venv/bin/python bench/forecast.py [--windows K]``; writes bench/results/forecast.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pandas as pd

from shopmine.forecast import run_forecast
from shopmine.forecast.metrics import evaluate, series_scales

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "uci_online_retail"
CUTOFF = pd.Timestamp("2011-11-10")  # last training day
HORIZON = 28


def online_retail_series() -> pd.DataFrame:
    raw = pd.concat([pd.read_csv(p, dtype={"InvoiceNo": str, "StockCode": str}) for p in sorted(DATA.glob("*.csv.gz"))])
    code = raw["StockCode"].str.upper()
    keep = code.str.match(r"^\d{5}") & ~raw["InvoiceNo"].str.startswith("C") & (raw["Quantity"] > 0) & (raw["UnitPrice"] > 0)
    lines = raw[keep].assign(unique_id=code[keep], ds=pd.to_datetime(raw.loc[keep, "InvoiceDate"]).dt.normalize())
    lines = lines[lines["ds"] < "2011-12-09"]
    daily = lines.groupby(["unique_id", "ds"], as_index=False)["Quantity"].sum().rename(columns={"Quantity": "y"})
    end = daily["ds"].max()
    parts = []
    for uid, g in daily.groupby("unique_id"):
        full = pd.date_range(g["ds"].min(), end, freq="D")
        parts.append(pd.DataFrame({"unique_id": uid, "ds": full,
                                   "y": g.set_index("ds")["y"].reindex(full, fill_value=0).astype(float).to_numpy()}))
    return pd.concat(parts, ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--windows", type=int, default=3)
    args = parser.parse_args()
    t0 = time.time()
    series = online_retail_series()
    first = series.groupby("unique_id")["ds"].min()
    eligible = first[first <= CUTOFF - pd.Timedelta(weeks=8)].index
    train = series[(series["ds"] <= CUTOFF) & series["unique_id"].isin(eligible)]
    top = train.groupby("unique_id")["y"].sum().sort_values(ascending=False).head(500).index
    train = train[train["unique_id"].isin(top)]
    test = series[(series["ds"] > CUTOFF) & series["unique_id"].isin(top)]
    run = run_forecast(train, horizon=HORIZON, freq="D", model="auto", season_length=7, windows=args.windows,
                       step=7, window_size=28)
    models = ["naive", "seasonal_naive", "window_average", "ets", "linear", "lgbm", "auto"]
    merged = test.merge(run.forecasts, on=["unique_id", "ds"])
    scores = evaluate(merged, models, series_scales(train, 7))
    table = pd.DataFrame(scores).T[["rmsse", "wape", "mase", "mae", "rmse"]]
    print(table.round(3).to_string())
    print(f"auto served: {run.served}; {time.time() - t0:.0f} s")
    out = Path(__file__).parent / "results" / "forecast.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"online_retail": {"served": run.served, "holdout": scores,
                                                 "backtest": run.metrics}}, indent=2, default=float) + "\n")


if __name__ == "__main__":
    main()
