"""Benchmark of ``shopmine.forecast`` on UCI Online Retail and the 45 Walmart stores (issue 4,
acceptances 1 and 2).

Protocol: product lines (StockCode upper-cased, starting with five digits), no cancellations, no
non-positive quantities or prices; gross daily units per product, zero-filled from each product's
first sale; 2011-12-09 dropped; the last 28 days (2011-11-11..2011-12-08) held out; the 500 best
sellers by training units among products first sold at least 8 weeks before the cutoff.

Walmart protocol: weekly sales of 45 stores (``walmart_45_stores_weekly.csv`` through the same
path as ``--data``), the last 8 weeks held out, season 52; the holiday flag is known in advance
(given for the held-out weeks as future values), temperature, fuel price, CPI and unemployment are
used lagged only. Run twice, with and without the drivers, to show what they add.

Product path (issue 11, acceptance 3): the raw export loaded with the library's ingest
(``Shop.ingest`` with the ``online_retail`` preset, as ``shopmine ingest --preset online_retail``), the
series built by the same call as ``shopmine forecast`` (``Shop.forecast_series``: every product, net units
with bulk lines capped, nothing filtered by hand) at ``--as-of 2011-11-11``, and the command's default
run (``run_forecast`` with its default backtest windows and AutoETS on the 200 best sellers) over the
same 28 days. Truth: each product's net units sold (cancellations removed, bulk lines as ordered) on
the held-out days, from the same workspace at its full history. Scored twice: on every product
series (every model but AutoETS, which the default runs only on the best sellers) and on the best
sellers AutoETS forecast (every model).

Run: ``.venv/bin/python bench/forecast.py [--windows K] [--protocols hand,product]``; writes
bench/results/forecast.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path

import pandas as pd

from shopmine.forecast import run_forecast
from shopmine.forecast.data import series_from_table
from shopmine.forecast.metrics import evaluate, series_scales
from shopmine.ingest import IngestOptions
from shopmine.shop import Shop
from shopmine.workspace import Workspace
from shared_data import add_data_dir_option, data_dir

SHARED = data_dir()  # --data-dir DIR, $SHOPMINE_DATA or ../shared/data
DATA = SHARED / "uci_online_retail"
WALMART = SHARED / "walmart_store_sales" / "walmart_45_stores_weekly.csv"
MODELS = ["naive", "seasonal_naive", "window_average", "ets", "linear", "lgbm", "auto"]
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


def walmart(windows: int) -> dict:
    """Scores on the last 8 weeks, with the drivers and without them."""
    series = series_from_table(pd.read_csv(WALMART), id_col="Store", time_col="Date",
                               target_col="Weekly_Sales", freq="W")
    held_out = sorted(series["ds"].unique())[-8:]
    train, test = series[~series["ds"].isin(held_out)], series[series["ds"].isin(held_out)]
    out = {}
    for name, frame, future in (
        ("with drivers", train, test[["unique_id", "ds", "Holiday_Flag"]]),
        ("without drivers", train[["unique_id", "ds", "y"]], None),
    ):
        run = run_forecast(frame, horizon=8, freq="W", model="auto", season_length=52, windows=windows,
                           future=future)
        merged = test[["unique_id", "ds", "y"]].merge(run.forecasts, on=["unique_id", "ds"])
        scores = evaluate(merged, MODELS, series_scales(frame, 52))
        table = pd.DataFrame(scores).T[["rmsse", "wape", "mase", "mae", "rmse"]]
        print(f"\nWalmart, 45 stores, last 8 weeks held out ({name}):")
        print(table.round(3).to_string())
        print(f"auto served: {run.served}")
        out[name] = {"served": run.served, "holdout": scores, "backtest": run.metrics}
    return out


def scored(merged: pd.DataFrame, models: list[str], scales: pd.DataFrame, title: str) -> dict:
    scores = evaluate(merged, models, scales)
    table = pd.DataFrame(scores).T[["rmsse", "wape", "mase", "mae", "rmse"]]
    print(f"\n{title}:")
    print(table.round(3).to_string())
    return scores


def product_path() -> dict:
    """The default ``shopmine forecast`` on the ingested raw export (see the module docstring)."""
    t0 = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Workspace(Path(tmp) / "online_retail")
        Shop(workspace).ingest(sorted(DATA.glob("*.csv.gz")), IngestOptions(preset="online_retail"))
        as_of = (CUTOFF + pd.Timedelta(days=1)).date()
        train = Shop(workspace, as_of=as_of).forecast_series(level="product", freq="D")
        truth = Shop(workspace, as_of=dt.date(2011, 12, 9)).forecast_series(level="product", freq="D",
                                                                            keep_outliers=True)
    ingest_s = time.time() - t0
    start = time.time()
    run = run_forecast(train, horizon=HORIZON, freq="D", model="auto", season_length=7)
    fit_s = time.time() - start
    held = truth[(truth["ds"] > CUTOFF)][["unique_id", "ds", "y"]]
    merged = run.forecasts.merge(held, on=["unique_id", "ds"], how="left").fillna({"y": 0.0})
    scales = series_scales(train[["unique_id", "ds", "y"]], 7)
    everything = [m for m in MODELS if m != "ets"]
    out = {"series": int(train["unique_id"].nunique()), "served": run.served, "ingest_s": ingest_s, "fit_s": fit_s,
           "all_series": scored(merged, everything, scales,
                                f"Product path, every product series ({train['unique_id'].nunique():,}), "
                                "every model but AutoETS"),
           "ets_series": scored(merged[merged["ets"].notna()], MODELS, scales,
                                f"Product path, the {merged.loc[merged['ets'].notna(), 'unique_id'].nunique()} "
                                "best sellers AutoETS forecast")}
    print(f"auto served: {run.served}; ingest and series {ingest_s:.0f} s, forecast {fit_s:.0f} s")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--windows", type=int, default=3)
    parser.add_argument("--protocols", default="hand,product")
    add_data_dir_option(parser)
    args = parser.parse_args()
    protocols = args.protocols.split(",")
    out = Path(__file__).parent / "results" / "forecast.json"
    results = json.loads(out.read_text()) if out.exists() else {}
    if "product" in protocols:
        results["online_retail_product_path"] = product_path()
        out.write_text(json.dumps(results, indent=2, default=float) + "\n")
    if "hand" not in protocols:
        return
    t0 = time.time()
    series = online_retail_series()
    first = series.groupby("unique_id")["ds"].min()
    eligible = first[first <= CUTOFF - pd.Timedelta(weeks=8)].index
    train = series[(series["ds"] <= CUTOFF) & series["unique_id"].isin(eligible)]
    top = train.groupby("unique_id")["y"].sum().sort_values(ascending=False).head(500).index
    train = train[train["unique_id"].isin(top)]
    test = series[(series["ds"] > CUTOFF) & series["unique_id"].isin(top)]
    # Every model on every one of the 500 series (AutoETS included): this protocol compares the models.
    run = run_forecast(train, horizon=HORIZON, freq="D", model="auto", season_length=7, windows=args.windows,
                       step=7, window_size=28, ets_series=None)
    merged = test.merge(run.forecasts, on=["unique_id", "ds"])
    scores = evaluate(merged, MODELS, series_scales(train, 7))
    table = pd.DataFrame(scores).T[["rmsse", "wape", "mase", "mae", "rmse"]]
    print(table.round(3).to_string())
    print(f"auto served: {run.served}; {time.time() - t0:.0f} s")
    auto = run.metrics["auto"]
    print(f"auto backtest interval coverage: 80 % -> {auto['coverage_80']:.3f}, 95 % -> {auto['coverage_95']:.3f}")
    walmart_scores = walmart(args.windows)
    out.parent.mkdir(exist_ok=True)
    results |= {"online_retail": {"served": run.served, "holdout": scores, "backtest": run.metrics},
                "walmart": walmart_scores}
    out.write_text(json.dumps(results, indent=2, default=float) + "\n")


if __name__ == "__main__":
    main()
