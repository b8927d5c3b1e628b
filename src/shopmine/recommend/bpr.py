"""Bayesian personalised ranking (Rendle et al. 2009), fitted by the ``implicit`` library: factors
trained so that a customer's bought products score above sampled products they did not buy.

BPR only sees which products were bought (``implicit`` samples the stored entries), so the confidence
weighting matters less than for ALS; ``implicit``'s item factors carry a bias column, its user factors
a matching column of ones, so the dot product includes the product's bias.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from implicit.cpu.bpr import BayesianPersonalizedRanking
from threadpoolctl import threadpool_limits

from shopmine.recommend.factor_model import FactorModel
from shopmine.recommend.interactions import Interactions
from shopmine.recommend.params import check_int, check_real

__all__ = ["BPR"]


class BPR(FactorModel):
    """Implicit BPR.

    Parameters
    ----------
    factors : int, default=64
    learning_rate : float, default=0.05
    regularization : float, default=0.01
    iterations : int, default=100
    random_state : int, default=0
    num_threads : int, default=1
        One thread by default: with more, ``implicit``'s Hogwild updates depend on thread timing and
        the factors are no longer the same on every run.
    """

    name = "bpr"

    def __init__(self, *, factors: int = 64, learning_rate: float = 0.05, regularization: float = 0.01,
                 iterations: int = 100, random_state: int = 0, num_threads: int = 1):
        self.factors = factors
        self.learning_rate = learning_rate
        self.regularization = regularization
        self.iterations = iterations
        self.random_state = random_state
        self.num_threads = num_threads

    def get_params(self) -> dict[str, Any]:
        return {"factors": self.factors, "learning_rate": self.learning_rate,
                "regularization": self.regularization, "iterations": self.iterations,
                "random_state": self.random_state, "num_threads": self.num_threads}

    def fit(self, data: Interactions) -> BPR:
        factors = check_int("factors", self.factors, 1)
        learning_rate = check_real("learning_rate", self.learning_rate, 0.0, strict=True)
        regularization = check_real("regularization", self.regularization, 0.0)
        iterations = check_int("iterations", self.iterations, 1)
        threads = check_int("num_threads", self.num_threads, 1)
        matrix = data.matrix
        n_users, n_items = matrix.shape
        if matrix.nnz == 0 or n_items < 2:
            # Nothing to rank against: every product scores the same.
            self._set_factors(np.zeros((n_users, factors + 1)), np.zeros((n_items, factors + 1)), matrix)
            return self
        model = BayesianPersonalizedRanking(factors=factors, learning_rate=learning_rate,
                                            regularization=regularization, iterations=iterations,
                                            random_state=self.random_state, num_threads=threads)
        with threadpool_limits(1):
            model.fit(matrix.astype(np.float32), show_progress=False)
        self._set_factors(model.user_factors, model.item_factors, matrix)
        return self
