"""The scorecard: logistic regression by maximum likelihood on WoE features, and its points per bin.

The points follow the standard scaling: ``score = offset + factor × ln(good:bad odds)`` with
``factor = pdo / ln 2`` and ``offset = base_score − factor × ln(base_odds)``, so that ``base_score`` points
mean odds of ``base_odds`` to 1 and every ``pdo`` points double them. With the fitted
``logit P(bad) = b0 + Σ b_j WoE_j`` each feature's points are ``(offset − factor b0) / n − factor b_j WoE_j``:
they add up to the score, and the score maps one-to-one to the probability.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from sklearn.linear_model import LogisticRegression

from shopmine.classic.logistic import logit_coefficients, odds_ratios

__all__ = ["Scale", "fit_scorecard", "points_table", "scorecard_logit"]


@dataclass(frozen=True)
class Scale:
    """The points scale: ``base_score`` points at good:bad odds ``base_odds``, ``pdo`` points to double them."""

    base_score: float = 600.0
    base_odds: float = 50.0
    pdo: float = 20.0

    @property
    def factor(self) -> float:
        return self.pdo / np.log(2.0)

    @property
    def offset(self) -> float:
        return self.base_score - self.factor * np.log(self.base_odds)

    def points(self, logit: np.ndarray) -> np.ndarray:
        """Score of a log-odds of the positive (bad) outcome: higher is safer."""
        return self.offset - self.factor * np.asarray(logit, dtype=float)

    def logit(self, probability: np.ndarray) -> np.ndarray:
        p = np.clip(np.asarray(probability, dtype=float), 1e-15, 1 - 1e-15)
        return np.log(p / (1 - p))


def _maximum_likelihood(W: pd.DataFrame, y: np.ndarray) -> tuple[np.ndarray, pd.DataFrame | None, str | None]:
    """Intercept-first coefficients of the Logit of ``y`` on ``W``, the statsmodels coefficient table, and a
    note when maximum likelihood failed (separation, collinearity) and an L2-penalised fit stands in."""
    design = sm.add_constant(W, has_constant="add")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            logit = sm.Logit(y, design).fit(disp=0, maxiter=200)
            failed = (not logit.mle_retvals.get("converged", True) or not np.all(np.isfinite(logit.params))
                      or any("separation" in str(w.message).lower() for w in caught))
        except (np.linalg.LinAlgError, ValueError):
            failed = True
    if not failed:
        return logit.params.to_numpy(), logit_coefficients(logit), None
    model = LogisticRegression(C=1.0, max_iter=5000).fit(W.to_numpy(), y)
    params = np.concatenate([model.intercept_, model.coef_[0]])
    table = pd.DataFrame({"term": ["const", *W.columns], "coefficient": params, "odds_ratio": odds_ratios(params)})
    return params, table, ("maximum likelihood did not converge (the outcome is (quasi-)separated by the bins); "
                           "the scorecard uses an L2-penalised logistic regression (C=1) instead")


def fit_scorecard(W: pd.DataFrame, y: np.ndarray) -> tuple[dict[str, float], float, pd.DataFrame, list[tuple[str, str]],
                                                          list[str]]:
    """Fit the Logit of ``y`` on the WoE columns ``W``, dropping features whose coefficient has the wrong sign.

    optbinning's WoE is ``ln(share of non-events / share of events)``: a higher WoE is a safer bin, so every
    coefficient on the log-odds of the event must be negative. A positive one means the feature repeats
    another (collinearity) and its points would run against its own bins; it is dropped (the most positive
    first, by z) and the model refitted.

    Returns
    -------
    coefficients : dict
        Feature → coefficient.
    intercept : float
    table : pandas.DataFrame
        The final fit's coefficient table (statsmodels: standard errors, p-values, intervals).
    dropped : list of (feature, reason)
    notes : list of str
    """
    features = list(W.columns)
    dropped: list[tuple[str, str]] = []
    notes: list[str] = []
    while True:
        params, table, note = _maximum_likelihood(W[features], y)
        coefficients = dict(zip(features, params[1:]))
        wrong = {f: c for f, c in coefficients.items() if c > 0}
        if not wrong or len(features) == 1:
            break
        by_z = dict(zip(table["term"], table["z"])) if "z" in table else wrong
        worst = max(wrong, key=lambda f: (by_z[f], f))
        dropped.append((worst, "its coefficient ran against its own bins (it repeats other features)"))
        features.remove(worst)
    if note:
        notes.append(note)
    return {f: float(c) for f, c in coefficients.items()}, float(params[0]), table, dropped, notes


def scorecard_logit(W: pd.DataFrame, coefficients: dict[str, float], intercept: float) -> np.ndarray:
    """The log-odds of the positive outcome from the WoE columns."""
    names = list(coefficients)
    return intercept + W[names].to_numpy(dtype=float) @ np.array([coefficients[n] for n in names])


def points_table(binnings: dict, coefficients: dict[str, float], intercept: float, scale: Scale) -> pd.DataFrame:
    """Every bin of every scorecard feature: ``feature, bin_index, bin, count, event_rate, woe, points``.

    ``bin_index`` is optbinning's index (bins in order, then ``Special``, then ``Missing``); the points of a
    category never seen in training are those of a WoE of 0 (the feature's neutral share).
    """
    share = (scale.offset - scale.factor * intercept) / len(coefficients)
    rows = []
    for feature, coefficient in coefficients.items():
        table = binnings[feature].binning_table.build(add_totals=False)
        for index, (_, row) in enumerate(table.iterrows()):
            woe = float(row["WoE"]) if row["WoE"] != "" else 0.0
            rows.append({"feature": feature, "bin_index": index, "bin": _bin_text(row["Bin"]),
                         "count": int(row["Count"]), "event_rate": float(row["Event rate"]) if row["Count"] else np.nan,
                         "woe": woe, "points": share - scale.factor * coefficient * woe})
    return pd.DataFrame(rows)


def _bin_text(value) -> str:
    if isinstance(value, (list, np.ndarray)):
        return ", ".join(map(str, list(value)))
    return str(value)
