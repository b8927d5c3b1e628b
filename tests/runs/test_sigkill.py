"""A run killed midway (SIGKILL, a real process) leaves no saved run and no half-written model."""

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

ready = Path(sys.argv[2])

def stuck(folder):
    ready.write_text("publishing")
    time.sleep(600)

ModelRegistry._next_number = staticmethod(stuck)
tree = DecisionTreeClassifier(max_depth=2).fit(np.arange(20).reshape(-1, 1), np.arange(20) % 2)
result = AnalysisResult(name="classify", title="t", tables={"scores": pd.DataFrame({"x": range(1000)})},
                        models={"tree": tree})
save_run(Workspace(sys.argv[1], create=False), result, analysis="classify", parameters={"seed": 1},
         as_of="2024-01-01", started=datetime.now(timezone.utc))
"""


def test_sigkill_during_the_save_leaves_no_run_and_no_model(ws, tmp_path):
    ready = tmp_path / "ready"
    ws.close()
    process = subprocess.Popen([sys.executable, "-c", SCRIPT, str(ws.root), str(ready)],
                               env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        deadline = time.monotonic() + 120
        while not ready.exists():
            assert process.poll() is None, f"the saving process ended early with {process.returncode}"
            assert time.monotonic() < deadline, "the saving process never reached the model"
            time.sleep(0.1)
        # It is midway: the run's tables are written in its hidden folder, the model file in the registry's.
        hidden = [p.name for p in layout.analysis_dir(ws, "classify").iterdir()]
        assert len(hidden) == 1 and hidden[0].startswith(".tmp-")
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
    assert list_runs(ws) == [] and latest_run(ws, "classify") is None
    registry = ws.registry()
    assert registry.names() == []  # no version of any model
    model_dir = ws.models_dir / "classify-tree"
    assert [p for p in model_dir.iterdir() if not p.name.startswith(".")] == []  # only the registry's temp
    # The next save removes the dead process's hidden run folder.
    run_id = save_run(ws, AnalysisResult(name="classify", title="t", models={"tree": {"depth": 1}}),
                      analysis="classify", parameters={}, as_of="2024-01-01", started=datetime.now(timezone.utc))
    assert sorted(p.name for p in layout.analysis_dir(ws, "classify").iterdir()) == [run_id]
    assert [v.version for v in registry.versions("classify-tree")] == [1]
