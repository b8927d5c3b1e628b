"""k-means on standardised features: k by silhouette, centres in original units, profiles in words."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from shopmine.classic.base import ClassicEstimator
from shopmine.classic.plots import k_choice_figure, scatter_2d
from shopmine.classic.prepare import PreparedData, prepare_data
from shopmine.classic.preprocess import make_preprocessor, missing_report
from shopmine.errors import ShopmineInputError, invalid_value
from shopmine.result import AnalysisResult

__all__ = ["K_RANGE", "SILHOUETTE_SAMPLE", "ClassicKMeans", "candidate_ks", "cluster_profiles", "k_by_silhouette",
           "silhouette"]

#: Candidate numbers of clusters when k is not given.
K_RANGE = range(2, 11)
#: Silhouette is quadratic in the rows; above this many it is computed on a seeded sample.
SILHOUETTE_SAMPLE = 10_000
#: Points drawn in the 2-D projection (a seeded sample beyond this).
PLOT_POINTS = 5_000
#: A centre this many standard deviations from the mean is "high"/"low" in a profile.
PROFILE_SD = 0.5


def silhouette(Z: np.ndarray, labels: np.ndarray, seed: int) -> float:
    """``silhouette_score(Z, labels, sample_size=min(10000, n), random_state=seed)``."""
    return float(silhouette_score(Z, labels, sample_size=min(SILHOUETTE_SAMPLE, len(Z)), random_state=seed))


def candidate_ks(n: int, distinct: int) -> list[int]:
    """The k of :data:`K_RANGE` that ``n`` rows with ``distinct`` different values can take.

    Below ``n`` (silhouette needs a cluster with two rows) and at most ``distinct``.

    Examples
    --------
    >>> candidate_ks(5, 3), candidate_ks(100, 100)[-1]
    ([2, 3], 10)
    """
    return [k for k in K_RANGE if k < n and k <= distinct]


def k_by_silhouette(Z: np.ndarray, candidates: list[int], k: int | None,
                    seed: int) -> tuple[int, KMeans, float, pd.DataFrame]:
    """Fit ``KMeans(n_init=10)`` for every candidate k (and ``k`` if given) and keep the one to use.

    Parameters
    ----------
    Z : numpy.ndarray
        The (standardised) model inputs.
    candidates : list of int
        From :func:`candidate_ks`.
    k : int or None
        The k asked for; None: the candidate with the highest :func:`silhouette`.
    seed : int
        ``random_state`` of k-means and of the silhouette sample.

    Returns
    -------
    k : int
    model : sklearn.cluster.KMeans
        The fitted k-means of that k.
    silhouette : float
    curve : pandas.DataFrame
        ``k, inertia, silhouette`` of each k fitted.
    """
    rows, fits = [], {}
    # One thread: on the small, low-dimensional tables k-means sees, OpenMP threads only contend
    # (measured 100x slower with 2 threads on a 2-core machine); the limit is undone on exit.
    with threadpool_limits(limits=1):
        for each in sorted(set(candidates) | ({k} if k is not None else set())):
            model = KMeans(n_clusters=each, n_init=10, random_state=seed).fit(Z)
            score = silhouette(Z, model.labels_, seed)
            fits[each] = (model, score)
            rows.append({"k": each, "inertia": float(model.inertia_), "silhouette": score})
    curve = pd.DataFrame(rows)
    chosen = k if k is not None else int(curve.loc[curve["silhouette"].idxmax(), "k"])
    return chosen, *fits[chosen], curve


def cluster_profiles(z_centres: pd.DataFrame, sizes: pd.Series) -> list[str]:
    """Describe each cluster by the features whose centre is far from the overall mean.

    Parameters
    ----------
    z_centres : pandas.DataFrame
        Centres in standard deviations from the mean, one row per cluster.
    sizes : pandas.Series
        Rows per cluster, same index.

    Returns
    -------
    list of str
        One sentence per cluster.
    """
    total = sizes.sum()
    sentences = []
    for cluster, row in z_centres.iterrows():
        far = row[row.abs() >= PROFILE_SD].sort_values(key=np.abs, ascending=False).head(4)
        traits = [f"{'high' if v > 0 else 'low'} {name} ({v:+.1f} sd)" for name, v in far.items()]
        description = ", ".join(traits) if traits else "close to average on every feature"
        sentences.append(f"Cluster {cluster} ({sizes[cluster]:,} rows, {sizes[cluster] / total:.0%}): {description}.")
    return sentences


class ClassicKMeans(ClassicEstimator):
    """k-means clustering of standardised features (scikit-learn ``KMeans(n_init=10)``).

    Every row is clustered (no split); with ``test_data``, those rows are assigned to the fitted
    clusters and written out as well.

    Parameters
    ----------
    features : list of str, optional
        Default: every column except id-like ones.
    seed : int, default=42
        ``random_state`` of KMeans, of the silhouette sample and of the plot sample.
    k : int, optional
        Number of clusters; default: the k in 2..10 with the highest silhouette.

    Attributes
    ----------
    kmeans_ : sklearn.cluster.KMeans
    labels_ : numpy.ndarray
        Cluster of each row of ``data``.
    curve_ : pandas.DataFrame
        ``k``, ``inertia``, ``silhouette`` for each candidate k.
    """

    method = "kmeans"
    task = "clustering"
    def __init__(self, *, features: list[str] | None = None, seed: int = 42, k: int | None = None):
        super().__init__(features=features, seed=seed)
        self.k = k

    def _check_params(self) -> None:
        if self.k is not None and (not isinstance(self.k, int) or isinstance(self.k, bool) or self.k < 2):
            raise invalid_value("k", "an integer of at least 2", self.k)

    def _prepare(self, data: pd.DataFrame, test_data: pd.DataFrame | None) -> PreparedData:
        return prepare_data(data, task="clustering", target=None, features=self.features,
                            test_data=test_data, seed=self.seed, split=False)

    def _fit(self, prepared: PreparedData) -> tuple[Pipeline, AnalysisResult]:
        schema = prepared.schema
        n = len(prepared.X_train)
        if self.k is not None and self.k > n:
            raise ShopmineInputError(f"{{k}} {self.k} is larger than the number of rows ({n}); choose a smaller k.", "k")
        preprocessor = make_preprocessor(schema, drop_first=False, scale=True)
        Z = preprocessor.fit_transform(prepared.X_train)
        names = [str(c) for c in preprocessor.named_steps["columns"].get_feature_names_out()]
        distinct = len(np.unique(Z, axis=0))
        candidates = candidate_ks(n, distinct)
        if self.k is not None and self.k > distinct:
            raise ShopmineInputError(
                f"{{k}} {self.k} is larger than the number of distinct rows ({distinct}); choose a smaller k.", "k")
        if self.k is None and not candidates:
            raise ShopmineInputError(f"only {distinct} distinct row(s): too few to form 2 clusters.")
        k, kmeans, score, curve = k_by_silhouette(Z, candidates, self.k, self.seed)
        self.kmeans_, self.labels_, self.curve_ = kmeans, kmeans.labels_, curve
        pipeline = Pipeline([("preprocess", preprocessor), ("model", kmeans)])

        scaler = preprocessor.named_steps["scale"]
        centres = pd.DataFrame(scaler.inverse_transform(kmeans.cluster_centers_), columns=names)
        z_centres = pd.DataFrame(kmeans.cluster_centers_, columns=names)
        sizes = pd.Series(np.bincount(kmeans.labels_, minlength=k))
        profiles = cluster_profiles(z_centres, sizes)
        centres.insert(0, "size", sizes)
        centres.insert(0, "cluster", range(k))
        profile_table = pd.DataFrame({"cluster": range(k), "size": sizes, "share": sizes / n, "profile": profiles})

        assignments = prepared.train.assign(cluster=kmeans.labels_)
        metrics = {"method": "k-means (standardised features)", "n_rows": n, "n_features": len(names), "k": k,
                   "k_chosen_by": "given" if self.k is not None else "silhouette over 2..10",
                   "silhouette": score, "inertia": float(kmeans.inertia_),
                   "silhouette_sample_size": min(SILHOUETTE_SAMPLE, n)}
        tables = {"cluster_profiles": profile_table, "cluster_centres": centres, "k_choice": curve,
                  "assignments": assignments,
                  "missing_values": missing_report(schema, preprocessor, prepared.X_train, prepared.X_test)}
        if prepared.X_test is not None:
            tables["test_assignments"] = prepared.test.assign(cluster=pipeline.predict(prepared.X_test))
            metrics["n_test"] = len(prepared.test)

        rng = np.random.default_rng(self.seed)
        shown = rng.choice(n, PLOT_POINTS, replace=False) if n > PLOT_POINTS else np.arange(n)
        n_components = min(2, Z.shape[1])
        pca = PCA(n_components=n_components, random_state=self.seed).fit(Z)
        points = pca.transform(Z[shown])
        if n_components == 1:
            points = np.column_stack([points[:, 0], np.zeros(len(points))])
        explained = list(pca.explained_variance_ratio_) + [0.0]
        figures = {
            "clusters_2d": scatter_2d(points, kmeans.labels_[shown],
                                      (f"PC1 ({explained[0]:.0%} of variance)", f"PC2 ({explained[1]:.0%})"),
                                      f"Clusters in the first two principal components (k = {k})"),
            "k_choice": k_choice_figure(curve, k, "Silhouette and inertia (elbow) by number of clusters"),
        }
        summary = (f"k-means with k = {k} ({metrics['k_chosen_by']}) on {len(names)} standardised feature(s) of "
                   f"{n:,} rows: silhouette {score:.3f}. " + " ".join(profiles))
        result = AnalysisResult(name="kmeans", title=f"k-means clustering (k = {k})", summary=summary,
                                tables=tables, metrics=metrics, figures=figures)
        return pipeline, result
