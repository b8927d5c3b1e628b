"""Every customer's recommendations on the Spark cluster, from a recommender fitted once on the driver.

The fitted recommender travels as its saved form (:meth:`~shopmine.recommend.recommender.Recommender.to_arrays`
in a NumPy ``.npz`` read back with ``allow_pickle=False``, and the JSON of
:meth:`~shopmine.recommend.recommender.Recommender.model_params`); each executor's Python worker loads it
once and answers the customers of its batches with the same
:meth:`~shopmine.recommend.recommender.Recommender.recommend` as a local run, reasons included. The driver
reads back the rows (``k`` per customer), never the order lines.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from shopmine.distributed import stage_frame
from shopmine.recommend.recommender import OUTPUT_COLUMNS, Recommender

__all__ = ["SCORE_SCHEMA", "recommend_batch", "recommend_everyone"]

#: The rows of :func:`recommend_batch`, as a Spark DDL schema (``position``: the customer's place in the
#: recommender's customer list, which restores the local run's order).
SCORE_SCHEMA = "position bigint, customer_id string, rank bigint, product_id string, score double, reason string"

# One loaded recommender per worker process and saved file: a worker answers many batches.
_LOADED: dict[str, Recommender] = {}


def _load(arrays_path: str, params: dict) -> Recommender:
    if arrays_path not in _LOADED:
        with np.load(arrays_path, allow_pickle=False) as saved:
            _LOADED.clear()
            _LOADED[arrays_path] = Recommender.from_arrays({key: saved[key] for key in saved.files}, params)
    return _LOADED[arrays_path]


def recommend_batch(frame: pd.DataFrame, *, arrays_path: str, params: dict, k: int, repeat: bool,
                    category: str | None, exclude_inactive_days: int | None) -> pd.DataFrame:
    """The top ``k`` of each customer of a batch (``position, customer_id``), as :data:`SCORE_SCHEMA`."""
    if not len(frame):
        return pd.DataFrame({"position": pd.Series(dtype="int64"), "customer_id": pd.Series(dtype=object),
                             "rank": pd.Series(dtype="int64"), "product_id": pd.Series(dtype=object),
                             "score": pd.Series(dtype=float), "reason": pd.Series(dtype=object)})
    recommender = _load(arrays_path, params)
    table = recommender.recommend(frame["customer_id"].astype(str).tolist(), k, repeat=repeat, category=category,
                                  exclude_inactive_days=exclude_inactive_days)
    position = dict(zip(frame["customer_id"].astype(str), frame["position"].astype(np.int64)))
    table.insert(0, "position", table["customer_id"].map(position).astype(np.int64))
    return table


def recommend_everyone(recommender: Recommender, session, *, k: int, repeat: bool = True,
                       category: str | None = None, exclude_inactive_days: int | None = None,
                       scratch_dir: str | Path | None = None) -> pd.DataFrame:
    """Every customer the recommender knows, answered by the Spark executors; :data:`OUTPUT_COLUMNS` in the
    local run's order (customers as the recommender lists them, then rank)."""
    ids = pd.DataFrame({"position": np.arange(len(recommender.customer_ids_), dtype=np.int64),
                        "customer_id": recommender.customer_ids_.astype(str)})
    with stage_frame(ids, session, scratch_dir) as staged:
        arrays_path = staged.path.parent / "recommender.npz"
        np.savez(arrays_path, **recommender.to_arrays())
        rows = staged.map(partial(recommend_batch, arrays_path=str(arrays_path), params=recommender.model_params(),
                                  k=k, repeat=repeat, category=category,
                                  exclude_inactive_days=exclude_inactive_days), SCORE_SCHEMA)
    rows = rows.sort_values(["position", "rank"], kind="stable", ignore_index=True)
    return rows[OUTPUT_COLUMNS].astype({"rank": np.int64, "score": np.float64})
