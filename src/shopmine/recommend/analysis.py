"""The recommend analysis of a workspace: fit or load the recommender, answer, evaluate.

What :meth:`shopmine.shop.Shop.recommend` and :meth:`~shopmine.shop.Shop.recommend_evaluation` call.
A fitted recommender is saved with its run, in the workspace's model registry: its arrays as one
``numpy-npz`` version (read with ``allow_pickle=False``) and its parameters as JSON, both signed and
checksummed by the registry. A later call for the same as-of date and the same loaded batches answers
from that saved recommender without retraining (:func:`saved_recommender`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import pandas as pd

from shopmine.errors import invalid_value
from shopmine.recommend.evaluation import VARIANTS, evaluate, model_recommendations, temporal_split
from shopmine.recommend.interactions import build_interactions
from shopmine.recommend.reasons import safe_name
from shopmine.recommend.recommender import Recommender
from shopmine.result import AnalysisResult

__all__ = ["ANALYSIS", "check_recommend_request", "evaluation_result", "fit_recommender", "recommend_result",
           "saved_recommender", "segment_labels"]

ANALYSIS = "recommend"
#: Registry keys of the saved recommender (names ``recommend-arrays``, ``recommend-params``).
ARRAYS_KEY, PARAMS_KEY = "arrays", "params"
EXAMPLE_CUSTOMERS = 5


def check_recommend_request(customers, k, repeat, category, exclude_inactive_days, product) -> None:
    """Refuse a bad request before any work, naming the parameter."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise invalid_value("k", "a whole number of at least 1", k)
    if not isinstance(repeat, bool):
        raise invalid_value("repeat", "True or False", repeat)
    if exclude_inactive_days is not None and (isinstance(exclude_inactive_days, bool)
                                              or not isinstance(exclude_inactive_days, int)
                                              or exclude_inactive_days < 1):
        raise invalid_value("exclude_inactive_days", "a whole number of days, at least 1", exclude_inactive_days)
    if category is not None and (not isinstance(category, str) or not category.strip("/ ")):
        raise invalid_value("category", "a category path such as home/kitchen", category)
    if product is not None and customers is not None:
        raise invalid_value("product", "left out when customers are given (one question at a time)", product,
                            mentions=["customers"])
    if customers is not None and not isinstance(customers, str):
        customers = list(customers)
        if not customers:
            raise invalid_value("customers", "at least one customer id (or None for every customer)", customers)


def segment_labels(workspace, as_of: dt.date) -> pd.Series | None:
    """The RFM segment of each customer from the latest saved ``segments`` run of the same as-of date and
    batches, or None (then the recommender computes them)."""
    from shopmine.runs.listing import latest_run
    from shopmine.runs.metadata import seen_batches

    run = latest_run(workspace, "segments")
    if run is None or run.metadata.get("as_of") != str(as_of) or run.metadata.get("batches") != seen_batches(workspace):
        return None
    customers = run.result.tables.get("customers")
    if customers is None or "rfm_segment" not in customers:
        return None
    return pd.Series(customers["rfm_segment"].astype(str).to_numpy(), index=customers["customer_id"].astype(str))


def _products_frame(products: ibis.Table | None) -> pd.DataFrame | None:
    if products is None:
        return None
    columns = [c for c in ("product_id", "name", "category") if c in products.columns]
    return products.select(*columns).to_pandas() if "product_id" in columns else None


def fit_recommender(orders: ibis.Table, *, as_of: dt.date, products: ibis.Table | None = None,
                    labels: pd.Series | None = None) -> Recommender:
    """The default recommender fitted on purchases before ``as_of``."""
    data = build_interactions(orders, as_of=as_of, products=products)
    if data.n_products == 0:
        from shopmine.errors import ShopmineInputError

        raise ShopmineInputError(f"no customer bought anything before {as_of}: nothing to recommend from. Load "
                                 "orders with a customer_id or choose a later {as_of}.", "as_of")
    return Recommender(labels=labels).fit(data, products=_products_frame(products))


def saved_recommender(workspace, as_of: dt.date) -> tuple[Recommender, str] | None:
    """The recommender of the latest saved run for ``as_of`` over the batches loaded now, with its run
    id, or None. Read through the registry (signature and checksums verified, no pickle)."""
    from shopmine.runs.listing import list_runs
    from shopmine.runs.metadata import seen_batches

    batches = seen_batches(workspace)
    for entry in sorted(list_runs(workspace, ANALYSIS), key=lambda e: e.sort_key, reverse=True):
        meta = entry.metadata
        if meta is None or meta.get("as_of") != str(as_of) or meta.get("batches") != batches:
            continue
        refs = {m["key"]: m for m in meta.get("models", [])}
        if ARRAYS_KEY not in refs or PARAMS_KEY not in refs:
            continue
        registry = workspace.registry()
        params, _ = registry.load(refs[PARAMS_KEY]["name"], refs[PARAMS_KEY]["version"])
        if params.get("ranker", "blend") != Recommender().ranker:  # saved by a version with another default
            continue
        bundle, _ = registry.load(refs[ARRAYS_KEY]["name"], refs[ARRAYS_KEY]["version"])
        return Recommender.from_arrays(bundle.arrays, params), entry.run_id
    return None


