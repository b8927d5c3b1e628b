"""Decision-tree customer classification with a LightGBM challenger (issue 5, ``shopmine classify``).

The default question is "does this customer buy again in the next ``horizon_days`` days?". It is
answered on a time split, so that the reported scores are those of a model used for real:

- training rows: customers with a purchase before ``as_of - 2 × horizon``, described by their
  behaviour features at that day, labelled 1 when they bought in ``[as_of - 2 × horizon, as_of - horizon)``;
- test rows: customers with a purchase before ``as_of - horizon``, features at that day, labelled 1
  when they bought in ``[as_of - horizon, as_of)``.

Any other customer category (a column of the customers table, or a label file) is predicted from the
behaviour features at ``as_of`` on a stratified random split.

The classic method is a CART tree (gini) with depth and minimum leaf size chosen by 5-fold
cross-validation; the challenger is a LightGBM classifier with fixed, modest parameters on the same rows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
from sklearn import metrics as skm
from sklearn.model_selection import train_test_split

from shopmine.classic.plots import confusion_figure, roc_figure
from shopmine.classic.schema import category_text
from shopmine.classic.target import MAX_CLASSES, pick_positive_class
from shopmine.classic.tree import ClassicDecisionTree
from shopmine.classic.tree_figure import tree_figure
from shopmine.customers.behaviour import behaviour_features, first_order_day, no_customers_reason
from shopmine.customers.current_scores import MIN_AUC_GAIN, score_current_customers
from shopmine.errors import ShopmineInputError, invalid_value
from shopmine.features import classify_lines
from shopmine.features.dates import check_day
from shopmine.figures import bar_chart
from shopmine.result import AnalysisResult

__all__ = ["check_horizon_days", "FEATURE_COLUMNS", "LGBM_PARAMS", "MIN_CLASS_ROWS", "buy_again_classifier", "buy_again_labels",
           "category_classifier", "classify_customers", "read_label_file"]

#: Behaviour features every customer has; ``category_<name>`` share columns are added when present.
FEATURE_COLUMNS = ["recency_days", "frequency", "monetary", "gross_revenue", "avg_order_value",
                   "avg_basket_units", "discount_share", "returns_share", "price_vs_list"]
#: The challenger's fixed parameters (no tuning: it competes as it comes). One thread: on a few thousand
#: customers OpenMP threads spin against each other on a busy machine (the fit took 84 s instead of a
#: few seconds on Online Retail, 2 shared cores), and the model no longer depends on the core count.
LGBM_PARAMS = {"n_estimators": 200, "learning_rate": 0.05, "num_leaves": 15, "min_child_samples": 20,
               "subsample": 0.8, "subsample_freq": 1, "colsample_bytree": 0.8, "verbose": -1, "n_jobs": 1}
#: Rows of each class needed in the training part (5-fold cross-validation) and one in the test part.
MIN_CLASS_ROWS = 5
TEST_SIZE = 0.25


def _features(orders: ibis.Table, as_of: dt.date, products: ibis.Table | None) -> pd.DataFrame:
    frame = behaviour_features(orders, as_of=as_of, products=products).to_pandas()
    frame["customer_id"] = frame["customer_id"].astype(str)
    # The engine returns grouped rows in any order (DuckDB's threads): the fits subsample rows, so the
    # same seed gives the same model only on rows in a fixed order.
    frame = frame.set_index("customer_id").sort_index()
    return frame.astype("float64")


def buy_again_labels(orders: ibis.Table, *, start: dt.date, end: dt.date) -> set[str]:
    """Customers with at least one sale line in ``[start, end)``."""
    lines = classify_lines(orders, before=end, bulk=False)
    buyers = lines.filter(lines.is_sale, lines.customer_id.notnull(), lines.day >= ibis.date(start))
    ids = buyers.select("customer_id").distinct().to_pandas()["customer_id"]
    return set(ids.astype(str))


def check_horizon_days(horizon_days: object) -> int:
    """Refuse a buy-again window that is not a whole number of days, at least 1."""
    if isinstance(horizon_days, bool) or not isinstance(horizon_days, int) or horizon_days < 1:
        raise invalid_value("horizon_days", "an integer of at least 1", horizon_days)
    return horizon_days


def _labelled(orders, features_day, label_end, products) -> tuple[pd.DataFrame, pd.Series]:
    X = _features(orders, features_day, products)
    buyers = buy_again_labels(orders, start=features_day, end=label_end)
    y = pd.Series(X.index.isin(list(buyers)).astype(int), index=X.index, name="buys_again")
    return X, y


def buy_again_classifier(
    orders: ibis.Table,
    *,
    as_of: dt.date,
    horizon_days: int = 90,
    seed: int = 42,
    products: ibis.Table | None = None,
) -> AnalysisResult:
    """Predict "buys again within ``horizon_days``" with a tuned tree and a LightGBM challenger.

    Time split (see the module docstring): trained on features at ``as_of - 2 × horizon`` with
    labels of the next ``horizon`` days, scored on features at ``as_of - horizon`` with labels of the
    ``horizon`` days before ``as_of``. The label is 1 for at least one sale line in the window.

    Parameters
    ----------
    orders : ibis.Table
        Order lines in the canonical schema.
    as_of : datetime.date
        End (exclusive) of the last label window.
    horizon_days : int, default=90
    seed : int, default=42
        Seed of the tree, the cross-validation ties and LightGBM.
    products : ibis.Table, optional
        ``product_id, category`` for the category-mix features.

    Returns
    -------
    AnalysisResult
        See :func:`classify_customers`; ``metrics["split"]`` is ``"time"``.

    Raises
    ------
    ShopmineInputError
        A bad horizon, or a window where customers all bought again or none did (one class).
    """
    as_of = check_day(as_of, "as_of")
    horizon = dt.timedelta(days=check_horizon_days(horizon_days))
    test_day, train_day = as_of - horizon, as_of - 2 * horizon
    X_train, y_train = _labelled(orders, train_day, test_day, products)
    X_test, y_test = _labelled(orders, test_day, as_of, products)
    if X_train.empty:
        first = first_order_day(orders)
        when = ("the orders table has no order lines" if first is None else
                f"the first order is on {first}; the as-of date must be after {first + 2 * horizon}")
        raise ShopmineInputError(
            f"the buy-again classifier trains on customers who bought before {train_day} (as-of {as_of} minus "
            f"2 × {horizon_days} days) and there are none: {when}. Choose a later {{as_of}} or a shorter "
            "{horizon_days}, or load a longer order history.", "as_of", mentions=('horizon_days',))
    # Category-mix columns are the top categories of each day: keep the training ones, 0 when absent.
    X_test = X_test.reindex(columns=X_train.columns, fill_value=0.0)
    target = f"buys_again_{horizon_days}d"
    split_text = (f"time split: trained on {len(X_train):,} customers' features at {train_day} labelled by "
                  f"purchases in [{train_day}, {test_day}); tested on {len(X_test):,} customers' features at "
                  f"{test_day} labelled by purchases in [{test_day}, {as_of})")
    result = classify_customers(X_train, y_train.map({0: "no", 1: "yes"}), X_test,
                                y_test.map({0: "no", 1: "yes"}), target=target, seed=seed,
                                positive_class="yes", split_text=split_text)
    result.metrics.update(as_of=as_of, horizon_days=horizon_days, split="time", train_features_at=train_day,
                          test_features_at=test_day, train_positive_rate=float(y_train.mean()),
                          test_positive_rate=float(y_test.mean()) if len(y_test) else None)
    # Today's customers: the winning model refitted on the newest window, applied to features at as_of.
    X_now = _features(orders, as_of, products)
    scores, scored_by = score_current_customers(result.metrics, X_test, y_test.map({0: "no", 1: "yes"}), X_now,
                                                seed=seed, lgbm_params=LGBM_PARAMS)
    _add_current_scores(result, scores, scored_by,
                        f"probability of buying again in the {horizon_days} days after {as_of}")
    result.name, result.title = "classify", f"Buys again within {horizon_days} days (decision tree vs LightGBM)"
    return result


def category_classifier(
    orders: ibis.Table,
    labels: pd.Series,
    *,
    as_of: dt.date,
    seed: int = 42,
    products: ibis.Table | None = None,
    target: str | None = None,
) -> AnalysisResult:
    """Predict a customer category (``labels``, indexed by customer_id) from behaviour at ``as_of``.

    Customers with a purchase before ``as_of`` and a non-missing label are split 75/25, stratified
    by class with ``seed``. Binary targets report precision/recall/F1/AUC of the minority class;
    more classes report macro averages and a one-vs-rest AUC.
    """
    as_of = check_day(as_of, "as_of")
    target = target or str(labels.name or "label")
    labels = labels.dropna()
    labels.index = labels.index.astype(str)
    if labels.index.duplicated().any():
        dup = labels.index[labels.index.duplicated()][0]
        raise ShopmineInputError(f"labels of {target!r} name customer {dup!r} more than once; give one label each.")
    X = _features(orders, as_of, products)
    if X.empty:
        raise ShopmineInputError(f"classifying {target!r} needs customers with a purchase before {as_of}: "
                                 + no_customers_reason(orders, as_of))
    common = X.index.intersection(labels.index)
    if len(common) == 0:
        raise ShopmineInputError(
            f"no customer with a purchase before {as_of} has a {target!r} label; check the customer ids.")
    X, y = X.loc[common], labels.loc[common].map(category_text).astype(object)
    _check_classes(y, target)
    counts = y.value_counts()
    if counts.min() < MIN_CLASS_ROWS * 2:
        raise ShopmineInputError(
            f"class {counts.idxmin()!r} of {target!r} has {int(counts.min())} customers; the stratified split and "
            f"5-fold cross-validation need at least {MIN_CLASS_ROWS * 2} of each class.")
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=TEST_SIZE, stratify=y, random_state=seed)
    split_text = (f"stratified random split (seed {seed}): {len(X_train):,} training and {len(X_test):,} test "
                  f"customers, features at {as_of}")
    result = classify_customers(X_train, y_train, X_test, y_test, target=target, seed=seed, split_text=split_text)
    result.metrics.update(as_of=as_of, split="stratified")
    # Every customer with features at as_of, labelled or not, by the winning model fitted on all labels.
    scores, scored_by = score_current_customers(result.metrics, X, y, _features(orders, as_of, products),
                                                seed=seed, lgbm_params=LGBM_PARAMS)
    _add_current_scores(result, scores, scored_by, f"most likely {target} at {as_of}")
    result.name, result.title = "classify", f"Classifying {target} (decision tree vs LightGBM)"
    return result


def _check_classes(y: pd.Series, target: str) -> None:
    classes = sorted(y.unique())
    if len(classes) < 2:
        raise ShopmineInputError(
            f"target {target!r} has only one class ({classes[0]!r} for all {len(y):,} customers); a classifier "
            "needs at least two. Choose another target, as-of date or horizon.")
    if len(classes) > MAX_CLASSES:
        raise ShopmineInputError(
            f"target {target!r} has {len(classes)} distinct values, too many for a category (at most "
            f"{MAX_CLASSES}); group the values first.")


def classify_customers(
    X_train: pd.DataFrame,
    y_train: pd.Series,
    X_test: pd.DataFrame,
    y_test: pd.Series,
    *,
    target: str,
    seed: int = 42,
    positive_class: str | None = None,
    split_text: str = "",
) -> AnalysisResult:
    """Fit the tuned tree and the LightGBM challenger on one split and score both on the test rows.

    Returns
    -------
    AnalysisResult
        Metrics ``tree_*`` and ``lgbm_*`` (``accuracy, precision, recall, f1, auc``; for a binary target
        precision/recall/F1 are those of ``positive_class``, default the minority class; else macro),
        ``cv_auc``/``cv_accuracy`` of the chosen tree, ``max_depth, min_samples_leaf, n_leaves`` and
        ``rules_text``. The tree is :class:`~shopmine.classic.tree.ClassicDecisionTree`'s
        (:meth:`~shopmine.classic.tree.ClassicDecisionTree.grow`: the grid of ``shopmine model tree``,
        searched on ``roc_auc`` for a binary target, and its rules). Tables ``scores`` (one row per model),
        ``confusion_tree``, ``confusion_lgbm``, ``rules`` (one row per leaf), ``importances`` and
        ``test_predictions`` (customer_id, actual, predicted and positive-class probability of both).
        Figures ``roc`` (binary), ``tree``, ``confusion_matrix`` and ``importances``.
    """
    from lightgbm import LGBMClassifier

    y_train, y_test = y_train.astype(str), y_test.astype(str)
    _check_classes(y_train, target)
    counts = y_train.value_counts()
    if counts.min() < MIN_CLASS_ROWS:
        raise ShopmineInputError(
            f"5-fold cross-validation needs at least {MIN_CLASS_ROWS} training customers of each class of "
            f"{target!r}; class {counts.idxmin()!r} has {int(counts.min())}. Load more orders.")
    if len(y_test) == 0:
        raise ShopmineInputError(f"no test customers for {target!r}; load more orders.")
    names = [str(c) for c in X_train.columns]
    classes = sorted(set(y_train) | set(y_test))
    binary = len(classes) == 2
    if binary:
        # A named class may be one the test customers alone hold; the default is the training's minority.
        positive = pick_positive_class(y_train if positive_class is None else pd.concat([y_train, y_test]),
                                       positive_class, target)
    else:
        positive = None
    scoring = "roc_auc" if binary and y_train.nunique() == 2 else "accuracy"

    if binary:
        # roc_auc scores the probability of classes_[1]; the positive class must be that one.
        y_fit = (y_train == positive).astype(int)
    else:
        y_fit = y_train
    # The tree of `shopmine model tree`: its grid, its search, its rules.
    classic = ClassicDecisionTree(criterion="gini", seed=seed)
    tree = classic.grow(X_train.to_numpy(), y_fit, names, scoring=scoring)
    lgbm = LGBMClassifier(random_state=seed, **LGBM_PARAMS)
    lgbm.fit(X_train, y_fit.to_numpy())

    metrics: dict = {"target": target, "split_description": split_text, "n_train": len(X_train),
                     "n_test": len(X_test), "n_features": len(names), "classes": classes,
                     "positive_class": positive, "cv_scoring": scoring, f"cv_{scoring.replace('roc_', '')}":
                     classic.cv_score_, "max_depth": int(tree.get_depth()),
                     "max_depth_param": tree.max_depth, "min_samples_leaf": int(tree.min_samples_leaf),
                     "n_leaves": int(tree.get_n_leaves())}
    predictions = pd.DataFrame({"customer_id": X_test.index.astype(str), "actual": y_test.to_numpy()})
    score_rows, confusions, curves = [], {}, {}
    for key, label, model in (("tree", "decision tree", tree), ("lgbm", "LightGBM", lgbm)):
        proba = model.predict_proba(X_test if key == "lgbm" else X_test.to_numpy())
        raw = model.predict(X_test if key == "lgbm" else X_test.to_numpy())
        if binary:
            negative = next(c for c in classes if c != positive)
            predicted = np.where(raw == 1, positive, negative)
            score = proba[:, list(model.classes_).index(1)]
            predictions[f"{key}_probability"] = score
        else:
            predicted = np.asarray(raw).astype(str)
        predictions[f"{key}_predicted"] = predicted
        scores = _scores(y_test, predicted, proba, model.classes_, classes, positive)
        metrics.update({f"{key}_{k}": v for k, v in scores.items()})
        score_rows.append({"model": label, **scores})
        confusion = skm.confusion_matrix(y_test, predicted, labels=classes)
        confusions[key] = confusion
        if binary and scores["auc"] is not None:
            fpr, tpr, _ = skm.roc_curve((y_test == positive).astype(int), score)
            curves[label] = (fpr, tpr, scores["auc"])

    if binary:
        rule_names = ["no", "yes"] if set(classes) == {"no", "yes"} and positive == "yes" else \
            [next(c for c in classes if c != positive), positive]
        tree.classes_ = np.array(rule_names, dtype=object)  # readable rules and drawing: class names, not 0/1
    rules, rules_text = classic.rules()
    metrics["rules_text"] = rules_text
    importances = pd.DataFrame({"feature": names, "tree_importance": tree.feature_importances_,
                                "lgbm_gain": lgbm.booster_.feature_importance("gain")})
    importances = importances.sort_values("tree_importance", ascending=False, ignore_index=True)

    figures = {}
    if curves:
        figures["roc"] = roc_figure(curves, f"ROC on the test customers: {target}")
    figures["tree"] = tree_figure(tree, names, f"Decision tree for {target}")
    figures["confusion_matrix"] = confusion_figure(confusions["tree"], classes,
                                                   "Decision tree confusion matrix (test customers)")
    shown = importances[importances["tree_importance"] > 0].head(20)
    if len(shown):
        figures["importances"] = bar_chart(shown, "feature", "tree_importance", horizontal=True,
                                           title="Decision tree feature importance (impurity decrease)")
    tables = {
        "scores": pd.DataFrame(score_rows),
        "confusion_tree": pd.DataFrame(confusions["tree"], index=pd.Index(classes, name="actual"), columns=classes),
        "confusion_lgbm": pd.DataFrame(confusions["lgbm"], index=pd.Index(classes, name="actual"), columns=classes),
        "rules": rules,
        "importances": importances,
        "test_predictions": predictions,
    }
    top = ", ".join(importances.loc[importances["tree_importance"] > 0, "feature"].head(3)) or "none"

    def auc_text(key):
        value = metrics[f"{key}_auc"]
        return "n/a" if value is None else f"{value:.3f}"

    which = f"class {positive!r}" if binary else "macro average"
    summary = (f"A gini tree of depth {metrics['max_depth']} with {metrics['n_leaves']} leaves (minimum leaf "
               f"{metrics['min_samples_leaf']}, chosen by 5-fold CV on {scoring}) predicts {target}: test accuracy "
               f"{metrics['tree_accuracy']:.3f}, F1 ({which}) {metrics['tree_f1']:.3f}, AUC {auc_text('tree')}; "
               f"the LightGBM challenger on the same split: accuracy {metrics['lgbm_accuracy']:.3f}, AUC "
               f"{auc_text('lgbm')}. Most important features: {top}. Evaluation: {split_text}.")
    return AnalysisResult(name="classify", title=f"Classifying {target}", summary=summary, tables=tables,
                          metrics=metrics, figures=figures, models={"tree": tree, "lgbm": lgbm})


def _scores(y_true: pd.Series, predicted, proba: np.ndarray, model_classes, classes: list[str],
            positive: str | None) -> dict:
    y_true = y_true.to_numpy()
    out = {"accuracy": float(skm.accuracy_score(y_true, predicted))}
    if positive is not None:
        p, r, f, _ = skm.precision_recall_fscore_support(y_true, predicted, labels=[positive], average=None,
                                                         zero_division=0)
        out.update(precision=float(p[0]), recall=float(r[0]), f1=float(f[0]))
        truth = (y_true == positive).astype(int)
        score = proba[:, list(model_classes).index(1)]
        out["auc"] = float(skm.roc_auc_score(truth, score)) if len(set(truth)) == 2 else None
    else:
        p, r, f, _ = skm.precision_recall_fscore_support(y_true, predicted, labels=classes, average="macro",
                                                         zero_division=0)
        out.update(precision=float(p), recall=float(r), f1=float(f))
        present = [str(c) for c in model_classes]
        if set(y_true) <= set(present) and len(set(y_true)) > 1 and len(present) > 2:
            out["auc"] = float(skm.roc_auc_score(y_true, proba, multi_class="ovr", average="macro",
                                                 labels=present))
        else:
            out["auc"] = None
    return out


def read_label_file(path: str | Path) -> pd.Series:
    """Read ``customer_id,label`` (CSV; a header naming ``customer_id`` and one label column)."""
    path = Path(path)
    if not path.exists():
        raise ShopmineInputError(f"{{labels}} {path}: no such file.", "labels")
    try:
        frame = pd.read_csv(path, dtype={"customer_id": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ShopmineInputError(f"{{labels}} {path}: not a readable CSV file ({exc}).", "labels") from None
    if "customer_id" not in frame.columns or len(frame.columns) != 2:
        raise ShopmineInputError(
            f"{{labels}} {path}: expected two columns, customer_id and the label; found {', '.join(frame.columns)}.", "labels")
    label = next(c for c in frame.columns if c != "customer_id")
    return frame.set_index("customer_id")[label].rename(str(label))


def _add_current_scores(result: AnalysisResult, scores: pd.DataFrame, scored_by: str, what: str) -> None:
    result.tables["current_scores"] = scores
    result.metrics.update(scored_by=scored_by, scored_customers=len(scores))
    result.summary += (f" Today's {len(scores):,} customers are scored by the {scored_by} (the tree unless "
                       f"LightGBM's test AUC is higher by {MIN_AUC_GAIN} or more), refitted on the newest labels: "
                       f"{what}.")


def classify(
    orders: ibis.Table,
    *,
    as_of: dt.date,
    horizon_days: int = 90,
    target: str | None = None,
    labels: str | Path | pd.Series | None = None,
    customers: ibis.Table | pd.DataFrame | None = None,
    products: ibis.Table | None = None,
    seed: int = 42,
) -> AnalysisResult:
    """``shopmine classify``: buy-again by default, else a customers-table column or a label file."""
    if target is not None and labels is not None:
        raise ShopmineInputError("give either {target} or {labels}, not both.", "target", mentions=('labels',))
    if target is None and labels is None:
        return buy_again_classifier(orders, as_of=as_of, horizon_days=horizon_days, seed=seed, products=products)
    if labels is not None:
        series = labels if isinstance(labels, pd.Series) else read_label_file(labels)
        return category_classifier(orders, series, as_of=as_of, seed=seed, products=products)
    if customers is None:
        raise ShopmineInputError(f"{{target}} {target!r} needs the customers table; this workspace has none.", "target")
    if isinstance(customers, ibis.Table):
        if target not in customers.columns:
            raise ShopmineInputError(
                f"{{target}} {target!r} is not a column of the customers table; available columns: "
                f"{', '.join(c for c in customers.columns if c != 'customer_id')}.", "target")
        customers = customers.select("customer_id", target).to_pandas()
    elif target not in customers.columns:
        raise ShopmineInputError(
            f"{{target}} {target!r} is not a column of the customers table; available columns: "
            f"{', '.join(c for c in customers.columns if c != 'customer_id')}.", "target")
    if target == "customer_id":
        raise ShopmineInputError("{target} customer_id is the key, not a category; choose another column.", "target")
    series = customers.assign(customer_id=customers["customer_id"].astype(str)).set_index("customer_id")[target]
    return category_classifier(orders, series, as_of=as_of, seed=seed, products=products, target=target)
