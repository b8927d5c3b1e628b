"""The trained risk model: what ``risk score`` and ``risk monitor`` need, and nothing else.

It holds the scorecard as a plain JSON dict (the binning of every feature as optbinning writes it, the
logistic regression's coefficients, the points scale) and the challenger as a LightGBM booster, so that the
registry stores it as JSON and LightGBM text (never pickle) and reads it back through its allow-list and
checksums.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

from shopmine.errors import ShopmineInputError
from shopmine.result import AnalysisResult

__all__ = ["MODEL_NAMES", "OUTPUT_COLUMNS", "RiskModel", "SPEC_LAYOUT"]

#: The two models trained on the same folds; the better on cross-validated AUC is served.
MODEL_NAMES = ("scorecard", "challenger")
#: The columns of :meth:`RiskModel.score`, in order: the output contract of ``risk score``.
OUTPUT_COLUMNS = ["id", "probability", "score_points", "reason_1", "reason_2", "reason_3"]
#: Version of the layout of :attr:`RiskModel.spec`, so that a later shopmine can read older models.
SPEC_LAYOUT = 1
#: Reasons per row.
REASONS = 3


@dataclass
class RiskModel:
    """A trained scorecard and challenger, the one served, and their cross-validated scores.

    Parameters
    ----------
    served : {"scorecard", "challenger"}
        The model :meth:`score` uses: the better of the two on cross-validated AUC.
    cv : dict
        Per model name, ``auc`` (mean over the folds), ``auc_sd``, ``ks``, ``gini``, ``pr_auc`` and
        ``brier`` and ``ece`` (expected calibration error over deciles), on the out-of-fold predictions.
    spec : dict
        Plain JSON: target, positive class, id column, features and their kinds, each feature's binning
        (optbinning's own dict), the scorecard's features and coefficients, the points scale, the
        challenger's categories, the cost threshold, and the training score distribution that
        :meth:`monitor` compares against.
    booster : lightgbm.Booster
        The challenger, fitted on every row.
    result_ : AnalysisResult, optional
        The training's tables, metrics and figures (set by :func:`~shopmine.risk.train_risk`).
    """

    served: str
    cv: dict[str, dict[str, float]]
    spec: dict[str, Any]
    booster: Any
    result_: AnalysisResult | None = field(default=None, repr=False)

    # -- what the model reads ---------------------------------------------------------------------------
    @property
    def scorecard_features(self) -> list[str]:
        return list(self.spec["scorecard"]["coefficients"])

    @property
    def challenger_features(self) -> list[str]:
        return list(self.spec["numeric"]) + list(self.spec["categorical"])

    @property
    def features(self) -> list[str]:
        """The columns a table to score must have: those of the served model."""
        return self.scorecard_features if self.served == "scorecard" else self.challenger_features

    def _binnings(self) -> dict:
        from shopmine.risk.binning import load_binnings

        if getattr(self, "_binnings_cache", None) is None:
            self._binnings_cache = load_binnings(self.spec["binning"])
        return self._binnings_cache

    def _scale(self):
        from shopmine.risk.scorecard import Scale

        return Scale(**self.spec["scale"])

    def points_table(self) -> pd.DataFrame:
        """Every bin of every scorecard feature with its WoE and points (:func:`~shopmine.risk.scorecard.points_table`)."""
        from shopmine.risk.scorecard import points_table

        card = self.spec["scorecard"]
        binnings = self._binnings()
        return points_table({f: binnings[f] for f in card["coefficients"]}, card["coefficients"], card["intercept"],
                            self._scale())

    def _frame(self, frame: pd.DataFrame, features: list[str], parameter: str) -> pd.DataFrame:
        from shopmine.risk.inputs import feature_frame

        missing = [c for c in features if c not in frame.columns]
        if missing:
            raise ShopmineInputError(
                f"{{{parameter}}}: the table lacks the feature column(s) {', '.join(map(repr, missing))} that the "
                f"{self.served} was trained on; add them (values may be empty) and run again.", parameter)
        return feature_frame(frame, [c for c in self.spec["numeric"] if c in features],
                             [c for c in self.spec["categorical"] if c in features])

    # -- scoring ------------------------------------------------------------------------------------------
    def score(self, frame: pd.DataFrame, *, id_col: str | None = None) -> pd.DataFrame:
        """Score ``frame`` with the served model: :data:`OUTPUT_COLUMNS`, one row per input row, in order.

        ``probability`` is P(positive class), ``score_points`` the points scale (higher is safer), the
        reasons the three features that cost the most points against their best bin (scorecard) or that push
        the probability up most (challenger, LightGBM's SHAP contributions); fewer when fewer features count
        against the row. ``id`` is ``id_col``'s value (default: the training's id column when the table has it),
        else the row number from 1.

        Raises
        ------
        ShopmineInputError
            When a feature column of the served model is missing (naming it), or the ids repeat.
        """
        return self.score_with_features(frame, id_col=id_col)[0]

    def score_with_features(self, frame: pd.DataFrame, *, id_col: str | None = None) -> tuple[pd.DataFrame, np.ndarray]:
        """:meth:`score` and, per row, the feature of its first reason (empty when none counts against it)."""
        from shopmine.risk.inputs import row_ids

        if id_col is None and self.spec.get("id_col") in frame.columns:
            id_col = self.spec["id_col"]
        ids = row_ids(frame, id_col)
        X = self._frame(frame, self.features, "data")
        if self.served == "scorecard":
            logit, lost, labels = self._scorecard_parts(X)
        else:
            logit, lost, labels = self._challenger_parts(X)
        probability = expit(logit)  # 1 / (1 + exp(-logit)) without overflow at extreme log-odds
        out = pd.DataFrame({"id": ids.to_numpy(), "probability": probability,
                            "score_points": self._scale().points(logit)})
        # The reasons are ranked once; the labels and the first reason's feature both read that ranking.
        order, counts = reason_order(lost)
        reasons = _top_reasons(order, counts, labels)
        for k in range(REASONS):
            out[f"reason_{k + 1}"] = reasons[:, k]
        first = np.full(len(out), "", dtype=object)
        if order.shape[1]:
            names = np.array(self.features, dtype=object)
            first[counts[:, 0]] = names[order[counts[:, 0], 0]]
        return out[OUTPUT_COLUMNS], first

    def _scorecard_parts(self, X: pd.DataFrame):
        """Log-odds, points lost per feature against its best bin, and a label maker per feature."""
        from shopmine.risk.binning import transform

        card = self.spec["scorecard"]
        names = list(card["coefficients"])
        binnings = {f: self._binnings()[f] for f in names}
        woe = transform(binnings, X).to_numpy(dtype=float)
        index = transform(binnings, X, metric="indices").to_numpy()
        coefficients = np.array([card["coefficients"][f] for f in names])
        logit = card["intercept"] + woe @ coefficients
        scale = self._scale()
        table = self.points_table()
        best = table[table["count"] > 0].groupby("feature")["points"].max().reindex(names).to_numpy()
        points = -scale.factor * coefficients * woe  # the part of each feature's points that varies by bin
        best_varying = best - (scale.offset - scale.factor * card["intercept"]) / len(names)
        lost = best_varying[None, :] - points
        labels = [_bin_labels(f, binnings[f], table[table["feature"] == f], index[:, j], X[f].to_numpy())
                  for j, f in enumerate(names)]
        return logit, lost, labels

    def logit(self, frame: pd.DataFrame) -> np.ndarray:
        """The served model's log-odds of the positive class per row, without reasons (cheaper than
        :meth:`score`: no SHAP values); ``score_points`` is the points scale of it."""
        from shopmine.risk import challenger
        from shopmine.risk.binning import transform
        from shopmine.risk.scorecard import scorecard_logit

        X = self._frame(frame, self.features, "data")
        if self.served == "scorecard":
            card = self.spec["scorecard"]
            binnings = {f: self._binnings()[f] for f in card["coefficients"]}
            return scorecard_logit(transform(binnings, X), card["coefficients"], card["intercept"])
        return challenger.predict_logit(self.booster, X[self.challenger_features], self.spec["challenger"]["categories"])

    def score_points(self, frame: pd.DataFrame) -> np.ndarray:
        """The points of each row (higher is safer), without reasons."""
        return self._scale().points(self.logit(frame))

    def reason_lost(self, frame: pd.DataFrame) -> tuple[list[str], np.ndarray]:
        """The served model's features and, per row and feature, how much it counts against the row: points
        lost against the best bin (scorecard) or the SHAP contribution (challenger)."""
        X = self._frame(frame, self.features, "data")
        if self.served == "scorecard":
            return self.scorecard_features, self._scorecard_parts(X)[1]
        return self.challenger_features, self._challenger_parts(X)[1]

    def _challenger_parts(self, X: pd.DataFrame):
        """Log-odds, each feature's SHAP contribution, and a label maker per feature: LightGBM's one
        ``pred_contrib`` pass gives both, since a row's contributions and bias add up to its log-odds."""
        from shopmine.risk import challenger

        categories = self.spec["challenger"]["categories"]
        X = X[self.challenger_features]
        contributions, bias = challenger.contributions(self.booster, X, categories, with_bias=True)
        logit = contributions.sum(axis=1) + bias
        labels = [_value_labels(f, X[f].to_numpy(), categories.get(f)) for f in X.columns]
        return logit, contributions, labels

    # -- monitoring ----------------------------------------------------------------------------------------
    def monitor(self, frame: pd.DataFrame) -> AnalysisResult:
        """Population stability index of each feature (on the training bins) and of the score between the
        training rows and ``frame``, with the 0.1 / 0.25 alert levels (:mod:`shopmine.risk.psi`)."""
        from shopmine.risk.psi import monitor_result

        return monitor_result(self, frame)

    # -- the registry ------------------------------------------------------------------------------------
    def to_models(self) -> dict[str, Any]:
        """What the registry stores: ``{"scorecard": dict (JSON), "challenger": lightgbm.Booster (text)}``."""
        return {"scorecard": {**self.spec, "served": self.served, "cv": self.cv}, "challenger": self.booster}

    @classmethod
    def from_models(cls, models: dict[str, Any]) -> RiskModel:
        """The model :meth:`to_models` gave, as read back through the registry."""
        spec = dict(models["scorecard"])
        if spec.get("layout") != SPEC_LAYOUT:
            raise ShopmineInputError(f"the saved risk model has layout {spec.get('layout')!r}, this shopmine reads "
                                     f"layout {SPEC_LAYOUT}; train it again with `shopmine risk train`.")
        served, cv = spec.pop("served"), spec.pop("cv")
        return cls(served=served, cv=cv, spec=spec, booster=models["challenger"])


