"""Training a risk model on any table with a binary target: binning, scorecard, challenger, evaluation."""

from __future__ import annotations

import pandas as pd

from shopmine.risk.model import RiskModel

__all__ = ["train_risk"]


def train_risk(table: pd.DataFrame, *, target: str, id_col: str | None = None,
               positive_class: object | None = None, date_col: str | None = None,
               folds: int = 5, base_score: float = 600, base_odds: float = 50, pdo: float = 20,
               cost_fn: float = 1.0, cost_fp: float = 1.0, random_state: int = 0) -> RiskModel:
    """A WoE scorecard and a LightGBM challenger on the same stratified folds; the better one is served.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per case: the target, optional id and date columns, every other column a candidate feature.
    target : str
        The binary outcome column.
    id_col : str, optional
        Identifies the rows (never a feature); must be unique.
    positive_class : optional
        The value of ``target`` that is the risk (default, fraud ...); default: the minority class.
    date_col : str, optional
        Adds an out-of-time evaluation (the latest rows held out); never a feature.
    folds : int, default=5
        Stratified k-fold cross-validation.
    base_score, base_odds, pdo : float, default=600, 50, 20
        The points scale: ``base_score`` points at good:bad odds of ``base_odds``, ``pdo`` points to double them.
    cost_fn, cost_fp : float, default=1.0
        Cost of a missed positive and of a false alarm: the threshold minimises the total.
    random_state : int, default=0

    Returns
    -------
    RiskModel
        With ``result_`` (tables, metrics, figures) set.
    """
    raise NotImplementedError("interface commit: training lands in the next commits of branch riskcard")
