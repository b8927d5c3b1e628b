"""Named points where a test can kill the process, to prove a run is all-or-nothing.

``SHOPMINE_FAULT=<point>`` kills the process with SIGKILL at that point (no cleanup, no rollback
handlers: exactly what a power cut or ``kill -9`` does).
"""

from __future__ import annotations

import os
import signal


def fault_point(name: str) -> None:
    if os.environ.get("SHOPMINE_FAULT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
