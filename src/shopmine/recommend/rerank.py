"""The default recommender: a LightGBM LambdaRank re-ranker over the candidate models' proposals.

How it learns without looking at the future:

1. **Earlier splits.** With ``H = horizon_days``, the purchase days before ``as_of - H`` are a shop
   of their own: the candidate models are fitted on them, propose candidates for the customers
   known then (:mod:`.rerank_candidates`), the candidates are described by their features at
   ``as_of - H`` (:mod:`.rerank_features`) and labelled by whether the customer bought the product
   in ``[as_of - H, as_of)``. The same is done at ``as_of - 2H`` (labels in ``[as_of - 2H, as_of - H)``)
   and so on, ``n_splits`` splits in all (default 2).
2. **Validation inside the training period.** A ranker trained on the older splits is validated on
   the most recent one (NDCG@10, early stopping): that chooses the number of boosting rounds, for
   this shop, without the test period (``validation_ndcg_`` keeps the score). The final ranker is
   trained on all splits together with that many rounds (scaled by the data it gains).
3. **Applied at as_of.** The candidate models are refitted on all purchase days before ``as_of``;
   their candidates, with features at ``as_of``, are ordered by the ranker.

Two rankers, one per use: ``all`` (the customer's bought products are candidates: repeat purchases)
and ``new`` (only products the customer never bought: candidates and labels leave them out).

Without enough history for a split (no customer buys in a label window) the ranker of that use is
left out and candidates are ordered by their history rank (bought products first, most purchase
days first), then by their best rank in any other source.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
import scipy.sparse as sp

from shopmine.recommend.als import ALS
from shopmine.recommend.bpr import BPR
from shopmine.recommend.base import check_fitted, check_n, check_rows
from shopmine.recommend.ease import EASE, fits_memory
from shopmine.recommend.interactions import Interactions, interactions_from_days
from shopmine.recommend.item_knn import ItemKNN
from shopmine.recommend.params import check_int
from shopmine.recommend.rerank_candidates import candidate_pairs
from shopmine.recommend.rerank_features import FEATURES, FeatureTables, add_features, feature_tables

__all__ = ["MODEL_CLASSES", "Reranker", "default_models"]

USES = ("all", "new")
#: The candidate model classes a saved re-ranker may name: an exact allow-list, nothing else is built.
MODEL_CLASSES = {cls.__name__: cls for cls in (ItemKNN, ALS, BPR, EASE)}
# Early stopping patience and ceiling of boosting rounds of the validation fit.
MAX_ROUNDS = 600
PATIENCE = 50
# The customer's recent purchases (days before the as-of date) for the recent item-kNN feature.
RECENT_DAYS = 90
# Boosting rounds when there is one split only (nothing to choose them on).
SINGLE_SPLIT_ROUNDS = 100
# Rank of a candidate a source did not propose, in the fallback order (beyond any list length).
_NOT_RANKED = 1e6
# Customers ranked at once (bounds the candidate frame: a few hundred candidates each).
_BLOCK_ROWS = 1000


def default_models(n_products: int) -> dict[str, Any]:
    """The candidate models (unfitted) the re-ranker combines: item-kNN (BM25 and cosine), ALS and,
    when the catalogue fits memory, EASE."""
    models: dict[str, Any] = {"item_knn_bm25": ItemKNN(weighting="bm25"),
                              "item_knn_cosine": ItemKNN(weighting="cosine", neighbours=50),
                              "als": ALS()}
    if fits_memory(n_products):
        models["ease"] = EASE()
    return models


def _clone(model):
    return type(model)(**model.get_params())


def _fit_models(models: dict[str, Any], data: Interactions) -> dict[str, Any]:
    return {name: _clone(m).fit(data) for name, m in models.items()}


def _stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Splits one below the other; each split's customers are queries of their own (the same customer
    at another date is another query)."""
    return pd.concat([f.assign(split=i) for i, f in enumerate(frames)], ignore_index=True)


