"""A standalone Spark cluster on this machine: one master and N workers, each its own JVM.

It is what the tests and the scale benchmark run the Spark engine against: the same pinned Spark as the
driver (``pyspark``'s ``bin/spark-class``), executors in the workers' JVMs, Python workers on the project's
interpreter. On a real cluster the operators start these daemons; shopmine only connects to them
(``spark_master`` setting).

Usage::

    with StandaloneCluster(workers=2, cores_per_worker=1, worker_memory="2g", folder=path) as cluster:
        engine = Engine.spark(parquet_dir, master=cluster.master_url)

Each daemon runs in its own process group (its executors and their JVM children inherit it), so that
stopping kills everything the cluster started, including executors a driver left running.

The daemons listen on ``host`` without authentication (Spark's ``spark.authenticate`` is off): while the
cluster runs, any process of this machine that can reach ``host`` may submit work to it. It is meant for
tests and benchmarks on a machine one trusts, not as a shared service.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from shopmine.errors import ShopmineRunError, invalid_value

_MASTER_CLASS = "org.apache.spark.deploy.master.Master"
_WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"


def spark_home() -> Path:
    """The Spark installation the driver uses (``$SPARK_HOME``, else the ``pyspark`` package).

    pyspark's own lookup, so that the cluster always runs the very Spark version of the driver.
    """
    from pyspark.find_spark_home import _find_spark_home

    return Path(_find_spark_home())


def _free_port(host: str) -> int:
    # The OS picks a free port; the tiny window before the daemon binds it is accepted (a clash fails
    # the start with the daemon's log named, it does not go unnoticed: Spark's port retries are off).
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class StandaloneCluster:
    """Start a standalone Spark cluster on ``host``: a master and ``workers`` workers, separate JVMs.

    Parameters
    ----------
    workers : int, default=2
        Number of worker daemons.
    cores_per_worker : int, default=1
        Cores each worker offers to executors.
    worker_memory : str, default="2g"
        Memory each worker offers to executors (an executor's ``spark.executor.memory`` must fit in it).
    folder : path
        Where the daemons' logs (``master.log``, ``worker-1.log`` ...) and the workers' work dirs
        (executor logs) go. Created when missing.
    python : str, optional
        The interpreter Python workers run (``PYSPARK_PYTHON`` of the workers). Default: this process's.
    host : str, default="127.0.0.1"
        Address every daemon binds to.
    start_timeout : float, default=120
        Seconds to wait for the master to report every worker ALIVE.
    daemon_memory : str, default="512m"
        Heap of the master and worker daemons themselves (executors get ``worker_memory``).
    cores_per_application : int, optional
        Cores the master grants an application that does not ask (``spark.deploy.defaultCores``).
        Default: every free core, so that a second driver (another shopmine command, a notebook) waits
        until the first one stops; give fewer than the cluster's cores to let several run side by side.

    Attributes
    ----------
    master_url : str
        ``spark://host:port``, the ``spark_master`` setting that runs on this cluster.
    web_ui_url : str
        The master's web UI (its ``/json/`` is the cluster's state).
    process_groups : list of int
        Process group of each running daemon (master first); a worker's executors are in its group.
    launched : dict of str to int
        Daemon name -> pid of every daemon started, kept after :meth:`stop`.

    Raises
    ------
    ShopmineRunError
        From :meth:`start`, when a daemon exits or the workers are not ALIVE in time; the message names
        the log file to read. Every process started is stopped first.
    """

    def __init__(self, workers: int = 2, cores_per_worker: int = 1, worker_memory: str = "2g", *,
                 folder: str | Path, python: str | None = None, host: str = "127.0.0.1",
                 start_timeout: float = 120.0, daemon_memory: str = "512m",
                 cores_per_application: int | None = None):
        counts = {"workers": workers, "cores_per_worker": cores_per_worker}
        if cores_per_application is not None:
            counts["cores_per_application"] = cores_per_application
        for name, value in counts.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise invalid_value(name, "an integer of at least 1", value)
        self.workers = workers
        self.cores_per_worker = cores_per_worker
        self.worker_memory = worker_memory
        self.folder = Path(folder)
        self.python = python or sys.executable
        self.host = host
        self.start_timeout = start_timeout
        self.daemon_memory = daemon_memory
        self.cores_per_application = cores_per_application
        self.master_url = ""
        self.web_ui_url = ""
        self._procs: list[tuple[str, subprocess.Popen, Path]] = []
        #: Daemon name -> pid of every daemon started, kept after stop() (to check that they are gone).
        self.launched: dict[str, int] = {}

    # -- life cycle -------------------------------------------------------------------------
    def __enter__(self) -> StandaloneCluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> StandaloneCluster:
        """Start the master, then the workers; return once the master reports them all ALIVE."""
        if self._procs:
            raise ShopmineRunError(f"this cluster is already running at {self.master_url}; stop() it first.")
        self.folder.mkdir(parents=True, exist_ok=True)
        # Safety net for an interpreter that exits without stop() (the daemons are in their own
        # sessions, so no terminal signal reaches them).
        atexit.register(self.stop)
        try:
            master_port, ui_port = _free_port(self.host), _free_port(self.host)
            self.master_url = f"spark://{self.host}:{master_port}"
            self.web_ui_url = f"http://{self.host}:{ui_port}"
            self._launch("master", [_MASTER_CLASS, "--host", self.host, "--port", str(master_port),
                                    "--webui-port", str(ui_port)])
            for i in range(1, self.workers + 1):
                work_dir = self.folder / f"worker-{i}-work"
                work_dir.mkdir(exist_ok=True)
                self._launch(f"worker-{i}", [
                    _WORKER_CLASS, "--host", self.host, "--port", str(_free_port(self.host)),
                    "--webui-port", str(_free_port(self.host)), "--cores", str(self.cores_per_worker),
                    "--memory", self.worker_memory, "--work-dir", str(work_dir), self.master_url])
            self._wait_for_workers()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self, timeout: float = 20.0) -> None:
        """Stop every daemon and whatever it started (executors), workers first; idempotent.

        SIGTERM lets a worker kill its executors and a master say goodbye; whatever is still in a
        daemon's process group after ``timeout`` seconds gets SIGKILL.
        """
        procs, self._procs = self._procs, []
        for _, proc, _ in reversed(procs):
            _signal_group(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for _, proc, _ in reversed(procs):
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for _, proc, _ in procs:
            # Executors whose worker died first are left in the group: they go too.
            _signal_group(proc.pid, signal.SIGKILL)
            proc.wait()
        atexit.unregister(self.stop)

    # -- state ------------------------------------------------------------------------------
    @property
    def process_groups(self) -> list[int]:
        return [proc.pid for _, proc, _ in self._procs]  # each daemon leads its own session

    @property
    def log_files(self) -> dict[str, Path]:
        """Daemon name (``master``, ``worker-1`` ...) -> its log file."""
        return {name: log for name, _, log in self._procs}

    def state(self) -> dict:
        """The master's view of the cluster (its web UI's JSON: ``workers``, ``aliveworkers`` ...)."""
        with urllib.request.urlopen(f"{self.web_ui_url}/json/", timeout=5) as response:
            return json.load(response)

    # -- helpers ----------------------------------------------------------------------------
    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)  # PATH, JAVA_HOME and PYTHONPATH reach the executors' Python workers
        env.update({
            "SPARK_HOME": str(spark_home()),
            "SPARK_LOCAL_IP": self.host,
            "SPARK_PUBLIC_DNS": self.host,
            "PYSPARK_PYTHON": self.python,
            "SPARK_DAEMON_MEMORY": self.daemon_memory,
            # A free port taken meanwhile must fail the start, not move the daemon to another port.
            "SPARK_DAEMON_JAVA_OPTS": "-Dspark.port.maxRetries=0",
            "SPARK_LOG_DIR": str(self.folder),
        })
        if self.cores_per_application is not None:  # read by the master's JVM only
            env["SPARK_MASTER_OPTS"] = f"-Dspark.deploy.defaultCores={self.cores_per_application}"
        return env

    def _launch(self, name: str, args: list[str]) -> None:
        log = self.folder / f"{name}.log"
        spark_class = spark_home() / "bin" / "spark-class"
        with open(log, "wb") as out:
            # start_new_session: the daemon leads a process group of its own, which its executors
            # join, so that stop() reaches them with one killpg.
            proc = subprocess.Popen([str(spark_class), *args], stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, env=self._environment(), cwd=self.folder,
                                    start_new_session=True)
        self._procs.append((name, proc, log))
        self.launched[name] = proc.pid

    def _wait_for_workers(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        alive = 0
        while time.monotonic() < deadline:
            for name, proc, log in self._procs:
                if proc.poll() is not None:
                    raise ShopmineRunError(
                        f"the Spark {name} exited with code {proc.returncode} while the cluster started; "
                        f"read its log {log}:\n{_tail(log)}")
            try:
                alive = sum(w.get("state") == "ALIVE" for w in self.state().get("workers", []))
            except (OSError, urllib.error.URLError, ValueError):
                alive = 0  # the master's web UI is not up yet
            if alive >= self.workers:
                return
            time.sleep(0.5)
        logs = ", ".join(str(log) for _, _, log in self._procs)
        raise ShopmineRunError(
            f"the Spark master at {self.master_url} reported {alive} of {self.workers} workers ALIVE after "
            f"{self.start_timeout:g} s; read the logs {logs} (start_timeout raises the wait).")


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass  # the group is already empty


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
