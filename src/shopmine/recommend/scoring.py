"""What the learned models share: top-n over dense scores a block of customers at a time, and a sparse
matrix as plain arrays (saved without pickle).

The learned models (ALS, BPR, item-kNN, EASE) score a customer against every product; a dense
(customers x products) block is cheap for a few thousand rows but not for every customer of a large
shop at once, so scoring is done in blocks of at most :data:`BLOCK_CELLS` cells.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from shopmine.recommend.base import top_n

__all__ = ["BLOCK_CELLS", "blocked_top_n", "csr_from_arrays", "csr_to_arrays"]

#: At most this many dense scores (float64: 8 bytes each, so 64 MB) are held at once.
BLOCK_CELLS = 8_000_000


def blocked_top_n(scores_of: Callable[[np.ndarray], np.ndarray], rows: np.ndarray, n: int, n_products: int,
                  bought: sp.csr_matrix, exclude_bought: bool) -> tuple[np.ndarray, np.ndarray]:
    """:func:`~shopmine.recommend.base.top_n` of ``scores_of(block_rows)`` for ``rows``, block by block.

    ``bought`` is the fitted customers x products matrix; with ``exclude_bought`` its stored entries
    are left out of each customer's list.
    """
    rows = np.asarray(rows, dtype=np.int64).reshape(-1)
    idx = np.full((len(rows), n), -1, dtype=np.int64)
    out = np.full((len(rows), n), np.nan, dtype=np.float64)
    step = max(1, BLOCK_CELLS // max(n_products, 1))
    for start in range(0, len(rows), step):
        block = rows[start:start + step]
        exclude = bought[block] if exclude_bought else None
        idx[start:start + step], out[start:start + step] = top_n(np.asarray(scores_of(block)), n, exclude)
    return idx, out


def csr_to_arrays(matrix: sp.csr_matrix, prefix: str) -> dict[str, np.ndarray]:
    """A csr matrix as four plain arrays ``{prefix}_data, _indices, _indptr, _shape``."""
    matrix = sp.csr_matrix(matrix)
    return {f"{prefix}_data": matrix.data, f"{prefix}_indices": matrix.indices.astype(np.int64),
            f"{prefix}_indptr": matrix.indptr.astype(np.int64),
            f"{prefix}_shape": np.asarray(matrix.shape, dtype=np.int64)}


def csr_from_arrays(arrays: dict[str, np.ndarray], prefix: str) -> sp.csr_matrix:
    """The csr matrix saved by :func:`csr_to_arrays`."""
    shape = tuple(int(v) for v in arrays[f"{prefix}_shape"])
    return sp.csr_matrix((arrays[f"{prefix}_data"], arrays[f"{prefix}_indices"], arrays[f"{prefix}_indptr"]),
                         shape=shape)
