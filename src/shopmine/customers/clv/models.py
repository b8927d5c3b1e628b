"""The purchase models by name, and fitting one of them on a customer summary."""

from __future__ import annotations

import numpy as np

from shopmine.customers.clv.bgnbd import BetaGeoModel
from shopmine.customers.clv.mbgcnbd import MBGCNBDModel
from shopmine.customers.clv.pareto_nbd import ParetoNBDModel

__all__ = ["PURCHASE_MODELS", "fit_purchase_model"]

#: Purchase models by name, with their display names and classes.
PURCHASE_MODELS = {"pareto_nbd": ("Pareto/NBD", ParetoNBDModel), "bgnbd": ("BG/NBD", BetaGeoModel),
                   "mbgcnbd": ("MBG/CNBD-k", MBGCNBDModel)}


def fit_purchase_model(name: str, x, tx, t, litt=None):
    """Fit the purchase model ``name`` on ``x, tx, t`` (and ``litt`` for MBG/CNBD-k, which needs it)."""
    model_class = PURCHASE_MODELS[name][1]
    if model_class is MBGCNBDModel:
        return MBGCNBDModel().fit(x, tx, t, np.zeros(len(np.asarray(x))) if litt is None else litt)
    return model_class().fit(x, tx, t)
