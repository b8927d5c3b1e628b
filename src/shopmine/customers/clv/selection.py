"""Choosing the purchase model on the shop's own history: a calibration/holdout split before the as-of date.

The last :func:`holdout_length` days before ``as_of`` are held out; every candidate model is fitted on
the purchase days before them (customers first seen before the holdout) and predicts each customer's
purchase days in the holdout. Expected purchases are a mean forecast, so the models are ranked by RMSE
(minimised by the mean), with MAE and the error of the total reported beside it. Differences within the
noise do not count (the one-standard-error rule of cross-validation, Breiman et al. 1984): the first model of
the candidates' order (Pareto/NBD, MBG/CNBD-k, BG/NBD, the established model first) whose holdout mean
squared error is within one standard error of the best one's ranks first, the others follow by RMSE.
Rate-so-far is scored
as a reference, never served (it has no P(alive) or churn probability). A fit the checks of
:mod:`shopmine.customers.clv.degenerate` reject ranks after every fit they accept.
"""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd

from shopmine.customers.clv.degenerate import degenerate_reason
from shopmine.customers.clv.holdout_eval import holdout_scores, rate_so_far
from shopmine.customers.clv.models import PURCHASE_MODELS, fit_purchase_model
from shopmine.customers.clv.purchase_timing import purchase_timing
from shopmine.errors import ShopmineInputError, ShopmineRunError
from shopmine.features import calibration_and_holdout

__all__ = ["MAX_HOLDOUT_DAYS", "MIN_HOLDOUT_DAYS", "holdout_length", "select_purchase_model"]

#: A holdout shorter than this cannot rank the models: the default order serves instead.
MIN_HOLDOUT_DAYS = 28
#: Candidates in the order used when the history is too short to rank them, and to break ties.
DEFAULT_ORDER = ("pareto_nbd", "mbgcnbd", "bgnbd")


#: The longest holdout: a year covers every season once.
MAX_HOLDOUT_DAYS = 365


def holdout_length(first_day: dt.date, as_of: dt.date) -> int:
    """Days held out: a third of the history (the models need the rest), at most :data:`MAX_HOLDOUT_DAYS`.

    Not the forecast horizon: the model that serves (and so each customer's P(alive)) must not change
    with the horizon asked for.
    """
    return int(min(MAX_HOLDOUT_DAYS, (as_of - first_day).days // 3))


def select_purchase_model(orders: ibis.Table, *, as_of: dt.date, holdout_days: int,
                          candidates=DEFAULT_ORDER) -> pd.DataFrame:
    """Holdout scores of every candidate purchase model, best (lowest RMSE among sound fits) first.

    Parameters
    ----------
    orders : ibis.Table
        Order lines in the canonical schema.
    as_of : datetime.date
        The holdout is the ``holdout_days`` days before it.
    holdout_days : int
        At least :data:`MIN_HOLDOUT_DAYS`.
    candidates : sequence of str
        Names from :data:`~shopmine.customers.clv.models.PURCHASE_MODELS`.

    Returns
    -------
    pandas.DataFrame
        ``model`` (name, or ``rate_so_far`` for the reference), ``rmse, mae, predicted_total, actual_total,
        total_error``, ``degenerate`` (the reason the calibration fit was rejected, "" when sound),
        ``within_one_se`` and ``calibration_end``; the candidates first in rank order, the reference last.

    Raises
    ------
    ShopmineInputError
        When the holdout is shorter than :data:`MIN_HOLDOUT_DAYS` or the calibration period has fewer than
        2 repeat buyers.
    """
    if holdout_days < MIN_HOLDOUT_DAYS:
        raise ShopmineInputError(f"holdout_days must be at least {MIN_HOLDOUT_DAYS}; got {holdout_days}.")
    calibration_end = as_of - dt.timedelta(days=holdout_days + 1)
    split = calibration_and_holdout(orders, calibration_end=calibration_end,
                                    observation_end=as_of - dt.timedelta(days=1)).to_pandas()
    x, tx, t = (split[c].to_numpy(float) for c in ("frequency_cal", "recency_cal", "T_cal"))
    if int((x > 0).sum()) < 2:
        raise ShopmineInputError(f"the calibration period up to {calibration_end} has fewer than 2 repeat buyers.")
    timing, _ = purchase_timing(orders, end=calibration_end)
    litt = split[["customer_id"]].astype(str).merge(timing, on="customer_id", how="left")["litt"].fillna(0.0)
    predictions, reasons = {}, {}
    for name in candidates:
        try:
            model = fit_purchase_model(name, x, tx, t, litt.to_numpy())
        except ShopmineRunError as exc:
            reasons[name] = f"the fit failed: {exc}"
            continue
        predictions[name] = model.expected_purchases(holdout_days, x, tx, t)
        reasons[name] = degenerate_reason(model, x, tx, t, litt.to_numpy()) or ""
    predictions["rate_so_far"] = rate_so_far(x, t, holdout_days)
    scores = holdout_scores(split["frequency_holdout"], predictions)
    failed = pd.DataFrame([{"model": n, "rmse": np.inf} for n in candidates if n not in predictions])
    scores = pd.concat([scores, failed], ignore_index=True) if len(failed) else scores
    scores["degenerate"] = scores["model"].map(reasons).fillna("")
    scores["reference"] = scores["model"] == "rate_so_far"
    order = {name: i for i, name in enumerate(candidates)}
    scores["_tie"] = scores["model"].map(order).fillna(len(order))
    within = _within_one_se(split["frequency_holdout"].to_numpy(float), predictions, reasons)
    scores["within_one_se"] = scores["model"].map(within).eq(True)
    # The first model of ``candidates`` within one standard error of the best ranks first; then by RMSE.
    first = next((n for n in candidates if scores.loc[scores["model"] == n, "within_one_se"].any()), None)
    scores["_first"] = scores["model"] != first
    scores = scores.sort_values(["reference", "degenerate", "_first", "rmse", "_tie"],
                                key=lambda s: s.ne("") if s.name == "degenerate" else s, kind="stable")
    scores["calibration_end"] = calibration_end
    return scores.drop(columns=["_tie", "_first", "reference"]).reset_index(drop=True)


def _within_one_se(actual: np.ndarray, predictions: dict, reasons: dict) -> dict:
    """Per model, whether its holdout MSE is within one standard error of the best model's (the one-SE rule).

    Only sound fits compete (all fits when none is sound). The standard error is that of the mean of the
    per-customer differences of squared errors to the best model, so it is paired: shared noise cancels.
    """
    names = [n for n in predictions if n != "rate_so_far" and reasons.get(n) == ""]
    names = names or [n for n in predictions if n != "rate_so_far"]
    if not names:
        return {}
    squared = {n: (np.asarray(predictions[n], dtype=float) - actual) ** 2 for n in names}
    best = min(names, key=lambda n: squared[n].mean())
    out = {}
    for n in names:
        diff = squared[n] - squared[best]
        se = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else 0.0
        out[n] = bool(diff.mean() <= se)
    return out
