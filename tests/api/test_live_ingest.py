"""Acceptance 5 with real processes: ``shopmine ingest`` succeeds while ``shopmine serve`` runs, and after a
new saved run the server answers from it without a restart."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading

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
