"""Parameter validation: one message shape, naming the parameter and its allowed range."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from shopmine.errors import ShopmineInputError
from shopmine.simulate import DEFAULT_SEGMENTS, PARAMETER_NAMES, Segment, ShopParameters, simulate_shop

DOCS = Path(__file__).resolve().parents[2] / "docs" / "simulator.md"
TINY = {"n_customers": 20, "n_products": 10, "n_days": 20}


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n_customers": 0},
     "The 'n_customers' parameter of simulate_shop must be an int in [1, inf). Got 0 instead."),
    ({"n_products": 2.5},
     "The 'n_products' parameter of simulate_shop must be an int in [1, inf). Got 2.5 instead."),
    ({"n_days": True},
     "The 'n_days' parameter of simulate_shop must be an int in [1, inf). Got True instead."),
    ({"seed": -1}, "The 'seed' parameter of simulate_shop must be an int in [0, inf). Got -1 instead."),
    ({"start": "2023-13-01"},
     "The 'start' parameter of simulate_shop must be a date like '2023-01-01'. Got '2023-13-01' instead."),
    ({"fraud_order_share": 0.9},
     "The 'fraud_order_share' parameter of simulate_shop must be a float in [0, 0.5]. Got 0.9 instead."),
    ({"guest_order_share": -0.1},
     "The 'guest_order_share' parameter of simulate_shop must be a float in [0, 0.9]. Got -0.1 instead."),
    ({"trend_per_year": -1.0},
     "The 'trend_per_year' parameter of simulate_shop must be a float in (-1, 10). Got -1.0 instead."),
    ({"currency": "eur"}, "The 'currency' parameter of simulate_shop must be a string of 3 upper-case "
                          "letters. Got 'eur' instead."),
    ({"weekly_factors": (1, 1, 1)}, "The 'weekly_factors' parameter of simulate_shop must be a "
                                    "sequence of 7 floats, each float in (0, inf). Got (1, 1, 1) "
                                    "instead."),
    ({"promo_depth_min": 0.5, "promo_depth_max": 0.2}, "The 'promo_depth_max' parameter of "
     "simulate_shop must be a value >= promo_depth_min (0.5). Got 0.2 instead."),
])
def test_bad_value_names_parameter_and_range(kwargs, message):
    with pytest.raises(ShopmineInputError, match=re.escape(message)):
        simulate_shop(**{**TINY, **kwargs})


def test_unknown_parameter_is_named():
    with pytest.raises(ShopmineInputError, match=r"unexpected parameter 'n_customer'\. Valid"):
        simulate_shop(n_customer=10)


def test_segment_shares_must_sum_to_one():
    segments = [dataclasses.replace(s, share=0.1) for s in DEFAULT_SEGMENTS]
    with pytest.raises(ShopmineInputError, match=r"'segments' parameter .* shares sum to 1\. Got 0\.5"):
        simulate_shop(**TINY, segments=segments)


def test_segment_field_out_of_range_is_named():
    segments = list(DEFAULT_SEGMENTS)
    segments[1] = dataclasses.replace(segments[1], price_sensitivity=1.5)
    with pytest.raises(ShopmineInputError, match=re.escape(
            "The 'segments[1].price_sensitivity' parameter of simulate_shop must be a float in "
            "[0, 1]. Got 1.5 instead.")):
        simulate_shop(**TINY, segments=segments)


def test_segments_accept_mappings_and_custom_segments():
    segments = [dict(s.__dict__) for s in DEFAULT_SEGMENTS[:2]]
    segments[0]["share"], segments[1]["share"] = 0.5, 0.5
    shop = simulate_shop(**TINY, segments=segments, seed=1)
    names = set(shop.truth_customers["segment"].to_pylist())
    assert names <= {"loyal", "bargain_hunter", "fraudster"}
    assert shop.parameters.segments[0] == Segment(**segments[0])


def test_validated_normalises_weekly_factors_to_mean_one():
    params = ShopParameters(weekly_factors=(1, 1, 1, 1, 1, 2, 2)).validated()
    assert sum(params.weekly_factors) == pytest.approx(7.0)
    assert params.weekly_factors[5] == pytest.approx(2 * params.weekly_factors[0])


def test_price_grid_size_is_bounded():
    with pytest.raises(ShopmineInputError, match=r"'n_days' parameter of simulate_shop must be at most"):
        simulate_shop(n_customers=10, n_products=1_000_000, n_days=730)


def test_every_parameter_and_segment_field_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    fields = PARAMETER_NAMES + tuple(f.name for f in dataclasses.fields(Segment))
    missing = [name for name in fields if f"`{name}`" not in text]
    assert missing == []
