"""The product surface: one object that fits the candidate models and answers for customers and products.

:class:`Recommender` fits the candidate models on the interactions and ranks customers' products
with one of two rankers:

- ``ranker="rerank"`` (the default): the learned LightGBM LambdaRank re-ranker over the candidates of
  repeat purchases, popularity, item-kNN, ALS and EASE (:class:`~shopmine.recommend.rerank.Reranker`,
  trained on earlier splits inside the training period). A row's reason then says what is true of
  it: the customer's own habit for a product bought before, the bought product it is most often
  bought with, popularity in the customer's segment or this month, else that customers who buy what
  the customer buys bought it.
- ``ranker="blend"``: a FIXED blend, reciprocal-rank fusion (Cormack et al., 2009: ``sum over models
  of weight / (60 + rank)``) of

- ``repeat_cycle``: the customer's own products, the due ones first (weight 3: a customer's own
  habits are the strongest signal of what is bought next),
- ``copurchase``: products bought together with the customer's products (weight 1),
- ``popular_segment``: popular with the customer's RFM segment this month (weight 0.5),
- ``popular_recent``: popular in the shop this month (weight 0.5).

  The weights are set here once, not tuned on any shop; each row's reason comes from the model that
  contributed most to its score. It fits in seconds where the re-ranker takes minutes.

The simple models are fitted with either ranker: they give the reasons, fill short lists, answer
cold starts (recent popularity) and product pages (:meth:`Recommender.similar`, co-purchases).

Answers (:meth:`Recommender.recommend`) follow the output contract ``customer_id, rank, product_id,
score, reason``: ranks 1..k, no product twice for a customer, and never empty for a known customer:
a short list is filled from recent popularity, and with ``repeat=False`` a customer who bought every
product left gets products bought before rather than nothing. An unknown customer (cold start) gets
the recently popular products. Only a catalogue smaller than ``k`` (after the filters) gives fewer
than ``k`` rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from shopmine.errors import ShopmineInputError, invalid_value
from shopmine.recommend import reasons
from shopmine.recommend.base import check_fitted
from shopmine.recommend.copurchase import CoPurchase
from shopmine.recommend.interactions import Interactions
from shopmine.recommend.popularity import RECENT_WINDOW_DAYS, Popularity
from shopmine.recommend.repeat import PurchaseCycle
from shopmine.recommend.rerank import Reranker
from shopmine.recommend.segment_popularity import SegmentPopularity

__all__ = ["BLEND_WEIGHTS", "OUTPUT_COLUMNS", "RANKERS", "Recommender", "SIMILAR_COLUMNS"]

RANKERS = ("rerank", "blend")
#: A product among the top this-many of the customer's segment (or of the shop this month) is told
#: as popular there, in the reason of a re-ranked row.
POPULAR_TOP = 50

OUTPUT_COLUMNS = ["customer_id", "rank", "product_id", "score", "reason"]
SIMILAR_COLUMNS = ["for_product_id", "rank", "product_id", "score", "reason"]
BLEND_WEIGHTS = {"repeat_cycle": 3.0, "copurchase": 1.0, "popular_segment": 0.5, "popular_recent": 0.5}
#: Reciprocal-rank fusion's constant (the published default).
RRF_K = 60.0
#: Candidates each model proposes per customer before fusion.
CANDIDATES = 100

_MODEL_CLASSES = {"repeat_cycle": PurchaseCycle, "copurchase": CoPurchase,
                  "popular_segment": SegmentPopularity, "popular_recent": Popularity}


def _check_k(k) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise invalid_value("k", "a whole number of at least 1", k)
    return int(k)


class Recommender:
    """Fit the candidate models, then answer ``recommend`` and ``similar``.

    Parameters
    ----------
    labels : pandas.Series, optional
        Customer id -> segment name (e.g. the saved ``segment`` run's ``rfm_segment``); default: RFM
        segments computed from the interactions.
    weights : dict, optional
        Blend weight per model (:data:`BLEND_WEIGHTS`), for ``ranker="blend"``.
    ranker : {"rerank", "blend"}, default="rerank"
    horizon_days : int, default=30
        The re-ranker's label windows (the period recommendations are for).
    """

    name = "default"

    def __init__(self, labels: pd.Series | None = None, weights: dict[str, float] | None = None,
                 ranker: str = "rerank", horizon_days: int = 30):
        self.labels = labels
        self.weights = dict(BLEND_WEIGHTS if weights is None else weights)
        self.ranker = ranker
        self.horizon_days = horizon_days

    def get_params(self) -> dict[str, Any]:
        return {"weights": self.weights, "ranker": self.ranker, "horizon_days": self.horizon_days}

    # -- fitting ------------------------------------------------------------------------------
    def fit(self, data: Interactions, products: pd.DataFrame | None = None) -> Recommender:
        """Fit every candidate model on ``data``.

        ``products``: ``product_id, name, category`` (optional columns), for reasons and the
        category filter; products never bought before ``data.as_of`` are not recommended.
        """
        unknown = sorted(set(self.weights) - set(_MODEL_CLASSES))
        if unknown:
            raise ValueError(f"weights name unknown models {unknown}; known: {sorted(_MODEL_CLASSES)}")
        if self.ranker not in RANKERS:
            raise invalid_value("ranker", f"one of {', '.join(RANKERS)}", self.ranker)
        self.models_ = {
            "repeat_cycle": PurchaseCycle().fit(data),
            "copurchase": CoPurchase().fit(data),
            "popular_segment": SegmentPopularity(labels=self.labels).fit(data),
            "popular_recent": Popularity(window_days=RECENT_WINDOW_DAYS).fit(data),
        }
        self.reranker_ = (Reranker(horizon_days=self.horizon_days).fit(data) if self.ranker == "rerank"
                          else None)
        self.customer_ids_ = data.customer_ids
        self.product_ids_ = data.product_ids
        self.bought_ = data.matrix
        self.as_of_ordinal_ = data.as_of.toordinal()
        last = data.days.groupby("product_id")["day"].max()
        cols = data.product_index(last.index.to_numpy())
        self.last_sold_ = np.zeros(data.n_products, dtype=np.int64)
        self.last_sold_[cols] = [d.toordinal() for d in last.to_numpy()]
        info = pd.DataFrame(index=pd.Index(data.product_ids, name="product_id"))
        if products is not None and len(products):
            given = products.assign(product_id=products["product_id"].astype(str)).drop_duplicates("product_id")
            info = info.join(given.set_index("product_id")[[c for c in ("name", "category") if c in given]])
        self.names_ = info["name"].to_numpy(dtype=object) if "name" in info else np.full(data.n_products, None)
        self.categories_ = (info["category"].to_numpy(dtype=object) if "category" in info
                            else np.full(data.n_products, None))
        self._index()
        return self

    def _index(self) -> None:
        """Lookups built from the fitted arrays (after fit and after loading)."""
        self._customer_pos = pd.Index(self.customer_ids_)
        self._product_pos = pd.Index(self.product_ids_)
        recent = self.models_["popular_recent"]
        # The shop's recent-popularity order: the cold-start list and the filler of short lists.
        order, _ = recent.rank_products(len(self.product_ids_))
        self._popular_order = order[order >= 0]
        self._popular_top = np.zeros(len(self.product_ids_), dtype=bool)
        self._popular_top[self._popular_order[:POPULAR_TOP]] = True
        segment = self.models_["popular_segment"]
        self._segment_top = np.zeros((len(segment.shares_), len(self.product_ids_)), dtype=bool)
        # One row per segment, then the shop-wide row (customers without a segment): rows of shares_.
        for s_i, name in enumerate([*segment.segments_, None]):
            cols, _ = segment.rank_for_segment(name, POPULAR_TOP)
            self._segment_top[s_i, cols[cols >= 0]] = True

    # -- the CandidateModel protocol (so that the bench scores the default like any model) ----------
    def score(self, rows: np.ndarray, n: int, *, exclude_bought: bool) -> tuple[np.ndarray, np.ndarray]:
        check_fitted(self, "models_")
        if self.reranker_ is not None:
            return self.reranker_.score(rows, n, exclude_bought=exclude_bought)
        cols, scores, _ = self._blend(np.asarray(rows, dtype=np.int64), n, None, exclude_bought)
        return cols, scores

    # -- answering ---------------------------------------------------------------------------
    def allowed_products(self, category: str | None = None, exclude_inactive_days: int | None = None) -> np.ndarray | None:
        """Boolean mask of the product columns the filters keep (None: no filter)."""
        mask = None
        if category is not None:
            if not isinstance(category, str) or not category.strip("/ "):
                raise invalid_value("category", "a category path such as home/kitchen", category)
            path = category.strip().strip("/")
            cats = np.array(["" if c is None or (isinstance(c, float) and np.isnan(c)) else str(c).strip("/")
                             for c in self.categories_], dtype=object)
            mask = np.array([c == path or c.startswith(path + "/") for c in cats], dtype=bool)
            if not mask.any():
                known = sorted({c.split("/")[0] for c in cats if c})
                hint = (f"top-level categories: {', '.join(known[:10])}" if known
                        else "the products have no category; load a products file with one")
                raise ShopmineInputError(
                    f"{{category}}: no product bought before the as-of date is in category {category[:80]!r} or "
                    f"below ({hint}).", "category")
        if exclude_inactive_days is not None:
            if (isinstance(exclude_inactive_days, bool) or not isinstance(exclude_inactive_days, (int, np.integer))
                    or exclude_inactive_days < 1):
                raise invalid_value("exclude_inactive_days", "a whole number of days, at least 1",
                                    exclude_inactive_days)
            active = self.last_sold_ >= self.as_of_ordinal_ - int(exclude_inactive_days)
            mask = active if mask is None else mask & active
        return mask

    def recommend(self, customer_ids, k: int = 10, *, repeat: bool = True, category: str | None = None,
                  exclude_inactive_days: int | None = None) -> pd.DataFrame:
        """The top ``k`` products for each customer, with a reason (:data:`OUTPUT_COLUMNS`).

        Parameters
        ----------
        customer_ids : str or sequence of str
            Known customers get personal lists; unknown ones (cold start) the recently popular products.
        k : int, default=10
        repeat : bool, default=True
            Whether already-bought products may be recommended.
        category : str, optional
            Only products in this category path or below (``home`` keeps ``home/kitchen``).
        exclude_inactive_days : int, optional
            Leave out products not sold in the last ``exclude_inactive_days`` days before the as-of date.
        """
        check_fitted(self, "models_")
        k = _check_k(k)
        allowed = self.allowed_products(category, exclude_inactive_days)
        ids = np.asarray([customer_ids] if isinstance(customer_ids, str) else list(customer_ids), dtype=object)
        ids = np.asarray([str(i) for i in ids], dtype=object)
        if len(ids) > 1:
            ids = ids[~pd.Index(ids).duplicated()]
        rows = self._customer_pos.get_indexer(ids)
        known = rows >= 0
        parts = []
        if known.any():
            parts.append(self._known(np.flatnonzero(known), rows[known], k, allowed, not repeat))
        if (~known).any():
            parts.append(self._cold(np.flatnonzero(~known), k, allowed))
        # Columns as arrays until the one frame at the end (a frame per step costs more than the
        # answer itself for one customer).
        cols = {name: np.concatenate([p[name] for p in parts]) for name in ("who", "rank", "col", "score", "reason")}
        order = np.lexsort((cols["rank"], cols["who"])) if len(parts) > 1 else slice(None)
        return pd.DataFrame({"customer_id": ids[cols["who"][order]].astype(str),
                             "rank": cols["rank"][order].astype(np.int64),
                             "product_id": self.product_ids_[cols["col"][order]].astype(str),
                             "score": cols["score"][order].astype(np.float64),
                             "reason": cols["reason"][order]}, columns=OUTPUT_COLUMNS)

    def _blend(self, rows: np.ndarray, n: int, allowed: np.ndarray | None,
               exclude_bought: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Fused top-n columns, scores and the model that contributed most to each (index into
        the weights' order; -1 padding)."""
        n_products = len(self.product_ids_)
        names = [m for m in self.weights if self.weights[m] > 0 and not (exclude_bought and m == "repeat_cycle")]
        # With a filter the full rankings are fused, so that a filtered list is as long as it can be.
        n_cand = n_products if allowed is not None else min(n_products, max(CANDIDATES, n))
        parts = []
        for m_i, m in enumerate(names):
            cols, _ = self.models_[m].score(rows, n_cand, exclude_bought=exclude_bought)
            r_i, pos = np.nonzero(cols >= 0)
            c = cols[r_i, pos]
            contrib = self.weights[m] / (RRF_K + pos + 1.0)
            parts.append(np.column_stack([r_i, c, contrib, np.full(len(c), m_i)]))
        out_cols = np.full((len(rows), n), -1, dtype=np.int64)
        out_scores = np.full((len(rows), n), np.nan)
        out_src = np.full((len(rows), n), -1, dtype=np.int64)
        if not parts:
            return out_cols, out_scores, out_src
        allc = np.concatenate(parts)
        r_i, c, contrib, src = allc[:, 0].astype(np.int64), allc[:, 1].astype(np.int64), allc[:, 2], allc[:, 3]
        if allowed is not None:
            keep = allowed[c]
            r_i, c, contrib, src = r_i[keep], c[keep], contrib[keep], src[keep]
        key = r_i * n_products + c
        uniq, inverse = np.unique(key, return_inverse=True)
        total = np.bincount(inverse, weights=contrib)
        # The source of each (row, product): its largest contribution (the first model on ties).
        order = np.lexsort((src, -contrib, inverse))
        first = np.ones(len(order), dtype=bool)
        first[1:] = inverse[order][1:] != inverse[order][:-1]
        best_src = np.empty(len(uniq), dtype=np.int64)
        best_src[inverse[order][first]] = src[order][first].astype(np.int64)
        u_row, u_col = uniq // n_products, uniq % n_products
        ranked = np.lexsort((u_col, -total, u_row))
        u_row, u_col, total, best_src = u_row[ranked], u_col[ranked], total[ranked], best_src[ranked]
        starts = np.searchsorted(u_row, np.arange(len(rows)))
        position = np.arange(len(u_row)) - starts[u_row]
        keep = position < n
        out_cols[u_row[keep], position[keep]] = u_col[keep]
        out_scores[u_row[keep], position[keep]] = total[keep]
        src_names = np.array([list(self.weights).index(m) for m in names], dtype=np.int64)
        out_src[u_row[keep], position[keep]] = src_names[best_src[keep]]
        return out_cols, out_scores, out_src

    def _reranked(self, rows: np.ndarray, k: int, allowed: np.ndarray | None,
                  exclude_bought: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The re-ranker's top-k (after the filters) and each row's source for its reason:
        ``repeat_cycle`` for a product the customer bought, ``learned`` otherwise (told in
        :meth:`_reasons` by what is true of it)."""
        n = k if allowed is None else len(self.product_ids_)
        cols, scores = self.reranker_.score(rows, n, exclude_bought=exclude_bought)
        if allowed is not None:
            # Keep the allowed columns, in order, then cut to k.
            keep = (cols >= 0) & allowed[np.maximum(cols, 0)]
            order = np.argsort(~keep, axis=1, kind="stable")
            cols = np.where(np.take_along_axis(keep, order, axis=1), np.take_along_axis(cols, order, axis=1), -1)
            scores = np.where(cols >= 0, np.take_along_axis(scores, order, axis=1), np.nan)
            cols, scores = cols[:, :k], scores[:, :k]
        source = np.full(cols.shape, None, dtype=object)
        r, p = np.nonzero(cols >= 0)
        if len(r):
            bought = self.models_["repeat_cycle"].detail_arrays(rows[r], cols[r, p])["purchase_days"] > 0
            source[r, p] = np.where(bought, "repeat_cycle", "learned")
        return cols, scores, source

    def _known(self, who: np.ndarray, rows: np.ndarray, k: int, allowed: np.ndarray | None,
               exclude_bought: bool) -> dict[str, np.ndarray]:
        if self.reranker_ is not None:
            cols, scores, source = self._reranked(rows, k, allowed, exclude_bought)
        else:
            cols, scores, src = self._blend(rows, k, allowed, exclude_bought)
            model_names = np.array(list(self.weights), dtype=object)
            source = np.where(src >= 0, model_names[np.maximum(src, 0)], None).astype(object)
        short = np.flatnonzero((cols < 0).any(axis=1))
        for i in short:  # fill short lists: recent popularity, then (no-repeat) products bought before
            have = list(cols[i][cols[i] >= 0])
            bought = set(self.bought_.indices[self.bought_.indptr[rows[i]]:self.bought_.indptr[rows[i] + 1]])
            fill = [(c, "popular_recent") for c in self._popular_order
                    if (allowed is None or allowed[c]) and c not in have and not (exclude_bought and c in bought)]
            if exclude_bought:
                mine, _ = self.models_["repeat_cycle"].score(rows[i:i + 1], len(self.product_ids_), exclude_bought=False)
                fill += [(c, "bought_before") for c in mine[0] if c >= 0 and (allowed is None or allowed[c])
                         and c not in have]
            last = scores[i][len(have) - 1] if have else 1.0
            for j, (c, why) in enumerate(fill[:k - len(have)]):
                pos = len(have) + j
                cols[i, pos], source[i, pos] = c, why
                # Below every fused score: the rank order is the score order.
                scores[i, pos] = (last - (j + 1) * 1e-3 * max(abs(last), 1e-9)) if have else 1.0 / (RRF_K + pos + 1.0)
        r, p = np.nonzero(cols >= 0)
        chosen, why = cols[r, p], source[r, p]
        return {"who": who[r], "rank": p + 1, "col": chosen, "score": scores[r, p],
                "reason": self._reasons(rows[r], chosen, why)}

    def _cold(self, who: np.ndarray, k: int, allowed: np.ndarray | None) -> dict[str, np.ndarray]:
        order = self._popular_order if allowed is None else self._popular_order[allowed[self._popular_order]]
        order = order[:k]
        n = len(order)
        return {"who": np.repeat(who, n), "rank": np.tile(np.arange(1, n + 1), len(who)),
                "col": np.tile(order, len(who)), "score": np.tile(1.0 / (RRF_K + np.arange(1, n + 1)), len(who)),
                "reason": np.full(n * len(who), reasons.popular_recently(RECENT_WINDOW_DAYS), dtype=object)}

    def _reasons(self, rows: np.ndarray, cols: np.ndarray, source: np.ndarray) -> np.ndarray:
        out = np.full(len(rows), reasons.popular_recently(RECENT_WINDOW_DAYS), dtype=object)
        mine = (source == "repeat_cycle") | (source == "bought_before")
        if mine.any():
            det = self.models_["repeat_cycle"].detail_arrays(rows[mine], cols[mine])
            texts = [reasons.cycle(p, c, s) if src == "repeat_cycle" else reasons.bought_before(s)
                     for p, c, s, src in zip(det["purchase_days"], det["cycle_days"], det["days_since_last"],
                                             source[mine])]
            out[mine] = texts
        together = source == "copurchase"
        if together.any():
            because = self.models_["copurchase"].because(rows[together], cols[together])
            out[together] = [reasons.bought_together(self.product_name(b)) if b >= 0
                             else reasons.popular_recently(RECENT_WINDOW_DAYS) for b in because]
        segment = source == "popular_segment"
        if segment.any():
            segs = self.models_["popular_segment"].segment_of(rows[segment])
            out[segment] = [reasons.popular_like_you(s) for s in segs]
        learned = np.flatnonzero(source == "learned")
        if len(learned):
            # What is true of a re-ranked new product, the most specific first.
            because = self.models_["copurchase"].because(rows[learned], cols[learned])
            seg_model = self.models_["popular_segment"]
            seg_row = seg_model.row_segment_[rows[learned]]
            seg_row = np.where(seg_row >= 0, seg_row, len(seg_model.shares_) - 1)
            segs = seg_model.segment_of(rows[learned])
            texts = []
            for i, c, b, s_i, name in zip(learned, cols[learned], because, seg_row, segs):
                if b >= 0:
                    texts.append(reasons.bought_together(self.product_name(b)))
                elif name is not None and self._segment_top[s_i, c]:
                    texts.append(reasons.popular_like_you(name))
                elif self._popular_top[c]:
                    texts.append(reasons.popular_recently(RECENT_WINDOW_DAYS))
                else:
                    texts.append(reasons.similar_customers())
            out[learned] = texts
        return out

    def product_name(self, col: int) -> str:
        """The product's name for a sentence (:func:`~shopmine.recommend.reasons.safe_name`)."""
        return reasons.safe_name(self.names_[col], self.product_ids_[col])

    def similar(self, product: str, k: int = 10, *, category: str | None = None,
                exclude_inactive_days: int | None = None) -> pd.DataFrame:
        """Products bought together with the product id ``product`` (:data:`SIMILAR_COLUMNS`), filled from recent
        popularity when it has fewer than ``k`` companions; the product itself never."""
        check_fitted(self, "models_")
        k = _check_k(k)
        col = self._product_pos.get_indexer([str(product)])[0]
        if col < 0:
            raise ShopmineInputError(
                f"{{product}}: no product {str(product)[:80]!r} was bought by a customer before the as-of date; "
                f"pick one from the order lines (the product_id column).", "product")
        allowed = self.allowed_products(category, exclude_inactive_days)
        n_products = len(self.product_ids_)
        cols, sims = self.models_["copurchase"].similar(np.array([col]), n_products)
        cols, sims = cols[0], sims[0]
        keep = cols >= 0
        if allowed is not None:
            keep &= allowed[np.maximum(cols, 0)]
        cols, sims = cols[keep][:k], sims[keep][:k]
        together = self.models_["copurchase"].together_
        name = self.product_name(col)
        rows = [(c, s, f"bought together with {name} in {int(together[col, c])} baskets") for c, s in zip(cols, sims)]
        for c in self._popular_order:
            if len(rows) >= k:
                break
            if c != col and c not in cols and (allowed is None or allowed[c]):
                rows.append((c, 0.0, reasons.popular_recently(RECENT_WINDOW_DAYS)))
        return pd.DataFrame({"for_product_id": str(product), "rank": np.arange(1, len(rows) + 1, dtype=np.int64),
                             "product_id": [str(self.product_ids_[c]) for c, _, _ in rows],
                             "score": [float(s) for _, s, _ in rows], "reason": [r for _, _, r in rows]},
                            columns=SIMILAR_COLUMNS)

    # -- saving without pickle ---------------------------------------------------------------
    def to_arrays(self) -> dict[str, np.ndarray]:
        """Every fitted array, model arrays prefixed ``<model>__``; strings as fixed-width unicode
        (no object arrays: the file reads back with ``allow_pickle=False``)."""
        check_fitted(self, "models_")
        arrays = {f"{m}__{key}": value for m, model in self.models_.items() for key, value in model.to_arrays().items()}
        text = lambda values: np.asarray(["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
                                          for v in values], dtype=str)
        arrays.update({"customer_ids": text(self.customer_ids_), "product_ids": text(self.product_ids_),
                       "names": text(self.names_), "categories": text(self.categories_),
                       "last_sold": self.last_sold_, "as_of": np.array([self.as_of_ordinal_], dtype=np.int64)})
        if self.reranker_ is not None:
            arrays.update({f"rerank__{key}": value for key, value in self.reranker_.to_arrays().items()})
        return arrays

    def model_params(self) -> dict[str, Any]:
        """The JSON part of the saved model: the blend and each model's parameters."""
        check_fitted(self, "models_")
        return {"weights": self.weights, "ranker": self.ranker, "horizon_days": self.horizon_days,
                "models": {m: model.get_params() for m, model in self.models_.items()},
                "rerank": None if self.reranker_ is None else self.reranker_.get_params()}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], params: dict[str, Any]) -> Recommender:
        """The recommender :meth:`to_arrays` and :meth:`model_params` saved. (Runs saved before the re-ranker,
        without ``ranker`` in their parameters, are passed over by
        :func:`~shopmine.recommend.analysis.saved_recommender` and never read here.)"""
        model = cls(weights=params["weights"], ranker=params["ranker"], horizon_days=params["horizon_days"])
        model.models_ = {}
        for m, model_params in params["models"].items():
            prefix = f"{m}__"
            own = {key[len(prefix):]: value for key, value in arrays.items() if key.startswith(prefix)}
            model.models_[m] = _MODEL_CLASSES[m].from_arrays(own, model_params)
        model.customer_ids_ = np.asarray(arrays["customer_ids"], dtype=object)
        model.product_ids_ = np.asarray(arrays["product_ids"], dtype=object)
        model.names_ = np.asarray([v or None for v in arrays["names"].tolist()], dtype=object)
        model.categories_ = np.asarray([v or None for v in arrays["categories"].tolist()], dtype=object)
        model.last_sold_ = np.asarray(arrays["last_sold"], dtype=np.int64)
        model.as_of_ordinal_ = int(arrays["as_of"][0])
        model.bought_ = model.models_["repeat_cycle"].purchase_days_
        model.reranker_ = None
        if params["rerank"] is not None:
            own = {key[len("rerank__"):]: value for key, value in arrays.items() if key.startswith("rerank__")}
            model.reranker_ = Reranker.from_arrays(own, params["rerank"])
        model._index()
        return model
