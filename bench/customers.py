"""Benchmark of the lifetime-value purchase models on holdout periods (issue 5; issue 11, acceptance 3).

A purchase is a customer-day. Two protocols, reported side by side:

- ``hand``: the calibration summary is prepared here (CDNOW from the text file in pandas; Online Retail
  through the library's calibration split); Pareto/NBD, BG/NBD (our ports of lifetimes' models, checked
  against the published CDNOW estimates in the tests), rate-so-far and "predict zero" are fitted on it.
- ``product``: the raw export is loaded with the library's ingest (``Shop.ingest``; CDNOW's master file
  gets one constant ``product_id`` column, which it lacks, and nothing else), and the holdout
  purchases are predicted by the same call as ``shopmine clv`` (``customer_lifetime_value`` with its
  default ``model="auto"``: the purchase model chosen on a holdout inside the calibration history,
  refitted on all of it, degenerate fits passed over) with ``as_of`` the day after the calibration end and
  the holdout as horizon. The references (rate-so-far, BG/NBD, Pareto/NBD) are fitted on the library's
  calibration summary of the same ingested orders. No hand filtering.

Expected purchases are a mean forecast: models are ranked by RMSE, with MAE and the error of the total beside it.

One more row in the hand protocol, ``mean_fit_on_holdout``, is not a model and not a target: LightGBM
(Poisson) fitted on the holdout counts themselves with 5-fold cross-fitting, on the calibration features the
models see. It shows the level of RMSE a forecast that knows the holdout's level reaches.

- CDNOW master (23,570 customers): calibration 1997-01-01..1997-09-30, holdout 1997-10-01..1998-06-30.
- UCI Online Retail, preset online_retail: calibration to 2011-08-31, holdout 2011-09-01..2011-12-09
  (the pre-Christmas peak, September to November, is in the holdout), customers first seen in calibration.
  ``online_retail_offpeak`` (product path only): calibration to 2011-05-31, holdout 2011-06-01..2011-08-31,
  the same shop without the peak, to show what the peak does.

Run: ``PYTHONPATH=src .venv/bin/python bench/customers.py``; writes bench/results/customers.json.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.model_selection import KFold

from shopmine.customers.clv import customer_lifetime_value
from shopmine.customers.clv.holdout_eval import holdout_predictions, holdout_scores
from shopmine.features import calibration_and_holdout
from shopmine.ingest import IngestOptions
from shopmine.shop import Shop
from shopmine.workspace import Workspace
from shared_data import data_dir

DATA = data_dir()  # --data-dir DIR, $SHOPMINE_DATA or ../shared/data


def cdnow_calibration() -> pd.DataFrame:
    """lifetimes' ``calibration_and_holdout_data`` on CDNOW master with freq='D', in pandas."""
    raw = pd.read_csv(DATA / "cdnow" / "CDNOW_master.txt", sep=r"\s+")
    raw["day"] = pd.to_datetime(raw["date"].astype(str), format="%Y%m%d")
    days = raw.groupby(["customer_id", "day"], as_index=False)["dollar_value"].sum()
    cal_end, obs_end = pd.Timestamp("1997-09-30"), pd.Timestamp("1998-06-30")
    cal = days[days["day"] <= cal_end]
    g = cal.groupby("customer_id")["day"]
    summary = pd.DataFrame({"frequency_cal": g.count() - 1, "recency_cal": (g.max() - g.min()).dt.days,
                            "T_cal": (cal_end - g.min()).dt.days})
    held = days[(days["day"] > cal_end) & (days["day"] <= obs_end)].groupby("customer_id").size()
    summary["frequency_holdout"] = held.reindex(summary.index, fill_value=0)
    summary["duration_holdout"] = (obs_end - cal_end).days
    return summary.reset_index()


def online_retail_shop(workdir: Path) -> Shop:
    """The raw Online Retail export, ingested as ``shopmine ingest --preset online_retail`` does."""
    shop = Shop(Workspace(workdir / "online_retail"))
    shop.ingest(sorted((DATA / "uci_online_retail").glob("*.csv.gz")), IngestOptions(preset="online_retail"))
    return shop


def cdnow_shop(workdir: Path) -> Shop:
    """CDNOW's master file ingested; it has no product column, so one constant ``product_id`` is added."""
    raw = pd.read_csv(DATA / "cdnow" / "cdnow_master.csv.gz", dtype={"customer_id": str})
    path = workdir / "cdnow_master.csv"
    raw.assign(product_id="CD").to_csv(path, index=False)
    shop = Shop(Workspace(workdir / "cdnow"))
    shop.ingest([path], IngestOptions(mapping={"ordered_at": "date", "line_total": "amount"}))
    return shop


def online_retail_calibration(shop: Shop) -> pd.DataFrame:
    return calibration_and_holdout(shop.orders(), calibration_end=dt.date(2011, 8, 31),
                                   observation_end=dt.date(2011, 12, 9)).to_pandas()


