"""Benchmark of the recommendation models on held-out future purchases (issue 13, acceptance 1).

Protocol
--------
- Data: the raw UCI Online Retail export (``<data dir>/uci_online_retail/*.csv.gz``), ingested as
  ``shopmine ingest --preset online_retail`` does (``bench/customers.py::online_retail_shop``); no
  other filtering. ``--workspace DIR`` reuses a workspace ingested that way (the ingest takes a minute).
- Split (:func:`shopmine.recommend.evaluation.temporal_split`): train on net purchases before
  2011-11-10; test = distinct products bought 2011-11-10..2011-12-09 (30 days, net of cancellations: a
  wholly cancelled sale is no purchase) by customers seen in training. Guests are never customers.
- Variants: ``all`` (every test item; recommendations may repeat past purchases) and ``new`` (test items
  the customer never bought before 2011-11-10; customers without one are left out; recommendations
  leave out bought products).
- Metrics at k = 10, averaged over test customers, binary relevance: recall, precision, NDCG (ideal DCG
  over min(k, |test items|)), MAP, hit rate, catalogue coverage (distinct recommended products / products
  bought in training); fit seconds (one fit, used for both variants).
- Every model is fitted on the training interactions only; a model that chooses hyper-parameters does so
  on a validation split inside the training period (never on the test month). Nothing here is tuned to
  Online Retail: the same code runs on any shop.
- References measured by the issue with this protocol (recall@10 / NDCG@10) are printed beside.
  Recent popularity reproduces them (0.060 / 0.143 all items, 0.045 / 0.082 new items). The repeat
  reference comes out at 0.168 / 0.317 against the issue's 0.171 / 0.319 (1.5 % and 0.6 % lower).
  Checked (scratch scripts, not kept): ranking by distinct orders or lines instead of days, or
  filling short lists with recent popularity, moves it by at most 0.001; a gross test set (sales
  not net of cancellations) gives 0.167 / 0.317; the raw export read in pandas with POST, M, C2,
  DOT and BANK CHARGES counted as products (ingest's preset makes them non-product lines: POST is
  bought again by most customers who bought it) gives 0.170 / 0.325. So the gap is the test-set
  details of the issue's own measurement, within 2 %; the bench compares every model on the same
  split, which is what the target is about.

Models come from :data:`MODELS`, a name -> factory registry: adding a model is one line.

The default recommender (``rerank``, :mod:`shopmine.recommend.rerank`) and the target
-------------------------------------------------------------------------------------
``rerank`` is a LightGBM LambdaRank over the candidates of repeat purchases, recent popularity,
item-kNN, ALS and EASE, trained on the splits at as_of - 30 and as_of - 60 days of the training data
(its boosting rounds chosen on the later one): everything it learns is before 2011-11-10. ``als`` is
tuned the same way (:class:`shopmine.recommend.tuning.TunedModel`, NDCG@10 on the month before the
as-of date). The target (acceptance 1) is checked on this run's own figures (:func:`target_check`):
in both variants, ``rerank`` at least 10 % above the best reference (repeat, ALS tuned, item-kNN of
either weighting, recent popularity) on recall@10 and NDCG@10; the table also gives its gain over the
best of all models run (EASE, co-purchase ... included), a stricter comparison.

Run: ``PYTHONPATH=src .venv/bin/python bench/recommend.py [--workspace DIR] [--data-dir DIR]``;
prints one table per variant and writes bench/results/recommend.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from shopmine.recommend.als import ALS
from shopmine.recommend.base import CandidateModel
from shopmine.recommend.bpr import BPR
from shopmine.recommend.ease import EASE
from shopmine.recommend.item_knn import ItemKNN
from shopmine.recommend.rerank import Reranker
from shopmine.recommend.tuning import ALS_GRID, TunedModel
from shopmine.recommend.copurchase import CoPurchase
from shopmine.recommend.evaluation import VARIANTS, Split, evaluate, model_recommendations, temporal_split
from shopmine.recommend.popularity import Popularity
from shopmine.recommend.recommender import Recommender
from shopmine.recommend.repeat import PurchaseCycle, RepeatPurchases
from shopmine.recommend.segment_popularity import SegmentPopularity
from shopmine.shop import Shop
from shared_data import add_data_dir_option

AS_OF = dt.date(2011, 11, 10)
HORIZON_DAYS = 30
K = 10

#: The models run, in table order: name -> factory of an unfitted model.
MODELS: dict[str, Callable[[], CandidateModel]] = {
    "popular": lambda: Popularity(),
    "popular_recent": lambda: Popularity(window_days=30),
    "popular_segment": lambda: SegmentPopularity(),
    "repeat": lambda: RepeatPurchases(),
    "repeat_cycle": lambda: PurchaseCycle(),
    "copurchase": lambda: CoPurchase(),
    # The facade's fixed blend (what Recommender(ranker="blend") serves when no re-ranker is wanted).
    "blend": lambda: Recommender(ranker="blend"),
    # The learned models (reclearn): defaults, ALS tuned on the month before the as-of date (its
    # validation NDCG@10 on all items), and the default recommender, the re-ranker over candidates.
    "item_knn_cosine": lambda: ItemKNN(weighting="cosine"),
    "item_knn_bm25": lambda: ItemKNN(weighting="bm25"),
    "als": lambda: TunedModel(ALS(), ALS_GRID, horizon_days=HORIZON_DAYS),
    "bpr": lambda: BPR(),
    "ease": lambda: EASE(),
    "rerank": lambda: Reranker(horizon_days=HORIZON_DAYS),
}

#: The issue's figures with this protocol: (recall@10, NDCG@10) per variant and model.
REFERENCES = {
    "all": {"repeat": (0.171, 0.319), "als": (0.145, 0.283), "item_knn": (0.118, 0.221),
            "popular_recent": (0.061, 0.143)},
    "new": {"als": (0.062, 0.096), "popular_recent": (0.045, 0.082), "item_knn": (0.030, 0.045)},
}


#: The default recommender and the models the target compares it with (issue 13, acceptance 1): the
#: issue's references (both item-kNN weightings count as item-kNN), then every other model too.
DEFAULT_MODEL = "rerank"
TARGET_REFERENCES = ("repeat", "als", "item_knn_cosine", "item_knn_bm25", "popular_recent")
TARGET_GAIN = 0.10


def target_check(table: pd.DataFrame, k: int = K) -> pd.DataFrame:
    """Per variant and metric: the default's score, the best reference's (and which) in the same run,
    the relative gain and whether it reaches :data:`TARGET_GAIN`; also against the best of all models."""
    rows = []
    for variant in VARIANTS:
        part = table[table["variant"] == variant].set_index("model")
        if DEFAULT_MODEL not in part.index:
            continue
        for metric in (f"recall@{k}", f"ndcg@{k}"):
            own = float(part.loc[DEFAULT_MODEL, metric])
            for against, names in (("references", [m for m in TARGET_REFERENCES if m in part.index]),
                                   ("all models", [m for m in part.index if m != DEFAULT_MODEL])):
                best = part.loc[names, metric].idxmax()
                gain = own / float(part.loc[best, metric]) - 1.0
                rows.append({"variant": variant, "metric": metric, "against": against, "best": best,
                             "best_score": float(part.loc[best, metric]), DEFAULT_MODEL: own,
                             "gain": gain, "target_met": bool(gain >= TARGET_GAIN)})
    return pd.DataFrame(rows)


def result_row(variant: str, model: str, metrics: dict, fit_seconds: float, k: int = K) -> dict:
    """One row of the results table: ``model``'s :func:`evaluate` metrics at ``k`` in ``variant``."""
    return {"variant": variant, "model": model, **{f"{m}@{k}": metrics[m] for m in
            ("recall", "precision", "ndcg", "map", "hit_rate")},
            "coverage": metrics["coverage"], "fit_seconds": fit_seconds, "customers": metrics["customers"]}