def _groups(frame: pd.DataFrame) -> np.ndarray:
    """LightGBM's query sizes: the candidates of each (split, customer), contiguous in ``frame``."""
    keys = ["split", "row"] if "split" in frame else ["row"]
    return frame.groupby(keys, sort=False).size().to_numpy()


def _knn_names(models: dict[str, Any]) -> list[str]:
    return [name for name, model in models.items() if isinstance(model, ItemKNN)]


def recent_similarity(knn: ItemKNN, tables: FeatureTables, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Item-kNN score of each (row, col) pair from the customer's purchases of the last
    :data:`RECENT_DAYS` days only: what they buy now, rather than all they ever bought."""
    pairs = tables.pairs
    recent = pairs.index[pairs["pair_since_last"].to_numpy() <= RECENT_DAYS]
    n_rows, n_cols = len(tables.customers), knn.similarity_.shape[0]
    bought = sp.csr_matrix((np.ones(len(recent)), (recent.get_level_values("row"), recent.get_level_values("col"))),
                           shape=(n_rows, n_cols))
    # sum_i bought[r, i] * S[i, c], for the requested pairs only.
    into = knn.similarity_.T.tocsr()
    return np.asarray(bought[rows].multiply(into[cols]).sum(axis=1), dtype=np.float64).reshape(-1)


def _columns(models: dict[str, Any], use: str) -> list[str]:
    sources = ([] if use == "new" else ["history"]) + ["popular", *models]
    return ([f"{s}_{kind}" for s in sources for kind in ("score", "rank")] + FEATURES
            + [f"{name}_recent" for name in _knn_names(models)])


class Reranker:
    """LightGBM LambdaRank over the candidates of several models (the default recommender).

    Parameters
    ----------
    horizon_days : int, default=30
        Length of the label windows of the training splits (the period recommendations are for).
    models : dict of str to model, optional
        Unfitted candidate models by name (default: :func:`default_models`).
    n_history, n_popular, n_model : int, default=100, 50, 50
        Candidates per customer from their history, from recent popularity and from each model.
    learning_rate, num_leaves, min_child_samples : LightGBM's, default=0.05, 31, 50
    random_state : int, default=0
    num_threads : int, default=1
    precompute : int, default=50
        At fit time, rank every customer's top ``precompute`` of both uses and keep them: a request for
        at most that many products is then a look-up (a saved run answers one customer in
        microseconds instead of ranking its candidates, tens of milliseconds); 0 ranks every request.
    n_splits : int, default=2
        Training splits, one horizon apart: the most recent validates the boosting rounds of a
        ranker trained on the others, then the final ranker is trained on all of them.
    max_train_customers : int, default=20000
        At most this many customers (a seeded sample) per training split: a few hundred candidates
        each, so the training frame stays in memory on a large shop.
    """

    name = "rerank"

    def __init__(self, *, horizon_days: int = 30, models: dict[str, Any] | None = None, n_history: int = 100,
                 n_popular: int = 50, n_model: int = 50, learning_rate: float = 0.05, num_leaves: int = 31,
                 min_child_samples: int = 50, random_state: int = 0, num_threads: int = 1, precompute: int = 50,
                 max_train_customers: int = 20_000, n_splits: int = 2):
        self.horizon_days = horizon_days
        self.models = models
        self.n_history = n_history
        self.n_popular = n_popular
        self.n_model = n_model
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.random_state = random_state
        self.num_threads = num_threads
        self.precompute = precompute
        self.max_train_customers = max_train_customers
        self.n_splits = n_splits

    def get_params(self) -> dict[str, Any]:
        """The constructor arguments but ``models`` (saved with the fitted arrays)."""
        return {"horizon_days": self.horizon_days, "n_history": self.n_history, "n_popular": self.n_popular,
                "n_model": self.n_model, "learning_rate": self.learning_rate, "num_leaves": self.num_leaves,
                "min_child_samples": self.min_child_samples, "random_state": self.random_state,
                "num_threads": self.num_threads, "precompute": self.precompute,
                "max_train_customers": self.max_train_customers, "n_splits": self.n_splits}

    # -- training -----------------------------------------------------------------------------

    def _ranker(self, n_estimators: int) -> lgb.LGBMRanker:
        return lgb.LGBMRanker(objective="lambdarank", n_estimators=n_estimators, learning_rate=self.learning_rate,
                              num_leaves=self.num_leaves, min_child_samples=self.min_child_samples,
                              subsample=0.8, subsample_freq=1, colsample_bytree=0.8,
                              random_state=self.random_state, n_jobs=self.num_threads, verbose=-1,
                              lambdarank_truncation_level=20)

    def _split(self, data: Interactions, cut: dt.date, end: dt.date, models: dict) -> dict[str, pd.DataFrame]:
        """The labelled candidate frames of both uses for the split at ``cut`` (labels in [cut, end))."""
        days = data.days
        day = pd.to_datetime(days["day"]).dt.date
        early = interactions_from_days(days[(day < cut).to_numpy()], as_of=cut)
        later = days[((day >= cut) & (day < end)).to_numpy()]
        out = {use: pd.DataFrame() for use in USES}
        if early.n_customers == 0 or later.empty:
            return out
        fitted = _fit_models(models, early)
        tables = feature_tables(early)
        rows = early.customer_index(later["customer_id"].to_numpy())
        cols = early.product_index(later["product_id"].to_numpy())
        bought = pd.DataFrame({"row": rows, "col": cols})
        bought = bought[(bought["row"] >= 0) & (bought["col"] >= 0)].drop_duplicates()
        known = tables.pairs.index
        for use in USES:
            positives = bought
            if use == "new":
                is_old = pd.MultiIndex.from_frame(bought[["row", "col"]]).isin(known)
                positives = bought[~is_old]
            label_rows = np.unique(positives["row"].to_numpy())
            if len(label_rows) == 0:
                continue
            if len(label_rows) > self.max_train_customers:
                # A large shop: a seeded sample of customers keeps the training frame in memory.
                rng = np.random.default_rng(self.random_state)
                label_rows = np.sort(rng.choice(label_rows, size=self.max_train_customers, replace=False))
            frame = self._candidates(tables, fitted, label_rows, use)
            frame = frame.merge(positives.assign(label=1), on=["row", "col"], how="left")
            frame["label"] = frame["label"].fillna(0).astype(np.int32)
            # LambdaRank learns nothing from a customer none of whose candidates was bought.
            has_positive = frame.groupby("row")["label"].transform("max").to_numpy() > 0
            out[use] = frame[has_positive].reset_index(drop=True)
        return out

    def _candidates(self, tables: FeatureTables, fitted: dict, rows: np.ndarray, use: str) -> pd.DataFrame:
        cands = candidate_pairs(tables, fitted, rows, exclude_bought=use == "new", n_history=self.n_history,
                                n_popular=self.n_popular, n_model=self.n_model)
        frame = add_features(cands, tables)
        for name in _knn_names(fitted):
            frame[f"{name}_recent"] = recent_similarity(fitted[name], tables, frame["row"].to_numpy(),
                                                        frame["col"].to_numpy())
        return frame

    def fit(self, data: Interactions) -> Reranker:
        horizon = check_int("horizon_days", self.horizon_days, 1)
        for name in ("n_history", "n_popular", "n_model"):
            check_int(name, getattr(self, name), 1)
        depth = check_int("precompute", self.precompute, 0)
        check_int("max_train_customers", self.max_train_customers, 1)
        models = self.models if self.models is not None else default_models(data.n_products)
        n_splits = check_int("n_splits", self.n_splits, 1)
        h = dt.timedelta(days=horizon)
        # splits[0] is the most recent (labels in [as_of - H, as_of)), splits[i] is i horizons earlier.
        splits = [self._split(data, data.as_of - (i + 1) * h, data.as_of - i * h, models) for i in range(n_splits)]
        self.rankers_: dict[str, lgb.Booster | None] = {}
        self.rounds_: dict[str, int] = {}
        self.validation_ndcg_: dict[str, float] = {}
        # Customers (queries) per use in each training split, most recent split first.
        self.train_customers_ = {use: [int(s[use]["row"].nunique()) if not s[use].empty else 0 for s in splits]
                                 for use in USES}
        for use in USES:
            self.rankers_[use], self.rounds_[use], self.validation_ndcg_[use] = self._train(
                models, use, [s[use] for s in splits])
        self.models_ = _fit_models(models, data)
        self.tables_ = feature_tables(data)
        self.n_products_ = data.n_products
        self.top_ = {}
        if depth:
            every = np.arange(data.n_customers)
            self.top_ = {use: self.score(every, depth, exclude_bought=use == "new") for use in USES}
        return self

    def _train(self, models: dict, use: str, splits: list[pd.DataFrame]):
        """The ranker of ``use`` on the labelled splits (most recent first), its boosting rounds and the
        NDCG@10 on the most recent split of the ranker trained on the others (nan with one split)."""
        columns = _columns(models, use)
        frames = [f for f in splits if not f.empty]
        if not frames:
            return None, 0, float("nan")
        validation = float("nan")
        if len(frames) >= 2:
            # Rounds chosen on the most recent split by a ranker of the older ones, then all together.
            older = _stack(frames[1:])
            probe = self._ranker(MAX_ROUNDS)
            probe.fit(older[columns], older["label"], group=_groups(older),
                      eval_X=(frames[0][columns],), eval_y=(frames[0]["label"],),
                      eval_group=[_groups(frames[0])], eval_at=[10],
                      callbacks=[lgb.early_stopping(PATIENCE, verbose=False)])
            rounds = max(int(probe.best_iteration_ or MAX_ROUNDS), 10)
            validation = float(probe.best_score_["valid_0"]["ndcg@10"])
            rounds = int(round(rounds * sum(map(len, frames)) / len(older)))
        else:
            rounds = SINGLE_SPLIT_ROUNDS
        frame = _stack(frames)
        ranker = self._ranker(rounds)
        ranker.fit(frame[columns], frame["label"], group=_groups(frame))
        return ranker.booster_, rounds, validation

    # -- scoring ------------------------------------------------------------------------------

    def score(self, rows: np.ndarray, n: int, *, exclude_bought: bool) -> tuple[np.ndarray, np.ndarray]:
        check_fitted(self, "rankers_")
        rows = check_rows(rows, len(self.tables_.customers))
        n = check_n(n)
        use = "new" if exclude_bought else "all"
        stored = self.top_.get(use)
        if stored is not None and n <= stored[0].shape[1]:
            # The lists computed at fit time: a dictionary look-up rather than a ranking per request.
            return stored[0][rows, :n].copy(), stored[1][rows, :n].copy()
        idx = np.full((len(rows), n), -1, dtype=np.int64)
        out = np.full((len(rows), n), np.nan, dtype=np.float64)
        unique_rows = np.unique(rows)
        where = np.searchsorted(unique_rows, rows)
        for start in range(0, len(unique_rows), _BLOCK_ROWS):
            block = unique_rows[start:start + _BLOCK_ROWS]
            cols, scores = self._rank(block, n, use)
            mine = (where >= start) & (where < start + len(block))
            idx[mine], out[mine] = cols[where[mine] - start], scores[where[mine] - start]
        return idx, out

    def _rank(self, rows: np.ndarray, n: int, use: str) -> tuple[np.ndarray, np.ndarray]:
        """Top-n of sorted unique ``rows`` by the ranker of ``use`` (or the fallback order)."""
        idx = np.full((len(rows), n), -1, dtype=np.int64)
        out = np.full((len(rows), n), np.nan, dtype=np.float64)
        if len(rows) == 0 or n == 0:
            return idx, out
        frame = self._candidates(self.tables_, self.models_, rows, use)
        if frame.empty:  # no candidate at all (e.g. every customer of the block bought every product)
            return idx, out
        ranker = self.rankers_[use]
        if ranker is not None:
            frame["score"] = ranker.predict(frame[_columns(self.models_, use)], num_threads=self.num_threads)
        else:
            # Repeat purchases first (the strongest simple model on repeat-buying shops), then the
            # best rank any other source gives; a score that decreases with both.
            others = frame[[c for c in frame.columns if c.endswith("_rank") and c != "history_rank"]]
            first = frame["history_rank"].fillna(_NOT_RANKED) if "history_rank" in frame else 0.0
            frame["score"] = -(first * (_NOT_RANKED + 1) + others.min(axis=1, skipna=True).fillna(_NOT_RANKED))
        frame = frame.sort_values(["row", "score", "col"], ascending=[True, False, True], kind="stable")
        pos = frame.groupby("row").cumcount().to_numpy()
        keep = pos < n
        r = np.searchsorted(rows, frame["row"].to_numpy()[keep])
        idx[r, pos[keep]] = frame["col"].to_numpy()[keep]
        out[r, pos[keep]] = frame["score"].to_numpy()[keep]
        return idx, out

    # -- saving -------------------------------------------------------------------------------

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Plain arrays (no objects): each candidate model's arrays under ``model.<name>.``, the
        feature tables, the LightGBM rankers in their own text format, and a JSON spec naming the
        models' classes and parameters."""
        check_fitted(self, "rankers_")
        spec = {"models": {name: {"class": type(m).__name__, "params": m.get_params()}
                           for name, m in self.models_.items()},
                "rounds": self.rounds_, "n_products": self.n_products_}
        out: dict[str, np.ndarray] = {"spec": np.array(json.dumps(spec))}
        for name, model in self.models_.items():
            out.update({f"model.{name}.{key}": value for key, value in model.to_arrays().items()})
        for table_name in ("pairs", "items", "customers"):
            table = getattr(self.tables_, table_name)
            out[f"table.{table_name}.index"] = np.asarray(table.index.to_frame(index=False).to_numpy(np.int64))
            out[f"table.{table_name}.values"] = table.to_numpy(np.float64)
            out[f"table.{table_name}.columns"] = np.asarray(table.columns, dtype=str)
        for use, (cols, scores) in self.top_.items():
            out[f"top.{use}.cols"], out[f"top.{use}.scores"] = cols, scores
        for use, ranker in self.rankers_.items():
            out[f"ranker.{use}"] = np.array("" if ranker is None else ranker.model_to_string())
        return out

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], params: dict[str, Any]) -> Reranker:
        spec = json.loads(str(arrays["spec"]))
        model = cls(**params)
        model.models_ = {}
        for name, entry in spec["models"].items():
            klass = MODEL_CLASSES.get(entry["class"])
            if klass is None:
                raise ValueError(f"a saved re-ranker names an unknown model class {entry['class']!r}")
            prefix = f"model.{name}."
            own = {key[len(prefix):]: value for key, value in arrays.items() if key.startswith(prefix)}
            model.models_[name] = klass.from_arrays(own, entry["params"])
        tables = {}
        for table_name, index in (("pairs", ["row", "col"]), ("items", ["col"]), ("customers", ["row"])):
            idx = np.asarray(arrays[f"table.{table_name}.index"])
            frame_index = (pd.MultiIndex.from_arrays(idx.T, names=index) if len(index) > 1
                           else pd.Index(idx[:, 0], name=index[0]))
            tables[table_name] = pd.DataFrame(np.asarray(arrays[f"table.{table_name}.values"]), index=frame_index,
                                              columns=[str(c) for c in arrays[f"table.{table_name}.columns"]])
        model.tables_ = FeatureTables(**tables)
        model.rankers_ = {use: (lgb.Booster(model_str=str(arrays[f"ranker.{use}"]))
                                if str(arrays[f"ranker.{use}"]) else None) for use in USES}
        model.rounds_ = {use: int(v) for use, v in spec["rounds"].items()}
        model.top_ = {use: (np.asarray(arrays[f"top.{use}.cols"], dtype=np.int64),
                            np.asarray(arrays[f"top.{use}.scores"], dtype=np.float64))
                      for use in USES if f"top.{use}.cols" in arrays}
        model.n_products_ = int(spec["n_products"])
        return model
