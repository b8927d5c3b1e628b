"""Tests of shopmine.registry: versioned, checksummed, pickle-free model files."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from pathlib import Path

import lightgbm
import numpy as np
import pandas as pd
import pytest
import skops.io
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

import shopmine
from shopmine.errors import ShopmineInputError, ShopmineRunError
from shopmine.registry import ModelRegistry, ModelVersion
from shopmine.registry import signing, store
from shopmine.registry.skops_types import refused_nodes


class OwnLogisticRegression(LogisticRegression):
    """An estimator type outside the registry's skops allow-list (it lives in this test module)."""


@pytest.fixture
def registry(tmp_path: Path) -> ModelRegistry:
    key = signing.load_or_create_key(tmp_path / ".secret" / "signing.key", "the test workspace")
    return ModelRegistry(tmp_path / "models", key=key)


def rewrite_signed(record_path: Path, key: signing.SigningKey, **changes) -> None:
    """Change fields of a version's metadata.json and sign it again, as someone holding the key could."""
    record = json.loads(record_path.read_text())
    record.update(changes)
    record["signature"] = signing.sign(record, key)
    record_path.write_text(json.dumps(record))


@pytest.fixture
def frame() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(7)
    n = 120
    X = pd.DataFrame({
        "channel": rng.choice(["web", "app", "shop"], size=n),
        "basket": rng.gamma(2.0, 30.0, size=n).round(2),
        "items": rng.integers(1, 9, size=n),
    })
    y = ((X["basket"] > 60) ^ (X["channel"] == "app")).astype(int).to_numpy()
    return X, y


def tree_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []


# -- round trips ------------------------------------------------------------------------------
def test_logistic_regression_roundtrip(registry, frame):
    X, y = frame
    model = LogisticRegression(max_iter=500).fit(X[["basket", "items"]], y)

    saved = registry.save("churn", model)
    loaded, version = registry.load("churn")

    assert isinstance(loaded, LogisticRegression)
    assert saved == version
    assert version.format == "skops" and version.path.name == "model.skops"
    np.testing.assert_array_equal(loaded.coef_, model.coef_)
    np.testing.assert_array_equal(loaded.predict(X[["basket", "items"]]), model.predict(X[["basket", "items"]]))
    np.testing.assert_array_equal(
        loaded.predict_proba(X[["basket", "items"]]), model.predict_proba(X[["basket", "items"]])
    )


def test_pipeline_with_column_transformer_roundtrip(registry, frame):
    X, y = frame
    model = Pipeline([
        ("prep", ColumnTransformer([
            ("onehot", OneHotEncoder(handle_unknown="ignore"), ["channel"]),
            ("scale", StandardScaler(), ["basket", "items"]),
        ])),
        ("tree", DecisionTreeClassifier(max_depth=4, random_state=0)),
    ]).fit(X, y)

    registry.save("churn-tree", model)
    loaded, _ = registry.load("churn-tree")

    assert list(loaded.named_steps) == ["prep", "tree"]
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    # an unseen category goes through the loaded encoder as through the original one
    unseen = X.head(3).assign(channel="phone")
    np.testing.assert_array_equal(loaded.predict_proba(unseen), model.predict_proba(unseen))


def test_function_transformer_is_refused_on_save(registry, frame):
    # shopmine's pipelines hold no FunctionTransformer, so it is not on the exact allow-list.
    X, y = frame
    model = Pipeline([("abs", FunctionTransformer(abs)), ("lr", LogisticRegression())])
    model.fit(X[["basket"]] - 60, y)

    with pytest.raises(ShopmineInputError, match=r"allow-list: builtins\.abs \(TypeNode\), "
                                                 r"sklearn\.preprocessing\._function_transformer\.FunctionTransformer"):
        registry.save("abs-pipe", model)
    assert tree_files(registry.root) == []


