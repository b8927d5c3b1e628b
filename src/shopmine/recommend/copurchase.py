"""Bought together: products that share baskets, for "often bought with X" and product pages.

A basket is a customer-day (the unit of :class:`~shopmine.recommend.interactions.Interactions`: a
shop without order ids makes an order of each customer-day anyway). Two products are bought together
in a basket that holds both. Their similarity is the cosine of their basket sets:
``together(a, b) / sqrt(baskets(a) * baskets(b))``, so that a product in every basket (a carrier bag)
is not everybody's neighbour. Each product keeps its ``neighbours`` most similar products.

A customer's score for a product is the sum of its similarities to the products the customer bought
(:meth:`CoPurchase.score`); :meth:`CoPurchase.because` names the bought product that contributes
most, for the reason of a recommendation.

The pair counts are an Ibis expression (:func:`basket_pairs`, a self-join of the purchase days on
customer and day, ranked and cut to the neighbours in the engine), so they run on Spark too; only
``products x neighbours`` rows are pulled.
"""

from __future__ import annotations

from typing import Any

import ibis
import numpy as np
import scipy.sparse as sp

from shopmine.recommend.base import (check_fitted, check_n, check_rows, csr_from_arrays, csr_to_arrays,
                                     dense_rows, score_in_chunks, top_n)
from shopmine.recommend.interactions import Interactions

__all__ = ["CoPurchase", "basket_pairs"]

NEIGHBOURS = 50


def basket_pairs(days: ibis.Table, *, neighbours: int = NEIGHBOURS) -> ibis.Table:
    """Each product's ``neighbours`` most similar products by shared baskets.

    Parameters
    ----------
    days : ibis.Table
        ``customer_id, product_id, day``: one row per basket and product.

    Returns
    -------
    ibis.Table
        ``product_id, other_id`` (string), ``together`` (int64: baskets with both) and ``similarity``
        (float64, cosine of the basket sets); ties in similarity go to the lower ``other_id``.
    """
    baskets = days.select("customer_id", "product_id", "day").distinct()
    sizes = baskets.group_by("product_id").aggregate(baskets=baskets.count())
    left = baskets.rename(a="product_id")
    right = baskets.rename(b="product_id")
    pairs = left.inner_join(right, [left.customer_id == right.customer_id, left.day == right.day])
    pairs = pairs.filter(pairs.a != pairs.b)
    counts = pairs.group_by(["a", "b"]).aggregate(together=pairs.count())
    size_a = sizes.rename(a="product_id", n_a="baskets")
    size_b = sizes.rename(b="product_id", n_b="baskets")
    counts = counts.inner_join(size_a, "a").inner_join(size_b, "b")
    counts = counts.mutate(similarity=counts.together.cast("float64")
                           / (counts.n_a.cast("float64") * counts.n_b.cast("float64")).sqrt())
    ranked = counts.mutate(position=ibis.row_number().over(
        group_by=counts.a, order_by=[ibis.desc(counts.similarity), counts.b]))
    ranked = ranked.filter(ranked.position < neighbours)
    return ranked.select(product_id=ranked.a, other_id=ranked.b, together=ranked.together.cast("int64"),
                         similarity=ranked.similarity)


