"""Fitted models behind the answers, loaded once per saved run through the registry (signed, never pickle):
the recommender of the latest ``recommend`` run and the risk model of the latest ``risk`` training."""

from __future__ import annotations

from typing import Any

from shopmine.api.answers import not_run


def latest_recommender(runs) -> tuple[Any, dict[str, Any]]:
    """The recommender saved with the newest ``recommend`` run that fitted one, and that run's metadata.

    The same reading as :func:`shopmine.recommend.analysis.saved_recommender`, without its check of the
    loaded batches: that check opens the warehouse, which a server must leave to ``ingest``; the run's
    as-of date is in every answer's ``run`` field instead.
    """
    from shopmine.recommend.analysis import ARRAYS_KEY, PARAMS_KEY
    from shopmine.recommend.recommender import Recommender

    def has_models(metadata):
        keys = {m.get("key") for m in metadata.get("models", [])}
        return {ARRAYS_KEY, PARAMS_KEY} <= keys

    metadata = runs.latest("recommend", has_models)
    if metadata is None:
        raise not_run("recommend", "shopmine recommend", "recommendation")

    def load():
        refs = {m["key"]: m for m in metadata["models"]}
        registry = runs.workspace.registry()
        params, _ = registry.load(refs[PARAMS_KEY]["name"], refs[PARAMS_KEY]["version"])
        bundle, _ = registry.load(refs[ARRAYS_KEY]["name"], refs[ARRAYS_KEY]["version"])
        return Recommender.from_arrays(bundle.arrays, params)
    return runs.cached(metadata["run_id"], "recommender", load), metadata


def known_ids(runs, metadata: dict[str, Any], recommender, which: str) -> frozenset[str]:
    """The customer (``which="customer"``) or product ids the saved recommender was fitted on, once per run:
    anyone else gets a 404 rather than the cold-start list a library call gives."""
    ids = recommender.customer_ids_ if which == "customer" else recommender.product_ids_
    return runs.cached(metadata["run_id"], f"known_{which}s", lambda: frozenset(str(i) for i in ids))


def latest_risk_model(runs) -> tuple[Any, dict[str, Any]]:
    """The risk model of the newest ``risk`` training run (:func:`shopmine.risk.saved.load_risk_model`)."""
    from shopmine.risk.saved import ANALYSIS, load_risk_model

    metadata = runs.latest(ANALYSIS, lambda m: {"scorecard", "challenger"}
                           <= {x.get("key") for x in m.get("models", [])})
    if metadata is None:
        raise not_run("risk", "shopmine risk train", "risk training")
    model = runs.cached(metadata["run_id"], "risk_model",
                        lambda: load_risk_model(runs.workspace, metadata["run_id"])[0])
    return model, metadata
