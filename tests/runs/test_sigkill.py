"""A run killed midway (SIGKILL, a real process) leaves no saved run and no half-written model; a model
version published before the kill (the run folder not yet renamed into place) is an orphan the next
listing removes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone

from shopmine.result import AnalysisResult
from shopmine.runs import latest_run, list_runs, save_run
from shopmine.runs import layout

# Saves a run whose model is a real fitted tree (skops); the registry's publication of the model stops
# after the model file is written into its hidden folder, and tells the test it got there.
SCRIPT = """
import sys, time
from datetime import datetime, timezone
from pathlib import Path
import numpy as np, pandas as pd
from sklearn.tree import DecisionTreeClassifier
from shopmine.registry.store import ModelRegistry
from shopmine.result import AnalysisResult
from shopmine.runs import save_run
from shopmine.workspace import Workspace

ready, where = Path(sys.argv[2]), sys.argv[3]

def stuck(*args):
    ready.write_text(where)
    time.sleep(600)

if where == "publishing":
    ModelRegistry._next_number = staticmethod(stuck)
else:  # published: the model version is complete, the run is signed next and then renamed into place
    import shopmine.runs.save
    shopmine.runs.save.sign_record = stuck
tree = DecisionTreeClassifier(max_depth=2).fit(np.arange(20).reshape(-1, 1), np.arange(20) % 2)
result = AnalysisResult(name="classify", title="t", tables={"scores": pd.DataFrame({"x": range(1000)})},
                        models={"tree": tree})
save_run(Workspace(sys.argv[1], create=False), result, analysis="classify", parameters={"seed": 1},
         as_of="2024-01-01", started=datetime.now(timezone.utc))
"""


def _kill_midway(ws, tmp_path, where: str) -> None:
    """Run SCRIPT in a real process, wait until it is stuck at ``where``, and SIGKILL it."""
    ready = tmp_path / "ready"
    ws.close()
    process = subprocess.Popen([sys.executable, "-c", SCRIPT, str(ws.root), str(ready), where],
                               env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        deadline = time.monotonic() + 120
        while not ready.exists():
            assert process.poll() is None, f"the saving process ended early with {process.returncode}"
            assert time.monotonic() < deadline, f"the saving process never reached {where}"
            time.sleep(0.1)
        # It is midway: the run's tables are written in its hidden folder.
        hidden = [p.name for p in layout.analysis_dir(ws, "classify").iterdir()]
        assert len(hidden) == 1 and hidden[0].startswith(".tmp-")
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()


def test_sigkill_during_the_save_leaves_no_run_and_no_model(ws, tmp_path):
    _kill_midway(ws, tmp_path, "publishing")
    assert list_runs(ws) == [] and latest_run(ws, "classify") is None
    registry = ws.registry()
    assert registry.names() == []  # no version of any model
    model_dir = ws.models_dir / "classify-tree"
    # The registry's own hidden folder of the dead process is gone too (removed by the listing above).
    assert list(model_dir.iterdir()) == []
    # The next save removes the dead process's hidden run folder.
    run_id = save_run(ws, AnalysisResult(name="classify", title="t", models={"tree": {"depth": 1}}),
                      analysis="classify", parameters={}, as_of="2024-01-01", started=datetime.now(timezone.utc))
    assert sorted(p.name for p in layout.analysis_dir(ws, "classify").iterdir()) == [run_id]
    assert [v.version for v in registry.versions("classify-tree")] == [1]
    assert sorted(p.name for p in model_dir.iterdir()) == ["v1"]


def test_sigkill_after_the_model_is_published_leaves_an_orphan_the_next_listing_removes(ws, tmp_path):
    _kill_midway(ws, tmp_path, "published")
    registry = ws.registry()
    # Killed between the two: the version is complete and names the run that never appeared.
    [orphan] = registry.versions("classify-tree")
    run_id = orphan.metadata["run_id"]
    assert not (layout.analysis_dir(ws, "classify") / run_id).exists()
    assert list_runs(ws) == []  # `shopmine runs list`: removes it first
    assert registry.names() == [] and not (ws.models_dir / "classify-tree").exists()
    assert list(layout.analysis_dir(ws, "classify").iterdir()) == []