def test_lightgbm_booster_roundtrip(registry):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 4))
    y = 2.0 * X[:, 0] - X[:, 1] + rng.normal(scale=0.1, size=200)
    booster = lightgbm.train(
        {"objective": "regression", "num_leaves": 7, "seed": 1, "verbose": -1},
        lightgbm.Dataset(X, y), num_boost_round=25,
    )

    saved = registry.save("demand", booster)
    loaded, version = registry.load("demand")

    assert isinstance(loaded, lightgbm.Booster)
    assert (version.format, version.path.name) == ("lightgbm-booster", "model.txt")
    assert saved.path.read_text(encoding="utf-8") == booster.model_to_string()
    assert loaded.num_trees() == 25
    np.testing.assert_array_equal(loaded.predict(X), booster.predict(X))


def test_lgbm_regressor_roundtrip_with_categorical_column(registry):
    rng = np.random.default_rng(11)
    n = 300
    X = pd.DataFrame({
        "price": rng.uniform(5, 50, size=n),
        "promo": rng.integers(0, 2, size=n),
        "category": pd.Categorical(rng.choice(["shoes", "bags", "hats"], size=n)),
    })
    y = 100 - 1.5 * X["price"] + 20 * X["promo"] + (X["category"] == "bags") * 15 + rng.normal(size=n)
    model = lightgbm.LGBMRegressor(n_estimators=40, num_leaves=8, random_state=5, verbose=-1).fit(X, y)

    registry.save("units", model)
    loaded, version = registry.load("units")

    assert type(loaded) is lightgbm.LGBMRegressor
    assert version.format == "lightgbm-sklearn"
    assert sorted(p.name for p in version.folder.iterdir()) == ["metadata.json", "model.txt", "wrapper.json"]
    assert loaded.get_params() == model.get_params()
    assert list(loaded.feature_names_in_) == ["price", "promo", "category"]
    assert loaded.n_features_in_ == 3
    assert loaded.n_estimators_ == 40
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    # also from a numpy array, through the wrapper's own input validation
    as_codes = X.assign(category=X["category"].cat.codes).to_numpy(dtype=float)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        expected = model.predict(as_codes)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        np.testing.assert_array_equal(loaded.predict(as_codes), expected)


def test_lgbm_regressor_with_early_stopping_keeps_best_iteration(registry):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(400, 3))
    y = X[:, 0] + rng.normal(size=400)
    model = lightgbm.LGBMRegressor(n_estimators=500, learning_rate=0.05, random_state=0, verbose=-1).fit(
        X[:300], y[:300], eval_X=X[300:], eval_y=y[300:], callbacks=[lightgbm.early_stopping(5, verbose=False)],
    )
    assert 0 < model.best_iteration_ < 500

    registry.save("units", model)
    loaded, _ = registry.load("units")

    assert loaded.best_iteration_ == model.best_iteration_
    assert loaded.best_score_ == {"valid_0": {"l2": model.best_score_["valid_0"]["l2"]}}
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_lgbm_classifier_roundtrip_keeps_string_classes(registry, frame):
    X, _ = frame
    labels = np.where(X["basket"] > 70, "high", np.where(X["basket"] > 40, "mid", "low"))
    model = lightgbm.LGBMClassifier(
        n_estimators=20, num_leaves=4, min_child_samples=5, class_weight={"high": 2.0, "low": 1.0, "mid": 1.0},
        random_state=0, verbose=-1,
    ).fit(X[["basket", "items"]], labels)

    registry.save("basket-band", model)
    loaded, _ = registry.load("basket-band")

    assert type(loaded) is lightgbm.LGBMClassifier
    assert loaded.class_weight == {"high": 2.0, "low": 1.0, "mid": 1.0}
    np.testing.assert_array_equal(loaded.classes_, np.array(["high", "low", "mid"]))
    np.testing.assert_array_equal(loaded.predict(X[["basket", "items"]]), model.predict(X[["basket", "items"]]))
    np.testing.assert_array_equal(
        loaded.predict_proba(X[["basket", "items"]]), model.predict_proba(X[["basket", "items"]])
    )


