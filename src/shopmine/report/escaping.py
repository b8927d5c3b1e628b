"""The one place where text from shop data becomes HTML or an inline script.

Product ids, customer ids, categories, column names and file names may hold anything, markup
and ``</script>`` included. Every page shopmine writes puts them into HTML only through
:func:`escape_html` (text and attribute values) and into a ``<script>`` only through
:func:`script_json` or :func:`escape_script_json` (JSON literals). SECURITY.md lists the
promise and its tests.
"""

from __future__ import annotations

import json
import re
from typing import Any

from markupsafe import Markup, escape

__all__ = ["escape_html", "escape_plotly_text", "escape_script_json", "script_json"]

#: Characters that may end a ``<script>`` element or start an HTML comment or entity inside
#: it (``<``, ``>``, ``&``), and the two line separators that end a string literal in older
#: JavaScript engines. In JSON text they can only occur inside strings, where their \\u
#: escapes mean exactly the same characters.
_SCRIPT_UNSAFE = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_SCRIPT_UNSAFE_TABLE = str.maketrans(_SCRIPT_UNSAFE)

#: The tags shopmine's own figures write (a hover line break; ``<extra></extra>`` hides a hover's
#: trace box): every other ``<`` in a figure is text.
_PLOTLY_OWN_TAGS = re.compile(r"<(?!br>|extra>|/extra>)")


def escape_html(value: Any) -> Markup:
    """Escape a value for HTML text or a quoted attribute value.

    Parameters
    ----------
    value : object
        Anything; it is turned into text with ``str``. A :class:`markupsafe.Markup` passes
        unchanged (it is HTML already made safe by shopmine).

    Returns
    -------
    markupsafe.Markup
        ``&``, ``<``, ``>``, ``"`` and ``'`` replaced by entities.

    Examples
    --------
    >>> str(escape_html('<svg onload="x">'))
    '&lt;svg onload=&#34;x&#34;&gt;'
    """
    return escape(value)


def escape_script_json(json_text: str) -> Markup:
    """Make JSON text safe to embed in an inline ``<script>`` element.

    Parameters
    ----------
    json_text : str
        Valid JSON (e.g. from plotly's encoder).

    Returns
    -------
    markupsafe.Markup
        The same JSON value with ``<``, ``>``, ``&``, U+2028 and U+2029 written as ``\\u``
        escapes, so no ``</script>``, ``<!--`` or line separator reaches the HTML parser.

    Examples
    --------
    >>> str(escape_script_json('["</script>"]'))
    '["\\\\u003c/script\\\\u003e"]'
    """
    return Markup(str(json_text).translate(_SCRIPT_UNSAFE_TABLE))


def script_json(value: Any) -> Markup:
    """Serialise a value to JSON that is safe inside an inline ``<script>`` element.

    Parameters
    ----------
    value : object
        Anything :func:`json.dumps` accepts.

    Returns
    -------
    markupsafe.Markup
        A JavaScript literal of ``value``; see :func:`escape_script_json`.

    Examples
    --------
    >>> str(script_json({"id": "a<b"}))
    '{"id": "a\\\\u003cb"}'
    """
    return escape_script_json(json.dumps(value, ensure_ascii=False, allow_nan=False))


def escape_plotly_text(value: Any) -> Any:
    """A figure (its dict, or any part of it) with every ``<`` in its strings written ``&lt;``.

    plotly.js draws a few HTML tags in titles, tick labels, legends, annotations and hover text
    (``<a href>``, ``<b>``, ``<span style>`` ...), so a product named like a link would become one in
    the report; it decodes ``&lt;`` back to the character, so the text is shown as written. The
    tags shopmine writes itself (``<br>``, ``<extra>``) are kept.

    >>> escape_plotly_text({"x": ['<a href="https://x.example">x</a>', 1], "hovertemplate": "%{x}<br>n<extra></extra>"})
    {'x': ['&lt;a href="https://x.example">x&lt;/a>', 1], 'hovertemplate': '%{x}<br>n<extra></extra>'}
    """
    if isinstance(value, str):
        return _PLOTLY_OWN_TAGS.sub("&lt;", value) if "<" in value else value
    if isinstance(value, dict):
        return {key: escape_plotly_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [escape_plotly_text(item) for item in value]
    return value
