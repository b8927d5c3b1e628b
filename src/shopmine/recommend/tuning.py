"""Hyper-parameters chosen on a validation month inside the training period.

The purchase days before ``as_of - horizon_days`` train each candidate setting; what the customers
known then bought in ``[as_of - horizon_days, as_of)`` is the validation truth (the same protocol as
the held-out evaluation, :mod:`shopmine.recommend.evaluation`, one period earlier). The setting with
the best NDCG@k wins (recall@k breaks ties) and is refitted on all the data before ``as_of``. Nothing
after ``as_of`` is seen, so the constants follow each shop rather than one benchmark.

The grids are small on purpose (a few seconds per ALS fit on a shop of Online Retail's size).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

import pandas as pd

from shopmine.errors import ShopmineInputError
from shopmine.recommend.base import check_fitted
from shopmine.recommend.evaluation import Split, check_horizon, evaluate, model_recommendations, split_of
from shopmine.recommend.interactions import Interactions, interactions_from_days

__all__ = ["ALS_GRID", "BPR_GRID", "Tuned", "TunedModel", "grid", "tune", "validation_split"]


def grid(**values: list) -> list[dict[str, Any]]:
    """Every combination of the given parameter values, as a list of parameter dicts."""
    names = list(values)
    return [dict(zip(names, combo)) for combo in itertools.product(*(values[n] for n in names))]


ALS_GRID = (grid(factors=[32, 64, 128], regularization=[0.1, 1.0], alpha=[1.0, 3.0, 10.0, 30.0],
                 weighting=["log"], iterations=[15])
            + grid(factors=[64], regularization=[1.0], alpha=[1.0, 3.0, 10.0], weighting=["bm25"], iterations=[15]))
BPR_GRID = grid(factors=[32, 64], learning_rate=[0.01, 0.05], regularization=[0.01], iterations=[100])


def validation_split(data: Interactions, horizon_days: int) -> Split:
    """The split at ``data.as_of - horizon_days``: training days before it, truth in the window after."""
    horizon_days = check_horizon(horizon_days)
    cut = data.as_of - dt.timedelta(days=horizon_days)
    day = pd.to_datetime(data.days["day"]).dt.date
    train = interactions_from_days(data.days[(day < cut).to_numpy()], as_of=cut)
    later = data.days[(day >= cut).to_numpy()]
    return split_of(train, later[["customer_id", "product_id"]].drop_duplicates(), horizon_days)


@dataclass(frozen=True)
class Tuned:
    """The chosen parameters, every setting's validation scores, and the model refitted with them."""

    params: dict[str, Any]
    scores: pd.DataFrame
    model: Any


def tune(model, data: Interactions, candidates: list[dict[str, Any]], *, horizon_days: int = 30,
         variant: str = "all", k: int = 10) -> Tuned:
    """Choose ``model``'s parameters among ``candidates`` on the validation month, refit on ``data``.

    Parameters
    ----------
    model : estimator
        An unfitted model with ``get_params`` (e.g. :class:`~shopmine.recommend.als.ALS`); the
        candidates override its parameters.
    data : Interactions
        Everything before the as-of date.
    candidates : list of dict
        Parameter settings to try (e.g. :data:`ALS_GRID`).
    horizon_days : int, default=30
        Length of the validation window, just before ``data.as_of``.
    variant : {"all", "new"}, default="all"
        Validated on all test items or on new ones (then bought products are not recommended).
    k : int, default=10

    Returns
    -------
    Tuned
    """
    split = validation_split(data, horizon_days)
    truth = split.truth(variant)
    if truth.empty or not candidates:
        raise ShopmineInputError(
            f"no customer of the training period bought anything in the {split.horizon_days} days before "
            f"{data.as_of}: there is no validation month to tune {type(model).__name__} on; give a "
            "longer history or fixed parameters.", "horizon_days")
    customers = truth["customer_id"].unique()
    rows = []
    base = model.get_params()
    for params in candidates:
        fitted = type(model)(**{**base, **params}).fit(split.train)
        recs = model_recommendations(fitted, split.train, customers, k, exclude_bought=variant == "new")
        metrics = evaluate(recs, truth, k, split.train.n_products)
        rows.append({**params, "ndcg": metrics["ndcg"], "recall": metrics["recall"]})
    scores = pd.DataFrame(rows)
    # Best NDCG, then recall; the first listed setting on exact ties.
    best = scores.sort_values(["ndcg", "recall"], ascending=False, kind="stable").index[0]
    params = candidates[best]
    return Tuned(params=params, scores=scores, model=type(model)(**{**base, **params}).fit(data))


class TunedModel:
    """A model whose parameters are chosen by :func:`tune` when it is fitted (e.g. "ALS tuned on a
    validation month"); scoring and saving are the chosen model's.

    Parameters
    ----------
    model : estimator
        The unfitted model whose parameters the candidates override.
    candidates : list of dict
        Parameter settings to try.
    horizon_days, variant, k :
        As in :func:`tune`.
    """

    def __init__(self, model, candidates: list[dict[str, Any]], *, horizon_days: int = 30, variant: str = "all",
                 k: int = 10):
        self.model = model
        self.candidates = candidates
        self.horizon_days = horizon_days
        self.variant = variant
        self.k = k

    @property
    def name(self) -> str:
        return f"{self.model.name}_tuned"

    def fit(self, data: Interactions) -> TunedModel:
        self.tuned_ = tune(self.model, data, self.candidates, horizon_days=self.horizon_days,
                           variant=self.variant, k=self.k)
        self.model_ = self.tuned_.model
        return self

    def score(self, rows, n: int, *, exclude_bought: bool):
        check_fitted(self, "model_")
        return self.model_.score(rows, n, exclude_bought=exclude_bought)

    def get_params(self) -> dict[str, Any]:
        """The chosen model's parameters (what :meth:`from_arrays` of its class needs)."""
        check_fitted(self, "model_")
        return self.model_.get_params()

    def to_arrays(self) -> dict:
        check_fitted(self, "model_")
        return self.model_.to_arrays()
