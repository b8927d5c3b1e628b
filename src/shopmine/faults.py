"""Named points where a test can kill or pause the process, to prove a run is all-or-nothing and
that two processes wait for each other.

``SHOPMINE_FAULT=<point>`` kills the process with SIGKILL at that point (no cleanup, no rollback
handlers: exactly what a power cut or ``kill -9`` does). ``SHOPMINE_PAUSE=<point>:<seconds>`` sleeps
there, so that another process surely arrives while this one holds the workspace; with
``SHOPMINE_PAUSE_UNTIL=<file>`` the pause ends as soon as that file exists (the test says "go").
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def fault_point(name: str) -> None:
    if os.environ.get("SHOPMINE_FAULT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
    point, _, seconds = os.environ.get("SHOPMINE_PAUSE", "").partition(":")
    if point == name:
        until = os.environ.get("SHOPMINE_PAUSE_UNTIL")
        deadline = time.monotonic() + float(seconds or 0)
        while time.monotonic() < deadline and not (until and Path(until).exists()):
            time.sleep(0.05)
