"""Behaviour clusters the classic k-means way: standardised features, k by silhouette, profiles in words.

The workflow is that of :mod:`shopmine.classic.kmeans` (its candidate k and its k-by-silhouette
choice, :func:`~shopmine.classic.kmeans.k_by_silhouette`, profiles from standardised centres, the
2-D projection); what is specific to customers is the choice
and transformation of the features.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from shopmine.classic.kmeans import PLOT_POINTS, SILHOUETTE_SAMPLE, candidate_ks, cluster_profiles, k_by_silhouette
from shopmine.classic.plots import k_choice_figure, scatter_2d
from shopmine.errors import NotFittedError, ShopmineInputError, invalid_value

__all__ = ["BASKET_PRIOR_PURCHASES", "BEHAVIOUR_FEATURES", "FEATURE_WEIGHTS", "INPUT_COLUMNS", "LOG_FEATURES",
           "PROFILE_FEATURES", "RATE_FEATURES", "BehaviourClusters", "assign_clusters"]

#: Behaviour features clustered. Rates rather than totals: purchases per 30 days of tenure instead of
#: the purchase count (which mostly says how long ago a customer signed up), recency in units of the
#: customer's own gap between purchases, product lines and units per purchase, units per line, net
#: value, and the share of units bought on promotion. ``units_per_line`` is derived here (units per
#: purchase / lines per purchase); it sets apart accounts that buy several of one item at a time (in
#: the simulated shop, the fraudsters' accounts). The category mix is left out: it mostly says which
#: category a customer likes, not how they buy, and it hid the segments (adjusted Rand index against
#: the simulator's latent segments 0.15 with it, about 0.49 without; see docs/simulator.md).
BEHAVIOUR_FEATURES = ("purchases_per_30d", "recency_vs_gap", "lines_per_order", "avg_basket_units",
                      "units_per_line", "monetary", "discount_share")
#: Columns the behaviour table must have (``units_per_line`` and the shrunk shares are derived from them).
INPUT_COLUMNS = ("purchases_per_30d", "recency_vs_gap", "lines_per_order", "avg_basket_units", "monetary",
                 "discount_share", "frequency")
#: Heavy-tailed measures clustered on a signed log scale: on the raw scale a few big spenders would
#: take clusters of their own and every other customer would share the rest.
LOG_FEATURES = ("recency_vs_gap", "monetary")
#: Rates and per-purchase means clustered on a plain log scale, so that halving is the same step at
#: any level: every customer has at least one purchase (``purchases_per_30d`` > 0), and the shrunk
#: means are positive.
RATE_FEATURES = ("purchases_per_30d", "lines_per_order", "avg_basket_units", "units_per_line")
#: Weight after standardising (1 otherwise): recency relative to the usual gap tells churned customers
#: apart but is noisy for customers with one or two purchases.
FEATURE_WEIGHTS = {"recency_vs_gap": 0.5}
#: Pseudo-units of the shop-wide promotion share added to each customer's ``discount_share``: with one
#: or two units bought the raw share is 0 or 1 whatever the customer's habits.
DISCOUNT_PRIOR_UNITS = 5.0
#: Pseudo-purchases at the shop-wide mean added to ``lines_per_order`` and ``avg_basket_units``, and
#: pseudo-lines (this many purchases' worth) added to ``units_per_line``. A customer with one purchase
#: has one draw of their basket size; unshrunk, the customers with a single purchase split into
#: "one small basket" and "one big basket" clusters, which says more about chance than about habit.
#: With 3 (and ``units_per_line``) the adjusted Rand index against the simulated latent segments rose
#: from 0.453 to 0.499 (2,000 customers) and from 0.456 to 0.498 (5,000, the demo shop); 1 and 5 did
#: a little worse on the smaller shop (0.47 and 0.49 in a pandas replica of these features, 0.495 for 3).
BASKET_PRIOR_PURCHASES = 3.0
#: Columns described in the cluster profiles (cluster means in original units).
PROFILE_FEATURES = ("recency_days", "frequency", "monetary", "avg_order_value", "avg_basket_units",
                    "discount_share", "returns_share", "price_vs_list", "purchases_per_30d",
                    "recency_vs_gap", "lines_per_order")


def _signed_log1p(values: pd.Series) -> pd.Series:
    # Signed, because net monetary value is negative when returns exceed purchases.
    return np.sign(values) * np.log1p(values.abs())


def _shrunk_discount_share(features: pd.DataFrame) -> pd.Series:
    """``discount_share`` pulled towards the shop-wide share by :data:`DISCOUNT_PRIOR_UNITS` units."""
    units = (features["avg_basket_units"] * features["frequency"]).astype("float64").clip(lower=0.0)
    discounted = features["discount_share"].astype("float64") * units
    prior = discounted.sum() / units.sum() if units.sum() > 0 else 0.0
    return (discounted + prior * DISCOUNT_PRIOR_UNITS) / (units + DISCOUNT_PRIOR_UNITS)


def _shrunk_mean(totals: pd.Series, counts: pd.Series, prior_count: float) -> pd.Series:
    """``totals / counts`` pulled towards the shop-wide ratio by ``prior_count`` pseudo-counts."""
    totals, counts = totals.astype("float64").clip(lower=0.0), counts.astype("float64").clip(lower=0.0)
    prior = totals.sum() / counts.sum() if counts.sum() > 0 else 0.0
    return (totals + prior * prior_count) / (counts + prior_count)


def _shrunk_baskets(features: pd.DataFrame) -> pd.DataFrame:
    """Lines and units per purchase and units per line, shrunk by :data:`BASKET_PRIOR_PURCHASES`."""
    purchases = features["frequency"].astype("float64")
    lines = features["lines_per_order"].astype("float64") * purchases
    units = features["avg_basket_units"].astype("float64") * purchases
    lines_per_purchase = lines.sum() / purchases.sum() if purchases.sum() > 0 else 1.0
    m = BASKET_PRIOR_PURCHASES
    return pd.DataFrame({"lines_per_order": _shrunk_mean(lines, purchases, m),
                         "avg_basket_units": _shrunk_mean(units, purchases, m),
                         "units_per_line": _shrunk_mean(units, lines, m * lines_per_purchase)})


def check_cluster_params(k: object, seed: object) -> None:
    """Refuse a cluster count below 2 or a seed that is not an integer (before any table is read)."""
    if k is not None and (not isinstance(k, int) or isinstance(k, bool) or k < 2):
        raise invalid_value("k", "an integer of at least 2", k)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise invalid_value("seed", "an integer", seed)


def assign_clusters(saved: dict, inputs: pd.DataFrame) -> np.ndarray:
    """The cluster of each row of ``inputs`` (:meth:`BehaviourClusters.inputs`) under a saved model
    (:meth:`BehaviourClusters.saved_form`, e.g. read back from the model registry): the nearest centre
    after the same scaling and weights."""
    missing = [c for c in saved["features"] if c not in inputs.columns]
    if missing:
        raise ShopmineInputError(f"the inputs lack the clustered column(s) {', '.join(missing)}.")
    Z = (inputs[saved["features"]].to_numpy(dtype="float64") - np.asarray(saved["mean"])) / np.asarray(saved["scale"])
    Zw = Z * np.asarray(saved["weights"])
    distances = ((Zw[:, None, :] - np.asarray(saved["centres"])[None, :, :]) ** 2).sum(axis=2)
    return distances.argmin(axis=1).astype("int64")


class BehaviourClusters:
    """k-means on standardised customer behaviour features.

    Parameters
    ----------
    k : int, optional
        Number of clusters (at least 2); default: the k in 2..10 with the highest silhouette
        (computed on a seeded sample of at most 10,000 customers).
    seed : int, default=42
        ``random_state`` of k-means (10 starts), of the silhouette sample and of the plot sample.

    Attributes
    ----------
    features_ : list of str
        Columns clustered (constant columns are left out).
    k_ : int
        Clusters formed; 1 when the customers cannot be told apart (see ``note_``).
    labels_ : numpy.ndarray
        Cluster of each customer, 0..k-1.
    curve_ : pandas.DataFrame
        ``k, inertia, silhouette`` per candidate k.
    silhouette_ : float or None
    profiles_ : pandas.DataFrame
        ``cluster, customers, share, profile`` (profile in words) and each feature's cluster mean
        in its original units.
    points_ : numpy.ndarray
        2-D principal-component projection of the (sampled) customers, ``plot_labels_`` their clusters.
    note_ : str
        What the user should know (constant features left out, why k = 1).

    Examples
    --------
    >>> model = BehaviourClusters(k=4, seed=0).fit(features)  # doctest: +SKIP
    >>> model.labels_[:5]                                     # doctest: +SKIP
    """

    def __init__(self, *, k: int | None = None, seed: int = 42):
        self.k = k
        self.seed = seed

    def _check_params(self) -> None:
        check_cluster_params(self.k, self.seed)

    def inputs(self, features: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
        """The transformed model inputs (before standardising) and the names of constant columns left out.

        Public so that a benchmark can train a supervised reference on exactly what k-means sees.
        """
        missing = [c for c in INPUT_COLUMNS if c not in features.columns]
        if missing:
            raise ShopmineInputError(f"the behaviour table lacks the column(s) {', '.join(missing)}; "
                                     "build it with shopmine.customers.behaviour_features.")
        inputs = features[list(INPUT_COLUMNS)].astype("float64")
        if inputs.isna().any().any():
            bad = [c for c in INPUT_COLUMNS if inputs[c].isna().any()]
            rows = inputs.isna().any(axis=1)
            ids = features.loc[rows, "customer_id"] if "customer_id" in features.columns else features.index[rows]
            shown = ", ".join(map(str, list(ids[:5]))) + (", ..." if rows.sum() > 5 else "")
            raise ShopmineInputError(f"behaviour feature(s) {', '.join(bad)} have missing values (customers "
                                     f"{shown}); fill or drop those customers before clustering.")
        columns = list(BEHAVIOUR_FEATURES)
        baskets = _shrunk_baskets(features)
        X = inputs.assign(**{c: baskets[c] for c in baskets.columns})[columns]
        X["discount_share"] = _shrunk_discount_share(features)
        for column in LOG_FEATURES:
            X[column] = _signed_log1p(X[column])
        for column in RATE_FEATURES:
            X[column] = np.log(X[column].clip(lower=1e-6))
        constant = [c for c in columns if X[c].nunique() <= 1]
        return X.drop(columns=constant), constant

    def fit(self, features: pd.DataFrame) -> BehaviourClusters:
        """Choose k, cluster, profile and project the customers.

        Parameters
        ----------
        features : pandas.DataFrame
            One row per customer with the columns of :data:`INPUT_COLUMNS`
            (:func:`shopmine.customers.behaviour_features`); other columns are ignored.

        Returns
        -------
        self

        Raises
        ------
        ShopmineInputError
            When ``k`` or ``seed`` is invalid, a feature is missing or has missing values, or ``k``
            exceeds the number of customers with distinct features.
        """
        self._check_params()
        n = len(features)
        if n == 0:
            raise ShopmineInputError("no customers to cluster: no customer has a purchase before the as-of date.")
        X, constant = self.inputs(features)
        notes = [f"Left out (the same for every customer): {', '.join(constant)}."] if constant else []
        distinct = len(X.drop_duplicates()) if X.shape[1] else 1
        if self.k is not None and self.k > distinct:
            raise ShopmineInputError(
                f"{{k}} {self.k} is larger than the number of customers with distinct behaviour ({distinct}); "
                "choose a smaller k.", "k")
        candidates = candidate_ks(n, distinct)
        self.features_ = list(X.columns)
        if self.k is None and not candidates:
            # No partition into 2+ clusters exists (or silhouette is undefined): one cluster, said so.
            notes.append(f"No clusters formed (k = 1): {n} customer(s) with {distinct} distinct behaviour "
                         "profile(s); at least 3 customers with 2 distinct profiles are needed.")
            self._fit_one(features, n)
            self.note_ = " ".join(notes)
            return self

        scaler = StandardScaler().fit(X)
        Z = scaler.transform(X)
        weights = self._weights()
        Zw = Z * weights
        self.k_, model, self.silhouette_, self.curve_ = k_by_silhouette(Zw, candidates, self.k, self.seed)
        self.scaler_, self.kmeans_ = scaler, model
        self.labels_ = model.labels_.astype("int64")
        sizes = pd.Series(np.bincount(self.labels_, minlength=self.k_))
        # Profiles in unweighted standard deviations, so "+1.0 sd" means the same for every feature.
        z_centres = pd.DataFrame(model.cluster_centers_ / weights, columns=self.features_)
        self.profiles_ = self._profile_table(features, sizes, cluster_profiles(z_centres, sizes))

        rng = np.random.default_rng(self.seed)
        shown = np.sort(rng.choice(n, PLOT_POINTS, replace=False)) if n > PLOT_POINTS else np.arange(n)
        pca = PCA(n_components=2, random_state=self.seed).fit(Zw) if Zw.shape[1] >= 2 else None
        self.points_ = (pca.transform(Zw[shown]) if pca is not None
                        else np.column_stack([Zw[shown, 0], np.zeros(len(shown))]))
        self.explained_ = list(pca.explained_variance_ratio_) if pca is not None else [1.0, 0.0]
        self.plot_labels_ = self.labels_[shown]
        self.note_ = " ".join(notes)
        return self

    def _weights(self) -> np.ndarray:
        """Column weights after standardising (:data:`FEATURE_WEIGHTS`, 1 for the others)."""
        return np.array([FEATURE_WEIGHTS.get(c, 1.0) for c in self.features_])

    def saved_form(self) -> dict | None:
        """The fitted model as plain arrays, for the model registry (JSON, never pickle); None when k = 1.

        ``features`` (the columns of :meth:`inputs`, in order), the scaler's ``mean`` and ``scale``, the
        column ``weights`` and the k-means ``centres`` in the weighted standardised space:
        :func:`assign_clusters` puts customers in the nearest centre with nothing else.
        """
        if not hasattr(self, "k_"):
            raise NotFittedError("This BehaviourClusters is not fitted yet; call fit(features) first.")
        if self.k_ == 1:
            return None
        return {"kind": "behaviour_kmeans", "k": int(self.k_), "seed": self.seed, "features": list(self.features_),
                "log_features": [c for c in LOG_FEATURES if c in self.features_],
                "rate_features": [c for c in RATE_FEATURES if c in self.features_],
                "mean": self.scaler_.mean_.tolist(), "scale": self.scaler_.scale_.tolist(),
                "weights": self._weights().tolist(), "centres": self.kmeans_.cluster_centers_.tolist()}

    def _fit_one(self, features: pd.DataFrame, n: int) -> None:
        self.k_, self.silhouette_ = 1, None
        self.labels_ = np.zeros(n, dtype="int64")
        self.curve_ = pd.DataFrame(columns=["k", "inertia", "silhouette"])
        sizes = pd.Series([n])
        self.profiles_ = self._profile_table(features, sizes, [f"Cluster 0 ({n:,} rows, 100%): every customer."])
        self.points_, self.plot_labels_, self.explained_ = None, None, None

    def _profile_table(self, features: pd.DataFrame, sizes: pd.Series, profiles: list[str]) -> pd.DataFrame:
        columns = [c for c in PROFILE_FEATURES if c in features.columns]
        means = features[columns].groupby(self.labels_).mean()
        table = pd.DataFrame({"cluster": range(len(sizes)), "customers": sizes.to_numpy(),
                              "share": (sizes / sizes.sum()).to_numpy(), "profile": profiles})
        return pd.concat([table, means.reset_index(drop=True)], axis=1)

    def figures(self) -> dict:
        """The 2-D projection and the k choice plot (none when k = 1)."""
        if not hasattr(self, "k_"):
            raise NotFittedError("This BehaviourClusters is not fitted yet; call fit(features) first.")
        if self.k_ == 1:
            return {}
        return {
            "clusters_2d": scatter_2d(self.points_, self.plot_labels_,
                                      (f"PC1 ({self.explained_[0]:.0%} of variance)",
                                       f"PC2 ({self.explained_[1]:.0%})"),
                                      f"Behaviour clusters in the first two principal components (k = {self.k_})"),
            "k_choice": k_choice_figure(self.curve_, self.k_, "Silhouette and inertia (elbow) by number of clusters"),
        }

    @property
    def silhouette_sample_size(self) -> int:
        return min(SILHOUETTE_SAMPLE, len(self.labels_))
