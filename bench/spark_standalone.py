"""A local Spark standalone cluster for the scale bench: one master and N worker JVMs on 127.0.0.1.

A minimal starter with the interface of the project's cluster fixture (``StandaloneCluster(workers=2,
cores_per_worker=1, worker_memory="2g", folder=...)``, ``.master_url``, ``process_groups()``), kept
behind ``start_cluster`` so the bench can switch to ``shopmine.spark_cluster`` when it lands. The
JVMs come from the pinned ``pyspark`` (``bin/spark-class``); workers run executors with this
Python (``PYSPARK_PYTHON``). Each JVM is started in a session of its own, so its executors share
its process group and the bench can sum their memory and stop them all.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HOST = "127.0.0.1"
START_TIMEOUT_S = 120.0


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).resolve().parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class StandaloneCluster:
    """Master + ``workers`` workers of ``cores_per_worker`` cores and ``worker_memory`` each."""

    def __init__(self, workers: int = 2, cores_per_worker: int = 1, worker_memory: str = "2g", *,
                 folder: str | Path):
        self.workers = workers
        self.cores_per_worker = cores_per_worker
        self.worker_memory = worker_memory
        self.folder = Path(folder)
        self.port = _free_port()
        self.ui_port = _free_port()
        self.master_url = f"spark://{HOST}:{self.port}"
        self._procs: list[subprocess.Popen] = []

    def __enter__(self) -> StandaloneCluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(SPARK_HOME=str(spark_home()), SPARK_LOCAL_IP=HOST, SPARK_LOG_DIR=str(self.folder / "logs"),
                   SPARK_WORKER_DIR=str(self.folder / "work"), PYSPARK_PYTHON=sys.executable,
                   SPARK_NO_DAEMONIZE="1")
        return env

    def _launch(self, name: str, args: list[str]) -> None:
        log = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115 - kept open for the JVM's life
        self._procs.append(subprocess.Popen(
            [str(spark_home() / "bin" / "spark-class"), *args], env=self._environment(),
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True))

    def start(self) -> StandaloneCluster:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._launch("master", ["org.apache.spark.deploy.master.Master", "--host", HOST,
                                "--port", str(self.port), "--webui-port", str(self.ui_port)])
        for i in range(self.workers):
            self._launch(f"worker-{i}", ["org.apache.spark.deploy.worker.Worker", "--host", HOST,
                                         "--cores", str(self.cores_per_worker), "--memory", self.worker_memory,
                                         "--webui-port", "0", self.master_url])
        try:
            self._wait_for_workers()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_for_workers(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://{HOST}:{self.ui_port}/json/", timeout=2) as r:
                    if json.load(r).get("aliveworkers", 0) >= self.workers:
                        return
            except OSError:
                pass
            if any(p.poll() is not None for p in self._procs):
                break
            time.sleep(0.5)
        raise RuntimeError(f"the standalone cluster did not start {self.workers} workers within "
                           f"{START_TIMEOUT_S:.0f} s; see the logs in {self.folder}")

    def process_groups(self) -> list[int]:
        return [p.pid for p in self._procs if p.poll() is None]

    def stop(self, timeout: float = 20.0) -> None:
        # Workers first (they end their executors), then the master.
        for proc in reversed(self._procs):
            _signal_group(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in self._procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            _signal_group(proc.pid, signal.SIGKILL)  # an executor left behind by its worker
        self._procs = []


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def start_cluster(folder: Path, workers: int = 2, worker_memory: str = "2g") -> StandaloneCluster:
    """The bench's one way to get a cluster (a context manager): swap for shopmine's when it lands."""
    return StandaloneCluster(workers=workers, cores_per_worker=1, worker_memory=worker_memory, folder=folder)
