"""Latent customer segments: the behaviour each simulated customer is drawn from."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from typing import Any

from shopmine.simulate.constraints import Interval, Text, check, fail


@dataclass(frozen=True)
class Segment:
    """One latent customer segment.

    Customer-level values are drawn around the segment's values, as in the BG/NBD model: a purchase
    rate from a gamma distribution and a dropout probability from a beta distribution.

    Parameters
    ----------
    name : str
        Segment name, stored in ``truth_customers.segment``.
    share : float
        Share of the registered customers in the segment; the shares of all segments sum to 1.
    purchase_rate : float
        Mean orders per day while active, at baseline intensity (average weekday and season, trend 1).
    rate_shape : float
        Gamma shape of the purchase rate across the segment's customers (small = heterogeneous).
    dropout_prob : float
        Mean probability of becoming inactive right after each purchase (BG/NBD ``p``).
    dropout_concentration : float
        Beta concentration ``a + b`` of the dropout probability (large = homogeneous).
    basket_lines : float
        Mean product lines per order (1 + Poisson(basket_lines - 1)).
    price_sensitivity : float
        Mean price sensitivity in [0, 1]: how strongly the customer's lines go to promoted products.
    return_propensity : float
        Multiplier on the category return rate.
    category_affinity : float
        Probability that a line is drawn towards the customer's favourite top category.
    favourites : float, default=3.0
        Mean number of favourite products per customer (Poisson), bought again whenever their
        repurchase cycle comes due.
    elasticity_multiplier : float, default=1.0
        The segment's price response: its customers' demand for product *p* has the elasticity
        ``elasticity_p x elasticity_multiplier`` (above 1: more price sensitive).
    promo_affinity : float, default=1.0
        How strongly a promotion's display draws the segment beyond its lower price: the segment's
        demand for a promoted product is multiplied by ``promo_display_lift ** promo_affinity``
        (0: not at all).
    """

    name: str
    share: float
    purchase_rate: float
    rate_shape: float
    dropout_prob: float
    dropout_concentration: float
    basket_lines: float
    price_sensitivity: float
    return_propensity: float
    category_affinity: float
    favourites: float = 3.0
    elasticity_multiplier: float = 1.0
    promo_affinity: float = 1.0


SEGMENT_CONSTRAINTS: dict[str, Any] = {
    "name": Text(),
    "share": Interval(float, 0, 1),
    "purchase_rate": Interval(float, 0, 10, "right"),
    "rate_shape": Interval(float, 0, float("inf"), "neither"),
    "dropout_prob": Interval(float, 0, 1, "right"),
    "dropout_concentration": Interval(float, 0, float("inf"), "neither"),
    "basket_lines": Interval(float, 1, 50),
    "price_sensitivity": Interval(float, 0, 1),
    "return_propensity": Interval(float, 0, 5),
    "category_affinity": Interval(float, 0, 1),
    "favourites": Interval(float, 0, 50),
    "elasticity_multiplier": Interval(float, 0, 5),
    "promo_affinity": Interval(float, 0, 10),
}

DEFAULT_SEGMENTS: tuple[Segment, ...] = (
    Segment("loyal", share=0.15, purchase_rate=0.115, rate_shape=4.0, dropout_prob=0.008,
            dropout_concentration=40.0, basket_lines=3.2, price_sensitivity=0.2,
            return_propensity=0.6, category_affinity=0.6, favourites=4.0,
            elasticity_multiplier=0.6, promo_affinity=0.0),
    Segment("bargain_hunter", share=0.25, purchase_rate=0.071, rate_shape=3.0, dropout_prob=0.025,
            dropout_concentration=30.0, basket_lines=2.4, price_sensitivity=0.85,
            return_propensity=1.2, category_affinity=0.3, favourites=0.0,
            elasticity_multiplier=1.6, promo_affinity=4.0),
    Segment("occasional", share=0.30, purchase_rate=0.032, rate_shape=2.0, dropout_prob=0.04,
            dropout_concentration=20.0, basket_lines=1.8, price_sensitivity=0.45,
            return_propensity=1.0, category_affinity=0.5, favourites=3.0),
    Segment("one_time", share=0.20, purchase_rate=0.019, rate_shape=2.0, dropout_prob=0.75,
            dropout_concentration=10.0, basket_lines=1.6, price_sensitivity=0.5,
            return_propensity=1.1, category_affinity=0.4, favourites=2.0),
    Segment("churner", share=0.10, purchase_rate=0.105, rate_shape=3.0, dropout_prob=0.12,
            dropout_concentration=20.0, basket_lines=2.2, price_sensitivity=0.55,
            return_propensity=1.5, category_affinity=0.4, favourites=2.5),
)


def validate_segments(value: Any) -> tuple[Segment, ...]:
    """Segments as a tuple of :class:`Segment`; mappings are accepted (from JSON or a config file)."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        fail("segments", "a non-empty sequence of Segment", value)
    items = list(value)
    if not items:
        fail("segments", "a non-empty sequence of Segment", value)
    names = [f.name for f in fields(Segment)]
    # Fields with a default (added later) may be left out of a mapping.
    defaults = {f.name: f.default for f in fields(Segment) if f.default is not MISSING}
    required = [n for n in names if n not in defaults]
    segments = []
    for i, item in enumerate(items):
        raw = item.__dict__ if isinstance(item, Segment) else item
        if not isinstance(raw, dict) or not set(required) <= set(raw) <= set(names):
            fail(f"segments[{i}]", f"a Segment or a mapping with keys {', '.join(required)} "
                 f"(optional: {', '.join(defaults)})", item)
        raw = {**defaults, **raw}
        checked = {k: check(f"segments[{i}].{k}", raw[k], SEGMENT_CONSTRAINTS[k]) for k in names}
        segments.append(Segment(**checked))
    if len({s.name for s in segments}) != len(segments):
        fail("segments", "segments with distinct names", [s.name for s in segments])
    total = sum(s.share for s in segments)
    if abs(total - 1.0) > 1e-6:
        fail("segments", "segments whose shares sum to 1", round(total, 6))
    return tuple(segments)
