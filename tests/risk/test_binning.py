"""The binning as optbinning fits it, stored as its own dict and rebuilt for scoring."""

from __future__ import annotations

import json

import numpy as np

from shopmine.registry.jsonable import to_jsonable
from shopmine.risk.binning import binning_specs, fit_binning, load_binnings, transform
from shopmine.risk.inputs import prepare_training


def test_the_stored_binning_transforms_exactly_like_the_fitted_one(loan_table):
    data = prepare_training(loan_table, target="default", id_col="loan_id")
    process = fit_binning(data.X, data.y, data.numeric, data.categorical, special_codes=[99])
    specs = binning_specs(process, list(data.X.columns))
    # through strict JSON, as the registry stores it
    loaded = load_binnings(json.loads(json.dumps(to_jsonable(specs, "specs"))))
    new = data.X.head(200).copy()
    new.loc[new.index[:3], "region"] = ["west", None, "south"]  # a category never seen, a missing one
    for metric in ("woe", "indices"):
        ours = transform(loaded, new, metric=metric)
        theirs = process.transform(new, metric=metric, metric_special="empirical", metric_missing="empirical")
        np.testing.assert_array_equal(ours[theirs.columns].to_numpy(), theirs.to_numpy())
    indices = transform(loaded, new, metric="indices")
    n_region_bins = len(loaded["region"].binning_table.build(add_totals=False)) - 2
    assert indices["region"].iloc[0] == -1  # never seen
    assert indices["region"].iloc[1] == n_region_bins + 1  # missing


def test_special_codes_and_missing_values_get_bins_of_their_own(loan_table):
    data = prepare_training(loan_table, target="default", id_col="loan_id")
    process = fit_binning(data.X, data.y, data.numeric, data.categorical, special_codes=[99])
    table = process.get_binned_variable("late_payments").binning_table.build(add_totals=False)
    special = table[table["Bin"] == "Special"]
    assert int(special["Count"].iloc[0]) == int((loan_table["late_payments"] == 99).sum())
    age = process.get_binned_variable("age").binning_table.build(add_totals=False)
    assert int(age[age["Bin"] == "Missing"]["Count"].iloc[0]) == int(loan_table["age"].isna().sum())
    # 99 never enters a numeric bin: the last numeric bin of late_payments ends with the counts seen (<= 10)
    assert process.get_binned_variable("late_payments").splits.max() < 10