def test_lgbm_binary_classifier_with_int_class_weight_keys(registry, frame):
    X, y = frame
    model = lightgbm.LGBMClassifier(
        n_estimators=15, num_leaves=4, class_weight={0: 1.0, 1: 3.0}, random_state=0, verbose=-1,
    ).fit(X[["basket", "items"]], y)

    registry.save("buyer", model)
    loaded, _ = registry.load("buyer")

    # JSON object keys are strings; the registry stores the weights as pairs to keep the int labels.
    assert loaded.class_weight == {0: 1.0, 1: 3.0}
    assert loaded.classes_.dtype == model.classes_.dtype
    np.testing.assert_array_equal(loaded.predict_proba(X[["basket", "items"]]), model.predict_proba(X[["basket", "items"]]))
    np.testing.assert_array_equal(loaded.predict(X[["basket", "items"]]), model.predict(X[["basket", "items"]]))


def test_json_roundtrip_converts_numpy_scalars(registry):
    params = {"alpha": np.float64(0.25), "beta": [1, 2.5], "order": (1, 0), "fitted_on": dt.date(2024, 3, 31)}

    saved = registry.save("smoothing", params)
    loaded, version = registry.load("smoothing")

    assert version.format == "json" and saved.path.name == "model.json"
    assert loaded == {"alpha": 0.25, "beta": [1, 2.5], "order": [1, 0], "fitted_on": "2024-03-31"}
    assert type(loaded["alpha"]) is float


def test_json_model_refuses_nan_and_arrays(registry):
    with pytest.raises(ShopmineInputError, match=r"the model dict\['alpha'\] is nan"):
        registry.save("smoothing", {"alpha": float("nan")})
    with pytest.raises(ShopmineInputError, match=r"the model dict\['w'\] is a numpy.ndarray.*\.tolist\(\)"):
        registry.save("smoothing", {"w": np.array([1.0, 2.0])})
    assert tree_files(registry.root) == []


# -- versions --------------------------------------------------------------------------------------
def test_versions_increment_and_load_defaults_to_latest(registry):
    saved = [registry.save("elasticity", {"slope": -slope}) for slope in (1.0, 1.2, 1.1)]

    assert [v.version for v in saved] == [1, 2, 3]
    assert [v.version for v in registry.versions("elasticity")] == [1, 2, 3]
    assert registry.versions("elasticity") == saved
    assert sorted(p.name for p in (registry.root / "elasticity").iterdir()) == ["v1", "v2", "v3"]
    model, version = registry.load("elasticity")
    assert (model, version.version) == ({"slope": -1.1}, 3)
    model, version = registry.load("elasticity", 2)
    assert (model, version.version) == ({"slope": -1.2}, 2)


def test_names_lists_models_with_a_version(registry):
    assert registry.names() == []
    registry.save("b-model", {"x": 1})
    registry.save("a.model_2", {"x": 2})
    (registry.root / "empty").mkdir()  # a folder without versions is not a model

    assert registry.names() == ["a.model_2", "b-model"]


def test_version_numbers_are_never_reused_after_a_concurrent_publish(registry, monkeypatch):
    registry.save("m", {"v": 1})
    calls = []
    real_next = store.ModelRegistry._next_number

    def stale_next(folder):
        # The first attempt sees the state before another process published v1.
        calls.append(1)
        return 1 if len(calls) == 1 else real_next(folder)

    monkeypatch.setattr(store.ModelRegistry, "_next_number", staticmethod(stale_next))
    version = registry.save("m", {"v": 2})

    assert version.version == 2 and len(calls) == 2
    assert registry.load("m", 1)[0] == {"v": 1}
    assert registry.load("m", 2)[0] == {"v": 2}
    assert json.loads((registry.root / "m" / "v2" / "metadata.json").read_text())["version"] == 2
    assert tree_files(registry.root / "m") == sorted([
        "v1", "v1/metadata.json", "v1/model.json", "v2", "v2/metadata.json", "v2/model.json",
    ])


