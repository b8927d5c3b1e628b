"""``ground_truth.json``: every parameter and every latent curve, in plain JSON."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from shopmine.simulate.categories import CATEGORY_TREE
from shopmine.simulate.customers import (
    CHANNELS,
    COUNTRIES,
    COUNTRY_WEIGHTS,
    KEEP_CHANNEL,
    KEEP_COUNTRY,
    KEEP_PAYMENT,
    PAYMENT_WEIGHTS,
)
from shopmine.simulate.fraud import (
    EXPENSIVE_QUANTILE,
    EXTRA_LINES,
    EXTRA_ORDERS,
    EXTRA_UNITS,
    FRAUD_CHANNELS,
    TAKEOVER_DELAY,
)
from shopmine.simulate.generate import RawShop
from shopmine.simulate.orders import GUEST_BASKET_LINES, payment_methods
from shopmine.simulate.price_response import traffic
from shopmine.simulate.preferences import (
    COMPLEMENT_DEMAND_CAP,
    COMPLEMENT_SAME_TOP,
    CYCLE_SIGMA,
    MIN_CYCLE_DAYS,
)
from shopmine.simulate.seasonality import (
    LEGIT_HOURS,
    NIGHT_HOURS,
    SUMMER_CENTRE,
    SUMMER_SD,
    WEEKDAYS,
    XMAS_CENTRE,
    XMAS_SD,
    yearly_profile,
)

FORMAT_VERSION = 1
DEMAND_MODEL = (
    "E[units of product p bought by segment g on day d] = c_g * A_g(d) * weekly(weekday(d)) "
    "* yearly(day_of_year(d)) * trend(d) * popularity_p "
    "* (unit_price_pd / base_list_price_p) ** (elasticity_p * elasticity_multiplier_g) "
    "* promo_display_lift ** (promo_affinity_g * on_promotion_pd) * mean_units_per_line_p, "
    "where A_g(d) is the sum of the purchase rates of the segment's customers active on day d, c_g "
    "rescales the segment's promotion index to the guests' mean (guests: a segment of their own "
    "with multiplier and affinity 1) and on_promotion_pd is 1 while product p is on promotion "
    "(truth_promotions); the shop's units are the sum over the segments"
)


def _r(x: Any, digits: int = 6) -> Any:
    """Rounded floats, so the JSON text does not depend on the last bits of a sum."""
    if isinstance(x, (float, np.floating)):
        return round(float(x), digits)
    if isinstance(x, (list, tuple, np.ndarray)):
        return [_r(v, digits) for v in x]
    if isinstance(x, dict):
        return {k: _r(v, digits) for k, v in x.items()}
    if isinstance(x, np.integer):
        return int(x)
    return x


def ground_truth(raw: RawShop, summary: dict[str, Any]) -> dict[str, Any]:
    p, cal = raw.params, raw.calendar
    yearly = yearly_profile(p.yearly_peak, p.summer_dip)
    months = np.array([(dt.date(2023, 1, 1) + dt.timedelta(days=i)).month for i in range(365)])
    sizes = np.bincount(raw.accounts.segment[raw.accounts.segment >= 0], minlength=len(p.segments))
    segments = [dict(s.__dict__, n_customers=int(n)) for s, n in zip(p.segments, sizes, strict=True)]
    return _r({
        "format_version": FORMAT_VERSION,
        "generator": "shopmine.simulate",
        "seed": p.seed,
        "parameters": p.to_dict(),
        "period": {"start": cal.start.isoformat(),
                   "end": (cal.start + dt.timedelta(days=p.n_days - 1)).isoformat(),
                   "n_days": p.n_days},
        "demand_model": DEMAND_MODEL,
        "promotions": {
            "schedule": ("a renewal process per product: exponential gaps with mean 365 / "
                         "promotions_per_year - mean length on a clock running at speed "
                         "yearly(d) ** promo_season_bias (mean 1 over a year), lengths in calendar "
                         "days, never overlapping"),
            "season_bias": p.promo_season_bias,
            "display_lift": p.promo_display_lift,
        },
        "segments": segments,
        "categories": [{"path": s.path, "share_of_catalogue": s.weight, "cost_median": s.cost_median,
                        "cost_sigma": s.cost_sigma, "elasticity_mean": s.elasticity_mean,
                        "return_rate": s.return_rate, "extra_units": s.extra_units}
                       for s in CATEGORY_TREE],
        "seasonality": {
            "weekly": dict(zip(WEEKDAYS, p.weekly_factors, strict=True)),
            "yearly_by_day_of_year": yearly.tolist(),
            "yearly_by_month": {str(m): float(yearly[:365][months == m].mean()) for m in range(1, 13)},
            "yearly_formula": (f"1 + yearly_peak * bump({XMAS_CENTRE}, {XMAS_SD}) - summer_dip * "
                               f"bump({SUMMER_CENTRE}, {SUMMER_SD}), bump(c, s) = exp(-0.5 * "
                               "(circular_distance(day_of_year, c) / s) ** 2), rescaled to mean 1"),
            "trend_formula": "(1 + trend_per_year) ** (day / 365.25)",
            "trend_per_year": p.trend_per_year,
        },
        "daily": {
            "date": [str(d) for d in cal.dates.astype("datetime64[D]")],
            "weekly": cal.weekly.tolist(),
            "yearly": cal.yearly.tolist(),
            "trend": cal.trend.tolist(),
            "promo_index": raw.response.index[:, raw.response.guest].tolist(),
            "promo_index_by_group": {name: raw.response.orders[:, g].tolist()
                                     for g, name in enumerate(raw.response.names)},
            "traffic_by_group": {name: t.tolist() for name, t in
                                 zip(raw.response.names, traffic(raw.group_lines,
                                                                 raw.response.index).T,
                                     strict=True)},
        },
        "hours": {"legit": LEGIT_HOURS.tolist(), "fraud_night_hours": list(range(NIGHT_HOURS))},
        "orders": {
            "countries": dict(zip(COUNTRIES, COUNTRY_WEIGHTS.tolist(), strict=True)),
            "channels": list(CHANNELS),
            "payment_methods": list(payment_methods(p)),
            "payment_weights": PAYMENT_WEIGHTS.tolist(),
            "keep_usual_channel": KEEP_CHANNEL,
            "keep_usual_payment": KEEP_PAYMENT,
            "ship_to_home_country": KEEP_COUNTRY,
            "guest_basket_lines": GUEST_BASKET_LINES,
        },
        "fraud": {
            "expensive_quantile": EXPENSIVE_QUANTILE,
            "mean_lines": 1 + EXTRA_LINES,
            "mean_units_per_line": 1 + EXTRA_UNITS,
            "mean_orders_per_fraudster_account": 1 + EXTRA_ORDERS,
            "takeover_within_days": TAKEOVER_DELAY,
            "channels": dict(zip(CHANNELS, FRAUD_CHANNELS.tolist(), strict=True)),
            "night_share": p.fraud_night_share,
            "payment_method": p.fraud_payment_method,
            "payment_share": p.fraud_payment_share,
            "foreign_share": p.fraud_foreign_share,
        },
        "preferences": {
            "n_favourites": raw.preferences.n,
            "n_complement_pairs": len(raw.preferences.comp_product),
            "favourite_rule": ("a favourite is bought in the customer's first order on or after its "
                               "due day; any purchase of it sets the next due day to the purchase "
                               "day + cycle_days * jitter"),
            "first_due": "uniform within one cycle after max(signup day, first day)",
            "cycle_days": (f"favourite_cycle_days * exp({CYCLE_SIGMA} * N(0, 1)), at least "
                           f"{MIN_CYCLE_DAYS}, rounded to 0.1"),
            "jitter": "Gamma(shape 1 / favourite_cycle_jitter ** 2, mean 1); 1 when the jitter is 0",
            "complement_rule": ("whenever a product is bought (a complement included), each of its "
                                "complements joins the same basket with the pair's probability, "
                                "unless the basket holds it already"),
            "complement_probability": ("complement_probability * U(0.5, 1.5), at most 1; the pairs "
                                       "into a complement scaled down together so that the sum "
                                       "over its products of probability * popularity(product) is "
                                       f"at most {COMPLEMENT_DEMAND_CAP} * popularity(complement); "
                                       "rounded to 4 decimals; 0 drops the pair"),
            "complement_same_top_category": COMPLEMENT_SAME_TOP,
        },
        "summary": summary,
    })
