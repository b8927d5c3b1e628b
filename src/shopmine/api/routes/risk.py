"""``POST /v1/risk/scores``: rows scored by the saved risk model, with its own scoring (reason codes included)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import APIRouter, Request

from shopmine.api.answers import plain, run_ref
from shopmine.api.models import latest_risk_model
from shopmine.api.schemas import RiskRows, RiskScores

router = APIRouter(prefix="/risk", tags=["risk"])


@router.post("/scores", response_model=RiskScores, summary="Score one row or a batch",
             description="The rows carry the columns `shopmine risk score --data` takes: the training's feature "
                         "columns (a missing one is named in a 422), extra columns are ignored. Scored by the "
                         "served model of the latest risk training run; nothing is saved.")
def score(request: Request, body: RiskRows) -> dict[str, Any]:
    model, metadata = latest_risk_model(request.app.state.runs)
    frame = pd.DataFrame.from_records(body.rows)
    scores = model.score(frame, id_col=body.id_col)
    items = [{"id": str(plain(row["id"])), "probability": plain(row["probability"]),
              "score_points": plain(row["score_points"]),
              "reasons": [r for r in (row["reason_1"], row["reason_2"], row["reason_3"]) if plain(r)]}
             for row in scores.to_dict("records")]
    return {"items": items, "served": model.served, "positive_class": plain(model.spec.get("positive_class")),
            "threshold": plain(model.spec.get("threshold", {}).get("probability")), "run": run_ref(metadata)}