def _value_text(values: np.ndarray) -> np.ndarray:
    """Values as short text: numbers without a trailing ``.0``, missing as None. Each distinct value is
    written once (a million rows hold few distinct values of a feature)."""
    out = np.full(len(values), None, dtype=object)
    present = ~pd.isna(values)
    if not present.any():
        return out
    distinct, inverse = np.unique(values[present], return_inverse=True)
    text = np.array([f"{float(v):g}" if isinstance(v, (float, np.floating)) else str(v) for v in distinct],
                    dtype=object)
    out[present] = text[inverse]
    return out


def _value_labels(feature: str, values: np.ndarray, categories: list[str] | None):
    """A label maker for the challenger: ``feature = value`` (``feature missing``; a category never seen in
    training says so)."""
    known = set(categories or ())

    def make(rows: np.ndarray) -> np.ndarray:
        text = _value_text(values[rows])
        out = np.full(len(rows), f"{feature} missing", dtype=object)
        present = text != None  # noqa: E711 (elementwise on an object array)
        out[present] = f"{feature} = " + text[present]
        if categories is not None and present.any():
            unseen = present.copy()
            unseen[present] = ~pd.Series(text[present]).isin(known).to_numpy()
            out[unseen] = out[unseen] + " (not seen in training)"
        return out
    return make


