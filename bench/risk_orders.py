"""Fraudulent orders of a simulated shop, found from the order log (issue 15, acceptance 2).

Protocol
--------
- Data: ``simulate_shop`` (default 5,000 customers, 500 products, 730 days, seed 0), written as CSV; a
  workspace made and loaded with the commands a user types (``shopmine init``, ``shopmine ingest
  orders.csv --products products.csv --customers customers.csv``), in a subprocess.
- Labels: the simulator's truth, ``truth_orders.is_fraud``, written as a labels file ``order_id,is_fraud``.
- Product path: ``shopmine risk train --orders --labels labels.csv`` (subprocess): the order risk table
  (features from each customer's history before the order), the WoE scorecard and the LightGBM challenger
  on the same 5 stratified folds, and the out-of-time check on the latest 20 % of the orders; its
  cross-validated and out-of-time AUC and PR-AUC as it reports them.
- Out of time, per model: the same table (:func:`shopmine.risk.orders_table.shop_order_risk_table`), both
  models trained on the orders up to the 80th percentile of order time (``train_risk``, as the product
  does) and scoring the later orders, never seen: precision among the top 1 % of scores, its lift over the
  base rate, the chance that a random pick of as many orders finds as many frauds (binomial), PR-AUC and
  ROC AUC; the share of each fraud type's orders (new account, account takeover) in the top 1 %.

Run: ``PYTHONPATH=src .venv/bin/python bench/risk_orders.py [--customers N --products M --days D --seed S]``;
prints the tables and writes bench/results/risk_orders.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd
from sklearn.metrics import roc_auc_score

from shopmine.risk import train_risk
from shopmine.risk.model import MODEL_NAMES
from shopmine.risk.orders_evaluation import ranking_summary
from shopmine.risk.orders_table import shop_order_risk_table
from shopmine.shop import Shop
from shopmine.simulate import simulate_shop, write_shop
from shopmine.workspace import Workspace
from shared_data import add_simulated_shop_options

TOP_SHARE = 0.01
TRAIN_QUANTILE = 0.8  # the latest 20 % of the orders by time are scored, as the product's out-of-time check
PRODUCT_KEYS = ["rows", "positives", "base_rate", "served", "scorecard_auc", "scorecard_auc_sd", "challenger_auc",
                "challenger_auc_sd", "scorecard_pr_auc", "challenger_pr_auc", "scorecard_oot_auc",
                "challenger_oot_auc", "oot_rows", "threshold_recall", "labelled_orders", "positive_orders",
                "labels_unknown_ids"]


def shopmine(*args: str) -> float:
    """Run ``shopmine ARGS`` as a user would (this checkout's source); return the wall time in seconds."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src"),
           "PYTHONWARNINGS": "ignore"}
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "shopmine.cli", *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"shopmine {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - t0


