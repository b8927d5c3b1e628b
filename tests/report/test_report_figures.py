"""Figure helpers: one template, correct traces, a least-squares line that is least squares."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shopmine.errors import ShopmineInputError
from shopmine.figures import (
    FONT_FAMILY,
    bar_chart,
    histogram,
    line_chart,
    scatter_with_fit,
)


@pytest.fixture
def panel() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "ds": np.tile(pd.date_range("2024-01-01", periods=10), 3),
            "category": np.repeat(["home", "garden", "toys"], 10),
            "units": rng.poisson(20, 30),
        }
    )


def test_all_helpers_share_the_template(panel):
    figures = [
        line_chart(panel, "ds", "units", color="category", title="Units"),
        bar_chart(panel, "category", "units"),
        histogram(panel, "units"),
        scatter_with_fit(panel.assign(x=np.arange(30)), "x", "units"),
    ]
    for fig in figures:
        assert fig.layout.template.layout.font.family == FONT_FAMILY
        assert fig.layout.template.layout.plot_bgcolor == "white"


def test_line_chart_draws_one_line_per_colour(panel):
    fig = line_chart(panel, "ds", "units", color="category", title="Units by category")
    assert [t.name for t in fig.data] == ["home", "garden", "toys"]
    assert all(t.mode == "lines" for t in fig.data)
    assert fig.layout.title.text == "Units by category"


def test_bar_chart_horizontal_swaps_axes():
    df = pd.DataFrame({"segment": ["loyal", "new"], "customers": [120, 80]})
    fig = bar_chart(df, "segment", "customers", horizontal=True)
    assert fig.data[0].orientation == "h"
    assert list(fig.data[0].y) == ["loyal", "new"]
    assert list(fig.data[0].x) == [120, 80]


def test_histogram_bins(panel):
    fig = histogram(panel, "units", nbins=5, title="Units")
    assert fig.data[0].type == "histogram"
    assert fig.data[0].nbinsx == 5


def test_missing_column_is_named(panel):
    message = "Column 'price' is not in the table; available columns: ds, category, units"
    with pytest.raises(ShopmineInputError, match=message):
        line_chart(panel, "ds", "price")


def test_scatter_with_fit_recovers_a_known_line():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, 200)
    df = pd.DataFrame({"price": x, "units": 3.0 - 2.0 * x + rng.normal(0, 0.1, 200)})
    df.loc[5, "units"] = np.nan  # rows without both values are left out of the fit
    fig = scatter_with_fit(df, "price", "units", "Units vs price")
    points, line = fig.data
    assert len(points.x) == 199
    slope, intercept = line.meta["slope"], line.meta["intercept"]
    assert slope == pytest.approx(-2.0, abs=0.01)
    assert intercept == pytest.approx(3.0, abs=0.05)
    # exactly numpy's least-squares solution on the kept rows
    keep = df.dropna()
    np.testing.assert_allclose([slope, intercept], np.polyfit(keep.price, keep.units, 1))
    # the line spans the data and lies on the fit
    assert list(line.x) == [keep.price.min(), keep.price.max()]
    np.testing.assert_allclose(line.y, slope * np.asarray(line.x) + intercept)
    assert line.name == f"fit: units = {slope:.4g} · price + {intercept:.4g}"
    assert fig.layout.title.text == "Units vs price"
    assert fig.layout.xaxis.title.text == "price"


def test_scatter_with_fit_hand_computed():
    # Least squares by hand: slope = sxy / sxx, intercept = mean(y) - slope * mean(x).
    df = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "y": [1.0, 3.0, 5.0, 6.0]})
    # mean x = 1.5, mean y = 3.75; sxy = (-1.5)(-2.75)+(-0.5)(-0.75)+(0.5)(1.25)+(1.5)(2.25) = 8.5
    # sxx = 2.25+0.25+0.25+2.25 = 5; slope = 1.7; intercept = 3.75 - 1.7 * 1.5 = 1.2
    line = scatter_with_fit(df, "x", "y").data[1]
    assert line.meta["slope"] == pytest.approx(1.7)
    assert line.meta["intercept"] == pytest.approx(1.2)
    assert line.name == "fit: y = 1.7 · x + 1.2"


@pytest.mark.parametrize(
    ("df", "message"),
    [
        (
            pd.DataFrame({"x": [1.0, 1.0, 1.0], "y": [1.0, 2.0, 3.0]}),
            "Column 'x' has the same value in every row",
        ),
        (pd.DataFrame({"x": [1.0, np.nan], "y": [1.0, 2.0]}), "needs at least 2 rows .* found 1"),
        (pd.DataFrame({"x": ["a", "b"], "y": [1.0, 2.0]}), "Column 'x' must be numeric"),
    ],
)
def test_scatter_with_fit_refuses_unfittable_data(df, message):
    with pytest.raises(ShopmineInputError, match=message):
        scatter_with_fit(df, "x", "y")
