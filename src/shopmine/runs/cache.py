"""Runs as a cache: the latest saved run of an analysis made from the same data with the same parameters.

Some results are fixed by the workspace's data alone (the report's overviews of the sales panel and the
customers): a run that saw exactly the batches loaded now, at the same as-of date and with the same
parameters, is that result, and reading it replaces computing it again.
"""

from __future__ import annotations

from typing import Any

from shopmine.runs import layout
from shopmine.runs.integrity import RunIntegrityError
from shopmine.runs.listing import list_runs
from shopmine.runs.load import SavedRun, load_folder
from shopmine.runs.metadata import jsonable_parameter, library_versions


def matching_run(workspace, analysis: str, *, parameters: dict[str, Any], as_of,
                 batches: list[str]) -> SavedRun | None:
    """The latest run of ``analysis`` that saw exactly ``batches`` (the workspace's batches now), at
    ``as_of``, with ``parameters``, made by the shopmine and library versions running now; None when there
    is none (or its files no longer verify).

    Parameters
    ----------
    workspace : shopmine.workspace.Workspace
    analysis : str
    parameters : dict
        Compared as they are recorded (:func:`~shopmine.runs.metadata.jsonable_parameter`).
    as_of : datetime.date or None
    batches : list of str
        :func:`~shopmine.runs.metadata.seen_batches` of the workspace now.
    """
    wanted = {k: jsonable_parameter(v) for k, v in parameters.items()}
    as_of = None if as_of is None else str(as_of)
    # A run made by another shopmine or library version may hold other numbers: it is computed again.
    versions = library_versions()
    candidates = [e for e in list_runs(workspace, analysis) if e.metadata is not None
                  and e.metadata.get("parameters") == wanted and e.metadata.get("as_of") == as_of
                  and e.metadata.get("batches") == list(batches)
                  and e.metadata.get("library_versions") == versions]
    key = workspace.signing_key()
    for entry in sorted(candidates, key=lambda e: e.sort_key, reverse=True):
        try:
            return load_folder(layout.analysis_dir(workspace, analysis) / entry.run_id, key)
        except RunIntegrityError:
            continue  # a changed file: the result is computed again rather than trusted
    return None
