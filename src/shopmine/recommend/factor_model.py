"""What ALS and BPR share: a customer's score of a product is the dot product of their factors.

The purchase-day counts become confidences before the fit (:func:`confidence`): ``"log"`` is
``log1p(days)`` (a tenth purchase day says less than the second; Hu, Koren & Volinsky 2008 use
``log(1 + r / eps)``), ``"bm25"`` is ``implicit``'s BM25 weighting (damps heavy buyers and ubiquitous
products). ``implicit``'s ``alpha`` then scales them. The factors are kept as two dense arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from implicit.nearest_neighbours import bm25_weight

from shopmine.errors import invalid_value
from shopmine.recommend.base import check_fitted, csr_from_arrays, csr_to_arrays, score_in_chunks

__all__ = ["FactorModel", "WEIGHTINGS", "confidence"]

WEIGHTINGS = ("log", "bm25")


def confidence(matrix: sp.csr_matrix, weighting: str) -> sp.csr_matrix:
    """The purchase-day matrix weighted for a factor model (float32 csr)."""
    if weighting not in WEIGHTINGS:
        raise invalid_value("weighting", f"one of {', '.join(WEIGHTINGS)}", weighting)
    matrix = sp.csr_matrix(matrix, dtype=np.float32)
    if weighting == "log":
        out = matrix.copy()
        out.data = np.log1p(out.data).astype(np.float32)
        return out
    if matrix.nnz == 0:
        return matrix
    return sp.csr_matrix(bm25_weight(matrix, K1=100, B=0.8), dtype=np.float32)


class FactorModel:
    """Scoring, saving and loading of a fitted factor model (``user_factors_``, ``item_factors_``)."""

    name = "factors"

    def get_params(self) -> dict[str, Any]:
        raise NotImplementedError  # each model lists its own constructor arguments

    def _set_factors(self, user_factors, item_factors, bought: sp.csr_matrix) -> None:
        self.user_factors_ = np.ascontiguousarray(user_factors, dtype=np.float32)
        self.item_factors_ = np.ascontiguousarray(item_factors, dtype=np.float32)
        self.bought_ = sp.csr_matrix(bought, dtype=np.float32)

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Dense scores (len(rows) x products) of customer rows."""
        check_fitted(self, "item_factors_")
        users = self.user_factors_[np.asarray(rows, dtype=np.int64)]
        return (users.astype(np.float64) @ self.item_factors_.astype(np.float64).T)

    def score(self, rows: np.ndarray, n: int, *, exclude_bought: bool) -> tuple[np.ndarray, np.ndarray]:
        check_fitted(self, "item_factors_")
        return score_in_chunks(self.scores, rows, n, self.bought_ if exclude_bought else None)

    def to_arrays(self) -> dict[str, np.ndarray]:
        check_fitted(self, "item_factors_")
        return {"user_factors": self.user_factors_, "item_factors": self.item_factors_,
                **csr_to_arrays(self.bought_, "bought")}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], params: dict[str, Any]):
        model = cls(**params)
        model._set_factors(arrays["user_factors"], arrays["item_factors"], csr_from_arrays(arrays, "bought"))
        return model
