"""EASE (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"): a product x product
weight matrix ``B`` with a zero diagonal, in closed form from the Gram matrix of the (binary)
customer x product matrix ``X``: ``P = (X'X + lambda I)^-1``, ``B = I - P / diag(P)``; a customer's
scores are ``x B``.

The Gram matrix and its inverse are dense products x products arrays, so EASE only runs when the
catalogue fits memory: at most :data:`MAX_PRODUCTS` products (20,000 products make two float32 arrays
of 1.6 GB each; one machine of a small shop has that, and the fit is one matrix inversion, O(n^3)).
A larger catalogue raises :class:`~shopmine.errors.ShopmineInputError`; callers that assemble
several models check :func:`fits_memory` first and leave EASE out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from shopmine.errors import ShopmineInputError
from shopmine.recommend.base import check_fitted, csr_from_arrays, csr_to_arrays, score_in_chunks
from shopmine.recommend.interactions import Interactions
from shopmine.recommend.params import check_int, check_real

__all__ = ["EASE", "MAX_PRODUCTS", "fits_memory"]

MAX_PRODUCTS = 20_000


def fits_memory(n_products: int, max_products: int = MAX_PRODUCTS) -> bool:
    """Whether EASE's dense products x products matrices are small enough to compute."""
    return n_products <= max_products


class EASE:
    """EASE recommender.

    Parameters
    ----------
    l2 : float, default=200.0
        The ridge penalty ``lambda`` (Steck uses a few hundred on data sets of this density).
    max_products : int, default=MAX_PRODUCTS
        Refuse catalogues larger than this (memory: two dense float32 matrices of this side).
    num_threads : int, default=1
        BLAS threads for the inversion.
    """

    name = "ease"

    def __init__(self, *, l2: float = 200.0, max_products: int = MAX_PRODUCTS, num_threads: int = 1):
        self.l2 = l2
        self.max_products = max_products
        self.num_threads = num_threads

    def get_params(self) -> dict[str, Any]:
        return {"l2": self.l2, "max_products": self.max_products, "num_threads": self.num_threads}

    def fit(self, data: Interactions) -> EASE:
        l2 = check_real("l2", self.l2, 0.0, strict=True)
        limit = check_int("max_products", self.max_products, 1)
        threads = check_int("num_threads", self.num_threads, 1)
        n = data.n_products
        if not fits_memory(n, limit):
            raise ShopmineInputError(
                f"EASE needs two dense products x products matrices; this shop has {n:,} products, more "
                f"than max_products={limit:,} ({4 * n * n / 1e9:.1f} GB each). Leave EASE out or raise "
                f"{{max_products}} on a machine with the memory.", "max_products")
        binary = sp.csr_matrix(data.matrix, dtype=np.float32)
        binary.data[:] = 1.0
        with threadpool_limits(threads):
            gram = (binary.T @ binary).toarray().astype(np.float32)
            gram[np.diag_indices(n)] += l2
            # In place: no third products x products copy.
            inverse = scipy.linalg.inv(gram, overwrite_a=True, check_finite=False) if n else gram
        weights = -inverse / np.diag(inverse)[None, :] if n else inverse
        weights[np.diag_indices(n)] = 0.0
        self.weights_ = np.ascontiguousarray(weights, dtype=np.float32)
        self.bought_ = binary
        return self

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Dense scores (len(rows) x products) of customer rows."""
        check_fitted(self, "weights_")
        return np.asarray(self.bought_[np.asarray(rows, dtype=np.int64)] @ self.weights_, dtype=np.float64)

    def score(self, rows: np.ndarray, n: int, *, exclude_bought: bool) -> tuple[np.ndarray, np.ndarray]:
        check_fitted(self, "weights_")
        return score_in_chunks(self.scores, rows, n, self.bought_ if exclude_bought else None)

    def to_arrays(self) -> dict[str, np.ndarray]:
        check_fitted(self, "weights_")
        return {"weights": self.weights_, **csr_to_arrays(self.bought_, "bought")}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], params: dict[str, Any]) -> EASE:
        model = cls(**params)
        model.weights_ = np.ascontiguousarray(arrays["weights"], dtype=np.float32)
        model.bought_ = csr_from_arrays(arrays, "bought")
        return model
