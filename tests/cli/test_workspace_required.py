"""Only ``init`` and ``ingest`` make a workspace: every other command on another folder exits 2, creating nothing."""

from __future__ import annotations

import shlex

import pytest

from shopmine.workspace import is_workspace

#: Commands that read or change a workspace (with arguments valid enough to reach it).
COMMANDS = [
    ("quality",),
    ("report",),
    ("features", "panel"),
    ("features", "customers"),
    ("forecast", "--model", "naive"),
    ("segment",),
    ("classify",),
    ("clv",),
    ("batches", "list"),
    ("batches", "remove", "20240101T000000-abcdef"),
]


@pytest.mark.parametrize("kind", ["empty folder", "missing folder"])
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_folder_that_is_not_a_workspace_exits_2_and_stays_as_it_was(run, tmp_path, args, kind):
    folder = tmp_path / "my shop"
    if kind == "empty folder":
        folder.mkdir()
    code, out, err = run("--workspace", folder, *args)
    assert code == 2, err
    assert f"not a shopmine workspace: {folder}; run `shopmine init {shlex.quote(str(folder))}`" in err
    assert out == ""
    if kind == "empty folder":
        assert list(folder.iterdir()) == []
    else:
        assert not folder.exists()


def test_the_same_through_the_environment_and_after_the_command(run, tmp_path, monkeypatch):
    monkeypatch.setenv("SHOPMINE_WORKSPACE", str(tmp_path / "env"))
    code, _, err = run("quality")
    assert code == 2 and f"not a shopmine workspace: {tmp_path / 'env'}" in err
    code, _, err = run("segment", "-w", tmp_path / "after")
    assert code == 2 and f"not a shopmine workspace: {tmp_path / 'after'}" in err
    assert not (tmp_path / "env").exists() and not (tmp_path / "after").exists()


def test_init_and_ingest_create_it(run, tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text("order_id,customer_id,product_id,ordered_at,quantity,unit_price\n"
                      "o1,c1,p1,2024-01-01 10:00:00,2,3.0\n")
    assert run("init", tmp_path / "a")[0] == 0
    assert is_workspace(tmp_path / "a")
    code, _, err = run("--workspace", tmp_path / "b", "ingest", orders)
    assert code == 0, err
    assert is_workspace(tmp_path / "b")
    code, out, err = run("--workspace", tmp_path / "b", "batches", "list")
    assert code == 0 and "orders" in out, err
