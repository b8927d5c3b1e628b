"""Fitting both models on one set of rows: what each cross-validation fold, the out-of-time split and the final
fit on every row do alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import expit

from shopmine.risk import binning as bins
from shopmine.risk import challenger
from shopmine.risk.scorecard import fit_scorecard, scorecard_logit

__all__ = ["ScorecardFit", "fit_both", "fit_scorecard_model"]


@dataclass
class ScorecardFit:
    """A fitted binning and the logistic regression on the WoE of its selected features."""

    process: object  # optbinning.BinningProcess
    binnings: dict  # feature -> fitted OptimalBinning, the scorecard's features only
    coefficients: dict[str, float]
    intercept: float
    coefficient_table: pd.DataFrame
    dropped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def logit(self, X: pd.DataFrame) -> np.ndarray:
        return scorecard_logit(bins.transform(self.binnings, X), self.coefficients, self.intercept)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return expit(self.logit(X))


def fit_scorecard_model(X: pd.DataFrame, y: np.ndarray, numeric: list[str], categorical: list[str],
                        special_codes: Sequence[float] | None = None, min_iv: float = bins.MIN_IV) -> ScorecardFit:
    """Bin every feature, keep those with IV >= ``min_iv`` (the most informative one when none reaches it),
    fit the Logit on their WoE."""
    process = bins.fit_binning(X, y, numeric, categorical, special_codes, min_iv)
    selected = [str(n) for n in process.get_support(names=True)]
    notes = []
    if not selected:
        table = bins.iv_table(process, min_iv)
        selected = [table["feature"].iloc[0]]
        notes.append(f"no feature reaches an information value of {min_iv:g}; the scorecard uses the most "
                     f"informative one, {selected[0]!r} (IV {table['iv'].iloc[0]:.4f}), and will separate little")
    binnings = {name: process.get_binned_variable(name) for name in selected}
    coefficients, intercept, table, dropped, fit_notes = fit_scorecard(bins.transform(binnings, X), y)
    binnings = {name: binnings[name] for name in coefficients}
    return ScorecardFit(process, binnings, coefficients, intercept, table, dropped, notes + fit_notes)


def categories_of(X: pd.DataFrame, categorical: list[str]) -> dict[str, list[str]]:
    """The training categories of each categorical column, sorted (fixed codes for LightGBM)."""
    return {c: sorted(map(str, X[c].dropna().unique())) for c in categorical}


def fit_both(X: pd.DataFrame, y: np.ndarray, numeric: list[str], categorical: list[str], *,
             special_codes: Sequence[float] | None, min_iv: float, random_state: int):
    """The scorecard and the early-stopped challenger on the same rows; returns (scorecard fit, booster,
    the challenger's number of trees, its categories)."""
    card = fit_scorecard_model(X, y, numeric, categorical, special_codes, min_iv)
    categories = categories_of(X, categorical)
    booster, rounds = challenger.fit_early_stopped(X, y, categories, random_state)
    return card, booster, rounds, categories
