"""Applying a fitted classic model to new rows, in memory or from a run's output folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from shopmine.classic.model_folder import MODEL_FOLDER, MODEL_NAME
from shopmine.classic.schema import TableSchema
from shopmine.errors import ShopmineInputError
from shopmine.registry import ModelRegistry
from shopmine.registry.signing import SigningKey, user_key

__all__ = ["SavedModel", "load_model", "predict_rows"]


def predict_rows(
    method: str, pipeline: Pipeline, schema: TableSchema, spec: dict[str, Any], rows: pd.DataFrame,
    parameter: str = "data",
) -> pd.DataFrame:
    """Predict for ``rows``: the rows with the prediction columns added.

    Added columns: ``prediction`` (linear, tree, logistic), ``probability_<class>`` per class
    (tree) or for the positive class (logistic, the prediction is positive when it reaches the
    threshold), ``cluster`` (k-means).

    Parameters
    ----------
    method : {"linear", "tree", "kmeans", "logistic"}
    pipeline : sklearn.pipeline.Pipeline
        Preprocessing and model, fitted.
    schema : TableSchema
    spec : dict
        The method's prediction settings (classes, positive class, threshold).
    rows : pandas.DataFrame
        New rows holding at least the schema's features; other columns are kept.
    parameter : str, default="data"
        The parameter that named the rows' file, for error messages.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    ShopmineInputError
        When a feature column is missing (the message names it).
    """
    schema.check_columns(rows, parameter)
    X = schema.apply(rows)
    out = rows.copy()
    if method == "kmeans":
        out["cluster"] = pipeline.predict(X)
    elif method == "linear":
        out["prediction"] = pipeline.predict(X)
    elif method == "tree":
        proba = pipeline.predict_proba(X)
        classes = [str(c) for c in pipeline.classes_]
        out["prediction"] = np.asarray(classes, dtype=object)[proba.argmax(axis=1)]
        for i, label in enumerate(classes):
            out[f"probability_{label}"] = proba[:, i]
    elif method == "logistic":
        positive = spec["positive_class"]
        p = pipeline.predict_proba(X)[:, 1]
        out[f"probability_{positive}"] = p
        out["prediction"] = np.where(p >= spec["threshold"], positive, spec["negative_class"])
    else:
        raise ShopmineInputError(f"unknown classic method {method!r} in the saved model.")
    return out


@dataclass
class SavedModel:
    """A classic model read back from a run's output folder.

    Attributes
    ----------
    method : str
    pipeline : sklearn.pipeline.Pipeline
    schema : TableSchema
    spec : dict
    metadata : dict
        Everything saved with the model (params, training metrics ...).
    """

    method: str
    pipeline: Pipeline
    schema: TableSchema
    spec: dict[str, Any]
    metadata: dict[str, Any]

    def predict(self, rows: pd.DataFrame, parameter: str = "data") -> pd.DataFrame:
        """Rows with prediction columns added (see :func:`predict_rows`)."""
        return predict_rows(self.method, self.pipeline, self.schema, self.spec, rows, parameter)


def load_model(folder: str | Path, key: SigningKey | None = None) -> SavedModel:
    """Load the model a ``shopmine model`` run saved, after verifying its signature.

    Parameters
    ----------
    folder : path
        The run's output folder, or its ``model`` subfolder.
    key : SigningKey, optional
        The key the model was signed with; default: the user's key
        (:func:`shopmine.registry.signing.user_key`).

    Returns
    -------
    SavedModel

    Raises
    ------
    ShopmineInputError
        When the folder holds no saved classic model, or the model's signature does not verify with
        ``key`` (saved with another key, modified, or saved before signing): nothing is read then.
    """
    folder = Path(folder)
    root = folder / MODEL_FOLDER if (folder / MODEL_FOLDER).is_dir() else folder
    if not (root / MODEL_NAME).is_dir():
        raise ShopmineInputError(
            f"{{model}} {folder}: no saved model there; give the output folder of a `shopmine model "
            f"linear|tree|kmeans|logistic` run.", "model"
        )
    registry = ModelRegistry(root, key=key if key is not None else user_key())
    pipeline, version = registry.load(MODEL_NAME)
    meta = version.metadata
    return SavedModel(
        method=meta["method"], pipeline=pipeline, schema=TableSchema.from_dict(meta["schema"]),
        spec=meta.get("spec", {}), metadata=meta,
    )
