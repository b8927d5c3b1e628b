"""Risk models against references on German credit and Give Me Some Credit (issue 15, acceptance 1 and 4).

Protocol, per data set: 5-fold stratified cross-validation (``StratifiedKFold(5, shuffle=True,
random_state=0)``, the folds ``train_risk`` uses), the same folds for every model:

- the product path: the CSV through ``Shop.risk_train`` in a fresh workspace (what ``shopmine risk train``
  runs), which cross-validates the scorecard (optbinning WoE + statsmodels Logit) and the LightGBM challenger
  and serves the better; GMSC declares 96 and 98 as special codes (``--special-codes 96,98``);
- references fitted here on the same folds: plain logistic regression (median-imputed, standardised numbers,
  one-hot categories, scikit-learn defaults), a depth-5 decision tree (same encoding), default LightGBM
  (``LGBMClassifier()``, categories as pandas categoricals).

Reported per model: AUC mean +- sd over the folds, Brier score and expected calibration error (deciles) of the
out-of-fold probabilities, beside the issue's figures. Target: the served model beats the best reference on
both sets, and the scorecard is within 0.01 of it.

Scoring: 1,000,000 rows (GMSC's unlabelled cs-test.csv.gz repeated, fresh ids) written to Parquet and scored
by ``Shop.risk_score`` (read, score with reasons, save the run) and by ``RiskModel.score`` in memory, with the
served model (the challenger: its reasons are LightGBM SHAP values) and with the scorecard.

Run: ``PYTHONPATH=src .venv/bin/python bench/risk.py [--data-dir DIR] [--sets german,gmsc] [--score-rows N]``;
prints the tables and writes bench/results/risk.json. ``--score-only`` trains the GMSC model through the product
path without the references and replaces only the ``scoring`` entry of that file (the scoring speed alone).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from shared_data import add_data_dir_option, data_dir
from shopmine.classic.evaluation import binary_scores, calibration_error
from shopmine.risk.saved import load_risk_model
from shopmine.shop import Shop
from shopmine.workspace import Workspace

SETS = {
    "german": {"file": "german_credit/germancredit.csv", "target": "creditability", "id": None, "positive": "bad",
               "special_codes": None,
               "issue": {"woe_lr": "0.784 +- 0.025", "plain_lr": "0.780", "lightgbm": "0.768", "tree": "0.678"}},
    "gmsc": {"file": "give_me_some_credit/cs-training.csv.gz", "target": "SeriousDlqin2yrs", "id": "Id",
             "positive": "1", "special_codes": [96, 98],
             "issue": {"lightgbm": "0.865 +- 0.004", "woe_lr": "0.857", "tree": "0.844", "plain_lr": "0.699",
                       "competition_winners": "about 0.87"}},
}
FOLDS, SEED = 5, 0
REFERENCES = ("plain_lr", "tree_depth5", "lightgbm_default")


def _encoder(numeric: list[str], categorical: list[str], scale: bool) -> ColumnTransformer:
    steps = [SimpleImputer(strategy="median")] + ([StandardScaler()] if scale else [])
    return ColumnTransformer([("n", make_pipeline(*steps), numeric),
                              ("c", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                                  OneHotEncoder(handle_unknown="ignore")), categorical)])


def references(X: pd.DataFrame, y: np.ndarray) -> dict[str, dict]:
    """The three reference models on the product's folds: fold AUCs and out-of-fold probabilities."""
    categorical = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    numeric = [c for c in X.columns if c not in categorical]
    X_lgb = X.copy()
    for column in categorical:
        X_lgb[column] = X_lgb[column].astype("category")
    out = {name: {"fold_auc": [], "oof": np.zeros(len(y))} for name in REFERENCES}
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(X, y):
        models = {
            "plain_lr": make_pipeline(_encoder(numeric, categorical, True), LogisticRegression(max_iter=5000)),
            "tree_depth5": make_pipeline(_encoder(numeric, categorical, False),
                                         DecisionTreeClassifier(max_depth=5, random_state=SEED)),
        }
        for name, model in models.items():
            model.fit(X.iloc[train], y[train])
            out[name]["oof"][test] = model.predict_proba(X.iloc[test])[:, 1]
        booster = lgb.LGBMClassifier(verbose=-1, n_jobs=1, random_state=SEED).fit(X_lgb.iloc[train], y[train])
        out["lightgbm_default"]["oof"][test] = booster.predict_proba(X_lgb.iloc[test])[:, 1]
        for name in REFERENCES:
            out[name]["fold_auc"].append(roc_auc_score(y[test], out[name]["oof"][test]))
    return out