def run_models(split: Split, models: dict[str, Callable[[], CandidateModel]], k: int = K) -> pd.DataFrame:
    """Fit each model on ``split.train`` and score both variants: one row per model and variant."""
    data = split.train
    rows = []
    for name, factory in models.items():
        t0 = time.perf_counter()
        model = factory().fit(data)
        fit_seconds = time.perf_counter() - t0
        for variant in VARIANTS:
            truth = split.truth(variant)
            recs = model_recommendations(model, data, truth["customer_id"].unique(), k,
                                         exclude_bought=variant == "new")
            metrics = evaluate(recs, truth, k, data.n_products)
            ref = REFERENCES[variant].get(name, (None, None))
            rows.append({**result_row(variant, name, metrics, fit_seconds, k),
                         "issue_recall": ref[0], "issue_ndcg": ref[1]})
    return pd.DataFrame(rows)


def online_retail_orders(workspace: Path | None, data_dir: Path | None):
    """The Shop of an Online Retail workspace (ingested now into a temporary folder unless given)."""
    if workspace is not None:
        return Shop(workspace)
    import sys
    if data_dir is not None:
        sys.argv += ["--data-dir", str(data_dir)]
    from customers import online_retail_shop  # reads the data folder from --data-dir / $SHOPMINE_DATA

    return online_retail_shop(Path(tempfile.mkdtemp(prefix="bench_recommend_")))