class CoPurchase:
    """Products bought together with the customer's products.

    Parameters
    ----------
    neighbours : int, default=50
        How many most similar products each product keeps.
    """

    name = "copurchase"

    def __init__(self, neighbours: int = NEIGHBOURS):
        self.neighbours = neighbours

    def get_params(self) -> dict[str, Any]:
        return {"neighbours": self.neighbours}

    def fit(self, data: Interactions) -> CoPurchase:
        if isinstance(self.neighbours, bool) or not isinstance(self.neighbours, int) or self.neighbours < 1:
            raise ValueError(f"neighbours must be a whole number of at least 1; got {self.neighbours!r}")
        n = data.n_products
        if len(data.days):
            days = ibis.memtable(data.days[["customer_id", "product_id", "day"]])
            pairs = basket_pairs(days, neighbours=self.neighbours).to_pandas()
        else:
            pairs = {"product_id": [], "other_id": [], "similarity": [], "together": []}
        a = data.product_index(np.asarray(pairs["product_id"], dtype=object))
        b = data.product_index(np.asarray(pairs["other_id"], dtype=object))
        self.similarity_ = sp.csr_matrix((np.asarray(pairs["similarity"], dtype=np.float64), (a, b)), shape=(n, n))
        self.together_ = sp.csr_matrix((np.asarray(pairs["together"], dtype=np.float64), (a, b)), shape=(n, n))
        self.bought_ = data.matrix
        return self

    def _scores(self, rows: np.ndarray) -> np.ndarray:
        # Sum of the similarity rows of each customer's bought products.
        indptr = self.bought_.indptr
        starts, ends = indptr[rows], indptr[rows + 1]
        cols = np.concatenate([self.bought_.indices[s:e] for s, e in zip(starts, ends)]) if len(rows) else \
            np.zeros(0, dtype=np.int64)
        bought = sp.csr_matrix((np.ones(len(cols)), cols, np.concatenate([[0], np.cumsum(ends - starts)])),
                               shape=(len(rows), self.bought_.shape[1]))
        scores = (bought @ self.similarity_).toarray()
        scores[scores <= 0] = np.nan  # nothing in common with the customer's products: no candidate
        return scores

    def score(self, rows: np.ndarray, n: int, *, exclude_bought: bool) -> tuple[np.ndarray, np.ndarray]:
        check_fitted(self, "similarity_")
        rows, n = check_rows(rows, self.bought_.shape[0]), check_n(n)
        return score_in_chunks(self._scores, rows, n, self.bought_ if exclude_bought else None)

    def similar(self, cols: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``n`` products most often bought with each product column (itself never), best first;
        the scores are the similarities."""
        check_fitted(self, "similarity_")
        cols = np.asarray(cols, dtype=np.int64).reshape(-1)
        sim = self.similarity_[cols].toarray()
        sim[sim <= 0] = np.nan
        return top_n(sim, check_n(n))

    def because(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """For each (customer row, product column), the bought product column most similar to the
        product (-1 when none is): the "often bought with X" of a reason."""
        check_fitted(self, "similarity_")
        rows = np.asarray(rows, dtype=np.int64).reshape(-1)
        cols = np.asarray(cols, dtype=np.int64).reshape(-1)
        out = np.full(len(rows), -1, dtype=np.int64)
        if getattr(self, "_similarity_t", None) is None:  # row c: the products that have c among their neighbours
            self._similarity_t = self.similarity_.T.tocsr()
        sim_t = self._similarity_t
        for i, (r, c) in enumerate(zip(rows, cols)):
            if r < 0 or c < 0:
                continue
            bought = self.bought_.indices[self.bought_.indptr[r]:self.bought_.indptr[r + 1]]
            sims = dense_rows(sim_t, np.array([c]), fill=0.0)[0][bought]
            sims[bought == c] = 0.0
            if len(sims) and sims.max() > 0:
                best = np.flatnonzero(sims == sims.max())
                out[i] = bought[best].min()
        return out

    def to_arrays(self) -> dict[str, np.ndarray]:
        check_fitted(self, "similarity_")
        return {**csr_to_arrays(self.similarity_, "similarity"), "together_values": self.together_.data,
                **csr_to_arrays(self.bought_, "bought")}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], params: dict[str, Any]) -> CoPurchase:
        model = cls(**params)
        model.similarity_ = csr_from_arrays(arrays, "similarity")
        s = model.similarity_
        model.together_ = sp.csr_matrix((arrays["together_values"], s.indices, s.indptr), shape=s.shape)
        model.bought_ = csr_from_arrays(arrays, "bought")
        return model
