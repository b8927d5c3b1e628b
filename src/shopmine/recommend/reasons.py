"""A reason in words for every recommendation row.

Reasons are plain text (no markup of any kind). Product names come from order files and are hostile:
they are cut to :data:`MAX_NAME` characters with control characters (newlines, escapes) removed here,
never interpreted as markup by the CLI (its console prints without markup), and HTML-escaped by the
report like every other cell.
"""

from __future__ import annotations

import math

from shopmine.plain_text import one_line

__all__ = ["MAX_NAME", "bought_before", "bought_together", "cycle", "popular_like_you", "popular_recently",
           "similar_customers",
           "safe_name"]

MAX_NAME = 60


def safe_name(name: object, product_id: object) -> str:
    """A product's name for a sentence: its name without control characters, cut to
    :data:`MAX_NAME` characters, else its id.

    >>> safe_name("RED\\nBAG [bold]x[/]", "P1"), safe_name(None, "P1"), safe_name("  ", 7)
    ('RED BAG [bold]x[/]', 'P1', '7')
    """
    text = "" if name is None or (isinstance(name, float) and math.isnan(name)) else str(name)
    text = one_line(text)
    if not text:
        text = one_line(str(product_id))
    return text if len(text) <= MAX_NAME else text[:MAX_NAME - 1] + "…"


#: A habit is told as current ("you buy this about every ...") until this many cycles have passed
#: without a purchase; after that it is told as the past it is.
LAPSED_CYCLES = 3


def _days(value: float) -> str:
    days = int(round(value))
    return "1 day" if days == 1 else f"{days} days"


def cycle(purchase_days: float, cycle_days: float, days_since_last: float) -> str:
    """The customer's own habit: "you buy this about every 30 days, last 28 days ago".

    >>> cycle(4, 30.4, 28), cycle(3, 1, 5), cycle(1, 30, 200)
    ('you buy this about every 30 days, last 28 days ago', 'you bought this on 3 days, last 5 days ago', 'you bought this once, 200 days ago')
    >>> cycle(5, 1.0, 1)
    'you buy this about every day, last 1 day ago'
    """
    if purchase_days < 2:
        return f"you bought this once, {_days(days_since_last)} ago"
    if days_since_last > LAPSED_CYCLES * cycle_days:
        return f"you bought this on {int(purchase_days)} days, last {_days(days_since_last)} ago"
    every = "day" if round(cycle_days) <= 1 else _days(cycle_days)
    return f"you buy this about every {every}, last {_days(days_since_last)} ago"


def bought_before(days_since_last: float) -> str:
    """For an already-bought product listed when nothing new is left."""
    return f"you bought this before, last {_days(days_since_last)} ago"


def bought_together(name: str) -> str:
    """``name`` is already :func:`safe_name`'d."""
    return f"often bought with {name}"


def popular_like_you(segment: str | None) -> str:
    return f"popular with customers like you ({segment})" if segment else "popular with customers like you"


def similar_customers() -> str:
    """A product the learned ranker found through customers with similar purchases."""
    return "bought by customers who buy what you buy"


def popular_recently(window_days: int) -> str:
    return "popular this month" if window_days == 30 else f"popular in the last {window_days} days"
