"""The four classic data-mining methods on any table the user brings.

Each estimator runs the textbook workflow in ``fit(data)``: choose the features (id-like columns
left out, text one-hot encoded, dates expanded to calendar features, missing values imputed),
split the rows, fit, evaluate, plot and explain. ``result_`` is an
:class:`~shopmine.result.AnalysisResult`; ``save(folder, key)`` stores the fitted pipeline in a model
registry, signed with ``key``, and :func:`load_model` reads it back (after verifying the signature with
the same key) to predict for new rows.

- :class:`ClassicLinearRegression`: least squares (statsmodels OLS);
- :class:`ClassicDecisionTree`: a classification tree with depth and leaf size chosen by 5-fold CV;
- :class:`ClassicKMeans`: k-means on standardised features, k chosen by silhouette;
- :class:`ClassicLogisticRegression`: maximum likelihood (statsmodels Logit) or penalised.
"""

from shopmine.classic.base import ClassicEstimator
from shopmine.classic.kmeans import ClassicKMeans
from shopmine.classic.linear import ClassicLinearRegression
from shopmine.classic.logistic import ClassicLogisticRegression, youden_threshold
from shopmine.classic.predict import SavedModel, load_model, predict_rows
from shopmine.classic.schema import TableSchema
from shopmine.classic.table import read_table
from shopmine.classic.tree import ClassicDecisionTree

__all__ = [
    "ClassicDecisionTree", "ClassicEstimator", "ClassicKMeans", "ClassicLinearRegression",
    "ClassicLogisticRegression", "youden_threshold", "SavedModel", "TableSchema", "load_model",
    "predict_rows", "read_table",
]
