import json

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from shopmine.classic import ClassicKMeans

RFM = ["recency_days", "frequency", "monetary"]


def test_three_separated_groups_are_found():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    points = np.vstack([c + rng.normal(scale=0.3, size=(50, 2)) for c in centres])
    df = pd.DataFrame(points, columns=["a", "b"]).assign(customer_id=[f"c{i}" for i in range(150)])
    model = ClassicKMeans().fit(df)
    assert model.result_.metrics["k"] == 3
    assert "customer_id" in model.warnings_[0]
    centres_found = model.result_.tables["cluster_centres"][["a", "b"]].to_numpy()
    for centre in centres:
        assert np.min(np.linalg.norm(centres_found - centre, axis=1)) < 0.2
    assignments = model.result_.tables["assignments"]
    assert len(assignments) == 150 and assignments.groupby("cluster").size().tolist() == [50, 50, 50]


@pytest.mark.realdata
def test_online_retail_customers_match_sklearn(run, customer_summary_path, tmp_path):
    out = tmp_path / "out"
    code, _, err = run("model", "kmeans", "--data", customer_summary_path, "--features", ",".join(RFM),
                       "--output-dir", out, "--metrics-output", tmp_path / "m.json")
    assert code == 0, err
    metrics = json.loads((tmp_path / "m.json").read_text())
    df = pd.read_csv(customer_summary_path)
    Z = StandardScaler().fit_transform(df[RFM].astype(float))
    scores = {}
    with threadpool_limits(limits=1):
        for k in range(2, 11):
            labels = KMeans(n_clusters=k, n_init=10, random_state=42).fit_predict(Z)
            scores[k] = silhouette_score(Z, labels, sample_size=min(10_000, len(Z)), random_state=42)
    best = max(scores, key=scores.get)
    assert metrics["k"] == best
    assert metrics["silhouette"] == pytest.approx(scores[best], abs=1e-12)
    assignments = pd.read_csv(out / "assignments.csv")
    assert len(assignments) == len(df) and "cluster" in assignments.columns
    for name in ("clusters_2d.html", "k_choice.html", "cluster_profiles.csv", "cluster_centres.csv", "index.html"):
        assert (out / name).is_file()

    code, _, _ = run("model", "predict", "--model", out, "--data", customer_summary_path,
                     "--output", tmp_path / "p.csv")
    assert code == 0
    assert (pd.read_csv(tmp_path / "p.csv")["cluster"] == assignments["cluster"]).all()


def test_k_by_silhouette_picks_the_best_k_or_keeps_the_one_given():
    from shopmine.classic.kmeans import candidate_ks, k_by_silhouette

    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    Z = np.vstack([c + rng.normal(scale=0.3, size=(40, 2)) for c in centres])
    k, model, score, curve = k_by_silhouette(Z, candidate_ks(len(Z), len(Z)), None, 42)
    assert k == 3 and model.n_clusters == 3 and curve["k"].tolist() == list(range(2, 11))
    assert score == curve.set_index("k").loc[3, "silhouette"] == curve["silhouette"].max()
    given, model, _, curve = k_by_silhouette(Z, [2, 3], 5, 42)
    assert given == 5 and model.n_clusters == 5 and curve["k"].tolist() == [2, 3, 5]
