"""How well risk scores rank orders: precision among the top-scored orders and PR-AUC, beside the base rate.

A fraud team reviews the few orders scored riskiest; the share of real fraud among them (precision at the
top 1 %) and the area under the precision-recall curve say more than the ROC AUC when one order in a
hundred or fewer is fraud. Both are read against the base rate: what a random pick of orders would find.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import binom
from sklearn.metrics import average_precision_score

from shopmine.errors import ShopmineInputError, invalid_value

__all__ = ["precision_at_top", "ranking_summary"]


def _check(y_true, scores) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true)
    s = np.asarray(scores, dtype=float)
    if y.shape != s.shape or y.ndim != 1 or len(y) == 0:
        raise ShopmineInputError(f"y_true and scores must be two non-empty sequences of one length; got {len(y)} "
                                 f"and {len(s)}.")
    if not np.isin(y, (0, 1)).all():
        raise ShopmineInputError("y_true must hold 0 and 1 only.")
    if np.isnan(s).any():
        raise ShopmineInputError("scores must not be missing (NaN).")
    return y.astype(int), s


def precision_at_top(y_true, scores, share: float = 0.01) -> tuple[float, int]:
    """The share of positives among the ``share`` highest-scored rows, and how many rows that is.

    The top is ``ceil(share * n)`` rows (at least one), by score; rows tied with the last one
    count by their position in the input (a stable sort), so the answer is reproducible.

    Examples
    --------
    >>> precision_at_top([0, 1, 0, 1, 0], [0.1, 0.9, 0.8, 0.2, 0.3], share=0.4)
    (0.5, 2)
    """
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 1:
        raise invalid_value("share", "a fraction in (0, 1]", share)
    y, s = _check(y_true, scores)
    k = max(1, math.ceil(share * len(y) - 1e-9))
    top = np.argsort(-s, kind="stable")[:k]
    return float(y[top].mean()), int(k)


def ranking_summary(y_true, scores, share: float = 0.01) -> dict:
    """Precision at the top ``share`` and PR-AUC beside the base rate.

    Returns
    -------
    dict
        ``rows``, ``positives``, ``base_rate``; ``top_rows`` and ``precision_at_top`` (at
        ``share``); ``lift_at_top`` (precision / base rate); ``pr_auc`` (average precision, which a
        random ranking brings to the base rate); ``random_top_p_value``: the chance that a random pick
        of ``top_rows`` rows finds at least as many positives (binomial at the base rate).
    """
    y, s = _check(y_true, scores)
    precision, k = precision_at_top(y, s, share)
    base = float(y.mean())
    hits = round(precision * k)
    return {
        "rows": int(len(y)),
        "positives": int(y.sum()),
        "base_rate": base,
        "top_share": float(share),
        "top_rows": k,
        "precision_at_top": precision,
        "lift_at_top": precision / base if base > 0 else None,
        "pr_auc": float(average_precision_score(y, s)) if 0 < y.sum() < len(y) else None,
        "random_top_p_value": float(binom.sf(hits - 1, k, base)) if base > 0 else None,
    }
