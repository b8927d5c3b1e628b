"""Choosing the purchase model on the shop's own history: a calibration/holdout split before the as-of date.

The last :func:`holdout_length` days before ``as_of`` are held out; every candidate model is fitted on
the purchase days before them (customers first seen before the holdout) and predicts each customer's
purchase days in the holdout. Expected purchases are a mean forecast, so the models are ranked by RMSE
(minimised by the mean), with MAE and the error of the total reported beside it. Rate-so-far is scored
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
from shopmine.customers.clv.models import fit_purchase_model
from shopmine.customers.clv.purchase_timing import purchase_timing
from shopmine.distributed import stage
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
                          candidates=DEFAULT_ORDER, scratch_dir=None) -> pd.DataFrame:
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
    scratch_dir : path, optional
        On Spark, where the cluster writes the calibration summary (:func:`shopmine.distributed.stage`).

    Returns
    -------
    pandas.DataFrame
        ``model`` (name, or ``rate_so_far`` for the reference), ``rmse, mae, predicted_total, actual_total,
        total_error``, ``degenerate`` (the reason the calibration fit was rejected, "" when sound) and
        ``calibration_end``; the candidates first in rank order, the reference last.

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
                                    observation_end=as_of - dt.timedelta(days=1))
    split = split.mutate(customer_id=split.customer_id.cast("string"))
    timing, _ = purchase_timing(orders, end=calibration_end, observed_until=as_of - dt.timedelta(days=1))
    joined = split.left_join(timing, split.customer_id == timing.customer_id)
    joined = joined.select(split.customer_id, split.frequency_cal, split.recency_cal, split.T_cal,
                           split.frequency_holdout, litt=timing.litt.fill_null(0.0)).order_by("customer_id")
    with stage(joined, scratch_dir) as staged:  # per customer; on Spark read without the driver JVM
        split = staged.to_pandas().sort_values("customer_id", ignore_index=True)
    x, tx, t = (split[c].to_numpy(float) for c in ("frequency_cal", "recency_cal", "T_cal"))
    if int((x > 0).sum()) < 2:
        raise ShopmineInputError(f"the calibration period up to {calibration_end} has fewer than 2 repeat buyers.")
    litt = split["litt"].astype(float)
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
    scores = scores.sort_values(["reference", "degenerate", "rmse", "_tie"],
                                key=lambda s: s.ne("") if s.name == "degenerate" else s, kind="stable")
    scores["calibration_end"] = calibration_end
    return scores.drop(columns=["_tie", "reference"]).reset_index(drop=True)
