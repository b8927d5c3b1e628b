"""Whether a product is sold on a price schedule: several prices on the same day, by who buys and how many.

A wholesaler's quantity tiers (UCI Online Retail: the same product at 2.55 per unit in lots of 32 and
2.95 in small lots) or a separate price list (its guest lines pay about twice the registered price) put
lines at different prices into the same period. The period's paid price then moves with who bought and
how much, not with a price the shop changed, and that movement is confounded with demand (a larger lot
gets the lower tier). A slope of demand on such prices is not an elasticity, and raising a price because
of it would be a guess.

The evidence is the share of a product's sale lines that paid another price than their period's most
common one (``off_shelf_lines`` of :func:`shopmine.features.price_points`), counted over the periods
with more than one sale line (a period's single line is always at its own "most common" price). A
shop whose prices change over time, by list price changes and promotions, has none: all lines of a
day pay the day's price. A product with too few such lines to tell borrows the shop's share: in a shop
that sells on a schedule, its single-line days carry tier prices as often as the others' do.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["MIN_SCHEDULE_LINES", "SCHEDULE_SHARE", "schedule_shares"]

#: A product is on a price schedule when at least this share of its sale lines (on periods with more
#: than one) paid another price than the period's most common one. A tier price differs from the
#: shelf price by 15 % to 100 %, a shop's own price changes by a few %: at one line in twenty, the
#: tiers already contribute as much price variance as such changes do.
SCHEDULE_SHARE = 0.05
#: A product needs this many sale lines on periods with more than one for its own share; with fewer
#: it borrows the shop's.
MIN_SCHEDULE_LINES = 20


def schedule_shares(points: pd.DataFrame, *, threshold: float = SCHEDULE_SHARE,
                    min_lines: int = MIN_SCHEDULE_LINES) -> pd.DataFrame:
    """Each product's share of sale lines off its period's most common price, and whether that makes a
    price schedule.

    Parameters
    ----------
    points : pandas.DataFrame
        Price points with ``product_id``, ``n_lines`` and ``off_shelf_lines``.
    threshold, min_lines
        :data:`SCHEDULE_SHARE`, :data:`MIN_SCHEDULE_LINES`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``product_id`` (every product of ``points``): ``off_shelf_share`` (the product's own
        share, NaN without a period of several lines), ``schedule_lines`` (the sale lines it was
        measured on), ``shop_share`` (the share over all products) and ``on_schedule`` (bool: its own
        share, or the shop's when it has fewer than ``min_lines`` lines, is at least ``threshold``).
        Points without ``off_shelf_lines`` (made by hand, or before the column existed) have no
        schedule.
    """
    products = pd.Index(points["product_id"].astype(str).unique(), name="product_id")
    out = pd.DataFrame(index=products)
    if "off_shelf_lines" not in points.columns or "n_lines" not in points.columns:
        out["off_shelf_share"], out["schedule_lines"], out["shop_share"] = float("nan"), 0, float("nan")
        out["on_schedule"] = False
        return out
    several = points[points["n_lines"] > 1]
    sums = several.groupby(several["product_id"].astype(str))[["off_shelf_lines", "n_lines"]].sum()
    sums = sums.reindex(products, fill_value=0)
    lines = sums["n_lines"].astype("int64")
    out["off_shelf_share"] = (sums["off_shelf_lines"] / lines.where(lines > 0)).astype(float)
    out["schedule_lines"] = lines
    total = int(sums["n_lines"].sum())
    shop = float(sums["off_shelf_lines"].sum() / total) if total else float("nan")
    out["shop_share"] = shop
    share = out["off_shelf_share"].where(lines >= min_lines, shop)
    out["on_schedule"] = (share >= threshold).fillna(False).astype(bool)
    return out
