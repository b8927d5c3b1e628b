"""The positive class a user names matches the target's values however both are written (issue 15)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shopmine.classic.target import class_labels, match_class, pick_positive_class
from shopmine.errors import ShopmineInputError


@pytest.mark.parametrize("named", ["1", "1.0", " 1 ", "1e0", 1, 1.0, np.int64(1), np.float32(1.0), np.float64(1.0)])
def test_one_written_any_way_names_the_class_1_of_a_float_column(named):
    # A 0/1 column with a missing value is read from CSV as floats: its labels are "0" and "1".
    labels = class_labels(pd.Series([0.0, 1.0, np.nan, 0.0]).dropna(), "default")
    assert sorted(labels.unique()) == ["0", "1"]
    assert pick_positive_class(labels, named, "default") == "1"


def test_a_float_typed_label_names_the_class_of_an_integer_column():
    labels = class_labels(pd.Series([0, 1, 1, 0, 0]), "default")
    assert pick_positive_class(labels, "1.0", "default") == "1"
    assert pick_positive_class(labels, 0.0, "default") == "0"


def test_case_is_ignored_only_when_no_class_matches_exactly():
    assert match_class("true", ["False", "True"]) == "True"
    assert match_class("Bad", ["bad", "good"]) == "bad"
    assert match_class("bad", ["BAD", "bad", "good"]) == "bad"  # exact first
    assert match_class("BAD", ["Bad", "bad"]) is None  # two classes differ only in case: neither is named


def test_numbers_match_by_value_not_by_prefix():
    assert match_class("10", ["1", "10"]) == "10"
    assert match_class("1.5", ["1", "2"]) is None
    assert match_class("01", ["1", "2"]) == "1"


def test_a_value_naming_no_class_is_refused_with_the_values():
    labels = class_labels(pd.Series(["no", "yes", "no"]), "default")
    with pytest.raises(ShopmineInputError, match=r"positive_class '2' is not a value of 'default'; its values are "
                                                 r"'no', 'yes'"):
        pick_positive_class(labels, "2", "default")


def test_without_a_named_class_the_minority_is_positive_and_ties_take_the_last():
    assert pick_positive_class(pd.Series(["a", "b", "b"]), None, "t") == "a"
    assert pick_positive_class(pd.Series(["a", "b"]), None, "t") == "b"
