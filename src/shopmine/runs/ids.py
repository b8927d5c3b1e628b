"""Run ids: ``20261207T031500Z-3f2a``, sortable by the UTC time the run started.

A run id names a folder and arrives from the command line (``shopmine runs show RUN``), so it is
checked against one pattern before it touches a path.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timezone

from shopmine.errors import ShopmineInputError

RUN_ID = re.compile(r"[0-9]{8}T[0-9]{6}Z-[0-9a-f]{4,16}")
#: Analysis names are folder names too.
ANALYSIS = re.compile(r"[a-z][a-z0-9_]{0,39}")


def new_run_id(started: datetime | None = None) -> str:
    """A fresh id: the start time (UTC, to the second) and a random suffix against same-second runs.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> new_run_id(datetime(2026, 12, 7, 3, 15, tzinfo=timezone.utc))[:17]
    '20261207T031500Z-'
    """
    started = (started or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return f"{started:%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"


def check_run_id(run_id: str) -> str:
    """Return ``run_id`` if it has the shape of a run id, else raise naming the parameter.

    Examples
    --------
    >>> check_run_id("20261207T031500Z-3f2a")
    '20261207T031500Z-3f2a'
    """
    if not isinstance(run_id, str) or not RUN_ID.fullmatch(run_id):
        raise ShopmineInputError(
            f"run_id: {str(run_id)[:60]!r} is not a run id (they look like 20261207T031500Z-3f2a); "
            f"list the saved runs with `shopmine runs list`.")
    return run_id


def check_analysis(name: str) -> str:
    """Return ``name`` if it can name a folder of runs (lower-case letters, digits, ``_``)."""
    if not isinstance(name, str) or not ANALYSIS.fullmatch(name):
        raise ShopmineInputError(
            f"analysis: {str(name)[:60]!r} is not an analysis name (lower-case letters, digits and _, "
            f"such as forecast or clv).")
    return name
