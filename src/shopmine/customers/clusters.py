"""Behaviour clusters the classic k-means way: standardised features, k by silhouette, profiles in words.

The pieces are those of :mod:`shopmine.classic.kmeans` (candidate k, silhouette on a sample,
profiles from standardised centres, the 2-D projection); what is specific to customers is the choice
and transformation of the features.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from shopmine.classic.kmeans import K_RANGE, PLOT_POINTS, SILHOUETTE_SAMPLE, cluster_profiles, silhouette
from shopmine.classic.plots import k_choice_figure, scatter_2d
from shopmine.errors import NotFittedError, ShopmineInputError

__all__ = ["BEHAVIOUR_FEATURES", "LOG_FEATURES", "BehaviourClusters"]

#: Behaviour features clustered, besides the ``category_*`` spend shares.
BEHAVIOUR_FEATURES = ("recency_days", "frequency", "monetary", "avg_order_value", "avg_basket_units",
                      "discount_share", "returns_share", "price_vs_list")
#: Heavy-tailed measures clustered on a signed log scale: on the raw scale a few big spenders would
#: take clusters of their own and every other customer would share the rest.
LOG_FEATURES = ("frequency", "monetary", "avg_order_value", "avg_basket_units")


def _signed_log1p(values: pd.Series) -> pd.Series:
    # Signed, because net monetary value is negative when returns exceed purchases.
    return np.sign(values) * np.log1p(values.abs())


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
        if self.k is not None and (not isinstance(self.k, int) or isinstance(self.k, bool) or self.k < 2):
            raise ShopmineInputError(f"--k must be an integer of at least 2, got {self.k!r}.")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool):
            raise ShopmineInputError(f"--seed must be an integer, got {self.seed!r}.")

    def _inputs(self, features: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
        """The transformed model inputs and the names of constant columns left out."""
        missing = [c for c in BEHAVIOUR_FEATURES if c not in features.columns]
        if missing:
            raise ShopmineInputError(f"the behaviour table lacks the column(s) {', '.join(missing)}; "
                                     "build it with shopmine.customers.behaviour_features.")
        columns = [*BEHAVIOUR_FEATURES, *sorted(c for c in features.columns if c.startswith("category_"))]
        X = features[columns].astype("float64")
        if X.isna().any().any():
            bad = [c for c in columns if X[c].isna().any()]
            raise ShopmineInputError(f"behaviour feature(s) {', '.join(bad)} have missing values.")
        for column in LOG_FEATURES:
            X[column] = _signed_log1p(X[column])
        constant = [c for c in columns if X[c].nunique() <= 1]
        return X.drop(columns=constant), constant

    def fit(self, features: pd.DataFrame) -> BehaviourClusters:
        """Choose k, cluster, profile and project the customers.

        Parameters
        ----------
        features : pandas.DataFrame
            One row per customer with the columns of :data:`BEHAVIOUR_FEATURES` and any
            ``category_*`` shares (:func:`shopmine.customers.behaviour_features`).

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
        X, constant = self._inputs(features)
        notes = [f"Left out (the same for every customer): {', '.join(constant)}."] if constant else []
        distinct = len(X.drop_duplicates()) if X.shape[1] else 1
        if self.k is not None and self.k > distinct:
            raise ShopmineInputError(
                f"--k {self.k} is larger than the number of customers with distinct behaviour ({distinct}); "
                "choose a smaller k.")
        candidates = [k for k in K_RANGE if k < n and k <= distinct]
        self.features_ = list(X.columns)
        if self.k is None and not candidates:
            # No partition into 2+ clusters exists (or silhouette is undefined): one cluster, said so.
            notes.append(f"No clusters formed (k = 1): {n} customer(s) with {distinct} distinct behaviour "
                         "profile(s); at least 3 customers with 2 distinct profiles are needed.")
            self._fit_one(features, n)
            self.note_ = " ".join(notes)
            return self

        Z = StandardScaler().fit_transform(X)
        weights = self._weights()
        Zw = Z * weights
        rows, fits = [], {}
        # One thread: on a 2-core machine OpenMP threads only contend on tables this small
        # (see shopmine.classic.kmeans); the limit is undone on exit.
        with threadpool_limits(limits=1):
            for k in sorted(set(candidates) | ({self.k} if self.k is not None else set())):
                model = KMeans(n_clusters=k, n_init=10, random_state=self.seed).fit(Zw)
                score = silhouette(Zw, model.labels_, self.seed)
                fits[k] = (model, score)
                rows.append({"k": k, "inertia": float(model.inertia_), "silhouette": score})
        self.curve_ = pd.DataFrame(rows)
        self.k_ = self.k if self.k is not None else int(self.curve_.loc[self.curve_["silhouette"].idxmax(), "k"])
        model, self.silhouette_ = fits[self.k_]
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
        """Column weights after standardising: the category mix counts as much as one feature.

        With eight categories and equal weights the spend shares would outvote the other features
        and the clusters would mostly say which category a customer likes, not how they buy.
        """
        categories = [c for c in self.features_ if c.startswith("category_")]
        share = 1.0 / np.sqrt(len(categories)) if categories else 1.0
        return np.array([share if c.startswith("category_") else 1.0 for c in self.features_])

    def _fit_one(self, features: pd.DataFrame, n: int) -> None:
        self.k_, self.silhouette_ = 1, None
        self.labels_ = np.zeros(n, dtype="int64")
        self.curve_ = pd.DataFrame(columns=["k", "inertia", "silhouette"])
        sizes = pd.Series([n])
        self.profiles_ = self._profile_table(features, sizes, [f"Cluster 0 ({n:,} rows, 100%): every customer."])
        self.points_, self.plot_labels_, self.explained_ = None, None, None

    def _profile_table(self, features: pd.DataFrame, sizes: pd.Series, profiles: list[str]) -> pd.DataFrame:
        columns = [c for c in (*BEHAVIOUR_FEATURES, *features.columns) if c in features.columns
                   and (c in BEHAVIOUR_FEATURES or c.startswith("category_"))]
        means = features[list(dict.fromkeys(columns))].groupby(self.labels_).mean()
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
                                      (f"PC1 ({self.explained_[0]:.0%} of variance)", f"PC2 ({self.explained_[1]:.0%})"),
                                      f"Behaviour clusters in the first two principal components (k = {self.k_})"),
            "k_choice": k_choice_figure(self.curve_, self.k_, "Silhouette and inertia (elbow) by number of clusters"),
        }

    @property
    def silhouette_sample_size(self) -> int:
        return min(SILHOUETTE_SAMPLE, len(self.labels_))
