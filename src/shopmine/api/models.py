"""Fitted models behind the answers, loaded once per saved run through the registry (signed, never pickle):
the recommender of the latest ``recommend`` run and the risk model of the latest ``risk`` training.

Loading a model takes a second or two. While the server's :class:`~shopmine.api.warm.Warmer` runs, a request
that finds a newer run than the one whose model is loaded is answered by the loaded one (its ``run`` field
says which) and wakes the warmer, which loads the new one; the requests after that are answered by the new
run. Without a warmer (or before any model is loaded) the request loads it itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shopmine.api.answers import not_run

_MISSING = object()


def serving(runs, analysis: str, where: Callable[[dict[str, Any]], bool], what: str,
            load: Callable[[dict[str, Any]], Any], wait: bool = False) -> tuple[Any, dict[str, Any]] | None:
    """``(model, metadata)`` of the run of ``analysis`` (with ``where``) whose ``what`` answers now, or None
    when there is no such run.

    The newest such run, loading its model (``load(metadata)``) once; but while a warmer runs and the newest
    run's model is not loaded yet, the newest run whose model is (the warmer is woken to load the new one).
    ``wait=True`` always gives the newest run (what the warmer itself asks).
    """
    newest = runs.latest(analysis, where)
    if newest is None:
        return None
    if not wait and runs.wake is not None and runs.built(newest["run_id"], what, _MISSING) is _MISSING:
        for metadata in runs.runs(analysis):
            model = runs.built(metadata["run_id"], what, _MISSING)
            if where(metadata) and model is not _MISSING:
                runs.wake()
                return model, metadata
    return runs.cached(newest["run_id"], what, lambda: load(newest)), newest


def _has_recommender(metadata: dict[str, Any]) -> bool:
    from shopmine.recommend.analysis import ARRAYS_KEY, PARAMS_KEY

    return {ARRAYS_KEY, PARAMS_KEY} <= {m.get("key") for m in metadata.get("models", [])}


def latest_recommender(runs, wait: bool = False) -> tuple[Any, dict[str, Any]]:
    """The recommender saved with the newest ``recommend`` run that fitted one (see :func:`serving`), and that
    run's metadata.

    The same reading as :func:`shopmine.recommend.analysis.saved_recommender`, without its check of the
    loaded batches: that check opens the warehouse, which a server must leave to ``ingest``; the run's
    as-of date is in every answer's ``run`` field instead.
    """
    from shopmine.recommend.analysis import ARRAYS_KEY, PARAMS_KEY
    from shopmine.recommend.recommender import Recommender

    def load(metadata):
        refs = {m["key"]: m for m in metadata["models"]}
        registry = runs.workspace.registry()
        params, _ = registry.load(refs[PARAMS_KEY]["name"], refs[PARAMS_KEY]["version"])
        bundle, _ = registry.load(refs[ARRAYS_KEY]["name"], refs[ARRAYS_KEY]["version"])
        return Recommender.from_arrays(bundle.arrays, params)

    found = serving(runs, "recommend", _has_recommender, "recommender", load, wait)
    if found is None:
        raise not_run("recommend", "shopmine recommend", "recommendation")
    return found


def known_ids(runs, metadata: dict[str, Any], recommender, which: str) -> frozenset[str]:
    """The customer (``which="customer"``) or product ids the saved recommender was fitted on, once per run:
    anyone else gets a 404 rather than the cold-start list a library call gives."""
    ids = recommender.customer_ids_ if which == "customer" else recommender.product_ids_
    return runs.cached(metadata["run_id"], f"known_{which}s", lambda: frozenset(str(i) for i in ids))


def _has_risk_model(metadata: dict[str, Any]) -> bool:
    return {"scorecard", "challenger"} <= {x.get("key") for x in metadata.get("models", [])}


def latest_risk_model(runs, wait: bool = False) -> tuple[Any, dict[str, Any]]:
    """The risk model of the newest ``risk`` training run (:func:`shopmine.risk.saved.load_risk_model`; see
    :func:`serving`)."""
    from shopmine.risk.saved import ANALYSIS, load_risk_model

    found = serving(runs, ANALYSIS, _has_risk_model, "risk_model",
                    lambda metadata: load_risk_model(runs.workspace, metadata["run_id"])[0], wait)
    if found is None:
        raise not_run("risk", "shopmine risk train", "risk training")
    return found
