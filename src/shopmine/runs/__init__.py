"""Saved analysis runs: ``<workspace>/runs/<analysis>/<run_id>/``.

A run folder holds ``tables/<name>.parquet`` (every table of the result), ``metrics.json``,
``figures/<name>.json`` (Plotly JSON) and ``metadata.json`` (run id, analysis, parameters, as-of date,
engine, the batches it saw, row counts, library versions, start/finish times, duration, status, and the
SHA-256 of every file, signed with the workspace's signing key). Fitted models go to the workspace's model
registry and are referenced by name and version. Runs appear whole or not at all (:mod:`.save`); every
file is verified when read back (:mod:`.load`). The report and, later, the REST API read runs instead of
recomputing them.
"""

from shopmine.runs.decorator import record_run, saved_run
from shopmine.runs.integrity import RunIntegrityError
from shopmine.runs.listing import DeletedRun, RunEntry, delete_run, latest_run, list_runs, stale_batches
from shopmine.runs.load import SavedRun, load_run
from shopmine.runs.metadata import seen_batches
from shopmine.runs.models import remove_orphan_models
from shopmine.runs.save import save_run

__all__ = ["DeletedRun", "RunEntry", "RunIntegrityError", "SavedRun", "delete_run", "latest_run", "list_runs",
           "load_run", "record_run", "remove_orphan_models", "save_run", "saved_run", "seen_batches",
           "stale_batches"]