# -- metadata --------------------------------------------------------------------------------------
def test_metadata_contents(registry, frame):
    X, y = frame
    model = LogisticRegression().fit(X[["basket"]], y)
    caller = {
        "data_range": [dt.date(2023, 1, 1), dt.date(2023, 12, 31)],
        "as_of": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
        "trained_at": pd.Timestamp("2024-01-02 06:00"),
        "cutoff": np.datetime64("2023-12-31"),
        "metrics": {"auc": np.float64(0.8125), "n_rows": np.int64(120), "r2": float("nan")},
        "features": ("basket",),
        "note": "baseline",
    }

    saved = registry.save("churn", model, metadata=caller)
    on_disk = json.loads((saved.folder / "metadata.json").read_text(encoding="utf-8"))

    expected_sha = hashlib.sha256((registry.root / "churn" / "v1" / "model.skops").read_bytes()).hexdigest()
    assert on_disk["checksum"] == saved.checksum == expected_sha
    assert on_disk["registry_layout"] == 2
    assert on_disk["signature"] == signing.sign(on_disk, registry.key)
    assert on_disk["signature"]["algorithm"] == "hmac-sha256" and len(on_disk["signature"]["mac"]) == 64
    assert on_disk["name"] == "churn" and on_disk["version"] == 1
    assert on_disk["format"] == "skops" and on_disk["file"] == "model.skops"
    created = dt.datetime.fromisoformat(on_disk["created_at"])
    assert created.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.timezone.utc) - created) < dt.timedelta(minutes=5)
    assert saved.created_at == created
    assert on_disk["library_versions"] == {
        "python": platform.python_version(),
        "shopmine": shopmine.__version__,
        "scikit-learn": sklearn.__version__,
        "lightgbm": lightgbm.__version__,
        "numpy": np.__version__,
        "skops": skops.__version__,
    }
    assert on_disk["metadata"] == {
        "data_range": ["2023-01-01", "2023-12-31"],
        "as_of": "2024-01-02T03:04:05+00:00",
        "trained_at": "2024-01-02T06:00:00",
        "cutoff": "2023-12-31",
        "metrics": {"auc": 0.8125, "n_rows": 120, "r2": None},
        "features": ["basket"],
        "note": "baseline",
    }
    assert registry.load("churn")[1].metadata == on_disk["metadata"]
    assert saved.library_versions == on_disk["library_versions"]


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ({"data": {1, 2}}, r"metadata\['data'\] is a builtins.set"),
        ({"scores": np.array([0.1, 0.2])}, r"metadata\['scores'\] is a numpy.ndarray.*\.tolist\(\)"),
        ({"metrics": {1: 0.5}}, r"metadata\['metrics'\] has the key 1 of type int"),
        ({"window": dt.timedelta(days=7)}, r"metadata\['window'\] is a datetime.timedelta"),
    ],
)
def test_unserialisable_metadata_is_refused_before_writing(registry, frame, metadata, message):
    X, y = frame
    model = LogisticRegression().fit(X[["basket"]], y)
    registry.save("churn", model)

    with pytest.raises(ShopmineInputError, match=message):
        registry.save("churn", model, metadata=metadata)

    assert tree_files(registry.root) == ["churn", "churn/v1", "churn/v1/metadata.json", "churn/v1/model.skops"]


def test_metadata_must_be_a_dict(registry):
    with pytest.raises(ShopmineInputError, match="metadata must be a dict, not a list"):
        registry.save("m", {"x": 1}, metadata=[("a", 1)])


# -- integrity and trust -----------------------------------------------------------------------------
def test_tampered_model_file_is_refused(registry, frame):
    X, y = frame
    saved = registry.save("churn", LogisticRegression().fit(X[["basket"]], y))
    with saved.path.open("ab") as fh:
        fh.write(b"\0")

    with pytest.raises(ShopmineInputError, match=r"model\.skops: it does not match .*modified after saving"):
        registry.load("churn")


def test_tampered_lightgbm_files_are_refused(registry, frame):
    X, y = frame
    saved = registry.save("buyer", lightgbm.LGBMClassifier(n_estimators=5, verbose=-1).fit(X[["basket"]], y))
    wrapper = saved.folder / "wrapper.json"
    wrapper.write_text(wrapper.read_text().replace('"n_estimators": 5', '"n_estimators": 6'))

    with pytest.raises(ShopmineInputError, match=r"wrapper\.json: it does not match .*modified after saving"):
        registry.load("buyer")

    saved = registry.save("demand", lightgbm.train({"verbose": -1}, lightgbm.Dataset(X[["basket"]], y), 3))
    saved.path.write_text(saved.path.read_text().replace("learning_rate", "learning_rate "))
    with pytest.raises(ShopmineInputError, match=r"demand/v1/model\.txt: it does not match .*modified after saving"):
        registry.load("demand")


