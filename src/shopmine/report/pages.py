"""Jinja templates and plotly figures as HTML: every page shopmine writes is built here.

Templates are autoescaped, all of them: table cells, titles and summaries come from shop data,
which may hold anything. A figure is embedded as its JSON, escaped for an inline script by
:func:`shopmine.report.escaping.escape_script_json`, and drawn with ``Plotly.newPlot``; the id
of its div goes through the same helpers. (``plotly.io.to_html`` escapes the figure JSON but
writes the div id raw into the tag and the script, and forecast figures are named after product
ids.)
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2
import plotly.graph_objects as go
import plotly.io as pio
import plotly.offline
from markupsafe import Markup

from shopmine.report.escaping import escape_script_json, script_json

__all__ = ["DEFAULT_FIGURE_HEIGHT", "PLOT_CONFIG", "environment", "figure_div", "figure_page",
           "plotlyjs"]

#: Plotly config for every embedded figure. No "Produced with Plotly" logo link and no "Share
#: chart" button (plotly.js 4 shows it unless told not to; it uploads the data to Plotly Cloud):
#: a shop's report must neither leak its data nor reference anything outside itself.
PLOT_CONFIG: dict[str, Any] = {"displaylogo": False, "showSendToCloud": False, "responsive": True}
#: Height of a figure that sets none itself; plotly's "100%" collapses inside a flowing page.
DEFAULT_FIGURE_HEIGHT = "480px"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja environment of every shopmine page: autoescaping on for every template."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("shopmine.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@lru_cache(maxsize=1)
def plotlyjs() -> Markup:
    """The plotly.js bundle for an inline ``<script>`` (shopmine's own code, not data)."""
    return Markup(plotly.offline.get_plotlyjs())


def _css_size(value: Any) -> str:
    # plotly's rule: a number is pixels, anything else is a CSS length as given.
    try:
        float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{value}px"


def figure_div(fig: Any, div_id: str, *, default_height: str = DEFAULT_FIGURE_HEIGHT) -> Markup:
    """Return the HTML ``<div>`` of one figure, without plotly.js.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure or dict
        The figure; validated by plotly.
    div_id : str
        The id of the div plotly draws into; unique within the page. It may hold anything
        (figure names carry product ids): it is escaped for the attribute and the script.
    default_height : str, default="480px"
        CSS height when the figure's layout sets none.

    Returns
    -------
    markupsafe.Markup
        A ``<div>`` with an inline script that calls ``Plotly.newPlot``; the page must load
        plotly.js before it.
    """
    # Validated as plotly.io.to_html does: a figure dict goes through go.Figure.
    fig_dict = fig.to_dict() if isinstance(fig, go.Figure) else go.Figure(fig).to_dict()
    layout = fig_dict.get("layout", {})
    template_layout = layout.get("template", {}).get("layout", {})
    return Markup(environment().get_template("figure.html").render(
        div_id=div_id,
        div_id_json=script_json(div_id),
        # plotly's encoder knows numpy, pandas and dates; its own escaping is not relied on.
        figure_json=escape_script_json(pio.to_json(fig_dict, validate=False)),
        config_json=script_json(PLOT_CONFIG),
        width=_css_size(layout.get("width", template_layout.get("width", "100%"))),
        height=_css_size(layout.get("height", template_layout.get("height", default_height))),
    ))


def figure_page(fig: Any, title: str) -> str:
    """Return a self-contained HTML page (plotly.js inline) showing one figure full-window.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure or dict
        The figure.
    title : str
        The page title; escaped.

    Returns
    -------
    str
        The whole page.
    """
    div = figure_div(fig, "figure", default_height="100%")
    return environment().get_template("figure_page.html").render(
        title=title, figure=div, plotlyjs=plotlyjs())
