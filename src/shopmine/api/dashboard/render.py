"""Dashboard pages as HTML: autoescaped Jinja templates, and figures as JSON data blocks.

A page has no inline script or style (its Content-Security-Policy allows only the dashboard's own files):
a figure is written as ``<script type="application/json">`` (data the browser never runs), prepared as the
report prepares its figures (:func:`shopmine.report.pages.page_figure`: slimmed, shop text escaped for
plotly.js) and escaped for a script element (:func:`~shopmine.report.escaping.escape_script_json`);
``static/dashboard.js`` draws it. (The report's ``figure_div`` writes an inline script, which that policy
blocks.)
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from shopmine.report.escaping import escape_script_json
from shopmine.report.pages import PLOT_CONFIG, page_figure

__all__ = ["Figures", "page"]


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """Autoescaping on for every template: ids, names and categories come from the shop."""
    return jinja2.Environment(loader=jinja2.PackageLoader("shopmine.api.dashboard", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


class Figures:
    """The figures of one page, each with an id of the page's own (``figure-1`` ...), never from shop data."""

    def __init__(self) -> None:
        self.count = 0

    def block(self, fig: Any) -> dict[str, Any]:
        """``{"id", "json"}`` for ``templates/figure.html``."""
        self.count += 1
        figure = page_figure(fig)
        figure["config"] = PLOT_CONFIG
        text = json.dumps(figure, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return {"id": f"figure-{self.count}", "json": escape_script_json(text)}


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The page ``template`` rendered with ``context`` (and the signed-in key's name, when there is one)."""
    html = environment().get_template(template).render(user=getattr(request.state, "dashboard_user", None),
                                                       **context)
    return HTMLResponse(Markup(html), status_code=status_code)
