"""``/v1/runs``: the saved runs (and the model versions) the answers come from."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request

from shopmine.api.answers import Paging, run_ref
from shopmine.api.errors import ApiError
from shopmine.api.schemas import Runs, RunSummary
from shopmine.runs.ids import RUN_ID

router = APIRouter(prefix="/runs", tags=["runs"])


def summary(metadata: dict[str, Any]) -> dict[str, Any]:
    return {**run_ref(metadata), "status": metadata.get("status"), "command": metadata.get("command"),
            "summary": metadata.get("summary"), "parameters": metadata.get("parameters", {}),
            "batches": metadata.get("batches", [])}


@router.get("", response_model=Runs, summary="Saved runs, newest first")
def list_runs(request: Request, paging: Paging = Depends(),
              analysis: str | None = Query(None, pattern=r"^[a-z][a-z0-9_]{0,39}$",
                                           description="Only runs of this analysis (forecast, segments ...).")
              ) -> dict[str, Any]:
    runs = request.app.state.runs
    entries = runs.runs(analysis) if analysis else runs.all_runs()
    return paging.page(request, [summary(m) for m in entries])


@router.get("/{run_id}", response_model=RunSummary, summary="One saved run")
def show_run(request: Request, run_id: str = Path(pattern=f"^{RUN_ID.pattern}$")) -> dict[str, Any]:
    found = next((m for m in request.app.state.runs.all_runs() if m["run_id"] == run_id), None)
    if found is None:
        raise ApiError(404, f"no saved run {run_id} in this workspace", field="path.run_id")
    return summary(found)
