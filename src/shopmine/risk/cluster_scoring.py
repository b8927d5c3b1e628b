"""Scoring the workspace's orders on the Spark cluster with a risk model trained once.

The order features are computed and written by the cluster (:func:`shopmine.distributed.stage`); each
executor rebuilds the served model from its plain form — the scorecard's JSON spec and the challenger's
LightGBM model text, what the registry stores (never a pickle) — and scores its batches with the same
:meth:`~shopmine.risk.model.RiskModel.score_with_features` as a local run. The driver reads back one row
per order (id, probability, points, reasons), never the order lines.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pandas as pd

from shopmine.distributed import stage
from shopmine.risk.model import OUTPUT_COLUMNS, RiskModel

__all__ = ["SCORE_SCHEMA", "TABLE_SCHEMA", "model_parameters", "restore_model", "score_order_batch", "score_orders",
           "score_table", "score_table_batch"]

#: The scores of :func:`score_order_batch`, as a Spark DDL schema.
SCORE_SCHEMA = ("id string, probability double, score_points double, reason_1 string, reason_2 string, "
                "reason_3 string, first_reason string, customer_id string, ordered_at_us bigint")


#: The scores of :func:`score_table_batch`: ``position`` is the row's place in the table, from 1.
TABLE_SCHEMA = ("position bigint, id string, probability double, score_points double, reason_1 string, "
                "reason_2 string, reason_3 string, first_reason string")
_POSITION = "_shopmine_position"


def model_parameters(model: RiskModel) -> dict:
    """The model as plain data: the scorecard's JSON spec (with the served model and the CV scores) and the
    challenger as LightGBM's model text."""
    models = model.to_models()
    return {"scorecard": models["scorecard"], "challenger": models["challenger"].model_to_string()}


def restore_model(parameters: dict) -> RiskModel:
    """The :class:`RiskModel` of :func:`model_parameters`."""
    import lightgbm

    booster = lightgbm.Booster(model_str=parameters["challenger"])
    return RiskModel.from_models({"scorecard": parameters["scorecard"], "challenger": booster})


def score_order_batch(frame: pd.DataFrame, *, parameters: dict, id_col: str) -> pd.DataFrame:
    """Scores of a batch of order features (the columns of :data:`SCORE_SCHEMA`)."""
    model = restore_model(parameters)
    if not len(frame):
        return pd.DataFrame({c.split(" ")[0]: pd.Series(dtype=object) for c in SCORE_SCHEMA.split(", ")}).astype(
            {"probability": float, "score_points": float, "ordered_at_us": "int64"})
    scores, first = model.score_with_features(frame, id_col=id_col)
    out = scores.reset_index(drop=True).astype({"id": str})
    out["first_reason"] = first
    out["customer_id"] = frame["customer_id"].astype(object).where(frame["customer_id"].notna(), None).to_numpy()
    # Microseconds since 1970 (naive): the local run's order, ordered_at then order_id, is restored from it.
    out["ordered_at_us"] = pd.to_datetime(frame["ordered_at"]).to_numpy("datetime64[us]").astype("int64")
    return out


def score_orders(features, model: RiskModel, *, id_col: str, scratch_dir: str | Path | None = None):
    """Score every row of the Ibis table ``features`` where its engine runs; return the scores in the local
    order (``ordered_at``, then the id), the first reason's feature per row, and the customer ids."""
    with stage(features, scratch_dir) as staged:
        scored = staged.map(partial(score_order_batch, parameters=model_parameters(model), id_col=id_col),
                            SCORE_SCHEMA)
    scored = scored.sort_values(["ordered_at_us", "id"], ignore_index=True)
    return scored[OUTPUT_COLUMNS], scored["first_reason"].fillna("").to_numpy(object), scored["customer_id"]


def score_table_batch(frame: pd.DataFrame, *, parameters: dict, id_col: str | None) -> pd.DataFrame:
    """Scores of a batch of a user's table (:data:`TABLE_SCHEMA`); without ``id_col`` the id is the row's
    place in the whole table, as a local run numbers the rows."""
    model = restore_model(parameters)
    columns = [c.split(" ")[0] for c in TABLE_SCHEMA.split(", ")]
    if not len(frame):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns}).astype(
            {"position": "int64", "probability": float, "score_points": float})
    scores, first = model.score_with_features(frame.drop(columns=_POSITION), id_col=id_col)
    out = scores.reset_index(drop=True)
    out.insert(0, "position", frame[_POSITION].to_numpy("int64"))
    out["id"] = (out["position"] if id_col is None else out["id"]).astype(str)
    out["first_reason"] = first
    return out[columns]


def score_table(table: pd.DataFrame, model: RiskModel, session, *, id_col: str | None = None,
                scratch_dir: str | Path | None = None):
    """Score a table the driver holds on the Spark executors (the scoring, LightGBM's SHAP values above all,
    is the costly part); return the scores in the table's order and the first reason's feature per row."""
    from shopmine.distributed import stage_frame
    from shopmine.risk.inputs import row_ids

    if id_col is None and model.spec.get("id_col") in table.columns:
        id_col = model.spec["id_col"]  # as a local run does: the training's id column when the table has it
    # Bad input is refused here with the local run's message, not inside a Python worker on an executor:
    # a missing or repeated id, a missing feature column (scoring the first row finds it).
    row_ids(table, id_col)
    model.score(table.head(1))
    staged_table = table.reset_index(drop=True).assign(**{_POSITION: range(1, len(table) + 1)})
    with stage_frame(staged_table, session, scratch_dir) as staged:
        scored = staged.map(partial(score_table_batch, parameters=model_parameters(model), id_col=id_col),
                            TABLE_SCHEMA)
    scored = scored.sort_values("position", ignore_index=True)
    ids = scored["position"] if id_col is None else table[id_col].reset_index(drop=True)
    scores = scored.assign(id=ids.to_numpy())
    return scores[OUTPUT_COLUMNS], scored["first_reason"].fillna("").to_numpy(object)
