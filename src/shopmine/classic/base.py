"""What the four classic estimators share: parameters, the fit flow, saving the fitted model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.pipeline import Pipeline

from shopmine.classic.model_folder import MODEL_FOLDER, MODEL_NAME
from shopmine.classic.predict import predict_rows
from shopmine.classic.prepare import PreparedData, prepare_data
from shopmine.errors import NotFittedError, invalid_value
from shopmine.registry import ModelRegistry, ModelVersion
from shopmine.registry.signing import SigningKey, user_key
from shopmine.result import AnalysisResult

__all__ = ["MODEL_FOLDER", "MODEL_NAME", "ClassicEstimator"]



class ClassicEstimator(BaseEstimator):
    """Base of the classic estimators: ``fit(data)`` runs the whole textbook workflow.

    A scikit-learn estimator: every parameter is an explicit keyword of ``__init__``, stored as given
    and validated in ``fit`` (so ``get_params(deep=True)``, ``set_params`` and ``sklearn.base.clone``
    work). Subclasses set :attr:`method` and :attr:`task`, declare their own parameters in their
    ``__init__`` and implement :meth:`_fit` (fit and evaluate on prepared rows). After ``fit``:

    - ``result_`` : :class:`~shopmine.result.AnalysisResult` with tables, metrics and figures;
    - ``pipeline_`` : the fitted scikit-learn pipeline (preprocessing and model);
    - ``schema_`` : the :class:`~shopmine.classic.schema.TableSchema` of the inputs;
    - ``warnings_`` : list of str, what the user should know (excluded id columns ...).
    """

    method = ""
    task = ""

    def __init__(self, *, target: str | None = None, features: list[str] | None = None,
                 test_size: float = 0.2, seed: int = 42):
        self.target = target
        self.features = features
        self.test_size = test_size
        self.seed = seed

    # -- the workflow ---------------------------------------------------------------------------
    def fit(self, data: pd.DataFrame, test_data: pd.DataFrame | None = None) -> ClassicEstimator:
        """Choose features, split, fit, evaluate and plot.

        Parameters
        ----------
        data : pandas.DataFrame
            The table.
        test_data : pandas.DataFrame, optional
            A separate test table; when given, every row of ``data`` is used for training.

        Returns
        -------
        self

        Raises
        ------
        ShopmineInputError
            When the table or a parameter cannot be used (the message names it).
        """
        self._check_params()
        if not isinstance(self.seed, int) or isinstance(self.seed, bool):
            raise invalid_value("seed", "an integer", self.seed)
        prepared = self._prepare(data, test_data)
        self.schema_ = prepared.schema
        self.warnings_ = list(prepared.warnings)
        self.pipeline_, self.result_ = self._fit(prepared)
        if self.warnings_:
            self.result_.summary += " Notes: " + " ".join(self.warnings_)
        return self

    def _prepare(self, data: pd.DataFrame, test_data: pd.DataFrame | None) -> PreparedData:
        return prepare_data(
            data, task=self.task, target=self.target, features=self.features, test_data=test_data,
            test_size=self.test_size, seed=self.seed,
        )

    def _check_params(self) -> None:
        """Validate the method's own parameters; raise ShopmineInputError naming the option."""

    def _fit(self, prepared: PreparedData) -> tuple[Pipeline, AnalysisResult]:
        raise NotImplementedError

    def _spec(self) -> dict[str, Any]:
        """What prediction needs besides the pipeline (JSON values)."""
        return {}

    # -- using the fitted model -----------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "pipeline_"):
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet; call fit(data) first.")

    def predict(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Rows with prediction columns added, as ``shopmine model predict`` writes them.

        Parameters
        ----------
        rows : pandas.DataFrame
            New rows holding at least the features.

        Returns
        -------
        pandas.DataFrame
        """

        self._check_fitted()
        return predict_rows(self.method, self.pipeline_, self.schema_, self._spec(), rows)

    def model_metadata(self) -> dict[str, Any]:
        """The JSON metadata saved with the model: method, schema, prediction settings, metrics."""
        self._check_fitted()
        return {
            "method": self.method,
            "schema": self.schema_.to_dict(),
            "spec": self._spec(),
            "params": self.get_params(deep=False),
            "metrics": {k: v for k, v in self.result_.metrics.items() if not isinstance(v, (dict, list))},
        }

    def save(self, folder: str | Path, key: SigningKey | None = None) -> ModelVersion:
        """Save the fitted pipeline and its metadata in the registry ``<folder>/model``, signed.

        Parameters
        ----------
        folder : path
            A run's output folder.
        key : SigningKey, optional
            The key to sign with (:func:`shopmine.workspace.signing_key_for` gives a workspace's);
            default: the user's key (:func:`shopmine.registry.signing.user_key`).
            :func:`~shopmine.classic.load_model` must be given the same key.

        Returns
        -------
        ModelVersion
        """
        self._check_fitted()
        registry = ModelRegistry(Path(folder) / MODEL_FOLDER, key=key if key is not None else user_key())
        return registry.save(MODEL_NAME, self.pipeline_, metadata=self.model_metadata())
