"""Risk control on any table with a binary target: a WoE scorecard in points with reason codes, a
LightGBM challenger on the same folds, their cross-validated evaluation, and drift (PSI) monitoring.

:func:`train_risk` fits both and returns a :class:`RiskModel`; the model serves the better of the two on
cross-validated AUC, scores new rows (``id, probability, score_points, reason_1..3``) and is saved through
the workspace's model registry as JSON (bins, WoE, points) and LightGBM text, never pickle.
"""

from shopmine.risk.model import RiskModel
from shopmine.risk.train import train_risk

__all__ = ["RiskModel", "train_risk"]
