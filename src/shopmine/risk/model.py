"""The trained risk model: what ``risk score`` and ``risk monitor`` need, and nothing else.

It holds the scorecard as a plain JSON dict (the binning of every feature as optbinning writes it, the
logistic regression's coefficients and the points per bin) and the challenger as a LightGBM booster, so
that the registry stores it as JSON and LightGBM text (never pickle) and reads it back through its
allow-list and checksums.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from shopmine.result import AnalysisResult

__all__ = ["MODEL_NAMES", "OUTPUT_COLUMNS", "RiskModel"]

#: The two models trained on the same folds; the better on cross-validated AUC is served.
MODEL_NAMES = ("scorecard", "challenger")
#: The columns of :meth:`RiskModel.score`, in order: the output contract of ``risk score``.
OUTPUT_COLUMNS = ["id", "probability", "score_points", "reason_1", "reason_2", "reason_3"]


@dataclass
class RiskModel:
    """A trained scorecard and challenger, the one served, and their cross-validated scores.

    Parameters
    ----------
    served : {"scorecard", "challenger"}
        The model :meth:`score` uses: the better of the two on cross-validated AUC.
    cv : dict
        Per model name, ``auc`` (mean over the folds), ``auc_sd``, ``ks``, ``gini``, ``pr_auc`` and
        ``brier`` (on the out-of-fold predictions).
    spec : dict
        Plain JSON: target, positive class, features and their kinds, each feature's binning (optbinning's
        own dict), the scorecard's coefficients and points per bin, the points scale, the challenger's
        features and categories, the training distributions that :meth:`monitor` compares against.
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

    def score(self, frame: pd.DataFrame, *, id_col: str | None = None) -> pd.DataFrame:
        """Score ``frame`` with the served model: :data:`OUTPUT_COLUMNS`, one row per input row.

        ``probability`` is P(positive class), ``score_points`` the scorecard scale (higher is safer), the
        reasons the three features that cost the most points against their best bin (scorecard) or that
        push the probability up most (challenger, LightGBM's SHAP contributions). ``id`` is ``id_col``'s
        value, else the row number.
        """
        raise NotImplementedError("interface commit: scoring lands in the next commits of branch riskcard")

    def monitor(self, frame: pd.DataFrame) -> AnalysisResult:
        """Population stability index of each feature (on the training bins) and of the score between the
        training rows and ``frame``, with the 0.1 / 0.25 alert levels."""
        raise NotImplementedError("interface commit: monitoring lands in the next commits of branch riskcard")

    def to_models(self) -> dict[str, Any]:
        """What the registry stores: ``{"scorecard": dict (JSON), "challenger": lightgbm.Booster (text)}``."""
        return {"scorecard": {**self.spec, "served": self.served, "cv": self.cv}, "challenger": self.booster}

    @classmethod
    def from_models(cls, models: dict[str, Any]) -> RiskModel:
        """The model :meth:`to_models` gave, as read back through the registry."""
        spec = dict(models["scorecard"])
        served, cv = spec.pop("served"), spec.pop("cv")
        return cls(served=served, cv=cv, spec=spec, booster=models["challenger"])