def recommend_result(recommender: Recommender, *, customers=None, k: int = 10, repeat: bool = True,
                     category: str | None = None, exclude_inactive_days: int | None = None,
                     product: str | None = None, source_run: str | None = None,
                     save_models: bool = False, everyone=None) -> AnalysisResult:
    """The answer as an AnalysisResult: table ``recommendations`` (:data:`OUTPUT_COLUMNS`, or
    :data:`SIMILAR_COLUMNS` for ``product``) and metrics; with ``save_models`` the fitted arrays ride
    along in ``models`` (for the run's registry entries). ``everyone``: how every customer's rows are made
    when ``customers`` is None (``everyone(recommender, k=, repeat=, category=, exclude_inactive_days=)``,
    e.g. on the Spark cluster, :func:`shopmine.recommend.cluster_scoring.recommend_everyone`); default here."""
    from shopmine.registry.formats import ArrayBundle

    if product is not None:
        table = recommender.similar(product, k, category=category, exclude_inactive_days=exclude_inactive_days)
        asked = f"products bought together with {product}"
        n_customers = 0
    else:
        if customers is None and everyone is not None:
            table = everyone(recommender, k=k, repeat=repeat, category=category,
                             exclude_inactive_days=exclude_inactive_days)
        else:
            ids = recommender.customer_ids_ if customers is None else customers
            table = recommender.recommend(ids, k, repeat=repeat, category=category,
                                          exclude_inactive_days=exclude_inactive_days)
        n_customers = int(table["customer_id"].nunique())
        known = int((recommender._customer_pos.get_indexer(pd.Index(pd.unique(table["customer_id"]))) >= 0).sum())
        asked = (f"{k} recommendations for {n_customers:,} customer(s)"
                 + (f" ({n_customers - known:,} unknown: recently popular products)" if n_customers > known else ""))
    answered = "from the saved run " + source_run if source_run else "after fitting the models"
    metrics: dict[str, Any] = {
        "k": k, "repeat": repeat, "category": category, "exclude_inactive_days": exclude_inactive_days,
        "customers": n_customers, "rows": int(len(table)), "products_recommended": int(table["product_id"].nunique()),
        "catalogue": int(len(recommender.product_ids_)),
        "model": ("co-purchases (baskets holding both products, cosine)" if product is not None
                  else "learned re-ranker (LightGBM LambdaRank) over the candidate models" if recommender.ranker == "rerank"
                  else "fixed blend " + ", ".join(f"{m} {w:g}" for m, w in recommender.weights.items())),
        # None: the models were fitted now (each shell says so in its own words; a value stays data).
        "answered_from_run": source_run,
        "scored_on": "spark" if customers is None and product is None and everyone is not None else "local",
    }
    result = AnalysisResult(name=ANALYSIS, title="Recommendations", summary=f"{asked}, {answered}.",
                            tables={"recommendations": table}, metrics=metrics)
    if save_models:
        result.models = {ARRAYS_KEY: ArrayBundle(recommender.to_arrays()), PARAMS_KEY: recommender.model_params()}
    return result


def evaluation_models(n_products: int, *, horizon_days: int = 30, labels: pd.Series | None = None) -> dict[str, Any]:
    """Every model the evaluation compares, unfitted, in table order: the simple ones, the learned
    ones (ALS tuned on the month before the as-of date, as the issue's reference), the facade's fixed
    blend and the default (the facade with the re-ranker)."""
    from shopmine.recommend.als import ALS
    from shopmine.recommend.bpr import BPR
    from shopmine.recommend.copurchase import CoPurchase
    from shopmine.recommend.ease import EASE, fits_memory
    from shopmine.recommend.item_knn import ItemKNN
    from shopmine.recommend.popularity import Popularity
    from shopmine.recommend.repeat import PurchaseCycle, RepeatPurchases
    from shopmine.recommend.segment_popularity import SegmentPopularity
    from shopmine.recommend.tuning import ALS_GRID, TunedModel

    models: dict[str, Any] = {
        "popular": Popularity(), "popular_recent": Popularity(window_days=30),
        "popular_segment": SegmentPopularity(labels=labels), "repeat": RepeatPurchases(),
        "repeat_cycle": PurchaseCycle(), "copurchase": CoPurchase(),
        "item_knn_cosine": ItemKNN(weighting="cosine"), "item_knn_bm25": ItemKNN(weighting="bm25"),
        "als": TunedModel(ALS(), ALS_GRID, horizon_days=horizon_days), "bpr": BPR(),
    }
    if fits_memory(n_products):
        models["ease"] = EASE()
    models["blend"] = Recommender(labels=labels, ranker="blend")
    models["default"] = Recommender(labels=labels, horizon_days=horizon_days)
    return models


