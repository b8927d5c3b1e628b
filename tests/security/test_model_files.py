"""Issue 10, item 1: no code runs from a model file.

Two layers: each version's metadata.json is signed (HMAC-SHA256) with a key that lives in the
workspace's ``.secret/`` folder or in ``$SHOPMINE_HOME`` (never beside the model), and a skops file is
read only when every node it names is on the exact allow-list of the types shopmine's pipelines use.
The crafted file here calls ``sklearn.utils._testing.assert_run_python_script_without_output`` with a
script that creates a marker file; before the fix, ``shopmine model predict`` ran it (exit 0).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
import zipfile
from pathlib import Path

import lightgbm
import numpy as np
import pandas as pd
import pytest
import skops.io

from shopmine.classic import (
    ClassicDecisionTree,
    ClassicKMeans,
    ClassicLinearRegression,
    ClassicLogisticRegression,
    load_model,
)
from shopmine.errors import ShopmineInputError
from shopmine.registry import ModelRegistry, signing
from shopmine.registry.skops_types import ALLOWED_SKOPS_NODES, refused_nodes, skops_nodes
from shopmine.workspace import Workspace

CALLABLE = "sklearn.utils._testing.assert_run_python_script_without_output"



def refused_prediction(run, tmp_path: Path, table: Path) -> str:
    """``model predict`` with the model saved in ``tmp_path / "run"``: it must exit 2; its stderr."""
    code, _, err = run("model", "predict", "--model", tmp_path / "run", "--data", table,
                       "--output", tmp_path / "p.csv")
    assert code == 2, err
    assert not (tmp_path / "p.csv").exists()
    return err


@pytest.fixture
def table(tmp_path: Path) -> Path:
    """y = 2x + 1 on 30 rows, as CSV."""
    path = tmp_path / "rows.csv"
    pd.DataFrame({"x": np.arange(30.0), "y": 2 * np.arange(30.0) + 1}).to_csv(path, index=False)
    return path


@pytest.fixture
def no_skops_reading(monkeypatch):
    """Fail the test if skops is asked to read anything: the refusal must come first."""
    def refuse(*args, **kwargs):
        pytest.fail("skops was asked to read a file that should have been refused before")

    for name in ("load", "loads", "get_untrusted_types"):
        monkeypatch.setattr(skops.io, name, refuse)


def payload(marker: Path) -> dict:
    """A skops node that calls CALLABLE with a script creating ``marker`` (as a reduce would)."""
    script = f"open({str(marker)!r}, 'w').close()"
    return {
        "__class__": CALLABLE.rsplit(".", 1)[1], "__module__": CALLABLE.rsplit(".", 1)[0],
        "__loader__": "ConstructorFromReduceNode",
        "content": {"__class__": "tuple", "__module__": "builtins", "__loader__": "TupleNode", "content": [
            {"__class__": "str", "__module__": "builtins", "__loader__": "JsonNode",
             "content": json.dumps(script), "is_json": True},
        ]},
    }


def craft(model_file: Path, marker: Path) -> None:
    """Hide the payload in a legitimate model.skops: as the value of the pipeline's ``memory`` parameter."""
    with zipfile.ZipFile(model_file) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    schema = json.loads(files["schema.json"])
    schema["content"]["content"]["memory"] = payload(marker)
    files["schema.json"] = json.dumps(schema).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    model_file.write_bytes(buffer.getvalue())


def version_dir(run_dir: Path) -> Path:
    return run_dir / "model" / "classic" / "v1"


def recompute_checksum(folder: Path, key: signing.SigningKey | None = None) -> None:
    """Write the model file's SHA-256 into metadata.json, and sign the record when ``key`` is given."""
    record_path = folder / "metadata.json"
    record = json.loads(record_path.read_text())
    record["checksum"] = hashlib.sha256((folder / "model.skops").read_bytes()).hexdigest()
    if key is not None:
        record["signature"] = signing.sign(record, key)
    record_path.write_text(json.dumps(record))


def fit_linear(run, table: Path, out: Path, *options) -> None:
    code, _, err = run(*options, "model", "linear", "--data", table, "--target", "y", "--output-dir", out)
    assert code == 0, err


