"""A small simulated shop for the saved-run tests: its orders split in two files, the first loaded.

The template workspace is built once per session and copied for each test, so that every test starts
with data loaded and no saved run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from shopmine.cli.app import main
from shopmine.simulate import simulate_shop
from shopmine.simulate.writer import write_shop
from shopmine.workspace import Workspace

#: Orders before this day are in the first file, the rest in the "later" file loaded by the stale tests.
SPLIT_DAY = "2023-07-01"


@pytest.fixture(scope="session")
def shop_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("runs_shop")
    paths = write_shop(simulate_shop(n_customers=300, n_products=40, n_days=200, seed=1), folder, format="csv")
    orders = pd.read_csv(paths["orders"], dtype=str)
    early = orders["ordered_at"] < SPLIT_DAY
    paths["early"], paths["later"] = folder / "orders_early.csv", folder / "orders_later.csv"
    orders[early].to_csv(paths["early"], index=False)
    orders[~early].to_csv(paths["later"], index=False)
    return paths


@pytest.fixture(scope="session")
def template_workspace(tmp_path_factory: pytest.TempPathFactory, shop_files) -> Path:
    root = tmp_path_factory.mktemp("runs_template") / "ws"
    assert main(["--workspace", str(root), "ingest", str(shop_files["early"]), "--products",
                 str(shop_files["products"])]) == 0
    return root


@pytest.fixture
def ws(tmp_path: Path, template_workspace: Path) -> Workspace:
    """A fresh copy of the loaded workspace (no saved runs)."""
    root = tmp_path / "ws"
    shutil.copytree(template_workspace, root)
    workspace = Workspace(root, create=False)
    yield workspace
    workspace.close()


@pytest.fixture
def cli(ws: Workspace, capsys):
    """Run ``shopmine --workspace <ws> ARGS`` in-process; return (exit code, stdout, stderr)."""

    def _run(*args) -> tuple[int, str, str]:
        ws.close()  # the command opens the workspace itself
        code = main(["--workspace", str(ws.root), *[str(a) for a in args]])
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return _run