def out_of_time(table: pd.DataFrame, truth: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Both models trained on the earlier orders, scoring the later ones: one row per model."""
    cut = table.ordered_at.quantile(TRAIN_QUANTILE)
    earlier, later = table[table.ordered_at <= cut], table[table.ordered_at > cut]
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # odds-ratio bounds overflow on separating bins
        model = train_risk(earlier.drop(columns="customer_id"), target="label", id_col="order_id")
    fit_seconds = time.perf_counter() - t0
    y = later.label.to_numpy()
    kinds = later[["order_id"]].merge(truth[["order_id", "fraud_type"]], on="order_id", how="left")
    rows = []
    for name in MODEL_NAMES:
        scorer = dataclasses.replace(model, served=name)
        scores = scorer.score(later.drop(columns=["customer_id", "label"]), id_col="order_id")
        p = scores.probability.to_numpy()
        summary = ranking_summary(y, p, share=TOP_SHARE)
        top = pd.Series(p).rank(method="first", ascending=False).to_numpy() <= summary["top_rows"]
        kind_of = kinds.fraud_type.astype("string").fillna("").to_numpy(dtype=object)
        # The share of each fraud type's orders that the top holds (its recall at the top).
        caught = {f"top_recall_{kind}": float((top & (kind_of == kind)).sum() / max((kind_of == kind).sum(), 1))
                  for kind in ("new_account", "account_takeover")}
        rows.append({"model": name, "served": name == model.served, **summary, "roc_auc": float(roc_auc_score(y, p)),
                     **caught})
    facts = {"train_until": str(cut), "train_rows": int(len(earlier)), "train_positives": int(earlier.label.sum()),
             "fit_seconds": fit_seconds}
    return pd.DataFrame(rows), facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_simulated_shop_options(parser)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_risk_orders_"))
    t0 = time.perf_counter()
    simulated = simulate_shop(n_customers=args.customers, n_products=args.products, n_days=args.days, seed=args.seed)
    paths = write_shop(simulated, work / "shop", format="csv")
    truth = simulated.to_pandas("truth_orders")
    labels = work / "labels.csv"
    truth.assign(is_fraud=truth.is_fraud.astype(int))[["order_id", "is_fraud"]].to_csv(labels, index=False)
    ws = work / "workspace"
    shopmine("init", str(ws))
    ingest_seconds = shopmine("--workspace", str(ws), "ingest", str(paths["orders"]), "--products",
                              str(paths["products"]), "--customers", str(paths["customers"]))
    setup = time.perf_counter() - t0

    metrics_file = work / "train_metrics.json"
    train_seconds = shopmine("--workspace", str(ws), "risk", "train", "--orders", "--labels", str(labels),
                             "--metrics-output", str(metrics_file))
    product = json.loads(metrics_file.read_text())
    product = {key: product.get(key) for key in PRODUCT_KEYS}

    t1 = time.perf_counter()
    with Shop(Workspace(ws)) as shop:
        table = shop_order_risk_table(shop, labels)
        as_of = shop.as_of
    table_seconds = time.perf_counter() - t1
    oot, facts = out_of_time(table, truth)

    print(f"Simulated shop ({args.customers:,} customers, {args.products:,} products, {args.days} days, seed "
          f"{args.seed}): {len(table):,} orders before {as_of}, {int(table.label.sum()):,} fraud "
          f"({table.label.mean():.2%}); setup {setup:.0f} s (simulate, write, ingest {ingest_seconds:.0f} s); "
          f"order risk table {table_seconds:.1f} s")
    print(f"\nshopmine risk train --orders --labels ({train_seconds:.0f} s):")
    for key, value in product.items():
        print(f"  {key:22s} {value:.4g}" if isinstance(value, float) else f"  {key:22s} {value}")
    print(f"\nOut of time: trained on {facts['train_rows']:,} orders until {facts['train_until']} "
          f"({facts['train_positives']} fraud, {facts['fit_seconds']:.0f} s); scored the later "
          f"{int(oot.rows.iloc[0]):,} orders ({int(oot.positives.iloc[0])} fraud, base rate "
          f"{oot.base_rate.iloc[0]:.2%})")
    shown = oot[["model", "served", "top_rows", "precision_at_top", "lift_at_top", "random_top_p_value", "pr_auc",
                 "roc_auc", "top_recall_new_account", "top_recall_account_takeover"]]
    print(shown.to_string(index=False, float_format=lambda v: f"{v:.3g}"))

    out = Path(__file__).parent / "results" / "risk_orders.json"
    out.parent.mkdir(exist_ok=True)
    result = {
        "machine": {"python": platform.python_version(), "processor": platform.machine(), "cores": os.cpu_count()},
        "protocol": {"data": "simulate_shop", "customers": args.customers, "products": args.products,
                     "days": args.days, "seed": args.seed, "as_of": str(as_of), "labels": "truth_orders.is_fraud",
                     "top_share": TOP_SHARE, "train_quantile": TRAIN_QUANTILE},
        "orders": int(len(table)), "fraud_orders": int(table.label.sum()),
        "seconds": {"setup": setup, "ingest": ingest_seconds, "risk_train_cli": train_seconds,
                    "order_risk_table": table_seconds, "out_of_time_fit": facts["fit_seconds"]},
        "product": product,
        "out_of_time": {**facts, "models": oot.to_dict(orient="records")},
    }
    out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"\nwritten: {out}")


if __name__ == "__main__":
    main()
