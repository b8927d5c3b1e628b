"""Optimal WoE binning of every feature (optbinning), the information-value screen, and the binning as JSON.

The binning handles what hand-cleaning would otherwise: extreme values fall into the outer bins, missing
values get their own bin, declared special codes (96/98 "unknown" counts in Give Me Some Credit) get theirs,
and categories are grouped by their event rate. Numeric trends are chosen per feature
(``auto_heuristic``: ascending, descending, peak or valley) so that points move the way the data does.

Each fitted feature is stored as optbinning's own ``OptimalBinning.to_dict()`` and rebuilt from it for
scoring, exactly as ``OptimalBinning.read_json`` does, without a file and without pickle.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from optbinning import BinningProcess, OptimalBinning
from optbinning.binning.binning_statistics import BinningTable

__all__ = ["MIN_IV", "fit_binning", "binning_specs", "iv_table", "load_binnings", "transform"]

#: Features whose information value is below this are screened out of the scorecard (a common rule of
#: thumb: under 0.02 a feature is "not predictive").
MIN_IV = 0.02
#: Rows per pre-bin that keep a bin's event rate meaningful; on large tables pre-bins get finer (down to 1 %
#: of the rows), on small ones they stay at optbinning's default 5 %.
_PREBIN_ROWS = 500
# Special and missing rows take their own bin's WoE (optbinning's default would give them 0).
_EMPIRICAL = {"metric_special": "empirical", "metric_missing": "empirical"}


def _fit_params(n_rows: int) -> dict:
    size = float(min(0.05, max(0.01, _PREBIN_ROWS / max(n_rows, 1))))
    return {"monotonic_trend": "auto_heuristic", "min_prebin_size": size,
            "max_n_prebins": int(min(50, round(1 / size)))}


def fit_binning(X: pd.DataFrame, y: np.ndarray, numeric: list[str], categorical: list[str],
                special_codes: Sequence[float] | None = None, min_iv: float = MIN_IV) -> BinningProcess:
    """Fit optbinning's ``BinningProcess`` on every column of ``X``, selecting those with IV >= ``min_iv``."""
    names = list(X.columns)
    params = _fit_params(len(X))
    process = BinningProcess(names, categorical_variables=categorical or None,
                             special_codes=list(special_codes) if special_codes else None,
                             binning_fit_params={name: dict(params) for name in numeric},
                             selection_criteria={"iv": {"min": min_iv}})
    with warnings.catch_warnings():
        # optbinning warns about solver details (time limits, infeasible trends it then relaxes): the
        # binning it returns is what we report, so the warnings add nothing for the user.
        warnings.simplefilter("ignore")
        process.fit(X, y)
    return process


def iv_table(process: BinningProcess, min_iv: float = MIN_IV) -> pd.DataFrame:
    """``feature, kind, bins, iv, gini, selected, note``: the information-value screen, most predictive first."""
    summary = process.summary()
    table = pd.DataFrame({
        "feature": summary["name"].astype(str), "kind": summary["dtype"].astype(str),
        "bins": summary["n_bins"].astype(int), "iv": summary["iv"].astype(float),
        "gini": summary["gini"].astype(float), "selected": summary["selected"].astype(bool)})
    table["note"] = np.where(table["selected"], "", f"information value below {min_iv:g}")
    return table.sort_values(["iv", "feature"], ascending=[False, True], ignore_index=True)


def binning_specs(process: BinningProcess, names: Sequence[str]) -> dict[str, dict]:
    """optbinning's own dict of each fitted feature in ``names`` (plain JSON values)."""
    specs = {}
    for name in names:
        spec = process.get_binned_variable(name).to_dict()
        # numpy scalars and arrays into plain values, so that the registry can store them strictly.
        specs[name] = {key: _plain(value) for key, value in spec.items()}
    return specs


def _plain(value):
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def load_binnings(specs: dict[str, dict]) -> dict[str, OptimalBinning]:
    """Fitted ``OptimalBinning`` objects from :func:`binning_specs`' dicts: the state that
    ``OptimalBinning.read_json`` restores, read from a dict instead of a file."""
    binnings = {}
    for name, spec in specs.items():
        attrs = {key: np.array(value) if isinstance(value, list) and key != "special_codes" else value
                 for key, value in spec.items()}
        if spec["dtype"] == "categorical":
            # Each split is the list of categories of one bin: a ragged list, kept as a list of arrays.
            attrs["splits"] = [np.array(split) for split in spec["splits"]]
        binning = OptimalBinning(name=name, dtype=spec["dtype"], special_codes=spec["special_codes"])
        binning._is_fitted = True
        binning._binning_table = BinningTable(**attrs)
        binning._splits_optimal = attrs["splits"]
        binning._n_nonevent = attrs["n_nonevent"]
        binning._n_event = attrs["n_event"]
        binning._categories = attrs.get("categories")
        binning._cat_others = attrs.get("cat_others")
        binnings[name] = binning
    return binnings


def transform(binnings: dict[str, OptimalBinning], X: pd.DataFrame, metric: str = "woe") -> pd.DataFrame:
    """Each column of ``X`` named in ``binnings`` as its bin's WoE (``metric="woe"``) or bin index
    (``"indices"``: bins in table order, then special, then missing; -1 for a category never seen)."""
    out = {}
    for name, binning in binnings.items():
        values = X[name].to_numpy()
        out[name] = binning.transform(values, metric=metric, **_EMPIRICAL)
    return pd.DataFrame(out, index=X.index)