# -- the allow-list ---------------------------------------------------------------------------------
def _classic_models():
    rng = np.random.default_rng(0)
    n = 120
    rows = pd.DataFrame({
        "x": rng.normal(size=n), "k": rng.integers(0, 5, n).astype(float),
        "channel": rng.choice(["web", "shop", "app"], n),
        "day": pd.date_range("2024-01-01", periods=n).astype(str),
    })
    rows.loc[3, "x"] = np.nan
    rows.loc[4, "channel"] = None
    signal = 2 * rows["x"].fillna(0) + rows["channel"].map({"web": 0, "shop": 1, "app": 2}).fillna(0)
    noisy = signal + rng.normal(scale=2, size=n)
    for frame in (rows, rows[["x", "k"]], rows[["channel"]]):
        yield ClassicLinearRegression(target="y"), frame.assign(y=signal + rng.normal(size=n))
        yield ClassicKMeans(k=3), frame
        yield ClassicKMeans(), frame
        for labels in (np.where(signal > 1, "high", "low"), np.where(signal > 2, "a", np.where(signal > 0.5, "b", "c")),
                       (signal > 1).astype(int), signal > 1):
            yield ClassicDecisionTree(target="t", max_depth=3, min_leaf=2), frame.assign(t=labels)
        for labels in (np.where(noisy > 1, "bad", "good"), (noisy > 1).astype(int)):
            for penalty in ("l2", "l1"):
                yield ClassicLogisticRegression(target="t", penalty=penalty), frame.assign(t=labels)
    # maximum likelihood needs classes that are not separated by the features
    yield ClassicLogisticRegression(target="t", threshold="youden"), rows[["x"]].assign(t=(noisy > 1).astype(int))
    yield ClassicDecisionTree(target="t"), rows.assign(t=np.where(signal > 1, "high", "low"))


def test_every_model_shopmine_saves_loads_and_the_allow_list_holds_nothing_else(tmp_path):
    key = signing.load_or_create_key(tmp_path / "signing.key", "the test")
    used: set[tuple[str, str]] = set()
    for i, (estimator, frame) in enumerate(_classic_models()):
        estimator.fit(frame)
        saved = estimator.save(tmp_path / f"run{i}", key=key)
        nodes = skops_nodes(saved.path.read_bytes(), str(saved.path))
        assert refused_nodes(nodes) == [], type(estimator).__name__
        used |= nodes
        loaded = load_model(tmp_path / f"run{i}", key=key)
        pd.testing.assert_frame_equal(loaded.predict(frame), estimator.predict(frame))
    allowed = {(name, loader) for name, loaders in ALLOWED_SKOPS_NODES.items() for loader in loaders}
    # Nothing on the list that shopmine does not save: each entry is needed by some classic model.
    assert used == allowed


def test_crafted_payload_runs_code_when_skops_is_told_to_trust_it(tmp_path, run, table):
    # The control for the tests below: the crafted file is a working exploit for a reader that trusts
    # what get_untrusted_types lists, as shopmine did before (it trusted every "sklearn." name).
    fit_linear(run, table, tmp_path / "run")
    model_file = version_dir(tmp_path / "run") / "model.skops"
    marker = tmp_path / "PWNED"
    craft(model_file, marker)
    untrusted = skops.io.get_untrusted_types(file=model_file)
    assert CALLABLE in untrusted

    skops.io.load(model_file, trusted=untrusted)
    assert marker.exists()


def test_crafted_skops_file_with_recomputed_checksum_is_refused_and_runs_nothing(tmp_path, run, table,
                                                                                   no_skops_reading):
    fit_linear(run, table, tmp_path / "run")
    folder = version_dir(tmp_path / "run")
    marker = tmp_path / "PWNED"
    craft(folder / "model.skops", marker)
    recompute_checksum(folder)  # unkeyed, as an attacker without the key can

    code, out, err = run("model", "predict", "--model", tmp_path / "run", "--data", table,
                         "--output", tmp_path / "p.csv")

    assert code == 2
    assert f"refusing to load the model in {folder}: its signature does not verify" in err
    assert "metadata.json was modified after saving" in err and "Re-fit the model" in err
    assert not marker.exists()
    assert not (tmp_path / "p.csv").exists()


def test_crafted_type_with_valid_hmac_is_refused_by_the_allow_list(tmp_path, run, table, no_skops_reading):
    # The attacker knows the key (here the user's, as the folder is outside a workspace).
    fit_linear(run, table, tmp_path / "run")
    folder = version_dir(tmp_path / "run")
    marker = tmp_path / "PWNED"
    craft(folder / "model.skops", marker)
    recompute_checksum(folder, key=signing.user_key())

    err = refused_prediction(run, tmp_path, table)

    assert (f"refusing to load {folder}/model.skops: it names types outside the registry's allow-list: "
            f"{CALLABLE} (ConstructorFromReduceNode)") in err
    assert not marker.exists()


