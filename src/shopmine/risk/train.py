"""Training a risk model on any table with a binary target: binning, scorecard, challenger, evaluation."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from shopmine.classic.evaluation import cost_threshold
from shopmine.errors import invalid_value
from shopmine.risk.binning import MIN_IV, binning_specs
from shopmine.risk.challenger import fit_challenger
from shopmine.risk.fitting import categories_of, fit_scorecard_model
from shopmine.risk.inputs import prepare_training
from shopmine.risk.model import SPEC_LAYOUT, RiskModel
from shopmine.risk.psi import score_bins
from shopmine.risk.validation import cross_validate, out_of_time

__all__ = ["check_risk_request", "train_risk"]


def _number(parameter: str, value, requirement: str, ok) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not math.isfinite(value) \
            or not ok(value):
        raise invalid_value(parameter, requirement, value)


def check_risk_request(*, folds: int = 5, base_score: float = 600, base_odds: float = 50, pdo: float = 20,
                       cost_fn: float = 5.0, cost_fp: float = 1.0, min_iv: float = MIN_IV,
                       special_codes: Sequence[float] | None = None) -> None:
    """Refuse a bad option before any data is read (a training may take minutes)."""
    if isinstance(folds, bool) or not isinstance(folds, (int, np.integer)) or not 2 <= folds <= 20:
        raise invalid_value("folds", "a whole number from 2 to 20", folds)
    _number("base_score", base_score, "a finite number of points", lambda v: True)
    _number("base_odds", base_odds, "a positive number (good:bad odds at the base score)", lambda v: v > 0)
    _number("pdo", pdo, "a positive number of points (to double the odds)", lambda v: v > 0)
    _number("cost_fn", cost_fn, "a cost of at least 0", lambda v: v >= 0)
    _number("cost_fp", cost_fp, "a cost of at least 0", lambda v: v >= 0)
    if cost_fn == 0 and cost_fp == 0:
        raise invalid_value("cost_fn", "above 0 when cost_fp is 0 (else every threshold costs nothing)", cost_fn,
                            mentions=("cost_fp",))
    _number("min_iv", min_iv, "an information value of at least 0", lambda v: v >= 0)
    for code in special_codes or ():
        _number("special_codes", code, "numbers (codes such as 96 or 98)", lambda v: True)


def train_risk(table: pd.DataFrame, *, target: str, id_col: str | None = None,
               positive_class: object | None = None, date_col: str | None = None,
               folds: int = 5, base_score: float = 600, base_odds: float = 50, pdo: float = 20,
               cost_fn: float = 5.0, cost_fp: float = 1.0, random_state: int = 0,
               special_codes: Sequence[float] | None = None, min_iv: float = MIN_IV,
               progress: Callable[..., None] | None = None) -> RiskModel:
    """A WoE scorecard and a LightGBM challenger on the same stratified folds; the better one is served.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per case: the target, optional id and date columns, every other column a candidate feature
        (id-like, date, constant and empty columns are left out and listed in the result).
    target : str
        The binary outcome column.
    id_col : str, optional
        Identifies the rows (never a feature); must be unique.
    positive_class : optional
        The value of ``target`` that is the risk (default, fraud ...); default: the minority class. Needed
        when the target has more than two values (the others become the negative class).
    date_col : str, optional
        Adds an out-of-time evaluation (the latest 20 % of the rows held out); never a feature.
    folds : int, default=5
        Stratified k-fold cross-validation.
    base_score, base_odds, pdo : float, default=600, 50, 20
        The points scale: ``base_score`` points at good:bad odds of ``base_odds``, ``pdo`` points to double them.
    cost_fn, cost_fp : float, default=5.0, 1.0
        Cost of a missed positive and of a false alarm: the threshold minimises their total on the served
        model's out-of-fold probabilities. The default 5:1 is the credit field's usual asymmetric matrix (the
        Statlog German credit cost matrix: accepting a bad loan costs five times rejecting a good one); equal
        costs on a rare outcome (0.6 % of the orders) flag nothing, since every flagged row is then more likely a
        false alarm. With no row worth flagging, the summary says how much a miss would have to cost.
    random_state : int, default=0
    special_codes : sequence of float, optional
        Values that mean "unknown" rather than a quantity (96 and 98 in Give Me Some Credit's past-due counts):
        each feature bins them apart.
    min_iv : float, default=0.02
        The scorecard keeps features of at least this information value.
    progress : callable, optional
        ``progress(message, done=None, total=None)``.

    Returns
    -------
    RiskModel
        With ``result_`` (tables, metrics, figures) set.

    Examples
    --------
    >>> model = train_risk(loans, target="default", id_col="loan_id")             # doctest: +SKIP
    >>> model.served, round(model.cv[model.served]["auc"], 3)                     # doctest: +SKIP
    ('scorecard', 0.789)
    >>> model.score(new_loans)                                                    # doctest: +SKIP
    """
    from shopmine.risk.training_result import training_result

    say = progress or (lambda *_a, **_k: None)
    check_risk_request(folds=folds, base_score=base_score, base_odds=base_odds, pdo=pdo, cost_fn=cost_fn,
                       cost_fp=cost_fp, min_iv=min_iv, special_codes=special_codes)
    data = prepare_training(table, target=target, id_col=id_col, positive_class=positive_class, date_col=date_col,
                            folds=folds)
    codes = [float(c) for c in special_codes] if special_codes else None
    options = {"special_codes": codes, "min_iv": min_iv, "random_state": random_state}
    cv = cross_validate(data, folds=folds, progress=say, **options)
    scores = cv.summary(data.y)
    # Ties go to the scorecard: it is the one a person can read.
    served = "challenger" if scores["challenger"]["auc"] > scores["scorecard"]["auc"] else "scorecard"
    oot = out_of_time(data, **options) if data.dates is not None else None
    say("fitting both models on every row", folds, folds)
    card = fit_scorecard_model(data.X, data.y, data.numeric, data.categorical, codes, min_iv)
    categories = categories_of(data.X, data.categorical)
    rounds = int(np.median(cv.rounds))
    booster = fit_challenger(data.X, data.y, categories, rounds, random_state)
    threshold, cost = cost_threshold(data.y, cv.oof[served], cost_fn, cost_fp)
    spec = {
        "layout": SPEC_LAYOUT, "target": target, "positive_class": data.positive_class,
        "negative_class": data.negative_class, "id_col": id_col, "date_col": date_col,
        "numeric": data.numeric, "categorical": data.categorical,
        "binning": binning_specs(card.process, data.numeric + data.categorical),
        "scorecard": {"coefficients": card.coefficients, "intercept": card.intercept},
        "scale": {"base_score": float(base_score), "base_odds": float(base_odds), "pdo": float(pdo)},
        "challenger": {"categories": categories, "rounds": rounds},
        "threshold": {"probability": threshold, "cost_fn": float(cost_fn), "cost_fp": float(cost_fp)},
        "special_codes": codes, "min_iv": float(min_iv),
    }
    model = RiskModel(served=served, cv=scores, spec=spec, booster=booster)
    edges, counts = score_bins(model.score_points(data.X))
    spec["training"] = {"rows": int(len(data.y)), "score_edges": edges, "score_counts": counts}
    model.result_ = training_result(model, data, cv, card, oot, threshold=threshold, cost=cost, random_state=random_state)
    return model
