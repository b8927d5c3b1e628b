"""Cross-validation of both models on the same stratified folds, and the out-of-time check.

Everything that looks at the outcome (the binning, the IV screen, the coefficients, the number of trees) is
fitted inside each training fold, so the out-of-fold probabilities are honest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from shopmine.classic.evaluation import binary_scores, calibration_error
from shopmine.risk import challenger
from shopmine.risk.fitting import fit_both
from shopmine.risk.inputs import RiskData
from shopmine.risk.model import MODEL_NAMES

__all__ = ["CrossValidation", "OUT_OF_TIME_SHARE", "cross_validate", "out_of_time"]

#: The latest share of the rows (by date) held out for the out-of-time check.
OUT_OF_TIME_SHARE = 0.2


@dataclass
class CrossValidation:
    """Out-of-fold probabilities of each model, each fold's AUC, the challenger's trees per fold."""

    oof: dict[str, np.ndarray]
    fold_auc: dict[str, list[float]]
    rounds: list[int]

    def summary(self, y: np.ndarray) -> dict[str, dict[str, float]]:
        """Per model: ``auc`` (mean of the folds), ``auc_sd``, and KS, Gini, PR-AUC, Brier and the expected
        calibration error (``ece``, deciles) of the out-of-fold probabilities."""
        out = {}
        for name in MODEL_NAMES:
            pooled = binary_scores(y, self.oof[name])
            aucs = np.array(self.fold_auc[name])
            out[name] = {"auc": float(aucs.mean()), "auc_sd": float(aucs.std(ddof=0)), "ks": pooled["ks"],
                         "gini": 2 * float(aucs.mean()) - 1, "pr_auc": pooled["pr_auc"], "brier": pooled["brier"],
                         "ece": calibration_error(y, self.oof[name])}
        return out


def _fit_and_predict(data: RiskData, train: np.ndarray, test: np.ndarray, *, special_codes, min_iv,
                     random_state) -> tuple[dict[str, np.ndarray], int]:
    X_train, X_test = data.X.iloc[train], data.X.iloc[test]
    card, booster, rounds, categories = fit_both(X_train, data.y[train], data.numeric, data.categorical,
                                                 special_codes=special_codes, min_iv=min_iv,
                                                 random_state=random_state)
    return {"scorecard": card.predict(X_test), "challenger": challenger.predict(booster, X_test, categories)}, rounds


def cross_validate(data: RiskData, *, folds: int, special_codes: Sequence[float] | None, min_iv: float,
                   random_state: int, progress: Callable[..., None] | None = None) -> CrossValidation:
    """Stratified ``folds``-fold cross-validation of the scorecard and the challenger on the same folds."""
    say = progress or (lambda *_a, **_k: None)
    oof = {name: np.zeros(len(data.y)) for name in MODEL_NAMES}
    fold_auc: dict[str, list[float]] = {name: [] for name in MODEL_NAMES}
    rounds = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    for number, (train, test) in enumerate(splitter.split(data.X, data.y), start=1):
        say(f"cross-validation fold {number} of {folds}", number - 1, folds)
        predicted, fold_rounds = _fit_and_predict(data, train, test, special_codes=special_codes, min_iv=min_iv,
                                                  random_state=random_state)
        rounds.append(fold_rounds)
        for name in MODEL_NAMES:
            oof[name][test] = predicted[name]
            fold_auc[name].append(binary_scores(data.y[test], predicted[name])["auc"])
    return CrossValidation(oof, fold_auc, rounds)


def out_of_time(data: RiskData, *, special_codes: Sequence[float] | None, min_iv: float,
                random_state: int) -> tuple[pd.DataFrame, dict]:
    """Fit both models on the earlier rows and score the latest :data:`OUT_OF_TIME_SHARE` by ``data.dates``.

    Returns the table ``model, auc, ks, gini, pr_auc, brier`` on the later rows and the split's facts
    (cut-off date, row counts); the table is empty with a reason when a side lacks one of the outcomes.
    """
    dates = data.dates
    cut = dates.quantile(1 - OUT_OF_TIME_SHARE)
    later = (dates > cut).to_numpy() if (dates > cut).any() else (dates >= cut).to_numpy()
    train, test = np.flatnonzero(~later), np.flatnonzero(later)
    facts = {"oot_from": dates[later].min(), "oot_rows": int(len(test)), "oot_train_rows": int(len(train))}
    for side, rows in (("earlier", train), ("later", test)):
        if len(rows) == 0 or len(np.unique(data.y[rows])) < 2:
            facts["oot_skipped"] = f"the {side} rows hold only one outcome"
            return pd.DataFrame(columns=["model", "auc", "ks", "gini", "pr_auc", "brier"]), facts
    predicted, _ = _fit_and_predict(data, train, test, special_codes=special_codes, min_iv=min_iv,
                                    random_state=random_state)
    rows = [{"model": name, **binary_scores(data.y[test], predicted[name])} for name in MODEL_NAMES]
    return pd.DataFrame(rows), facts
