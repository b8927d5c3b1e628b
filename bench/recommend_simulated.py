"""Recommendation models on a simulated shop, beside the oracle (issue 13, acceptance 2).

Protocol
--------
- Data: ``simulate_shop(n_customers=5000, n_products=500, n_days=730, seed=0)`` (2023-01-01 ..
  2024-12-30), written as CSV and ingested as ``shopmine demo`` does (orders, products, customers).
- Split: like the Online Retail protocol of ``bench/recommend.py`` with the last 30 days as the test:
  train on net purchases before 2024-12-01, test = distinct products bought 2024-12-01..2024-12-30 by
  customers seen in training (:func:`shopmine.recommend.evaluation.temporal_split`); variants ``all``
  and ``new`` (items never bought before; recommendations leave out bought products).
- Models: every model in ``bench/recommend.py``'s :data:`MODELS` registry when this runs, fitted on the
  training interactions; metrics at k = 10 as there.
- Oracle: :func:`shopmine.simulate.true_ranking` for the same test customers, as of 2024-12-01, 30 days
  (``exclude_bought`` in the ``new`` variant): each customer's products by their true probability of
  purchase given the history, from the simulator's truth (favourites and their cycles, complements,
  category tastes). No model can know more than the truth; the gap to it is what is left to learn.

Run: ``PYTHONPATH=src .venv/bin/python bench/recommend_simulated.py [--customers N --products M
--days D --seed S]``; prints one table per variant and writes bench/results/recommend_simulated.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import tempfile
import time
from pathlib import Path

import pandas as pd

from recommend import HORIZON_DAYS, K, MODELS, print_variants, result_row, run_models
from shopmine.ingest import IngestOptions
from shopmine.recommend.evaluation import VARIANTS, Split, evaluate, temporal_split
from shopmine.shop import Shop
from shopmine.simulate import SimulatedShop, simulate_shop, true_ranking, write_shop
from shopmine.workspace import Workspace
from shared_data import add_simulated_shop_options

ORACLE = "oracle"


def simulated_split(simulated: SimulatedShop, workdir: Path, horizon_days: int = HORIZON_DAYS) -> Split:
    """Write and ingest ``simulated``; the temporal split with the last ``horizon_days`` as the test."""
    paths = write_shop(simulated, workdir / "shop", format="csv")
    with Shop(Workspace(workdir / "workspace")) as shop:
        shop.ingest([paths["orders"]], IngestOptions(), products=[paths["products"]],
                    customers=[paths["customers"]])
        period = simulated.ground_truth["period"]
        as_of = dt.date.fromisoformat(period["end"]) - dt.timedelta(days=horizon_days - 1)
        return temporal_split(shop.orders(), as_of, horizon_days, products=shop.products())


def oracle_rows(simulated: SimulatedShop, split: Split, k: int = K) -> pd.DataFrame:
    """The oracle's metrics in both variants, as rows like :func:`run_models`' (fit time = ranking time)."""
    rows = []
    for variant in VARIANTS:
        truth = split.truth(variant)
        t0 = time.perf_counter()
        recs = true_ranking(simulated, split.as_of, k, horizon_days=split.horizon_days,
                            exclude_bought=variant == "new", customers=truth["customer_id"].unique())
        seconds = time.perf_counter() - t0
        rows.append(result_row(variant, ORACLE, evaluate(recs, truth, k, split.train.n_products), seconds, k))
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_simulated_shop_options(parser)
    args = parser.parse_args()
    t0 = time.perf_counter()
    simulated = simulate_shop(n_customers=args.customers, n_products=args.products, n_days=args.days,
                              seed=args.seed)
    split = simulated_split(simulated, Path(tempfile.mkdtemp(prefix="bench_recsim_")))
    setup = time.perf_counter() - t0
    table = pd.concat([run_models(split, MODELS), oracle_rows(simulated, split)], ignore_index=True)
    table = table.drop(columns=["issue_recall", "issue_ndcg"], errors="ignore")
    best = table[table["model"] != ORACLE]
    print(f"Simulated shop ({args.customers:,} customers, {args.products:,} products, {args.days} days, "
          f"seed {args.seed}): train before {split.as_of}, test {HORIZON_DAYS} days; "
          f"{split.train.n_customers:,} customers x {split.train.n_products:,} products in training "
          f"({split.train.matrix.nnz:,} pairs); setup {setup:.0f} s (simulate, write, ingest, split)")

    def against_oracle(variant: str, part: pd.DataFrame) -> None:
        models = best[best["variant"] == variant]
        top = models.loc[models["recall@10"].idxmax()]
        oracle = part[part["model"] == ORACLE].iloc[0]
        print(f"best model {top['model']}: recall@10 {top['recall@10']:.3f} = "
              f"{top['recall@10'] / oracle['recall@10']:.0%} of the oracle's {oracle['recall@10']:.3f}")

    print_variants(table, against_oracle)
    out = Path(__file__).parent / "results" / "recommend_simulated.json"
    out.parent.mkdir(exist_ok=True)
    result = {
        "machine": {"python": platform.python_version(), "processor": platform.machine()},
        "protocol": {"data": "simulate_shop", "customers": args.customers, "products": args.products,
                     "days": args.days, "seed": args.seed, "as_of": str(split.as_of),
                     "horizon_days": HORIZON_DAYS, "k": K},
        "train": {"customers": split.train.n_customers, "products": split.train.n_products,
                  "pairs": int(split.train.matrix.nnz)},
        "results": {variant: table[table["variant"] == variant].drop(columns="variant")
                    .to_dict(orient="records") for variant in VARIANTS},
    }
    out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"\nwritten: {out}")


if __name__ == "__main__":
    main()
