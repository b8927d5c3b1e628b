"""SavedRuns: what the server reads, kept per run id; a slow load holds up only the requests that need it."""

from __future__ import annotations

import threading

from shopmine.api.saved import SavedRuns
from shopmine.workspace import Workspace


def test_each_thing_is_built_once_and_a_slow_build_blocks_only_its_own_key(tmp_path):
    runs = SavedRuns(Workspace(tmp_path / "ws"))
    release, started = threading.Event(), threading.Event()
    calls = []

    def slow():
        calls.append("slow")
        started.set()
        assert release.wait(10)
        return "model"

    loader = threading.Thread(target=runs.cached, args=("run-a", "recommender", slow))
    loader.start()
    assert started.wait(10)
    # While run-a's model is loading, another answer is built and served without waiting for it.
    assert runs.cached("run-b", "table", lambda: "prices") == "prices"
    waiter = threading.Thread(target=lambda: calls.append(runs.cached("run-a", "recommender", slow)))
    waiter.start()
    release.set()
    loader.join(10)
    waiter.join(10)
    assert calls == ["slow", "model"]  # the second caller waited for the first build instead of loading again
    assert runs.cached("run-a", "recommender", lambda: "again") == "model"


def test_a_new_run_folder_is_listed_at_the_next_call(tmp_path, template):
    import shutil

    root = tmp_path / "ws"
    shutil.copytree(template[0], root)
    runs = SavedRuns(Workspace(root, create=False))
    [only] = runs.runs("segments")
    copy = root / "runs" / "segments" / "20991231T000000Z-ffff"
    shutil.copytree(root / "runs" / "segments" / only["run_id"], copy)  # a copied folder does not verify
    assert [m["run_id"] for m in runs.runs("segments")] == [only["run_id"]]
    shutil.rmtree(root / "runs" / "segments" / only["run_id"])
    assert runs.runs("segments") == []
