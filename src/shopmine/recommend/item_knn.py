"""Item-kNN on co-purchases: products bought by the same customers are neighbours.

The item-item similarity is computed by the ``implicit`` library's nearest-neighbour recommenders
(``CosineRecommender`` or ``BM25Recommender``: cosine of the purchase-day columns, or of their BM25
weighting, which damps heavy buyers and ubiquitous products) and kept as a sparse matrix whose row
``i`` holds the ``neighbours`` most similar products of product ``i`` (itself included, as
``implicit`` does). A customer's score of a product is the sum, over the products they bought
(weighted by their purchase days), of its similarity to them: the same as ``implicit``'s
``recommend``. The neighbour lists are kept (rather than only ``implicit``'s object) because they also
answer "similar products" (``similar``) and say which bought product a suggestion comes from
(``because``: "often bought with X").
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from implicit.nearest_neighbours import ItemItemRecommender, bm25_weight, normalize
from threadpoolctl import threadpool_limits

from shopmine.errors import invalid_value
from shopmine.recommend.base import check_fitted, csr_from_arrays, csr_to_arrays, score_in_chunks, top_n
from shopmine.recommend.interactions import Interactions
from shopmine.recommend.params import check_int, check_real

__all__ = ["ItemKNN"]

WEIGHTINGS = ("cosine", "bm25")


class ItemKNN:
    """Item-kNN recommender on the purchase-day matrix.

    Parameters
    ----------
    weighting : {"cosine", "bm25"}, default="bm25"
        Similarity of the product columns: plain cosine, or cosine after BM25 weighting.
    neighbours : int, default=100
        Products kept per product's neighbour list.
    k1, b : float, default=1.2, 0.75
        BM25 saturation and length normalisation (``BM25Recommender``'s defaults), for
        ``weighting="bm25"``.
    """

    def __init__(self, *, weighting: str = "bm25", neighbours: int = 100, k1: float = 1.2, b: float = 0.75):
        self.weighting = weighting
        self.neighbours = neighbours
        self.k1 = k1
        self.b = b

    @property
    def name(self) -> str:
        return f"item_knn_{self.weighting}"

    def get_params(self) -> dict[str, Any]:
        return {"weighting": self.weighting, "neighbours": self.neighbours, "k1": self.k1, "b": self.b}

    def _check_params(self) -> None:
        if self.weighting not in WEIGHTINGS:
            raise invalid_value("weighting", f"one of {', '.join(WEIGHTINGS)}", self.weighting)
        check_int("neighbours", self.neighbours, 1)
        check_real("k1", self.k1, 0.0)
        check_real("b", self.b, 0.0)

    def fit(self, data: Interactions) -> ItemKNN:
        self._check_params()
        matrix = sp.csr_matrix(data.matrix, dtype=np.float32)
        if matrix.shape[1] == 0:
            self.similarity_ = sp.csr_matrix((0, 0), dtype=np.float32)
        else:
            # What CosineRecommender / BM25Recommender fit on, handed over as csr (they pass coo,
            # which implicit converts with a warning).
            items = matrix.T.tocsr()
            weighted = normalize(items) if self.weighting == "cosine" else bm25_weight(items, self.k1, self.b)
            knn = ItemItemRecommender(K=self.neighbours, num_threads=1)
            with threadpool_limits(1):
                knn.fit(sp.csr_matrix(weighted.T, dtype=np.float64), show_progress=False)
            self.similarity_ = sp.csr_matrix(knn.similarity, dtype=np.float32)
            self.similarity_.sort_indices()
        self.bought_ = matrix
        return self

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Dense scores (len(rows) x products) of customer rows."""
        check_fitted(self, "similarity_")
        return (self.bought_[np.asarray(rows, dtype=np.int64)] @ self.similarity_).toarray().astype(np.float64)

    def score(self, rows: np.ndarray, n: int, *, exclude_bought: bool) -> tuple[np.ndarray, np.ndarray]:
        check_fitted(self, "similarity_")
        return score_in_chunks(self.scores, rows, n, self.bought_ if exclude_bought else None)

    def similar(self, cols: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``n`` products most similar to each product column (itself left out), best first."""
        check_fitted(self, "similarity_")
        cols = np.asarray(cols, dtype=np.int64).reshape(-1)
        sim = self.similarity_[cols].tolil()
        sim[np.arange(len(cols)), cols] = 0.0  # a product is not its own suggestion
        sim = sim.toarray().astype(np.float64)
        sim[sim <= 0] = np.nan
        return top_n(sim, n)

    def because(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """For each (customer row, product column) pair, the bought product column that contributes
        most to the score other than the product itself (-1 when none does)."""
        check_fitted(self, "similarity_")
        rows = np.asarray(rows, dtype=np.int64).reshape(-1)
        cols = np.asarray(cols, dtype=np.int64).reshape(-1)
        out = np.full(len(rows), -1, dtype=np.int64)
        sim_t = self.similarity_.T.tocsr()  # row j: the products that have j among their neighbours
        for i, (r, c) in enumerate(zip(rows, cols)):
            if c < 0:
                continue
            bought = self.bought_[r]
            contrib = bought.multiply(sim_t[c]).tocoo()
            keep = (contrib.col != c) & (contrib.data > 0)
            if keep.any():
                cand, val = contrib.col[keep], contrib.data[keep]
                out[i] = cand[np.lexsort((cand, -val))[0]]
        return out

    def to_arrays(self) -> dict[str, np.ndarray]:
        check_fitted(self, "similarity_")
        return {**csr_to_arrays(self.similarity_, "similarity"), **csr_to_arrays(self.bought_, "bought")}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], params: dict[str, Any]) -> ItemKNN:
        model = cls(**params)
        model.similarity_ = csr_from_arrays(arrays, "similarity")
        model.bought_ = csr_from_arrays(arrays, "bought")
        return model
