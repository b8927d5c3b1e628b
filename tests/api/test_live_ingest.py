"""Acceptance 5 with real processes: ``shopmine ingest`` succeeds while ``shopmine serve`` runs, and after a
new saved run the server answers from it without a restart."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from pathlib import Path

import httpx

from api.server import Server


def _shopmine(root, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "shopmine.cli", "--workspace", str(root), *map(str, args)],
                          capture_output=True, text=True, timeout=600)


def test_ingest_while_serving_then_the_new_run_is_served(tmp_path, template, shop_files):
    root = tmp_path / "ws"
    shutil.copytree(template[0], root)
    server = Server(root)
    headers = {"X-API-Key": template[1]["key"]}
    try:
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
            before = http.get("/v1/customers/C000001/segment").json()["run"]["id"]
            # The server keeps answering during the ingest; the ingest is not kept out by it.
            answers, stop = [], threading.Event()

            def keep_asking():
                while not stop.is_set():
                    answers.append(http.get("/v1/customers/C000001/segment").status_code)
            asker = threading.Thread(target=keep_asking)
            asker.start()
            try:
                loaded = _shopmine(root, "ingest", shop_files["later"])
            finally:
                stop.set()
                asker.join()
            assert loaded.returncode == 0, loaded.stderr
            assert "loaded" in loaded.stdout and answers and set(answers) == {200}

            segmented = _shopmine(root, "segment")
            assert segmented.returncode == 0, segmented.stderr
            new = next(line.split()[2] for line in segmented.stdout.splitlines() if line.startswith("saved run:"))
            assert new != before
            after = http.get("/v1/customers/C000001/segment").json()
            assert after["run"]["id"] == new
            assert after["run"]["as_of"] > before_as_of(http, before)  # the later orders moved the as-of date
            assert new in [r["id"] for r in http.get("/v1/runs", params={"analysis": "segments"}).json()["items"]]
        assert server.process.poll() is None  # the same server process, never restarted
    finally:
        server.stop()


def before_as_of(http: httpx.Client, run_id: str) -> str:
    return http.get(f"/v1/runs/{run_id}").json()["as_of"]


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_serve_with_two_workers_answers(template, tmp_path):
    """``--workers 2``: uvicorn starts two worker processes, each building the app from the workspace named
    in the environment (the app factory), and the server answers through them."""
    root = tmp_path / "ws"
    shutil.copytree(template[0], root)
    server = Server(root, "--workers", "2")
    try:
        with httpx.Client(base_url=server.url, headers={"X-API-Key": template[1]["key"]}, timeout=30) as http:
            ids = set()
            for _ in range(40):  # new connections, spread by the kernel over the workers' shared socket
                with httpx.Client(base_url=server.url, headers=http.headers, timeout=30) as fresh:
                    answer = fresh.get("/v1/runs", params={"limit": 1})
                    assert answer.status_code == 200
                    ids.add(answer.json()["items"][0]["id"])
            assert len(ids) == 1
            assert http.get("/v1/nothing").json()["error"]["code"] == "not_found"
        workers = [pid for pid in _children(server.process.pid)
                   if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert len(workers) == 2
    finally:
        server.stop()


def test_serve_refuses_a_folder_that_is_not_a_workspace(tmp_path):
    done = _shopmine(tmp_path / "nothing", "serve", "--port", "1")
    assert done.returncode == 2 and "not a shopmine workspace" in done.stderr
    assert not (tmp_path / "nothing").exists()
    done = _shopmine(tmp_path, "serve", "--port", "0")
    assert done.returncode == 2 and "--port" in done.stderr