def run_set(name: str, root: Path, tmp: Path) -> dict:
    spec = SETS[name]
    path = root / spec["file"]
    table = pd.read_csv(path)
    y = (table[spec["target"]].astype(str) == spec["positive"]).to_numpy(dtype=int)
    X = table.drop(columns=[c for c in (spec["target"], spec["id"]) if c])
    rows = []
    started = time.time()
    reference = references(X, y)
    reference_seconds = time.time() - started
    for model, r in reference.items():
        aucs = np.array(r["fold_auc"])
        rows.append({"model": model, "auc": aucs.mean(), "auc_sd": aucs.std(), "brier": binary_scores(y, r["oof"])["brier"],
                     "ece": calibration_error(y, r["oof"]), "fold_auc": aucs.tolist()})
    started = time.time()
    workspace = Workspace(tmp / f"ws-{name}", create=True)
    with Shop(workspace) as shop:
        result = shop.risk_train(path, target=spec["target"], id_col=spec["id"], positive_class=spec["positive"],
                                 folds=FOLDS, special_codes=spec["special_codes"], random_state=SEED)
    train_seconds = time.time() - started
    metrics, folds = result.metrics, result.tables["folds"]
    for model in ("scorecard", "challenger"):
        rows.append({"model": model, "auc": metrics[f"{model}_auc"], "auc_sd": metrics[f"{model}_auc_sd"],
                     "brier": metrics[f"{model}_brier"], "ece": metrics[f"{model}_ece"],
                     "fold_auc": folds[f"{model}_auc"].tolist(), "served": metrics["served"] == model})
    frame = pd.DataFrame(rows)
    best_reference = frame[frame["model"].isin(REFERENCES)].sort_values("auc").iloc[-1]
    served = frame[frame["model"] == metrics["served"]].iloc[0]
    scorecard = frame[frame["model"] == "scorecard"].iloc[0]
    return {
        "data": name, "rows": int(len(y)), "positives": int(y.sum()), "served": metrics["served"],
        "models": frame.to_dict(orient="records"),
        "best_reference": best_reference["model"], "best_reference_auc": float(best_reference["auc"]),
        "served_beats_best_reference": bool(served["auc"] > best_reference["auc"]),
        "served_margin": float(served["auc"] - best_reference["auc"]),
        "scorecard_within_0_01": bool(scorecard["auc"] >= best_reference["auc"] - 0.01),
        "scorecard_gap": float(scorecard["auc"] - best_reference["auc"]),
        "scorecard_features": metrics["scorecard_features"], "challenger_trees": metrics["challenger_trees"],
        "product_train_seconds": round(train_seconds, 1), "reference_seconds": round(reference_seconds, 1),
        "run_id": result.run_id, "issue_figures": spec["issue"], "workspace": workspace,
    }


def score_million(root: Path, workspace: Workspace, tmp: Path, n_rows: int) -> dict:
    """Score ``n_rows`` rows of GMSC's unlabelled test file (repeated, fresh ids) with the saved GMSC model."""
    test = pd.read_csv(root / "give_me_some_credit" / "cs-test.csv.gz").drop(columns=["SeriousDlqin2yrs"])
    big = pd.concat([test] * int(np.ceil(n_rows / len(test))), ignore_index=True).head(n_rows)
    big["Id"] = np.arange(1, len(big) + 1)
    path = tmp / "score.parquet"
    big.to_parquet(path, index=False)
    model, _ = load_risk_model(workspace)
    started = time.time()
    in_memory = model.score(big)
    memory_seconds = time.time() - started
    started = time.time()
    with Shop(workspace) as shop:
        result = shop.risk_score(path)
    product_seconds = time.time() - started
    assert len(result.tables["scores"]) == n_rows and result.tables["scores"]["id"].is_unique
    pd.testing.assert_frame_equal(result.tables["scores"].reset_index(drop=True), in_memory.reset_index(drop=True))
    # The same rows through the scorecard (reasons from its points), as when the scorecard is served.
    from shopmine.risk import RiskModel

    card = RiskModel(served="scorecard", cv=model.cv, spec=model.spec, booster=model.booster)
    started = time.time()
    card.score(big)
    card_seconds = time.time() - started
    return {"rows": n_rows, "served": model.served, "in_memory_seconds": round(memory_seconds, 1),
            "scorecard_in_memory_seconds": round(card_seconds, 1),
            "scorecard_rows_per_second": round(n_rows / card_seconds),
            "in_memory_rows_per_second": round(n_rows / memory_seconds),
            "product_seconds": round(product_seconds, 1), "product_rows_per_second": round(n_rows / product_seconds),
            "rows_without_reason": int((in_memory["reason_1"] == "").sum()),
            # The machine is shared: the load when scoring ended says how much of it this run had.
            "load_average_1min": round(os.getloadavg()[0], 1)}