def test_skops_file_of_another_protocol_is_refused_even_when_signed(tmp_path, run, table, no_skops_reading):
    # Protocol 0 would read nodes with skops' older loader classes, which the allow-list was not made for.
    fit_linear(run, table, tmp_path / "run")
    folder = version_dir(tmp_path / "run")
    model_file = folder / "model.skops"
    with zipfile.ZipFile(model_file) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    schema = json.loads(files["schema.json"])
    assert schema["protocol"] == 2
    schema["protocol"] = 0
    files["schema.json"] = json.dumps(schema).encode()
    with zipfile.ZipFile(model_file, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    recompute_checksum(folder, key=signing.user_key())

    err = refused_prediction(run, tmp_path, table)

    assert f"{model_file} was written with skops protocol 0, and the installed skops writes protocol 2" in err


def test_legitimate_model_with_one_byte_flipped_is_refused(tmp_path, run, table, no_skops_reading):
    fit_linear(run, table, tmp_path / "run")
    model_file = version_dir(tmp_path / "run") / "model.skops"
    data = bytearray(model_file.read_bytes())
    data[len(data) // 2] ^= 0x01
    model_file.write_bytes(bytes(data))

    err = refused_prediction(run, tmp_path, table)

    assert f"refusing to load {model_file}: it does not match the checksum recorded" in err


def test_one_byte_flipped_in_the_metadata_is_refused(tmp_path, run, table, no_skops_reading):
    # The metadata decides how rows are read (schema, classes, threshold): it is signed too.
    fit_linear(run, table, tmp_path / "run")
    record_path = version_dir(tmp_path / "run") / "metadata.json"
    text = record_path.read_text()
    assert '"target": "y"' in text
    record_path.write_text(text.replace('"target": "y"', '"target": "z"', 1))

    with pytest.raises(ShopmineInputError, match=r"signature does not verify .*metadata\.json was modified"):
        load_model(tmp_path / "run", key=signing.user_key())


def test_model_copied_from_another_workspace_is_refused(tmp_path, run, table):
    shop_a, shop_b = Workspace(tmp_path / "a"), Workspace(tmp_path / "b")
    fit_linear(run, table, tmp_path / "run", "--workspace", shop_a.root)
    code, _, err = run("--workspace", shop_a.root, "model", "predict", "--model", tmp_path / "run",
                       "--data", table, "--output", tmp_path / "p.csv")
    assert code == 0, err

    code, _, err = run("--workspace", shop_b.root, "model", "predict", "--model", tmp_path / "run",
                       "--data", table, "--output", tmp_path / "q.csv")

    assert code == 2
    key_b = shop_b.signing_key()
    assert (f"refusing to load the model in {version_dir(tmp_path / 'run')}: its signature does not verify "
            f"with the signing key of the workspace {shop_b.root}, {shop_b.root}/.secret/signing.key "
            f"(key id {key_b.key_id}); it was signed with another key (key id {shop_a.signing_key().key_id})") in err
    assert "Re-fit the model here" in err
    assert not (tmp_path / "q.csv").exists()


def test_registry_copied_into_another_workspace_is_refused(tmp_path, no_skops_reading):
    shop_a, shop_b = Workspace(tmp_path / "a"), Workspace(tmp_path / "b")
    shop_a.registry().save("elasticity", {"slope": -1.2})
    shutil.copytree(shop_a.models_dir / "elasticity", shop_b.models_dir / "elasticity")

    assert shop_a.registry().load("elasticity")[0] == {"slope": -1.2}
    with pytest.raises(ShopmineInputError, match=r"elasticity/v1: its signature does not verify .*another workspace"):
        shop_b.registry().load("elasticity")


def test_per_user_key_outside_a_workspace_works_for_the_same_user_only(tmp_path, run, table, monkeypatch):
    home_1, home_2 = tmp_path / "home1", tmp_path / "home2"
    plain_folder = tmp_path / "not-a-workspace"
    plain_folder.mkdir()
    monkeypatch.setenv("SHOPMINE_HOME", str(home_1))
    code, out, err = run("--workspace", plain_folder, "model", "linear", "--data", table, "--target", "y",
                         "--output-dir", tmp_path / "runs" / "x")
    assert code == 0, err
    key_1 = home_1 / "signing.key"
    assert f"model signed with the signing key of this user, {key_1}" in out
    assert stat.S_IMODE(key_1.stat().st_mode) == 0o600 and stat.S_IMODE(home_1.stat().st_mode) == 0o700
    assert [p.name for p in (tmp_path / "runs").rglob("*.key")] == []  # no key beside the model
    assert not (plain_folder / "shopmine.toml").exists()  # the folder did not become a workspace

    code, out, err = run("--workspace", plain_folder, "model", "predict", "--model", tmp_path / "runs" / "x",
                         "--data", table, "--output", tmp_path / "p.csv")
    assert code == 0, err
    assert pd.read_csv(tmp_path / "p.csv")["prediction"].tolist() == pytest.approx([2.0 * x + 1 for x in range(30)])

    monkeypatch.setenv("SHOPMINE_HOME", str(home_2))
    code, _, err = run("--workspace", plain_folder, "model", "predict", "--model", tmp_path / "runs" / "x",
                       "--data", table, "--output", tmp_path / "q.csv")
    assert code == 2
    assert (f"its signature does not verify with the signing key of this user, {home_2 / 'signing.key'}"
            in err)
    assert not (tmp_path / "q.csv").exists()


@pytest.mark.parametrize(("mac", "extra"), [("é" * 64, {}), ("0" * 64, {"injected": float("nan")})])
def test_malformed_signature_or_record_is_refused_as_modified(tmp_path, mac, extra):
    registry = ModelRegistry(tmp_path / "models", key=signing.user_key())
    saved = registry.save("price", {"slope": -1.0})
    record_path = saved.folder / "metadata.json"
    record = json.loads(record_path.read_text())
    record["signature"]["mac"] = mac
    record.update(extra)
    record_path.write_text(json.dumps(record))  # NaN is written as the non-standard token NaN

    with pytest.raises(ShopmineInputError, match=r"price/v1: its signature does not verify .*was modified after saving"):
        registry.load("price")


def test_unsigned_model_from_before_signing_is_refused(tmp_path, run, table, no_skops_reading):
    fit_linear(run, table, tmp_path / "run")
    record_path = version_dir(tmp_path / "run") / "metadata.json"
    record = json.loads(record_path.read_text())
    del record["signature"]
    record["registry_layout"] = 1
    record_path.write_text(json.dumps(record))

    err = refused_prediction(run, tmp_path, table)

    assert "it is not signed (saved by a shopmine before model signing" in err
    assert "Re-fit the model to save it signed" in err


def test_older_version_copied_over_the_latest_is_refused(tmp_path):
    registry = ModelRegistry(tmp_path / "models", key=signing.user_key())
    registry.save("price", {"slope": -1.0})
    registry.save("price", {"slope": -2.0})
    shutil.rmtree(registry.root / "price" / "v2")
    shutil.copytree(registry.root / "price" / "v1", registry.root / "price" / "v2")

    with pytest.raises(ShopmineInputError, match=r"price/v2: its metadata.json belongs to 'price' version 1"):
        registry.load("price")


def test_wrapper_json_naming_another_class_is_refused_even_when_signed(tmp_path):
    registry = ModelRegistry(tmp_path / "models", key=signing.user_key())
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(60, 2)), rng.normal(size=60)
    saved = registry.save("units", lightgbm.LGBMRegressor(n_estimators=3, verbose=-1).fit(X, y))
    wrapper = saved.folder / "wrapper.json"
    state = json.loads(wrapper.read_text())
    state["class"] = "LGBMRanker"
    wrapper.write_text(json.dumps(state))
    record_path = saved.folder / "metadata.json"
    record = json.loads(record_path.read_text())
    record["extra_files"]["wrapper.json"] = hashlib.sha256(wrapper.read_bytes()).hexdigest()
    record["signature"] = signing.sign(record, registry.key)
    record_path.write_text(json.dumps(record))

    with pytest.raises(ShopmineInputError, match=r"wrapper\.json: it names the class 'LGBMRanker'; only "
                                                 r"LGBMRegressor and LGBMClassifier are read"):
        registry.load("units")


def test_model_json_must_be_plain_json_even_when_signed(tmp_path):
    registry = ModelRegistry(tmp_path / "models", key=signing.user_key())
    saved = registry.save("smoothing", {"alpha": 0.5})
    saved.path.write_text('{"alpha": NaN}')
    record_path = saved.folder / "metadata.json"
    record = json.loads(record_path.read_text())
    record["checksum"] = hashlib.sha256(saved.path.read_bytes()).hexdigest()
    record["signature"] = signing.sign(record, registry.key)
    record_path.write_text(json.dumps(record))

    with pytest.raises(ShopmineInputError, match=r"model\.json: it is not plain JSON \(NaN is not JSON"):
        registry.load("smoothing")


def test_signing_keys_are_private_and_separate_from_the_pseudonym_key(tmp_path):
    shop = Workspace(tmp_path / "shop")
    key = shop.signing_key()

    assert key.path == shop.root / ".secret" / "signing.key"
    assert stat.S_IMODE(key.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(shop.secret_dir.stat().st_mode) == 0o700
    assert len(key.secret) == 32 and key.secret != shop.pseudonym_key()
    assert shop.signing_key().secret == key.secret  # created once
    assert key.describe().count(key.secret.hex()) == 0 and key.secret.hex() not in repr(key)


def test_damaged_key_file_is_refused(tmp_path):
    path = tmp_path / "signing.key"
    path.write_bytes(b"short")
    os.chmod(path, 0o600)

    with pytest.raises(ShopmineInputError, match=r"signing key .*signing\.key holds 5 bytes, fewer than 32"):
        signing.load_or_create_key(path, "the test")
