"""A classification tree: purity-based splits, size chosen by cross-validation, readable rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier, export_text

from shopmine.classic.base import ClassicEstimator
from shopmine.classic.evaluation import classification_scores
from shopmine.classic.plots import confusion_figure
from shopmine.classic.prepare import PreparedData
from shopmine.classic.preprocess import make_preprocessor, missing_report
from shopmine.classic.target import pick_positive_class
from shopmine.classic.tree_figure import tree_figure
from shopmine.errors import NotFittedError, ShopmineInputError, invalid_value
from shopmine.figures import bar_chart
from shopmine.result import AnalysisResult

__all__ = ["CRITERIA", "DEPTH_GRID", "LEAF_GRID", "ClassicDecisionTree", "leaf_rules"]

CRITERIA = ("gini", "entropy")  # split impurities offered (the CLI lists them)

#: Candidate depths and minimum leaf sizes searched by 5-fold cross-validation.
DEPTH_GRID = (1, 2, 3, 4, 5, 6, 8, 10)
LEAF_GRID = (1, 5, 10, 20, 50)


def leaf_rules(tree: DecisionTreeClassifier, feature_names: list[str]) -> pd.DataFrame:
    """One row per leaf: the path of conditions, the predicted class, its share and sample count."""
    t = tree.tree_
    classes = [str(c) for c in tree.classes_]
    rows = []

    def walk(node: int, conditions: list[str]) -> None:
        if t.children_left[node] == -1:
            shares = t.value[node][0] / t.value[node][0].sum()
            best = int(shares.argmax())
            rows.append({"rule": " and ".join(conditions) or "(all rows)", "predicted_class": classes[best],
                         "class_share": float(shares[best]), "samples": int(t.n_node_samples[node])})
            return
        name, threshold = feature_names[t.feature[node]], t.threshold[node]
        walk(t.children_left[node], [*conditions, f"{name} <= {threshold:.4g}"])
        walk(t.children_right[node], [*conditions, f"{name} > {threshold:.4g}"])

    walk(0, [])
    return pd.DataFrame(rows).sort_values("samples", ascending=False, ignore_index=True)


class ClassicDecisionTree(ClassicEstimator):
    """A decision tree classifier (scikit-learn CART) with its size chosen by 5-fold CV.

    Parameters
    ----------
    target : str
        The class column.
    features : list of str, optional
        Default: every other column except id-like ones.
    test_size : float, default=0.2
        Share of rows held out, stratified by class.
    seed : int, default=42
        Seed of the split and the tree.
    criterion : {"gini", "entropy"}, default="gini"
        Impurity measure of the splits.
    max_depth, min_leaf : int, optional
        Fix the depth / minimum leaf size; the ones not given are chosen by
        ``GridSearchCV(cv=5, scoring="accuracy")`` over :data:`DEPTH_GRID` / :data:`LEAF_GRID`.
    positive_class : str, optional
        For a binary target, the class whose precision and recall are reported as well
        (default: the minority class).

    Attributes
    ----------
    tree_ : sklearn.tree.DecisionTreeClassifier
    feature_names_ : list of str
        Names of the encoded columns the tree splits on.
    """

    method = "tree"
    task = "classification"
    def __init__(self, *, target: str | None = None, features: list[str] | None = None, test_size: float = 0.2,
                 seed: int = 42, criterion: str = "gini", max_depth: int | None = None, min_leaf: int | None = None,
                 positive_class: str | None = None):
        super().__init__(target=target, features=features, test_size=test_size, seed=seed)
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_leaf = min_leaf
        self.positive_class = positive_class

    def _check_params(self) -> None:
        if self.criterion not in CRITERIA:
            raise invalid_value("criterion", "gini or entropy", self.criterion)
        for parameter, value in (("max_depth", self.max_depth), ("min_leaf", self.min_leaf)):
            if value is not None and (not isinstance(value, int) or value < 1):
                raise invalid_value(parameter, "an integer of at least 1", value)

    def _fit(self, prepared: PreparedData) -> tuple[Pipeline, AnalysisResult]:
        schema = prepared.schema
        preprocessor = make_preprocessor(schema, drop_first=False)
        Z_train = preprocessor.fit_transform(prepared.X_train)
        names = [str(n) for n in preprocessor.get_feature_names_out()]
        labels = sorted(prepared.y_train.unique())
        metrics: dict = {"method": f"decision tree ({self.criterion})", "target": schema.target,
                         "n_train": len(Z_train), "n_features": len(names)}
        tree = self.grow(Z_train, prepared.y_train, names)
        if self.cv_score_ is not None:
            metrics["cv_accuracy"] = self.cv_score_
        metrics["max_depth"] = int(tree.get_depth())
        metrics["max_depth_param"] = tree.max_depth
        metrics["min_samples_leaf"] = int(tree.min_samples_leaf)
        metrics["n_leaves"] = int(tree.get_n_leaves())
        pipeline = Pipeline([("preprocess", preprocessor), ("model", tree)])

        train_scores, _, _ = classification_scores(prepared.y_train, tree.predict(Z_train), labels, "train")
        metrics.update(train_scores)
        tables: dict[str, pd.DataFrame] = {}
        figures = {}
        positive = pick_positive_class(prepared.y_train, self.positive_class, schema.target) \
            if len(labels) == 2 else None
        if prepared.X_test is not None and len(prepared.X_test):
            predicted = pipeline.predict(prepared.X_test)
            all_labels = sorted(set(labels) | set(prepared.y_test.unique()))
            scores, per_class, confusion = classification_scores(prepared.y_test, predicted, all_labels, "test")
            metrics["n_test"] = len(prepared.y_test)
            metrics.update(scores)
            if positive is not None:
                row = per_class.set_index("class").loc[positive]
                metrics.update(positive_class=positive, precision_test=float(row["precision"]),
                               recall_test=float(row["recall"]), f1_test=float(row["f1"]))
            tables["per_class"] = per_class
            tables["confusion_matrix"] = pd.DataFrame(
                confusion, index=pd.Index(all_labels, name="actual"), columns=all_labels)
            figures["confusion_matrix"] = confusion_figure(confusion, all_labels, "Confusion matrix (test rows)")
        metrics["test_source"] = prepared.test_source
        importances = pd.DataFrame({"feature": names, "importance": tree.feature_importances_})
        importances = importances.sort_values("importance", ascending=False, ignore_index=True)
        rules, self.rules_text_ = self.rules()
        tables.update(importances=importances, rules=rules,
                      missing_values=missing_report(schema, preprocessor, prepared.X_train, prepared.X_test))
        shown = importances[importances["importance"] > 0].head(20)
        figures["importances"] = bar_chart(shown, "feature", "importance", horizontal=True,
                                           title="Feature importance (impurity decrease)")
        figures["tree"] = tree_figure(tree, names, f"Decision tree for {schema.target}")
        test_text = (f"accuracy {metrics['accuracy_test']:.3f}, macro F1 {metrics['f1_macro_test']:.3f} on "
                     f"{metrics['n_test']} test rows" if "accuracy_test" in metrics else "no test rows")
        top = ", ".join(importances.loc[importances["importance"] > 0, "feature"].head(3)) or "none"
        summary = (f"A {self.criterion} tree of depth {metrics['max_depth']} with {metrics['n_leaves']} leaves "
                   f"(minimum leaf size {metrics['min_samples_leaf']}) classifies {schema.target}: {test_text}. "
                   f"Most important features: {top}.")
        result = AnalysisResult(name="tree", title=f"Decision tree for {schema.target}", summary=summary,
                                tables=tables, metrics=metrics, figures=figures)
        self._positive = positive
        return pipeline, result

    def grow(self, Z, y, feature_names: list[str], *, scoring: str = "accuracy") -> DecisionTreeClassifier:
        """The tree of these parameters on model inputs ``Z``: the one grid search (or the sizes given).

        The tree part of :meth:`fit`'s workflow, also used by ``shopmine classify`` on its behaviour
        features: depth and minimum leaf size not given are chosen by
        ``GridSearchCV(cv=5, scoring=scoring)`` over :data:`DEPTH_GRID` x :data:`LEAF_GRID`.

        Parameters
        ----------
        Z : array-like
            Model inputs (numeric), one row per training row.
        y : array-like or pandas.Series
            Classes.
        feature_names : list of str
            Names of ``Z``'s columns (for the rules).
        scoring : str, default="accuracy"
            scikit-learn scorer of the search (``classify`` ranks binary trees by ``roc_auc``).

        Returns
        -------
        sklearn.tree.DecisionTreeClassifier
            Also kept as ``tree_``; ``cv_score_`` is the best cross-validated score (None without a
            search) and ``feature_names_`` the names.
        """
        self._check_params()
        base = DecisionTreeClassifier(criterion=self.criterion, random_state=self.seed)
        grid = {}
        if self.max_depth is None:
            grid["max_depth"] = list(DEPTH_GRID)
        else:
            base.set_params(max_depth=self.max_depth)
        if self.min_leaf is None:
            grid["min_samples_leaf"] = list(LEAF_GRID)
        else:
            base.set_params(min_samples_leaf=self.min_leaf)
        y = pd.Series(np.asarray(y))
        if grid:
            counts = y.value_counts()
            if int(counts.min()) < 5:
                raise ShopmineInputError(
                    f"5-fold cross-validation needs at least 5 training rows of each class; class "
                    f"{counts.idxmin()!r} has {int(counts.min())}. Give {{max_depth}} and "
                    f"{{min_leaf}}, or more rows.", "max_depth", mentions=("min_leaf",))
            search = GridSearchCV(base, grid, cv=5, scoring=scoring)
            search.fit(Z, y.to_numpy())
            self.tree_, self.cv_score_ = search.best_estimator_, float(search.best_score_)
        else:
            self.tree_, self.cv_score_ = base.fit(Z, y.to_numpy()), None
        self.feature_names_ = list(feature_names)
        return self.tree_

    def rules(self) -> tuple[pd.DataFrame, str]:
        """The rules of the grown tree: one row per leaf (:func:`leaf_rules`) and ``export_text`` with weights."""
        if not hasattr(self, "tree_"):
            raise NotFittedError(f"This {type(self).__name__} has no tree yet; call fit(data) or grow(...) first.")
        return (leaf_rules(self.tree_, self.feature_names_),
                export_text(self.tree_, feature_names=self.feature_names_, show_weights=True))

    def _spec(self) -> dict:
        return {"classes": [str(c) for c in self.tree_.classes_], "positive_class": self._positive}
