"""The standalone cluster (``shopmine.spark_cluster``) and the Spark session's options (``shopmine.engine``).

In the local pass the tasks run in the driver's JVM; in the ``--spark-cluster`` pass they run in executor
JVMs the cluster's workers started. Either way the Python workers are separate processes running this
interpreter. The lifecycle tests start clusters of their own in a child process (one Spark session per
process), so they run in the local pass only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from shopmine.engine import spark_session
from shopmine.errors import ShopmineInputError, ShopmineRunError
from shopmine.settings import resolve_settings
from shopmine.spark_cluster import StandaloneCluster
from shopmine.workspace import Workspace

SRC = Path(__file__).resolve().parents[1] / "src"


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie waiting for its parent to reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def _where_tasks_run(session, partitions: int = 4) -> list[dict]:
    """Each task's Python worker: its pid, interpreter, and the pid and command of the JVM that runs it."""
    def probe(_):
        import os as os_
        import sys as sys_

        # Python worker <- pyspark daemon (forks the workers) <- the JVM of the task's executor.
        daemon = os_.getppid()
        with open(f"/proc/{daemon}/stat") as fh:
            jvm = int(fh.read().rsplit(")", 1)[1].split()[1])
        with open(f"/proc/{jvm}/cmdline", "rb") as fh:
            command = fh.read().replace(b"\0", b" ").decode()
        yield {"pid": os_.getpid(), "python": sys_.executable, "jvm": jvm, "jvm_command": command}

    return session.sparkContext.parallelize(range(partitions), partitions).mapPartitions(probe).collect()


def test_tasks_run_on_the_master_of_the_pass_in_this_python(spark_engine, spark_master, spark_cluster):
    session = spark_session()
    assert session.sparkContext.master == spark_master
    driver_jvm = session.sparkContext._jvm.java.lang.ProcessHandle.current().pid()
    tasks = _where_tasks_run(session)
    assert len(tasks) == 4
    for task in tasks:
        assert task["pid"] != os.getpid() and task["python"] == sys.executable
    if spark_cluster is None:
        assert {task["jvm"] for task in tasks} == {driver_jvm}  # local mode: the driver runs the tasks
        return
    workers = set(spark_cluster.process_groups[1:])
    for task in tasks:
        assert task["jvm"] != driver_jvm and "CoarseGrainedExecutorBackend" in task["jvm_command"]
        assert os.getpgid(task["jvm"]) in workers  # an executor its worker started
    apps = spark_cluster.state()["activeapps"]
    assert [app["name"] for app in apps] == ["shopmine"] and apps[0]["cores"] == 2  # granted: one per worker


def test_a_second_session_with_other_options_is_refused_naming_the_setting(spark_engine, spark_master,
                                                                           tmp_path):
    assert spark_session() is spark_session(spark_master)
    with pytest.raises(ShopmineInputError, match=r"setting 'spark_master' is 'local\[3\]', but this process "
                                                 r"already runs Spark with '" + spark_master.replace("[", r"\["
                                                 ).replace("]", r"\]") + "'"):
        spark_session("local[3]")
    with pytest.raises(ShopmineInputError, match="setting 'spark_executor_memory' is '3g', but this process "
                                                 "already runs Spark with '1g'"):
        Workspace(tmp_path / "ws", {"engine": "spark", "spark_master": spark_master,
                                    "spark_executor_memory": "3g"}).engine()
    with pytest.raises(ShopmineInputError, match="'spark_executor_cores' must be a whole number >= 1"):
        spark_session(executor_cores=0)


def test_cluster_settings_come_from_the_file_and_the_environment():
    s = resolve_settings({}, {"spark_executor_cores": 2, "spark_python": "/opt/py/bin/python"},
                         {"SHOPMINE_SPARK_EXECUTOR_MEMORY": "6g", "SHOPMINE_SPARK_MASTER": "spark://10.0.0.5:7077"})
    assert (s.spark_executor_cores, s.spark_python, s.spark_executor_memory, s.spark_master) == (
        2, "/opt/py/bin/python", "6g", "spark://10.0.0.5:7077")
    defaults = resolve_settings({}, {}, {})
    assert (defaults.spark_executor_cores, defaults.spark_python, defaults.spark_executor_memory) == (
        None, None, "1g")


def test_bad_cluster_arguments_are_refused_before_anything_starts(tmp_path):
    with pytest.raises(ShopmineInputError, match="workers must be an integer of at least 1; got 0"):
        StandaloneCluster(workers=0, folder=tmp_path)
    with pytest.raises(ShopmineInputError, match="cores_per_application must be an integer of at least 1; got"):
        StandaloneCluster(cores_per_application=0, folder=tmp_path)
    assert not any(tmp_path.iterdir())


# A driver that starts a cluster, runs tasks on it and fails inside the ``with`` block while its Spark
# session still runs: stop() must take down the daemons, the executors and their Python workers.
_CHILD = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, {tests!r})
    from test_spark_cluster import _where_tasks_run
    from shopmine.engine import spark_session
    from shopmine.spark_cluster import StandaloneCluster

    report = {{}}
    try:
        with StandaloneCluster(workers=1, cores_per_worker=1, worker_memory="1g", folder={folder!r}) as cluster:
            report["daemons"] = cluster.process_groups
            session = spark_session(cluster.master_url, "1g", executor_memory="512m")
            report["tasks"] = _where_tasks_run(session)
            raise RuntimeError("the driver's job failed")
    except RuntimeError as exc:
        report["error"] = str(exc)
    print(json.dumps(report))
""")


@pytest.mark.spark
@pytest.mark.cluster_lifecycle
def test_stopping_on_an_error_leaves_no_process_behind(tmp_path, spark_master):
    script = _CHILD.format(tests=str(Path(__file__).parent), folder=str(tmp_path / "cluster"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["error"] == "the driver's job failed" and len(report["daemons"]) == 2
    executors = {task["jvm"] for task in report["tasks"]}
    assert len(report["tasks"]) == 4 and executors
    assert all("CoarseGrainedExecutorBackend" in task["jvm_command"] for task in report["tasks"])
    assert all(task["python"] == sys.executable for task in report["tasks"])
    started = set(report["daemons"]) | executors | {task["pid"] for task in report["tasks"]}
    assert [pid for pid in started if _alive(pid)] == []
    assert {"master.log", "worker-1.log"} <= {p.name for p in (tmp_path / "cluster").iterdir()}


@pytest.mark.spark
@pytest.mark.cluster_lifecycle
def test_a_worker_that_cannot_start_fails_the_start_naming_its_log(tmp_path, spark_master):
    cluster = StandaloneCluster(workers=1, worker_memory="lots", folder=tmp_path, start_timeout=90)
    with pytest.raises(ShopmineRunError, match=r"the Spark worker-1 exited with code \d+ while the cluster "
                                               r"started; read its log .*worker-1\.log"):
        cluster.start()
    assert cluster.process_groups == []
    assert [pid for pid in cluster.launched.values() if _alive(pid)] == []
