from __future__ import annotations

from pathlib import Path

import pytest

from shopmine.cli.app import main
from shopmine.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path / "ws")


@pytest.fixture
def run(tmp_path: Path, capsys):
    """Run the CLI in-process on a fresh workspace; return (exit code, stdout, stderr)."""
    workspace = tmp_path / "ws"

    def _run(*args: str):
        code = main(["--workspace", str(workspace), *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    _run.workspace = workspace
    return _run


@pytest.fixture
def online_retail_files(real_data) -> list[Path]:
    folder = real_data("uci_online_retail")
    files = sorted(folder.glob("online_retail_*.csv.gz"))
    if not files:
        pytest.skip(f"real data set not found: no online_retail_*.csv.gz in {folder}")
    return files
