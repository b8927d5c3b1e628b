"""Benchmark of the lifetime-value purchase model on holdout periods (issue 5, acceptance 1 and 2).

A purchase is a customer-day; the calibration summary is lifetimes' (days). Per customer, holdout
purchase days predicted by BG/NBD, rate-so-far and "predict zero"; MAE and error of the total.

- CDNOW master (23,570 customers): calibration 1997-01-01..1997-09-30, holdout 1997-10-01..1998-06-30.
  References (lifetimes): Pareto/NBD MAE 0.794, BG/NBD 0.819, zero 0.835, rate-so-far 1.038.
- UCI Online Retail, loaded through a workspace (preset online_retail): calibration to 2011-08-31,
  holdout 2011-09-01..2011-12-09, customers first seen in calibration. References: rate-so-far 0.960,
  BG/NBD 0.992.

Run: ``.venv/bin/python bench/customers.py``; writes bench/results/customers.json.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from pathlib import Path

import pandas as pd

from shopmine.customers.clv.holdout_eval import holdout_predictions, holdout_scores
from shopmine.features import calibration_and_holdout
from shopmine.ingest import IngestOptions
from shopmine.shop import Shop
from shopmine.workspace import Workspace

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


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


def online_retail_calibration(workdir: Path) -> pd.DataFrame:
    shop = Shop(Workspace(workdir / "ws"))
    files = sorted((DATA / "uci_online_retail").glob("*.csv.gz"))
    shop.ingest(files, IngestOptions(preset="online_retail"))
    return calibration_and_holdout(shop.orders(), calibration_end=dt.date(2011, 8, 31),
                                   observation_end=dt.date(2011, 12, 9)).to_pandas()


def score(name: str, calibration: pd.DataFrame) -> pd.DataFrame:
    table = holdout_scores(calibration["frequency_holdout"], holdout_predictions(calibration))
    return table.assign(data=name, customers=len(calibration))


def main() -> None:
    t0 = time.time()
    tables = [score("cdnow", cdnow_calibration())]
    with tempfile.TemporaryDirectory() as tmp:
        tables.append(score("online_retail", online_retail_calibration(Path(tmp))))
    table = pd.concat(tables, ignore_index=True)[["data", "customers", "model", "mae", "predicted_total",
                                                  "actual_total", "total_error"]]
    print(table.round(3).to_string(index=False))
    print(f"{time.time() - t0:.0f} s")
    out = Path(__file__).parent / "results" / "customers.json"
    out.parent.mkdir(exist_ok=True)
    result = {name: {row.model: {"mae": row.mae, "total_error": row.total_error,
                                 "predicted_total": row.predicted_total, "actual_total": row.actual_total}
                     for row in group.itertuples()} | {"customers": int(group["customers"].iloc[0])}
              for name, group in table.groupby("data")}
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
