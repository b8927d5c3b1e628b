"""Does the model choice inside the shop's history pick the model that wins on the real holdout? (issue 11)

For each split of ``bench/customers.py`` (product path: raw export ingested, cancellations netted), Pareto/NBD,
BG/NBD and MBG/CNBD-k are fitted on three calibration/holdout splits and scored on RMSE of holdout purchase
days, with their equal-weight average and rate-so-far beside them:

- ``outer``: the bench's own split (calibration to the as-of date, the real holdout after it);
- ``inner_third``: the split ``shopmine clv`` chooses on (the last third of the history before the as-of date,
  :func:`~shopmine.customers.clv.selection.holdout_length`);
- ``inner_matched``: the holdout takes the same share of the inner period as the real horizon takes of
  history + horizon (the real split's proportions, as far as the history allows).

``z`` columns: paired test of the squared-error differences per customer (mean / standard error), negative
when the first model is better; |z| < 2 means the split cannot tell the two models apart.

Run: ``PYTHONPATH=src .venv/bin/python bench/customers_choice.py``; writes bench/results/customers_choice.json.
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

from shopmine.customers.clv.degenerate import degenerate_reason
from shopmine.customers.clv.holdout_eval import rate_so_far
from shopmine.customers.clv.models import fit_purchase_model
from shopmine.customers.clv.purchase_timing import purchase_timing
from shopmine.customers.clv.selection import holdout_length
from shopmine.features import calibration_and_holdout, customer_summary

SPLITS = {"cdnow": (dt.date(1997, 9, 30), dt.date(1998, 6, 30)),
          "online_retail": (dt.date(2011, 8, 31), dt.date(2011, 12, 9)),
          "online_retail_offpeak": (dt.date(2011, 5, 31), dt.date(2011, 8, 31))}
MODELS = ("pareto_nbd", "mbgcnbd", "bgnbd")


def split_scores(orders, calibration_end: dt.date, observation_end: dt.date) -> dict:
    split = calibration_and_holdout(orders, calibration_end=calibration_end,
                                    observation_end=observation_end).to_pandas()
    split["customer_id"] = split["customer_id"].astype(str)
    x, tx, t = (split[c].to_numpy(float) for c in ("frequency_cal", "recency_cal", "T_cal"))
    y = split["frequency_holdout"].to_numpy(float)
    timing, _ = purchase_timing(orders, end=calibration_end, observed_until=observation_end)
    litt = split[["customer_id"]].merge(timing.to_pandas(), on="customer_id", how="left")["litt"].fillna(0.0).to_numpy()
    horizon = (observation_end - calibration_end).days
    preds, out = {}, {"calibration_end": str(calibration_end), "holdout_days": horizon, "customers": len(y)}
    for name in MODELS:
        model = fit_purchase_model(name, x, tx, t, litt)
        preds[name] = model.expected_purchases(horizon, x, tx, t)
        out[f"{name}_degenerate"] = degenerate_reason(model, x, tx, t, litt) or ""
    preds["equal_average"] = np.mean([preds[m] for m in MODELS], axis=0)
    preds["rate_so_far"] = rate_so_far(x, t, horizon)
    for name, p in preds.items():
        out[f"{name}_rmse"] = float(np.sqrt(((p - y) ** 2).mean()))
    for a, b in (("pareto_nbd", "mbgcnbd"), ("pareto_nbd", "bgnbd"), ("mbgcnbd", "bgnbd")):
        d = (preds[a] - y) ** 2 - (preds[b] - y) ** 2
        out[f"z_{a}_vs_{b}"] = float(d.mean() / (d.std(ddof=1) / np.sqrt(len(d))))
    return out


def main() -> None:
    start, cpu = time.time(), time.process_time()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        shops = {"online_retail": online_retail_shop(Path(tmp)), "cdnow": cdnow_shop(Path(tmp))}
        for data, (cal_end, obs_end) in SPLITS.items():
            orders = shops["cdnow" if data == "cdnow" else "online_retail"].orders()
            as_of = cal_end + dt.timedelta(days=1)
            first = pd.Timestamp(customer_summary(orders, as_of=as_of).to_pandas()["first_purchase"].min()).date()
            history, horizon = (as_of - first).days, (obs_end - cal_end).days
            inner = {"inner_third": holdout_length(first, as_of), "inner_matched": history * horizon // (history + horizon)}
            rows.append({"data": data, "split": "outer", **split_scores(orders, cal_end, obs_end)})
            for split, days in inner.items():
                inner_end = as_of - dt.timedelta(days=days + 1)
                rows.append({"data": data, "split": split,
                             **split_scores(orders, inner_end, as_of - dt.timedelta(days=1))})
    table = pd.DataFrame(rows)
    cols = ["data", "split", "holdout_days", *[f"{m}_rmse" for m in (*MODELS, "equal_average", "rate_so_far")],
            *[c for c in table.columns if c.startswith("z_")]]
    with pd.option_context("display.width", 250):
        print(table[cols].round(4).to_string(index=False))
    for row in rows:
        bad = {m: row[f"{m}_degenerate"] for m in MODELS if row[f"{m}_degenerate"]}
        if bad:
            print(row["data"], row["split"], "degenerate:", "; ".join(f"{m}: {r}" for m, r in bad.items()))
    print(f"{time.time() - start:.0f} s wall, {time.process_time() - cpu:.0f} s CPU (this process)")
    out = Path(__file__).parent / "results" / "customers_choice.json"
    out.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
