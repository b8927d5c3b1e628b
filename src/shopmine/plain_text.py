"""Text from an order file made safe to show on one line: control characters out.

A product name or id is the shop's data, not ours: an escape sequence in it (``\\x1b[2J`` clears a
terminal) or a bidirectional override (which reorders what a reader sees) must reach neither a console
nor a sentence. Markup is a separate matter, handled where text is rendered (Rich with markup off,
HTML escaped by the report).
"""

from __future__ import annotations

import re

__all__ = ["CONTROL", "one_line"]

#: C0/C1 controls, zero-width and bidirectional formatting characters, line and paragraph separators.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]+")


def one_line(text: str) -> str:
    """``text`` with each run of control characters and whitespace made one space, trimmed.

    >>> one_line("RED\\nBAG\\x1b[2J  x")
    'RED BAG [2J x'
    """
    return " ".join(CONTROL.sub(" ", text).split())