def test_skops_file_with_type_outside_allow_list_is_refused(registry, frame):
    X, y = frame
    saved = registry.save("churn", LogisticRegression().fit(X[["basket"]], y))
    # Replace the model by one of a foreign type, with a matching checksum, signed with the key (as if
    # the key had leaked): the allow-list is the second layer against crafted files.
    skops.io.dump(OwnLogisticRegression().fit(X[["basket"]], y), saved.path)
    rewrite_signed(saved.folder / "metadata.json", registry.key,
                   checksum=hashlib.sha256(saved.path.read_bytes()).hexdigest())
    assert any(t.endswith("OwnLogisticRegression") for t in skops.io.get_untrusted_types(file=saved.path))

    with pytest.raises(ShopmineInputError, match=r"refusing to load .*allow-list: \S*OwnLogisticRegression \(ObjectNode\)"):
        registry.load("churn")


def test_saving_a_type_outside_allow_list_is_refused(registry, frame):
    X, y = frame
    model = Pipeline([("lr", OwnLogisticRegression())]).fit(X[["basket"]], y)

    with pytest.raises(ShopmineInputError, match=r"allow-list: \S*OwnLogisticRegression \(ObjectNode\)"):
        registry.save("churn", model)
    assert tree_files(registry.root) == []


def test_dangerous_builtins_are_refused_on_save(registry, frame):
    X, y = frame
    model = Pipeline([("f", FunctionTransformer(eval)), ("lr", LogisticRegression())])
    model.steps[1][1].fit(X[["basket"]], y)  # fitted without calling eval on the data

    with pytest.raises(ShopmineInputError, match=r"allow-list: builtins\.eval \(TypeNode\)"):
        registry.save("evil", model)
    assert tree_files(registry.root) == []


def test_allow_list_matches_exact_names_and_loaders():
    nodes = {
        ("sklearn.tree._tree.Tree", "TreeNode"), ("numpy.dtype", "DTypeNode"), ("builtins.str", "JsonNode"),
        ("sklearn.pipeline.Pipeline", "ObjectNode"),
        # same module prefixes as allowed types, but not types shopmine saves
        ("sklearn.utils._testing.assert_run_python_script_without_output", "ConstructorFromReduceNode"),
        ("sklearn.ensemble._forest.RandomForestClassifier", "ObjectNode"), ("numpy.load", "FunctionNode"),
        ("builtins.abs", "FunctionNode"),
        # an allowed type through another loader (a call instead of a rebuilt object)
        ("sklearn.pipeline.Pipeline", "ConstructorFromReduceNode"),
    }
    assert refused_nodes(nodes) == [
        "builtins.abs (FunctionNode)",
        "numpy.load (FunctionNode)",
        "sklearn.ensemble._forest.RandomForestClassifier (ObjectNode)",
        "sklearn.pipeline.Pipeline (ConstructorFromReduceNode)",
        "sklearn.utils._testing.assert_run_python_script_without_output (ConstructorFromReduceNode)",
    ]


def test_metadata_pointing_outside_the_version_folder_is_refused(registry):
    saved = registry.save("m", {"x": 1})
    rewrite_signed(saved.folder / "metadata.json", registry.key, file="../../secret.json")

    with pytest.raises(ShopmineRunError, match=r"lists files that do not belong to the format 'json'"):
        registry.load("m")


# -- refusals and atomicity ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("model", "message"),
    [
        (object(), r"cannot save a builtins\.object; the registry supports .*scikit-learn"),
        (np.array([1.0, 2.0]), r"cannot save a numpy\.ndarray; the registry supports"),
        ([1, 2], r"cannot save a builtins\.list"),
        (LogisticRegression(), r"the LogisticRegression is not fitted"),
        (lightgbm.LGBMRegressor(), r"the LGBMRegressor is not fitted"),
        (lightgbm.LGBMRanker(), r"supports LGBMRegressor and LGBMClassifier"),
    ],
)
def test_unsupported_model_leaves_no_folder(registry, model, message):
    with pytest.raises(ShopmineInputError, match=message):
        registry.save("bad", model)
    assert tree_files(registry.root) == []


