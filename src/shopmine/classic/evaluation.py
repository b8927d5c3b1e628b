"""Evaluation numbers shared by the classic methods (thin wrappers over sklearn.metrics)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn import metrics as skm

__all__ = ["binary_scores", "calibration_error", "classification_scores", "cost_threshold", "flag_break_even",
           "ks_statistic", "regression_scores"]


def regression_scores(y_true: np.ndarray, y_pred: np.ndarray, suffix: str) -> dict[str, float]:
    """``mse``, ``rmse``, ``mae`` and ``r2`` with ``_<suffix>`` appended to each key."""
    mse = float(skm.mean_squared_error(y_true, y_pred))
    return {
        f"mse_{suffix}": mse,
        f"rmse_{suffix}": float(np.sqrt(mse)),
        f"mae_{suffix}": float(skm.mean_absolute_error(y_true, y_pred)),
        f"r2_{suffix}": float(skm.r2_score(y_true, y_pred)) if len(y_true) > 1 else float("nan"),
    }


def classification_scores(
    y_true: pd.Series, y_pred: np.ndarray, labels: list[str], suffix: str
) -> tuple[dict[str, float], pd.DataFrame, np.ndarray]:
    """Accuracy, macro precision/recall/F1, the per-class table and the confusion matrix.

    Parameters
    ----------
    y_true, y_pred : array-like of str
        Actual and predicted labels.
    labels : list of str
        All classes, in the order of the table and the matrix.
    suffix : str
        Appended to the metric names (``train``, ``test``).

    Returns
    -------
    scores : dict
        ``accuracy_<suffix>``, ``precision_macro_<suffix>``, ``recall_macro_<suffix>``,
        ``f1_macro_<suffix>``.
    per_class : pandas.DataFrame
        ``class``, ``precision``, ``recall``, ``f1``, ``support``.
    confusion : numpy.ndarray
        Rows actual, columns predicted, in ``labels`` order.
    """
    precision, recall, f1, support = skm.precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    scores = {
        f"accuracy_{suffix}": float(skm.accuracy_score(y_true, y_pred)),
        f"precision_macro_{suffix}": float(np.mean(precision)),
        f"recall_macro_{suffix}": float(np.mean(recall)),
        f"f1_macro_{suffix}": float(skm.f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
    }
    per_class = pd.DataFrame({"class": labels, "precision": precision, "recall": recall, "f1": f1,
                              "support": support})
    confusion = skm.confusion_matrix(y_true, y_pred, labels=labels)
    return scores, per_class, confusion


def ks_statistic(y_true: np.ndarray, p: np.ndarray) -> float:
    """Kolmogorov-Smirnov statistic: the largest gap between the score distributions of the two classes,
    which is the largest TPR − FPR along the ROC curve."""
    fpr, tpr, _ = skm.roc_curve(y_true, p)
    return float(np.max(tpr - fpr))


def calibration_error(y_true: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: the row-weighted mean gap |observed share − mean probability| over
    ``bins`` quantile bins of ``p`` (0 for a perfectly calibrated model)."""
    order = np.argsort(p, kind="stable")
    gaps = [abs(float(np.mean(np.asarray(y_true)[part])) - float(np.mean(np.asarray(p)[part]))) * len(part)
            for part in np.array_split(order, min(bins, len(order))) if len(part)]
    return float(np.sum(gaps) / len(order))


def binary_scores(y_true: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """The scores of a probability of the positive class (``y_true`` 0/1): ``auc``, ``ks``, ``gini``
    (= 2 AUC − 1), ``pr_auc`` (average precision) and ``brier``."""
    auc = float(skm.roc_auc_score(y_true, p))
    return {"auc": auc, "ks": ks_statistic(y_true, p), "gini": 2.0 * auc - 1.0,
            "pr_auc": float(skm.average_precision_score(y_true, p)),
            "brier": float(skm.brier_score_loss(y_true, p))}


def cost_threshold(y_true: np.ndarray, p: np.ndarray, cost_fn: float, cost_fp: float) -> tuple[float, float]:
    """The probability cut-off (predict positive from it) with the least total cost
    ``cost_fn`` × missed positives + ``cost_fp`` × false alarms on (``y_true``, ``p``), and that cost.

    Every distinct probability is a candidate, and so is flagging nobody (returned as a cut-off above 1).
    """
    _, fps, fns, _, thresholds = skm.confusion_matrix_at_thresholds(y_true, p)
    # Flagging nobody: every positive missed (fns at the top cut-off plus those flagged there), no false alarm.
    costs = np.concatenate([[cost_fn * float(np.sum(y_true))], cost_fn * fns + cost_fp * fps])
    cuts = np.concatenate([[np.nextafter(1.0, 2.0)], thresholds])
    best = int(np.argmin(costs))
    return float(cuts[best]), float(costs[best])


def flag_break_even(y_true: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """How much more a missed positive must cost than a false alarm before :func:`cost_threshold` flags any
    row, and the probability cut-off that is then the first worth flagging from.

    Flagging the rows from a cut-off instead of none saves ``cost_fn`` per positive caught and costs
    ``cost_fp`` per false alarm: it pays once ``cost_fn / cost_fp`` exceeds false alarms per positive
    caught. The least of those over the cut-offs is the ratio returned (``inf`` with no positive row): at or
    below it flagging nobody is cheapest, above it some cut-off is cheaper.

    Examples
    --------
    >>> flag_break_even(np.array([0, 0, 1, 0, 1]), np.array([0.1, 0.2, 0.3, 0.4, 0.9]))
    (0.0, 0.9)
    >>> flag_break_even(np.array([0, 1, 0, 0]), np.array([0.9, 0.5, 0.4, 0.1]))
    (1.0, 0.5)
    """
    _, fps, _, tps, thresholds = skm.confusion_matrix_at_thresholds(y_true, p)
    caught = tps > 0
    if not caught.any():
        return float("inf"), float("nan")
    ratios = np.where(caught, fps / np.maximum(tps, 1), np.inf)
    best = int(np.argmin(ratios))  # the highest cut-off among equals: the fewest rows flagged
    return float(ratios[best]), float(thresholds[best])
