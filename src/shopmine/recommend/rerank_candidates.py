"""The candidate pairs the re-ranker orders: the union of what each candidate source proposes.

Sources, each a column pair ``<source>_score`` / ``<source>_rank`` (both nan when it did not
propose the product, which LightGBM reads as missing; rank 1 is its best):

- ``history``: the products the customer already bought (for the all-items use only), up to
  ``n_history`` of them, most purchase days first, then most recent: the repeat-purchase candidates.
- ``popular``: the ``n_popular`` products with the most distinct buyers in the last 30 days (all
  time to break ties), the customer's bought ones left out for the new-items use.
- each fitted candidate model (item-kNN, ALS, EASE, ...): its top ``n_model`` for the customer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shopmine.recommend.rerank_features import FeatureTables

__all__ = ["candidate_pairs", "history_candidates", "model_candidates", "popular_candidates"]


def _bought(tables: FeatureTables, rows: np.ndarray) -> pd.DataFrame:
    pairs = tables.pairs[["pair_days", "pair_since_last"]].reset_index()
    return pairs[np.isin(pairs["row"].to_numpy(), rows)]


def history_candidates(tables: FeatureTables, rows: np.ndarray, n_history: int) -> pd.DataFrame:
    """The customer's own bought products: ``row, col, history_score`` (purchase days), ``history_rank``."""
    g = _bought(tables, rows).sort_values(["row", "pair_days", "pair_since_last", "col"],
                                          ascending=[True, False, True, True], kind="stable")
    rank = g.groupby("row").cumcount().to_numpy() + 1
    keep = rank <= n_history
    return pd.DataFrame({"row": g["row"].to_numpy()[keep], "col": g["col"].to_numpy()[keep],
                         "history_score": g["pair_days"].to_numpy(np.float64)[keep],
                         "history_rank": rank[keep].astype(np.float64)})


def popular_candidates(tables: FeatureTables, rows: np.ndarray, n_popular: int, *,
                       exclude_bought: bool) -> pd.DataFrame:
    """The recently most-bought products for every row: ``row, col, popular_score, popular_rank``."""
    items = tables.items
    order = np.lexsort((items.index.to_numpy(), -items["item_buyers"].to_numpy(), -items["item_buyers_30"].to_numpy()))
    extra = 0
    if exclude_bought:  # enough spare products to leave out the bought ones
        per_row = _bought(tables, rows).groupby("row").size()
        extra = int(per_row.max()) if len(per_row) else 0
    top = items.index.to_numpy()[order][: n_popular + extra]
    score = items["item_buyers_30"].to_numpy()[order][: len(top)]
    frame = pd.DataFrame({"row": np.repeat(rows, len(top)), "col": np.tile(top, len(rows)),
                          "popular_score": np.tile(score, len(rows)).astype(np.float64)})
    if exclude_bought:
        bought = _bought(tables, rows)
        frame = frame.merge(bought[["row", "col"]], on=["row", "col"], how="left", indicator=True)
        frame = frame[frame.pop("_merge").eq("left_only").to_numpy()]
    frame["popular_rank"] = frame.groupby("row").cumcount().to_numpy() + 1.0
    return frame[frame["popular_rank"].to_numpy() <= n_popular]


def model_candidates(name: str, model, rows: np.ndarray, n: int, exclude_bought: bool) -> pd.DataFrame:
    """A fitted model's top ``n`` per row as ``row, col, <name>_score, <name>_rank``."""
    cols, scores = model.score(rows, n, exclude_bought=exclude_bought)
    rank = np.broadcast_to(np.arange(1, n + 1, dtype=np.float64), cols.shape)
    keep = cols >= 0
    return pd.DataFrame({"row": np.broadcast_to(rows[:, None], cols.shape)[keep], "col": cols[keep],
                         f"{name}_score": scores[keep], f"{name}_rank": rank[keep]})


def candidate_pairs(tables: FeatureTables, models: dict, rows: np.ndarray, *, exclude_bought: bool,
                    n_history: int, n_popular: int, n_model: int) -> pd.DataFrame:
    """The union of every source's candidates for ``rows``, one row per (row, col), sorted."""
    rows = np.asarray(rows, dtype=np.int64)
    parts = [] if exclude_bought else [history_candidates(tables, rows, n_history)]
    parts.append(popular_candidates(tables, rows, n_popular, exclude_bought=exclude_bought))
    parts += [model_candidates(name, model, rows, n_model, exclude_bought) for name, model in models.items()]
    out = parts[0].set_index(["row", "col"])
    for part in parts[1:]:
        out = out.join(part.set_index(["row", "col"]), how="outer")
    return out.reset_index().sort_values(["row", "col"], ignore_index=True)