def product_path(name: str, shop: Shop, calibration_end: dt.date, observation_end: dt.date) -> pd.DataFrame:
    """The default of ``shopmine clv`` against the references, on the ingested raw export."""
    orders = shop.orders()
    split = calibration_and_holdout(orders, calibration_end=calibration_end,
                                    observation_end=observation_end).to_pandas()
    start = time.perf_counter()
    result = customer_lifetime_value(orders, as_of=calibration_end + dt.timedelta(days=1),
                                     horizon_days=(observation_end - calibration_end).days)
    seconds = time.perf_counter() - start
    served = result.tables["customers"].set_index("customer_id")["expected_purchases"]
    predictions = {f"default ({result.metrics['model']})": served.reindex(split["customer_id"].astype(str)).to_numpy()}
    references = holdout_predictions(split)
    predictions |= {k: references[k] for k in ("rate_so_far", "bgnbd", "pareto_nbd")}
    table = holdout_scores(split["frequency_holdout"], predictions)
    note = result.metrics["fallback_reason"] or ""
    if "selection" in result.tables:
        sel = result.tables["selection"]
        note = ("choice RMSE " + ", ".join(f"{m} {r:.3f}{' (degenerate)' if d else ''}"
                                           for m, r, d in zip(sel["model"], sel["rmse"], sel["degenerate"]))
                + (f"; {note}" if note else ""))
    return table.assign(data=name, protocol="product", customers=len(split), fit_seconds=seconds, note=note)


def mean_fit_on_holdout(calibration: pd.DataFrame, predictions: dict[str, np.ndarray]) -> np.ndarray:
    """Cross-fitted holdout counts from the calibration features (see the module docstring): not a model."""
    features = pd.DataFrame({"frequency": calibration["frequency_cal"], "recency": calibration["recency_cal"],
                             "T": calibration["T_cal"], "since_last": calibration["T_cal"] - calibration["recency_cal"],
                             **{name: predictions[name] for name in ("rate_so_far", "pareto_nbd", "bgnbd")}})
    y = calibration["frequency_holdout"].to_numpy(float)
    out = np.zeros(len(y))
    for train, test in KFold(5, shuffle=True, random_state=0).split(features):
        booster = lgb.LGBMRegressor(objective="poisson", learning_rate=0.05, n_estimators=200, num_leaves=15,
                                    min_child_samples=50, random_state=0, verbose=-1)
        out[test] = booster.fit(features.iloc[train], y[train]).predict(features.iloc[test])
    return out


def score(name: str, calibration: pd.DataFrame) -> pd.DataFrame:
    start = time.perf_counter()
    predictions = holdout_predictions(calibration)
    fit_seconds = time.perf_counter() - start
    predictions["mean_fit_on_holdout"] = mean_fit_on_holdout(calibration, predictions)
    table = holdout_scores(calibration["frequency_holdout"], predictions)
    return table.assign(data=name, protocol="hand", customers=len(calibration), fit_seconds=fit_seconds, note="")


def main() -> None:
    t0 = time.time()
    tables = [score("cdnow", cdnow_calibration())]
    with tempfile.TemporaryDirectory() as tmp:
        retail = online_retail_shop(Path(tmp))
        tables.append(score("online_retail", online_retail_calibration(retail)))
        tables.append(product_path("online_retail", retail, dt.date(2011, 8, 31), dt.date(2011, 12, 9)))
        tables.append(product_path("online_retail_offpeak", retail, dt.date(2011, 5, 31), dt.date(2011, 8, 31)))
        tables.append(product_path("cdnow", cdnow_shop(Path(tmp)), dt.date(1997, 9, 30), dt.date(1998, 6, 30)))
    table = pd.concat(tables, ignore_index=True)[["data", "protocol", "customers", "model", "rmse", "mae",
                                                  "predicted_total", "actual_total", "total_error", "fit_seconds"]]
    with pd.option_context("display.width", 200):
        print(table.round(3).to_string(index=False))
        for frame in tables:
            if frame["note"].iloc[0]:
                print(f"{frame['data'].iloc[0]} ({frame['protocol'].iloc[0]}): {frame['note'].iloc[0]}")
    print(f"{time.time() - t0:.0f} s")
    out = Path(__file__).parent / "results" / "customers.json"
    out.parent.mkdir(exist_ok=True)
    result = {}
    for (name, protocol), group in table.groupby(["data", "protocol"]):
        result.setdefault(name, {})[protocol] = (
            {row.model: {"rmse": row.rmse, "mae": row.mae, "total_error": row.total_error,
                         "predicted_total": row.predicted_total, "actual_total": row.actual_total}
             for row in group.itertuples()}
            | {"customers": int(group["customers"].iloc[0]), "fit_seconds": float(group["fit_seconds"].iloc[0])})
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
