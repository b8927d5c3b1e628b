"""Speed of recommendations on Online Retail (issue 13, acceptance 4; a benchmark, not a timed test).

Protocol: the raw Online Retail export ingested with ``--preset online_retail`` (or ``--workspace DIR``
already ingested that way), as of the day after the last order. Measured:

- ``fit``: ``Shop.recommend`` of one customer in a workspace without a saved run: builds the
  interactions, fits every candidate model, saves the run and the models (registry, no pickle).
- ``load``: the recommender read back from the saved run (``saved_recommender``: signature and
  checksums verified, ``allow_pickle=False``).
- ``all customers``: every customer seen before the as-of date, k = 10, in-process after training
  (target: under 30 s).
- ``one customer``: ``Recommender.recommend([id], 10)`` on the loaded recommender, 500 customers drawn
  with a fixed seed, after 20 warm-up calls; p50 / p99 / max (target: p99 under 10 ms). Also through
  ``Shop.recommend`` of a Shop that answered once (it checks the loaded batches per call).

Run: ``PYTHONPATH=src .venv/bin/python bench/recommend_speed.py [--workspace DIR]``; prints a table and
writes bench/results/recommend_speed.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from shopmine.recommend.analysis import saved_recommender
from shopmine.runs.layout import analysis_dir
from shopmine.shop import Shop
from shared_data import add_data_dir_option

ALL_TARGET_SECONDS = 30.0
ONE_TARGET_MS = 10.0
N_SINGLE = 500


def _percentiles(ms: np.ndarray) -> dict[str, float]:
    return {"p50_ms": float(np.percentile(ms, 50)), "p99_ms": float(np.percentile(ms, 99)), "max_ms": float(ms.max())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_dir_option(parser)
    parser.add_argument("--workspace", type=Path, default=None,
                        help="an Online Retail workspace already ingested with --preset online_retail")
    args = parser.parse_args()
    if args.workspace is None:
        from customers import online_retail_shop

        shop = online_retail_shop(Path(tempfile.mkdtemp(prefix="bench_recommend_speed_")))
        workspace = shop.workspace
    else:
        workspace = args.workspace
        shop = Shop(workspace)
    folder = analysis_dir(shop.workspace, "recommend")
    if folder.exists():  # a fit is measured from scratch
        shutil.rmtree(folder)

    t0 = time.perf_counter()
    first_id = "12347"
    shop.recommend(customers=[first_id], k=10)
    fit_seconds = time.perf_counter() - t0

    t0 = time.perf_counter()
    recommender, run_id = saved_recommender(shop.workspace, shop.as_of)
    load_seconds = time.perf_counter() - t0

    ids = recommender.customer_ids_
    t0 = time.perf_counter()
    every = recommender.recommend(ids, 10)
    all_seconds = time.perf_counter() - t0

    rng = np.random.default_rng(0)
    picks = rng.choice(ids, size=N_SINGLE, replace=True)
    for cid in picks[:20]:
        recommender.recommend([cid], 10)
    single = []
    for cid in picks:
        t = time.perf_counter()
        recommender.recommend([cid], 10)
        single.append((time.perf_counter() - t) * 1000)
    single = np.asarray(single)

    answering = Shop(workspace)
    answering.recommend(customers=[first_id], k=10)  # loads the saved run once
    via_shop = []
    for cid in picks[:100]:
        t = time.perf_counter()
        answering.recommend(customers=[cid], k=10)
        via_shop.append((time.perf_counter() - t) * 1000)
    via_shop = np.asarray(via_shop)

    one = _percentiles(single)
    shop_one = _percentiles(via_shop)
    table = pd.DataFrame([
        {"step": "fit + save (Shop.recommend, no saved run)", "seconds": fit_seconds, "target": ""},
        {"step": "load the saved run's recommender", "seconds": load_seconds, "target": ""},
        {"step": f"all {len(ids):,} customers, k=10 ({len(every):,} rows)", "seconds": all_seconds,
         "target": f"< {ALL_TARGET_SECONDS:.0f} s: {'met' if all_seconds < ALL_TARGET_SECONDS else 'NOT met'}"},
        {"step": f"one customer, Recommender.recommend: p50 {one['p50_ms']:.2f} ms, p99", "seconds": one["p99_ms"] / 1000,
         "target": f"p99 < {ONE_TARGET_MS:.0f} ms: {'met' if one['p99_ms'] < ONE_TARGET_MS else 'NOT met'}"},
        {"step": f"one customer, Shop.recommend (checks batches): p50 {shop_one['p50_ms']:.1f} ms, p99",
         "seconds": shop_one["p99_ms"] / 1000, "target": ""},
    ])
    print(f"Online Retail as of {shop.as_of}: {len(ids):,} customers x {len(recommender.product_ids_):,} products; "
          f"saved run {run_id}")
    print(table.to_string(index=False, formatters={"seconds": lambda v: f"{v:.4f}"}))
    out = Path(__file__).parent / "results" / "recommend_speed.json"
    out.parent.mkdir(exist_ok=True)
    result = {"machine": {"python": platform.python_version(), "processor": platform.machine()},
              "as_of": str(shop.as_of), "customers": int(len(ids)), "products": int(len(recommender.product_ids_)),
              "fit_and_save_seconds": fit_seconds, "load_seconds": load_seconds,
              "all_customers_seconds": all_seconds, "all_customers_rows": int(len(every)),
              "all_target_seconds": ALL_TARGET_SECONDS, "all_target_met": all_seconds < ALL_TARGET_SECONDS,
              "one_customer_recommender": one, "one_customer_shop": shop_one,
              "one_target_ms": ONE_TARGET_MS, "one_target_met": one["p99_ms"] < ONE_TARGET_MS}
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written: {out}")


if __name__ == "__main__":
    main()
