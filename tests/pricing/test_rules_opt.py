"""The pricing rules: each bad value names its parameter; a bounds file's errors name the file, row, column."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from shopmine.errors import ShopmineInputError
from shopmine.pricing.bounds import read_bounds
from shopmine.pricing.rules import PriceRules, allowed_interval, violations


@pytest.mark.parametrize("kwargs, parameter, shown", [
    ({"max_change": 0}, "max_change", "got 0."), ({"max_change": 1.01}, "max_change", "got 1.01."),
    ({"max_change": -0.1}, "max_change", "got -0.1."), ({"max_change": float("nan")}, "max_change", "got nan."),
    ({"max_change": True}, "max_change", "got True."), ({"max_change": "0.1"}, "max_change", "got '0.1'."),
    ({"min_margin": 1.0}, "min_margin", "got 1.0."), ({"min_margin": -0.01}, "min_margin", "got -0.01."),
    ({"ending": 1.0}, "ending", "got 1.0."), ({"ending": -0.5}, "ending", "got -0.5."),
    ({"objective": "margin"}, "objective", "one of profit, revenue; got 'margin'."),
])
def test_bad_rules_name_the_parameter(kwargs, parameter, shown):
    with pytest.raises(ShopmineInputError, match=rf"^{parameter} must be .*{shown}") as err:
        PriceRules(**kwargs)
    assert err.value.parameter == parameter


def test_edges_of_the_ranges_are_allowed():
    rules = PriceRules(max_change=1, min_margin=0, ending=0)
    assert (rules.max_change, rules.min_margin, rules.ending) == (1.0, 0.0, 0.0)


def test_allowed_interval_and_violations_by_hand():
    rules = PriceRules(max_change=0.2, min_margin=0.25)
    low, high = allowed_interval([10.0, 10.0, 10.0], [6.3, np.nan, 2.0], rules, [0, 0, 9.0], [np.inf, 11.0, np.inf])
    assert low.tolist() == [pytest.approx(8.4), 8.0, 9.0] and high.tolist() == [12.0, 11.0, 12.0]
    assert violations(12.0, 10.0, 6.3, rules) == []
    assert violations(12.01, 10.0, 6.3, rules) == ["max change"]
    assert violations(8.39, 10.0, 6.3, rules) == ["margin floor"]
    assert violations(8.5, 10.0, math.nan, rules, 9.0) == ["price bounds"]
    assert violations(0.0, 10.0, 1.0, rules) == ["positive price"]


def write(tmp_path, text, name="bounds.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_bounds_file_keeps_ids_as_text_and_blank_as_no_bound(tmp_path):
    bounds = read_bounds(write(tmp_path, "product_id,min_price,max_price,note\n00123,2.5,\n17850.0,,9\n"))
    assert bounds["product_id"].tolist() == ["00123", "17850"]
    assert bounds["min_price"].tolist()[0] == 2.5 and math.isnan(bounds["min_price"].iloc[1])
    assert math.isnan(bounds["max_price"].iloc[0]) and bounds["max_price"].iloc[1] == 9.0
    low, high = PriceRules(bounds=bounds).bounds_of(pd.Series(["17850", "00123", "x"]))
    assert low.tolist() == [0.0, 2.5, 0.0] and high.tolist() == [9.0, np.inf, np.inf]


@pytest.mark.parametrize("text, message", [
    ("product_id,min_price\na,1\n", r"bounds .*bounds.csv: no column 'max_price'; a bounds file has the columns "
                                    r"product_id, min_price, max_price \(found: 'product_id', 'min_price'\)"),
    ("product_id,min_price,max_price\na,1,2\nb,cheap,3\n",
     r"bounds .*bounds.csv, row 3, column min_price: 'cheap' is not a number"),
    ("product_id,min_price,max_price\na,1,inf\n", r"row 2, column max_price: 'inf' is not a price"),
    ("product_id,min_price,max_price\na,-1,2\n", r"row 2, column min_price: '-1' is not a price"),
    ("product_id,min_price,max_price\na,5,2\n", r"row 2: min_price 5 is above max_price 2 for product 'a'"),
    ("product_id,min_price,max_price\na,1,2\n a ,1,3\n", r"row 3, column product_id: product 'a' is listed again "
                                                          r"\(first in row 2\)"),
    ("product_id,min_price,max_price\n,1,2\n", r"row 2, column product_id: the id is empty"),
])
def test_bad_bounds_files_name_file_row_and_column(tmp_path, text, message):
    with pytest.raises(ShopmineInputError, match=message) as err:
        read_bounds(write(tmp_path, text))
    assert err.value.parameter == "bounds"


def test_missing_or_unknown_bounds_file(tmp_path):
    with pytest.raises(ShopmineInputError, match=r"bounds .*nope.csv: no such file"):
        read_bounds(tmp_path / "nope.csv")
    with pytest.raises(ShopmineInputError, match=r"unknown file type"):
        read_bounds(write(tmp_path, "x", "bounds.json"))


def test_bounds_from_parquet(tmp_path):
    path = tmp_path / "b.parquet"
    pd.DataFrame({"product_id": ["a"], "min_price": [1.0], "max_price": [None]}).to_parquet(path)
    bounds = read_bounds(path)
    assert bounds["product_id"].tolist() == ["a"] and bounds["min_price"].tolist() == [1.0]
    assert math.isnan(bounds["max_price"].iloc[0])