def evaluation_result(orders: ibis.Table, *, as_of: dt.date, horizon_days: int, k: int = 10,
                      products: ibis.Table | None = None, labels: pd.Series | None = None) -> AnalysisResult:
    """Every candidate model and the default on the ``horizon_days`` after ``as_of``, both variants.

    Tables ``evaluation`` (variant, model, recall, precision, ndcg, map, hit_rate, coverage at k,
    fit_seconds, customers) and ``examples`` (the default's lists with reasons for a few test customers).
    """
    import time

    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise invalid_value("k", "a whole number of at least 1", k)
    split = temporal_split(orders, as_of, horizon_days, products=products)
    data = split.train
    if len(split.truth_all) == 0:
        from shopmine.errors import ShopmineInputError

        raise ShopmineInputError(
            f"nobody seen before {as_of} bought anything in the {horizon_days} days from it: nothing to evaluate "
            "against. Choose an earlier {as_of} or a longer {horizon_days}.", "as_of", mentions=["horizon_days"])
    models = evaluation_models(data.n_products, horizon_days=horizon_days, labels=labels)
    from shopmine.errors import ShopmineInputError

    # Read once: the facades (the blend and the default) and the examples use the same names.
    catalogue = _products_frame(products)
    rows = []
    fitted = {}
    skipped = {}
    for name, model in models.items():
        t0 = time.perf_counter()
        try:
            # The facade gets the products' names and categories too, for the examples' reasons.
            fitted[name] = (model.fit(data, products=catalogue) if isinstance(model, Recommender)
                            else model.fit(data))
        except ShopmineInputError as exc:  # e.g. no validation month to tune ALS on: left out, said why
            skipped[name] = exc.render()
            continue
        seconds = time.perf_counter() - t0
        for variant in VARIANTS:
            truth = split.truth(variant)
            recs = model_recommendations(fitted[name], data, truth["customer_id"].unique(), k,
                                         exclude_bought=variant == "new")
            m = evaluate(recs, truth, k, data.n_products)
            rows.append({"variant": variant, "model": name, "recall": m["recall"], "precision": m["precision"],
                         "ndcg": m["ndcg"], "map": m["map"], "hit_rate": m["hit_rate"], "coverage": m["coverage"],
                         "fit_seconds": round(seconds, 3), "customers": m["customers"]})
    table = pd.DataFrame(rows)
    default = fitted["default"]
    example_ids = split.truth_all["customer_id"].drop_duplicates().head(EXAMPLE_CUSTOMERS).to_numpy()
    examples = default.recommend(example_ids, k)
    bought = split.truth_all.assign(bought_in_test=True)
    examples = examples.merge(bought, on=["customer_id", "product_id"], how="left")
    examples["bought_in_test"] = examples["bought_in_test"].notna()
    if catalogue is not None and "name" in catalogue.columns:  # the report's examples read by name
        # Names from the order files, cleaned like the reasons' (no control characters, cut short):
        # the console, the report and the CSV show them as they show the reasons.
        names = catalogue.drop_duplicates("product_id").set_index("product_id")["name"]
        examples.insert(examples.columns.get_loc("product_id") + 1, "name",
                        [safe_name(name, "") for name in examples["product_id"].map(names)])
    best = {v: table[table["variant"] == v].sort_values(["recall", "model"], ascending=[False, True]).iloc[0]
            for v in VARIANTS}
    summary = (f"Trained on purchases before {as_of}, tested on the next {horizon_days} days: "
               + "; ".join(f"{v} items: best recall@{k} {best[v]['model']} {best[v]['recall']:.3f}" for v in VARIANTS)
               + "." + "".join(f" Left out {name}: {why}" for name, why in skipped.items()))
    metrics = {"as_of": str(as_of), "horizon_days": horizon_days, "k": k,
               "test_customers": {v: int(table.loc[table["variant"] == v, "customers"].iloc[0]) for v in VARIANTS},
               "catalogue": data.n_products, "skipped_models": skipped,
               # Every model's figures are in the evaluation table; the metrics keep the one comparison
               # a reader looks for (a 50-row list of them read badly in the report).
               "default_against_best_other": {v: _against_best_other(table[table["variant"] == v], k)
                                              for v in VARIANTS}}
    return AnalysisResult(name="recommend_evaluation", title=f"Recommendations on the {horizon_days} days after {as_of}",
                          summary=summary, tables={"evaluation": table, "examples": examples}, metrics=metrics)


def _against_best_other(rows: pd.DataFrame, k: int) -> dict[str, Any]:
    """The default's recall and NDCG at ``k`` beside the best other model of one variant, with the
    relative lift (the issue's target is +10 % on both)."""
    others = rows[rows["model"] != "default"]
    default = rows[rows["model"] == "default"].iloc[0]
    out: dict[str, Any] = {}
    for metric in ("recall", "ndcg"):
        best = others.sort_values([metric, "model"], ascending=[False, True]).iloc[0]
        lift = default[metric] / best[metric] - 1.0 if best[metric] > 0 else None
        out[f"{metric}@{k}"] = {"default": float(default[metric]), "best_other": str(best["model"]),
                                "best_other_value": float(best[metric]), "relative_lift": lift}
    return out
