"""Benchmark of the Gamma-Gamma spend inputs: mean over repeat purchase days (lifetimes) or over all of them.

For each split below, both variants are fitted on the calibration purchase days (raw export ingested as
``bench/customers.py`` does, cancellations netted, each day's spend capped at the 99 % quantile of the
calibration days) and predict each customer's spend per purchase day; the truth is the customer's mean
net spend per holdout purchase day. Errors are weighted by the customer's holdout purchase days (that is
how spend enters expected revenue); ``one_time_mae`` is the unweighted MAE of the customers with one
calibration purchase day, whom lifetimes' convention gives the population mean.

Run: ``PYTHONPATH=src .venv/bin/python bench/customers_spend.py``; writes bench/results/customers_spend.json.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from customers import cdnow_shop, online_retail_shop

from shopmine.customers.clv.gamma_gamma import GammaGammaModel
from shopmine.customers.clv.purchase_timing import SPEND_CAP_QUANTILE
from shopmine.features.lines import classify_lines
from shopmine.features.purchases import sale_days

SPLITS = {"online_retail": (dt.date(2011, 8, 31), dt.date(2011, 12, 9)),
          "online_retail_offpeak": (dt.date(2011, 5, 31), dt.date(2011, 8, 31)),
          "cdnow": (dt.date(1997, 9, 30), dt.date(1998, 6, 30))}


def spend_scores(orders, calibration_end: dt.date, observation_end: dt.date) -> dict:
    lines = classify_lines(orders, before=observation_end + dt.timedelta(days=1), bulk=False)
    days = sale_days(lines.filter(lines.is_sale, lines.customer_id.notnull())).to_pandas()
    days["day"] = pd.to_datetime(days["day"]).dt.date
    days["revenue"] = days["revenue"].astype(float).clip(lower=0.0)
    days = days.sort_values(["customer_id", "day"])
    cal, held = days[days["day"] <= calibration_end].copy(), days[days["day"] > calibration_end]
    cal["capped"] = cal["revenue"].clip(upper=cal["revenue"].quantile(SPEND_CAP_QUANTILE))
    cal["repeat"] = cal.groupby("customer_id").cumcount() > 0
    every = cal.groupby("customer_id")["capped"].agg(["size", "mean"])
    repeat = cal[cal["repeat"]].groupby("customer_id")["capped"].agg(["size", "mean"]).reindex(every.index)
    repeat = repeat.fillna(0.0)
    truth = held[held["customer_id"].isin(every.index)].groupby("customer_id")["revenue"].agg(["size", "mean"])
    one_time = repeat.loc[truth.index, "size"] == 0
    out = {"customers_with_holdout_purchases": len(truth), "one_time_buyers_among_them": int(one_time.sum())}
    for name, inputs in (("repeat_days", repeat), ("all_days", every)):
        n, m = inputs["size"].to_numpy(float), inputs["mean"].to_numpy(float)
        model = GammaGammaModel().fit(n, m)
        pred = pd.Series(model.conditional_expected_spend(n, m), inputs.index).loc[truth.index]
        err, w = pred - truth["mean"], truth["size"]
        out[name] = {"rmse": float(np.sqrt(np.average(err**2, weights=w))), "mae": float(np.average(err.abs(), weights=w)),
                     "bias": float(np.average(err, weights=w)), "one_time_mae": float(err[one_time].abs().mean()),
                     **model.params_}
    return out


def main() -> None:
    start, cpu = time.time(), time.process_time()
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        retail, cdnow = online_retail_shop(Path(tmp)), cdnow_shop(Path(tmp))
        for name, (cal_end, obs_end) in SPLITS.items():
            shop = cdnow if name == "cdnow" else retail
            result[name] = spend_scores(shop.orders(), cal_end, obs_end)
    rows = [{"data": d, "inputs": v, **{k: r[v][k] for k in ("rmse", "mae", "bias", "one_time_mae")}}
            for d, r in result.items() for v in ("repeat_days", "all_days")]
    print(pd.DataFrame(rows).round(2).to_string(index=False))
    print(f"{time.time() - start:.0f} s wall, {time.process_time() - cpu:.0f} s CPU")
    out = Path(__file__).parent / "results" / "customers_spend.json"
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