def _bin_labels(feature: str, binning, table: pd.DataFrame, index: np.ndarray, values: np.ndarray):
    """A label maker for the scorecard: a numeric feature's bin (``age (-inf, 25.50)``), a category's value,
    ``feature missing``, a special code, or a category never seen in training."""
    n_bins = len(table) - 2  # the bins, then Special, then Missing
    fixed = np.array([f"{feature} {b}" for b in table["bin"]], dtype=object)
    fixed[n_bins + 1] = f"{feature} missing"
    by_value = binning.dtype != "numerical"

    def make(rows: np.ndarray) -> np.ndarray:
        where = index[rows]
        out = fixed[np.where(where < 0, n_bins + 1, where)]  # bin labels; the rest is filled below
        named = (where == n_bins) | (where == -1) | ((where < n_bins) & by_value)
        if named.any():
            text = _value_text(values[rows[named]])
            suffix = np.where(where[named] == n_bins, " (special code)",
                              np.where(where[named] == -1, " (not seen in training)", "")).astype(object)
            out[named] = f"{feature} = " + text.astype(str).astype(object) + suffix
        return out
    return make


def reason_order(lost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the indices of the (up to) three features with the largest ``lost`` and whether each counts
    (lost more than nothing)."""
    take = min(REASONS, lost.shape[1])
    # Largest first; a stable sort keeps the features' order among ties.
    order = np.argsort(-lost, axis=1, kind="stable")[:, :take]
    return order, np.take_along_axis(lost, order, axis=1) > 1e-9


def _top_reasons(order: np.ndarray, counts: np.ndarray, labels: list) -> np.ndarray:
    """The labels of the ranked features (:func:`reason_order`) that count against each row."""
    out = np.full((len(order), REASONS), "", dtype=object)
    for k in range(order.shape[1]):
        for j, make in enumerate(labels):
            rows = np.flatnonzero((order[:, k] == j) & counts[:, k])
            if len(rows):
                out[rows, k] = make(rows)
    return out