def print_variants(table: pd.DataFrame, after_each=None) -> None:
    """One table per variant (all items, new items only); ``after_each(variant, part)`` adds lines."""
    for variant in VARIANTS:
        part = table[table["variant"] == variant].drop(columns="variant")
        print(f"\nvariant: {variant} ({int(part['customers'].iloc[0]):,} test customers)")
        print(part.drop(columns="customers").round(4).to_string(index=False, na_rep="-"))
        if after_each is not None:
            after_each(variant, part)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_dir_option(parser)
    parser.add_argument("--workspace", type=Path, default=None,
                        help="an Online Retail workspace already ingested with --preset online_retail")
    args = parser.parse_args()
    t0 = time.perf_counter()
    shop = online_retail_orders(args.workspace, None)
    setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    split = temporal_split(shop.orders(), AS_OF, HORIZON_DAYS, products=shop.products())
    split_seconds = time.perf_counter() - t0
    table = run_models(split, MODELS)
    print(f"Online Retail: train before {AS_OF}, test {HORIZON_DAYS} days; {split.train.n_customers:,} customers "
          f"x {split.train.n_products:,} products in training ({split.train.matrix.nnz:,} pairs); "
          f"split {split_seconds:.1f} s (setup {setup:.0f} s, not timed)")
    print_variants(table)
    check = target_check(table)
    print(f"\ntarget: {DEFAULT_MODEL} at least {TARGET_GAIN:.0%} above the best reference in this run")
    print(check.round(4).to_string(index=False))
    out = Path(__file__).parent / "results" / "recommend.json"
    out.parent.mkdir(exist_ok=True)
    result = {
        "machine": {"python": platform.python_version(), "processor": platform.machine()},
        "protocol": {"data": "uci_online_retail (preset online_retail)", "as_of": str(AS_OF),
                     "horizon_days": HORIZON_DAYS, "k": K},
        "train": {"customers": split.train.n_customers, "products": split.train.n_products,
                  "pairs": int(split.train.matrix.nnz), "split_seconds": split_seconds},
        "results": {variant: table[table["variant"] == variant].drop(columns="variant").to_dict(orient="records")
                    for variant in VARIANTS},
        "target": check.to_dict(orient="records"),
        "issue_references": {v: {m: {"recall": r, "ndcg": n} for m, (r, n) in refs.items()}
                             for v, refs in REFERENCES.items()},
    }
    out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"\nwritten: {out}")


if __name__ == "__main__":
    main()