def test_lgbm_wrapper_with_unstorable_parameter_is_refused(registry, frame):
    X, y = frame
    model = lightgbm.LGBMRegressor(
        n_estimators=3, random_state=np.random.RandomState(0), verbose=-1
    ).fit(X[["basket"]], y)

    with pytest.raises(ShopmineInputError, match=r"LGBMRegressor parameter\['random_state'\] is a numpy"):
        registry.save("units", model)
    assert tree_files(registry.root) == []


def test_failure_while_publishing_leaves_no_version_and_no_temp_folder(registry, monkeypatch):
    registry.save("m", {"v": 1})

    def failing_rename(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(store, "_rename_no_replace", failing_rename)
    with pytest.raises(OSError, match="disk full"):
        registry.save("m", {"v": 2})
    with pytest.raises(OSError, match="disk full"):
        registry.save("new-model", {"v": 1})

    assert tree_files(registry.root) == ["m", "m/v1", "m/v1/metadata.json", "m/v1/model.json"]


def test_incomplete_folders_are_not_versions(registry):
    registry.save("m", {"v": 1})
    (registry.root / "m" / ".v-0123456789abcdef.tmp").mkdir()  # left by a killed process
    (registry.root / "m" / "v2").mkdir()  # no metadata.json

    assert [v.version for v in registry.versions("m")] == [1]
    assert registry.load("m")[1].version == 1
    assert registry.save("m", {"v": 3}).version == 3  # v2 is never reused


# -- names and look-ups -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["", "..", ".hidden", "a/b", "a b", "../x", "modèle", "x" * 101, 5])
def test_bad_names_are_refused(registry, name):
    with pytest.raises(ShopmineInputError, match=r"invalid model name .*letters A-Z/a-z, digits, '-', '_' and '\.'"):
        registry.save(name, {"x": 1})
    with pytest.raises(ShopmineInputError, match=r"invalid model name"):
        registry.load(name)
    assert tree_files(registry.root) == []


def test_unknown_name_lists_existing_names(registry):
    with pytest.raises(ShopmineInputError, match=r"has no model 'churn'; it has no models yet"):
        registry.load("churn")
    registry.save("demand", {"x": 1})
    registry.save("elasticity", {"x": 1})

    with pytest.raises(ShopmineInputError, match=r"has no model 'churn'; it has 'demand', 'elasticity'"):
        registry.load("churn")
    with pytest.raises(ShopmineInputError, match=r"has no model 'churn'"):
        registry.versions("churn")


def test_unknown_version_lists_existing_versions(registry):
    registry.save("demand", {"x": 1})
    registry.save("demand", {"x": 2})

    with pytest.raises(ShopmineInputError, match=r"model 'demand' has no version 5; it has versions 1, 2"):
        registry.load("demand", 5)
    with pytest.raises(ShopmineInputError, match=r"version must be an int such as 1, not '2'"):
        registry.load("demand", "2")
    with pytest.raises(ShopmineInputError, match=r"version must be an int such as 1, not True"):
        registry.load("demand", True)


def test_model_version_is_frozen_and_hashable(registry):
    saved = registry.save("m", {"x": 1}, metadata={"k": "v"})
    assert isinstance(saved, ModelVersion)
    with pytest.raises(AttributeError, match="cannot assign"):
        saved.version = 2
    assert {saved: 1}[registry.versions("m")[0]] == 1


def test_array_bundle_round_trip_without_pickle(registry):
    from shopmine.registry.formats import ArrayBundle

    bundle = ArrayBundle({"ids": np.array(["A", "B€"]), "counts": np.arange(3, dtype=np.int64),
                          "mask": np.array([True, False])})
    version = registry.save("rec", bundle)
    assert version.format == "numpy-npz"
    loaded, _ = registry.load("rec")
    assert isinstance(loaded, ArrayBundle)
    assert loaded.arrays["ids"].tolist() == ["A", "B€"]
    np.testing.assert_array_equal(loaded.arrays["counts"], [0, 1, 2])
    with pytest.raises(ShopmineInputError, match="cannot save array 'bad' of dtype object"):
        registry.save("rec", ArrayBundle({"bad": np.array([None, "x"], dtype=object)}))
