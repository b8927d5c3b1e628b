"""The training table's checks (issue 15, acceptance 4): each bad table is refused naming the column and the fix,
and columns that cannot be features are left out with the reason."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shopmine.errors import ShopmineInputError
from shopmine.risk import train_risk
from shopmine.risk.inputs import prepare_training


def test_a_target_with_one_class_is_refused(loan_table):
    table = loan_table.assign(default="no")
    with pytest.raises(ShopmineInputError, match=r"target 'default' has only one value \('no'\).*both outcomes") as err:
        train_risk(table, target="default")
    assert err.value.parameter == "target"


def test_a_target_that_is_not_binary_is_refused_unless_a_positive_class_is_named(loan_table):
    table = loan_table.assign(default=np.resize(["low", "mid", "high"], len(loan_table)))
    with pytest.raises(ShopmineInputError, match=r"'default' has 3 distinct values \('high', 'low', 'mid'\); a risk "
                                                 r"model needs a binary outcome. Name the risky value with "
                                                 r"positive_class"):
        prepare_training(table, target="default")
    data = prepare_training(table, target="default", positive_class="high")
    assert (data.positive_class, data.negative_class) == ("high", "not high")
    assert data.y.sum() == (table["default"] == "high").sum()


def test_a_continuous_target_is_refused(loan_table):
    with pytest.raises(ShopmineInputError, match=r"'utilisation' has 1500 distinct values"):
        prepare_training(loan_table, target="utilisation")


def test_the_positive_class_defaults_to_the_rarer_outcome_and_must_exist(loan_table):
    data = prepare_training(loan_table, target="default")
    rarer = loan_table["default"].value_counts().idxmin()
    assert data.positive_class == rarer
    with pytest.raises(ShopmineInputError, match=r"positive_class 'maybe' is not a value of 'default'; its values "
                                                 r"are 'no', 'yes'"):
        prepare_training(loan_table, target="default", positive_class="maybe")


def test_constant_empty_id_like_and_date_columns_are_left_out_with_the_reason(loan_table):
    table = loan_table.assign(constant=7.0, empty=np.nan, serial=np.arange(len(loan_table)))
    data = prepare_training(table, target="default")
    reasons = dict(zip(data.dropped["column"], data.dropped["reason"]))
    assert reasons["constant"] == "the same value in every row"
    assert reasons["empty"] == "no values"
    assert reasons["serial"].startswith("an identifier")
    assert reasons["loan_id"].startswith("an identifier")
    assert reasons["opened"].startswith("dates")
    assert data.numeric == ["utilisation", "age", "late_payments", "noise"]
    assert data.categorical == ["region"]


def test_a_model_trains_with_a_constant_and_an_empty_column(loan_table):
    model = train_risk(loan_table.assign(constant=1, empty=None), target="default", folds=3)
    dropped = model.result_.tables["dropped_columns"]
    assert {"constant", "empty"} <= set(dropped["column"])
    assert "constant" not in model.spec["binning"] and "empty" not in model.spec["binning"]
    assert model.cv["scorecard"]["auc"] > 0.7


def test_duplicate_ids_are_refused_naming_them(loan_table):
    table = loan_table.copy()
    table.loc[5, "loan_id"] = table.loc[4, "loan_id"]
    with pytest.raises(ShopmineInputError, match=r"id_col 'loan_id' repeats 1 id\(s\), e.g. 'L00004'; ids must be "
                                                 r"unique") as err:
        prepare_training(table, target="default", id_col="loan_id")
    assert err.value.parameter == "id_col"


def test_missing_columns_and_too_few_rows_of_an_outcome_are_refused(loan_table):
    with pytest.raises(ShopmineInputError, match=r"target 'defaulted' is not a column"):
        prepare_training(loan_table, target="defaulted")
    with pytest.raises(ShopmineInputError, match=r"date_col 'when' is not a column of the table"):
        prepare_training(loan_table, target="default", date_col="when")
    few = pd.concat([loan_table[loan_table["default"] == "no"], loan_table[loan_table["default"] == "yes"].head(2)])
    with pytest.raises(ShopmineInputError, match=r"only 2 row\(s\) of its rarer outcome; 5-fold cross-validation"):
        prepare_training(few, target="default")


def test_rows_without_a_target_are_left_out_and_counted(loan_table):
    table = loan_table.copy()
    table.loc[:9, "default"] = None
    data = prepare_training(table, target="default")
    assert data.rows_without_target == 10 and len(data.y) == len(table) - 10


@pytest.mark.parametrize(("option", "value", "message"), [
    ("folds", 1, r"folds must be a whole number from 2 to 20; got 1"),
    ("pdo", 0, r"pdo must be a positive number"),
    ("base_odds", -1, r"base_odds must be a positive number"),
    ("cost_fn", -2, r"cost_fn must be a cost of at least 0"),
])
def test_bad_options_are_refused_before_the_data_is_read(option, value, message):
    with pytest.raises(ShopmineInputError, match=message):
        train_risk(pd.DataFrame(), target="default", **{option: value})


def test_a_float_target_read_from_csv_matches_positive_class_1(loan_table, tmp_path):
    # A 0/1 target with a missing value is a float column in a CSV; `--positive-class 1` arrives as "1",
    # and "1.0" or the number 1 must name the same class.
    table = loan_table.assign(default=(loan_table["default"] == "yes").astype(float))
    table.loc[5, "default"] = np.nan
    table.to_csv(tmp_path / "loans.csv", index=False)
    read = pd.read_csv(tmp_path / "loans.csv")
    assert read["default"].dtype == "float64"
    expected = (read["default"].dropna() == 1.0).to_numpy(dtype=int)
    for named in ("1", "1.0", 1, 1.0):
        data = prepare_training(read, target="default", positive_class=named)
        assert (data.positive_class, data.negative_class) == ("1", "0")
        assert data.y.tolist() == expected.tolist()
    data = prepare_training(read, target="default", positive_class="0")
    assert data.y.tolist() == (1 - expected).tolist()
