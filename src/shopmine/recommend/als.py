"""Implicit-feedback matrix factorisation by alternating least squares (Hu, Koren & Volinsky 2008),
fitted by the ``implicit`` library on the purchase-day confidences (:mod:`.factor_model`).

The constants (factors, regularisation, alpha, iterations, weighting) are chosen per shop on a
validation month inside the training period (:mod:`shopmine.recommend.tuning`); the defaults are the
middle of that grid.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from implicit.cpu.als import AlternatingLeastSquares
from threadpoolctl import threadpool_limits

from shopmine.recommend.factor_model import FactorModel, confidence
from shopmine.recommend.interactions import Interactions
from shopmine.recommend.params import check_int, check_real

__all__ = ["ALS"]


class ALS(FactorModel):
    """Implicit ALS.

    Parameters
    ----------
    factors : int, default=64
    regularization : float, default=1.0
    alpha : float, default=3.0
        Scale of the confidences (``implicit``'s ``alpha``).
    iterations : int, default=15
    weighting : {"log", "bm25"}, default="log"
    random_state : int, default=0
    num_threads : int, default=1
        ``implicit``'s threads (the machine is shared: one by default).
    """

    name = "als"

    def __init__(self, *, factors: int = 64, regularization: float = 1.0, alpha: float = 3.0,
                 iterations: int = 15, weighting: str = "log", random_state: int = 0, num_threads: int = 1):
        self.factors = factors
        self.regularization = regularization
        self.alpha = alpha
        self.iterations = iterations
        self.weighting = weighting
        self.random_state = random_state
        self.num_threads = num_threads

    def get_params(self) -> dict[str, Any]:
        return {"factors": self.factors, "regularization": self.regularization, "alpha": self.alpha,
                "iterations": self.iterations, "weighting": self.weighting,
                "random_state": self.random_state, "num_threads": self.num_threads}

    def fit(self, data: Interactions) -> ALS:
        factors = check_int("factors", self.factors, 1)
        regularization = check_real("regularization", self.regularization, 0.0)
        alpha = check_real("alpha", self.alpha, 0.0, strict=True)
        iterations = check_int("iterations", self.iterations, 1)
        threads = check_int("num_threads", self.num_threads, 1)
        weighted = confidence(data.matrix, self.weighting)
        n_users, n_items = weighted.shape
        if weighted.nnz == 0:
            self._set_factors(np.zeros((n_users, factors)), np.zeros((n_items, factors)), data.matrix)
            return self
        # implicit warns (and slows down) when BLAS runs threads of its own beside its own threads;
        # it checks when the model is built.
        with threadpool_limits(1):
            model = AlternatingLeastSquares(factors=factors, regularization=regularization, alpha=alpha,
                                            iterations=iterations, random_state=self.random_state,
                                            num_threads=threads)
            model.fit(weighted, show_progress=False)
        self._set_factors(model.user_factors, model.item_factors, data.matrix)
        return self