def score_only(root: Path, tmp: Path, n_rows: int) -> dict:
    """Train the GMSC model as ``shopmine risk train`` does (no references) and score ``n_rows`` rows with it."""
    spec = SETS["gmsc"]
    workspace = Workspace(tmp / "ws-gmsc", create=True)
    with Shop(workspace) as shop:
        shop.risk_train(root / spec["file"], target=spec["target"], id_col=spec["id"], positive_class=spec["positive"],
                        folds=FOLDS, special_codes=spec["special_codes"], random_state=SEED)
    return score_million(root, workspace, tmp, n_rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_dir_option(parser)
    parser.add_argument("--sets", default="german,gmsc", help="comma-separated: german, gmsc")
    parser.add_argument("--score-rows", type=int, default=1_000_000, help="rows to score (0: skip)")
    parser.add_argument("--score-only", action="store_true", help="only the scoring of --score-rows GMSC rows; "
                        "replaces the scoring entry of bench/results/risk.json")
    args = parser.parse_args()
    root = data_dir()
    path = Path(__file__).parent / "results" / "risk.json"
    if args.score_only:
        with tempfile.TemporaryDirectory(prefix="riskbench-") as folder:
            scoring = score_only(root, Path(folder), args.score_rows)
        print(f"scoring: {scoring}")
        out = json.loads(path.read_text())
        out["scoring"] = scoring
        path.write_text(json.dumps(out, indent=2) + "\n")
        print(f"written: {path} (scoring only)")
        return
    start, cpu = time.time(), time.process_time()
    out: dict = {"protocol": f"{FOLDS}-fold stratified CV (shuffle, random_state={SEED}), the same folds for "
                             f"every model; product path Shop.risk_train on the CSV",
                 "machine": {"python": platform.python_version(), "processor": platform.processor() or platform.machine(),
                             "lightgbm": lgb.__version__}, "sets": []}
    with tempfile.TemporaryDirectory(prefix="riskbench-") as folder:
        tmp = Path(folder)
        workspaces = {}
        for name in args.sets.split(","):
            found = run_set(name.strip(), root, tmp)
            workspaces[found["data"]] = found.pop("workspace")
            out["sets"].append(found)
            table = pd.DataFrame(found["models"]).drop(columns=["fold_auc"])
            print(f"\n{found['data']}: {found['rows']:,} rows, {found['positives']:,} positive; served: "
                  f"{found['served']}; issue's figures: {found['issue_figures']}")
            print(table.round(4).to_string(index=False))
            print(f"best reference {found['best_reference']} {found['best_reference_auc']:.4f}; served beats it: "
                  f"{found['served_beats_best_reference']} ({found['served_margin']:+.4f}); scorecard within 0.01: "
                  f"{found['scorecard_within_0_01']} ({found['scorecard_gap']:+.4f}); product train "
                  f"{found['product_train_seconds']} s", flush=True)
        if args.score_rows and "gmsc" in workspaces:
            out["scoring"] = score_million(root, workspaces["gmsc"], tmp, args.score_rows)
            print(f"\nscoring: {out['scoring']}")
    out["wall_seconds"], out["cpu_seconds"] = round(time.time() - start), round(time.process_time() - cpu)
    print(f"{out['wall_seconds']} s wall, {out['cpu_seconds']} s CPU (this process)")
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"written: {path}")


if __name__ == "__main__":
    main()
