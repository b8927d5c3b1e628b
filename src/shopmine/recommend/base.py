"""What every candidate model offers, and the top-n selection they share.

A model is fitted on :class:`~shopmine.recommend.interactions.Interactions` and scores customer ROWS
of that data into product COLUMNS. Models are deterministic given ``random_state``, never print, and
are saved without pickle: ``to_arrays()`` gives plain numeric/str arrays for ``np.savez`` (read back
with ``allow_pickle=False``) and ``from_arrays(arrays, params)`` rebuilds the fitted model.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np
import scipy.sparse as sp

from shopmine.errors import NotFittedError
from shopmine.recommend.interactions import Interactions

__all__ = ["CandidateModel", "check_fitted", "csr_from_arrays", "csr_to_arrays", "dense_rows", "check_n", "check_rows", "score_in_chunks", "top_n"]


@runtime_checkable
class CandidateModel(Protocol):
    """A model that proposes products for customers."""

    name: str  # e.g. "als", "item_knn_bm25", "repeat", "popular_recent"

    def fit(self, data: Interactions) -> CandidateModel: ...

    def score(self, rows: np.ndarray, n: int, *, exclude_bought: bool) -> tuple[np.ndarray, np.ndarray]:
        """Top-n product COLUMN indices (int64, shape (len(rows), n), -1 padding when fewer) and
        their scores (float64, same shape, nan padding) for customer ROW indices ``rows`` of the
        fitted data; with ``exclude_bought`` the customer's already-bought products are left out."""
        ...

    def to_arrays(self) -> dict[str, np.ndarray]: ...

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], params: dict[str, Any]) -> CandidateModel: ...


def top_n(scores: np.ndarray, n: int, exclude: sp.csr_matrix | None = None,
          tiebreak: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The ``n`` best columns of each row of ``scores``, best first.

    Parameters
    ----------
    scores : numpy.ndarray
        Dense (rows x products) scores. A non-finite score (nan, -inf) marks a product that is no
        candidate for that row (e.g. a product the customer never bought, for a repeat model).
    n : int
        How many columns per row (at least 0).
    exclude : scipy.sparse.csr_matrix, optional
        Same shape as ``scores``: the stored entries of each row are left out (the customer's
        already-bought products, when recommending new items only).
    tiebreak : numpy.ndarray, optional
        Broadcastable to ``scores`` (one value per product, or per row and product): among equal
        scores the higher tie-break comes first (e.g. the product's all-time popularity among
        products equally popular this month, the more recent purchase among equally frequent ones).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Column indices (int64, rows x n, -1 padding when a row has fewer than ``n`` candidates) and
        their scores (float64, nan padding). Remaining ties are broken by the lower column index,
        so the answer is the same on every run.
    """
    scores = np.array(scores, dtype=np.float64, copy=True, ndmin=2)
    n_rows, n_cols = scores.shape
    if n < 0:
        raise ValueError(f"n must be at least 0; got {n}")
    if exclude is not None:
        if exclude.shape != scores.shape:
            raise ValueError(f"exclude has shape {exclude.shape}, scores {scores.shape}")
        coo = exclude.tocoo()
        scores[coo.row, coo.col] = -np.inf
    scores[~np.isfinite(scores)] = -np.inf
    idx = np.full((n_rows, n), -1, dtype=np.int64)
    out = np.full((n_rows, n), np.nan, dtype=np.float64)
    take = min(n, n_cols)
    if take == 0 or n_rows == 0:
        return idx, out
    second = (np.zeros((1, n_cols)) if tiebreak is None
              else np.broadcast_to(np.asarray(tiebreak, dtype=np.float64), (n_rows, n_cols)))
    if second.shape[0] == 1:
        second = np.broadcast_to(second, (n_rows, n_cols))
    # Partition first (O(products) per row), then sort only the kept columns by score, tie-break,
    # lower column. A row whose n-th score is tied with columns left outside the partition is
    # redone over all its tied columns so that the tie-break is exact.
    if take < n_cols:
        part = np.argpartition(-scores, take - 1, axis=1)[:, :take]
    else:
        part = np.broadcast_to(np.arange(n_cols), (n_rows, n_cols))
    vals = np.take_along_axis(scores, part, axis=1)
    ties = np.take_along_axis(second, part, axis=1)
    order = np.lexsort((part, -ties, -vals), axis=1)
    cols = np.take_along_axis(part, order, axis=1)
    vals = np.take_along_axis(vals, order, axis=1)
    if take < n_cols:
        kth = vals[:, -1:]
        # (-inf is no candidate: a row padded anyway needs no redo.)
        tied = np.flatnonzero(((scores >= kth).sum(axis=1) > take) & np.isfinite(kth[:, 0]))
        for r in tied:
            c = np.flatnonzero(scores[r] >= kth[r, 0])
            o = np.lexsort((c, -second[r, c], -scores[r, c]))[:take]
            cols[r], vals[r] = c[o], scores[r, c[o]]
    keep = np.isfinite(vals)
    idx[:, :take] = np.where(keep, cols, -1)
    out[:, :take] = np.where(keep, vals, np.nan)
    return idx, out


def score_in_chunks(dense_scores, rows: np.ndarray, n: int, bought: sp.csr_matrix | None,
                    tiebreak=None, chunk: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """:func:`top_n` over ``rows`` in chunks, so that a dense rows x products block never holds
    more than ``chunk`` rows (every customer of a large shop at once would not fit memory).

    ``dense_scores(rows) -> ndarray`` gives the scores of a chunk of rows; ``bought`` is the fitted
    customers x products matrix whose entries are excluded (None: nothing excluded);
    ``tiebreak(rows)`` (optional) gives the chunk's tie-break values.
    """
    rows = np.asarray(rows, dtype=np.int64)
    idx = np.full((len(rows), n), -1, dtype=np.int64)
    out = np.full((len(rows), n), np.nan, dtype=np.float64)
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        exclude = bought[part] if bought is not None else None
        ties = tiebreak(part) if tiebreak is not None else None
        idx[start:start + chunk], out[start:start + chunk] = top_n(dense_scores(part), n, exclude, ties)
    return idx, out


def check_rows(rows, n_rows: int) -> np.ndarray:
    """``rows`` as int64 row indices of the fitted data, or a ValueError naming the bad ones."""
    rows = np.asarray(rows, dtype=np.int64).reshape(-1)
    bad = rows[(rows < 0) | (rows >= n_rows)]
    if len(bad):
        raise ValueError(f"customer rows out of range 0..{n_rows - 1}: {bad[:5].tolist()}")
    return rows


def check_n(n) -> int:
    """``n`` as a whole number of at least 0, or a ValueError."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a whole number of at least 0; got {n!r}")
    return int(n)


