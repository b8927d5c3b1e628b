"""Fixtures shared by every test folder.

``run`` runs the command line in-process. ``real_data`` finds a real data set (``../shared/data`` beside the
repository, or ``$SHOPMINE_DATA``) or skips the test saying which path is missing; tests that use it are
marked ``realdata``. ``spark_engine`` starts one Spark session for the whole run (Spark allows one context per
process and takes seconds to start); tests that use it (or ``spark_master``) are marked ``spark`` automatically,
so ``pytest -m "not spark"`` skips them.

``pytest -m spark --spark-cluster`` runs the Spark tests again on a standalone cluster (a master and two
workers on 127.0.0.1, separate JVMs, started once for the run; tests marked ``cluster_pass``, about scoring on
the cluster's executors, run only there, and tests marked ``cluster_lifecycle`` only in the local pass): ``spark_master`` is its ``spark://`` URL and
``SHOPMINE_SPARK_MASTER`` points at it, so ``spark_engine`` and every Spark ``Shop`` a test builds run there.
A test building a Spark workspace gives ``{"spark_master": spark_master}``, never ``local[2]`` by hand.
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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--spark-cluster", action="store_true",
                     help="run the Spark tests on a standalone Spark cluster (master + 2 workers on 127.0.0.1) "
                          "started for the run, instead of local[2]; use with -m spark")


@pytest.fixture(scope="session", autouse=True)
def spark_cluster(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """With ``--spark-cluster``: the run's ``shopmine.spark_cluster.StandaloneCluster`` (two workers of two
    cores and 3 GB), its URL in ``SHOPMINE_SPARK_MASTER``; else None.

    An application gets two cores (one executor per worker), so that a test running shopmine in a
    process of its own finds free cores while this process's session holds its executors; with every
    core taken by the first application, the second would wait for cores forever.

    Session-wide and autouse, so that it is up before any fixture or test starts Spark; at the end the
    Spark session stops before the cluster does (no driver left calling a dead master).
    """
    if not request.config.getoption("--spark-cluster") or not _java_available():
        yield None  # without Java, spark_master skips the Spark tests (counted in the run's last lines)
        return
    from shopmine.engine import stop_spark_session
    from shopmine.spark_cluster import StandaloneCluster

    before = os.environ.get("SHOPMINE_SPARK_MASTER")
    with StandaloneCluster(workers=2, cores_per_worker=2, worker_memory="3g", cores_per_application=2,
                           folder=tmp_path_factory.mktemp("spark_cluster")) as cluster:
        os.environ["SHOPMINE_SPARK_MASTER"] = cluster.master_url
        try:
            yield cluster
        finally:
            stop_spark_session()
            if before is None:
                os.environ.pop("SHOPMINE_SPARK_MASTER", None)
            else:
                os.environ["SHOPMINE_SPARK_MASTER"] = before


@pytest.fixture(scope="session")
def spark_master(spark_cluster) -> str:
    """The master the Spark tests run on: the ``--spark-cluster`` cluster's ``spark://`` URL, else ``local[2]``."""
    if not _java_available():
        pytest.skip("Spark needs Java: no `java` on PATH and no JAVA_HOME (install a JDK 17)")
    return spark_cluster.master_url if spark_cluster is not None else "local[2]"


@pytest.fixture(scope="session")
def spark_engine(tmp_path_factory: pytest.TempPathFactory, spark_master: str):
    """A ``shopmine.engine.Engine`` on the run's Spark session (``spark_master``; UTC session time zone).

    Its ``parquet_dir`` is an empty temporary folder: write ``<table>.parquet`` there for
    ``engine.table(name)``, or read any file with ``engine.con.read_parquet(path)``.
    """
    from shopmine.engine import Engine

    return Engine.spark(tmp_path_factory.mktemp("spark_parquet"), master=spark_master)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_cluster = config.getoption("--spark-cluster")
    deselected = []
    for item in items:
        if on_cluster and item.get_closest_marker("cluster_lifecycle"):
            deselected.append(item)  # they start their own cluster: once, in the local pass, is enough
        if not on_cluster and item.get_closest_marker("cluster_pass"):
            deselected.append(item)  # scoring on the cluster's executors: once, on the cluster, is enough
        if {"spark_engine", "spark_master"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.spark)
        if "real_data" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.realdata)
    config.stash[_CLUSTER_PASS_LEFT] = sum(1 for item in deselected if item.get_closest_marker("cluster_pass"))
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]


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


_CLUSTER_PASS_LEFT = pytest.StashKey[int]()


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
    left = config.stash.get(_CLUSTER_PASS_LEFT, 0)
    if left:
        terminalreporter.write_line(f"cluster-pass tests left for `pytest -m spark --spark-cluster` (make test runs "
                                    f"it next): {left}", bold=True)


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
