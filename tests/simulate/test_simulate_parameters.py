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
     "n_customers must be an int in [1, inf); got 0."),
    ({"n_products": 2.5},
     "n_products must be an int in [1, inf); got 2.5."),
    ({"n_days": True},
     "n_days must be an int in [1, inf); got True."),
    ({"seed": -1}, "seed must be an int in [0, inf); got -1."),
    ({"start": "2023-13-01"},
     "start must be a date like '2023-01-01'; got '2023-13-01'."),
    ({"fraud_order_share": 0.9},
     "fraud_order_share must be a float in [0, 0.5]; got 0.9."),
    ({"guest_order_share": -0.1},
     "guest_order_share must be a float in [0, 0.9]; got -0.1."),
    ({"trend_per_year": -1.0},
     "trend_per_year must be a float in (-1, 10); got -1.0."),
    ({"currency": "eur"}, "currency must be a string of 3 upper-case "
                          "letters; got 'eur'."),
    ({"weekly_factors": (1, 1, 1)}, "weekly_factors must be a "
                                    "sequence of 7 floats, each float in (0, inf); got (1, 1, 1)."),
    ({"promo_depth_min": 0.5, "promo_depth_max": 0.2}, "promo_depth_max must be a value >= promo_depth_min (0.5); got 0.2."),
])
def test_bad_value_names_parameter_and_range(kwargs, message):
    with pytest.raises(ShopmineInputError, match=re.escape(message)):
        simulate_shop(**{**TINY, **kwargs})


def test_unknown_parameter_is_named():
    with pytest.raises(ShopmineInputError, match=r"unexpected parameter 'n_customer'\. Valid"):
        simulate_shop(n_customer=10)


def test_segment_shares_must_sum_to_one():
    segments = [dataclasses.replace(s, share=0.1) for s in DEFAULT_SEGMENTS]
    with pytest.raises(ShopmineInputError, match=r"^segments must be segments whose shares sum to 1; got 0\.5"):
        simulate_shop(**TINY, segments=segments)


def test_segment_field_out_of_range_is_named():
    segments = list(DEFAULT_SEGMENTS)
    segments[1] = dataclasses.replace(segments[1], price_sensitivity=1.5)
    with pytest.raises(ShopmineInputError, match=re.escape(
            "segments[1].price_sensitivity must be a float in "
            "[0, 1]; got 1.5.")):
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
    with pytest.raises(ShopmineInputError, match=r"^n_days must be at most"):
        simulate_shop(n_customers=10, n_products=1_000_000, n_days=730)


def test_every_parameter_and_segment_field_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    fields = PARAMETER_NAMES + tuple(f.name for f in dataclasses.fields(Segment))
    missing = [name for name in fields if f"`{name}`" not in text]
    assert missing == []