def check_fitted(model, attribute: str) -> None:
    """Raise :class:`~shopmine.errors.NotFittedError` when ``model`` has no ``attribute`` yet."""
    if getattr(model, attribute, None) is None:
        raise NotFittedError(f"{type(model).__name__} is not fitted yet; call fit(interactions) first.")


def dense_rows(matrix: sp.csr_matrix, rows: np.ndarray, fill: float = np.nan) -> np.ndarray:
    """Rows of a csr matrix as a dense float64 block, ``fill`` where nothing is stored (a stored 0
    stays 0). Straight from ``indptr`` (scipy's fancy row indexing costs more than the rows for one
    customer, the latency that matters when answering one request)."""
    rows = np.asarray(rows, dtype=np.int64).reshape(-1)
    out = np.full((len(rows), matrix.shape[1]), fill, dtype=np.float64)
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    for i, r in enumerate(rows):
        start, end = indptr[r], indptr[r + 1]
        out[i, indices[start:end]] = data[start:end]
    return out


def csr_to_arrays(matrix: sp.csr_matrix, prefix: str) -> dict[str, np.ndarray]:
    """A csr matrix as four plain arrays ``{prefix}_data, _indices, _indptr, _shape`` (for
    ``np.savez``; read back with ``allow_pickle=False``)."""
    matrix = sp.csr_matrix(matrix)
    return {f"{prefix}_data": matrix.data, f"{prefix}_indices": matrix.indices.astype(np.int64),
            f"{prefix}_indptr": matrix.indptr.astype(np.int64),
            f"{prefix}_shape": np.asarray(matrix.shape, dtype=np.int64)}


def csr_from_arrays(arrays: dict[str, np.ndarray], prefix: str) -> sp.csr_matrix:
    """The csr matrix saved by :func:`csr_to_arrays`."""
    shape = tuple(int(v) for v in arrays[f"{prefix}_shape"])
    return sp.csr_matrix((arrays[f"{prefix}_data"], arrays[f"{prefix}_indices"], arrays[f"{prefix}_indptr"]),
                         shape=shape)
