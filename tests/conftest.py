"""Fixtures shared by every test folder.

``run`` runs the command line in-process. ``real_data`` finds a real data set (``../shared/data`` beside the
repository, or ``$SHOPMINE_DATA``) or skips the test saying which path is missing; tests that use it are
marked ``realdata``. ``spark_engine`` starts one local Spark session for the whole run (Spark allows one context per
process and takes seconds to start); tests that use it are marked ``spark`` automatically, so
``pytest -m "not spark"`` skips them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """The folder of the real data sets: ``$SHOPMINE_DATA``, else ``../shared/data`` beside the repository."""
    override = os.environ.get("SHOPMINE_DATA")
    return Path(override).expanduser().resolve() if override else REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def real_data():
    """``real_data("cdnow/CDNOW_sample.txt")``: that path in the shared data folder, or skip the test.

    The one way tests find real data (no absolute path in a test: it would skip everywhere else). The
    skip names the missing path and how to point at the folder; the run's last lines count such skips.
    """
    root = shared_data_dir()

    def need(relative: str) -> Path:
        path = root / relative
        if not path.exists():
            pytest.skip(f"real data not found: {path} (set SHOPMINE_DATA to the shared data folder, see its "
                        "SOURCES.md)")
        return path
    return need


def _java_available() -> bool:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return True
    return shutil.which("java") is not None


@pytest.fixture(autouse=True)
def _user_signing_key_in_tmp(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Keep the per-user model-signing key (``$SHOPMINE_HOME/signing.key``) out of the real home."""
    monkeypatch.setenv("SHOPMINE_HOME", str(tmp_path_factory.mktemp("shopmine_home")))


@pytest.fixture(scope="session")
def spark_engine(tmp_path_factory: pytest.TempPathFactory):
    """A ``shopmine.engine.Engine`` on a local[2] Spark session (UTC session time zone).

    Its ``parquet_dir`` is an empty temporary folder: write ``<table>.parquet`` there for
    ``engine.table(name)``, or read any file with ``engine.con.read_parquet(path)``.
    """
    if not _java_available():
        pytest.skip("Spark needs Java: no `java` on PATH and no JAVA_HOME (install a JDK 17)")
    from shopmine.engine import Engine

    return Engine.spark(tmp_path_factory.mktemp("spark_parquet"), master="local[2]")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "spark_engine" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.spark)
        if "real_data" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.realdata)


@pytest.fixture
def run(capsys):
    """Run ``shopmine <args>`` in-process; return (exit code, stdout, stderr). Folders whose commands
    need a workspace override it (tests/ingest/conftest.py)."""
    from shopmine.cli.app import main

    def _run(*args) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return _run


def _skip_kind(report: pytest.TestReport) -> str:
    keywords = report.keywords
    if "spark" in keywords:
        return "Spark"
    if "realdata" in keywords:
        return "real-data"
    return "other"


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """Say in the last lines how many Spark and real-data tests did not run, and why: a green run that
    skipped them proves less than it looks."""
    skipped = terminalreporter.stats.get("skipped", [])
    kinds: dict[str, dict[str, int]] = {"Spark": {}, "real-data": {}, "other": {}}
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        counts = kinds[_skip_kind(report)]
        counts[reason] = counts.get(reason, 0) + 1
    terminalreporter.section("skipped tests by kind")
    for kind, reasons in kinds.items():
        total = sum(reasons.values())
        terminalreporter.write_line(f"{kind} tests skipped: {total}" + ("" if total else " (all ran)"),
                                    red=bool(total) and kind != "other", bold=bool(total))
        for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
            terminalreporter.write_line(f"    {count} x {reason}")


@pytest.fixture(scope="session")
def online_retail_ingested(real_data, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with every UCI Online Retail file loaded the way a new user loads them (preset
    ``online_retail``), ingested once per test run; or skip. Read it through a copy
    (:func:`online_retail_workspace`): a module that saves runs must not change what the others read."""
    folder = real_data("uci_online_retail")
    files = sorted(folder.glob("online_retail_*.csv.gz"))
    if not files:
        pytest.skip(f"real data set not found: no online_retail_*.csv.gz in {folder}")
    from shopmine.ingest import IngestOptions
    from shopmine.shop import Shop

    root = tmp_path_factory.mktemp("online_retail") / "ws"
    with Shop(root) as shop:
        shop.ingest(files, IngestOptions(preset="online_retail"))
    return root


@pytest.fixture(scope="session")
def online_retail_workspace(online_retail_ingested: Path, tmp_path_factory: pytest.TempPathFactory):
    """``online_retail_workspace()``: the folder of a fresh copy of :func:`online_retail_ingested`."""
    def copy() -> Path:
        root = tmp_path_factory.mktemp("online_retail_copy") / "ws"
        shutil.copytree(online_retail_ingested, root)
        return root
    return copy
