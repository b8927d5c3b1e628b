"""Jinja templates and plotly figures as HTML: every page shopmine writes is built here.

Templates are autoescaped, all of them: table cells, titles and summaries come from shop data,
which may hold anything. A figure is embedded as its JSON, escaped for an inline script by
:func:`shopmine.report.escaping.escape_script_json`, and drawn with ``Plotly.newPlot``; the id
of its div goes through the same helpers. (``plotly.io.to_html`` escapes the figure JSON but
writes the div id raw into the tag and the script, and forecast figures are named after product
ids.)

A page embeds plotly.js once: plotly.py's own bundle (:func:`plotlyjs`, 4.8 MB), gzipped and
base64-encoded (:func:`packed_plotlyjs`, 2.0 MB) and unpacked by the browser's own ``DecompressionStream``
when the page opens (``templates/plotly.html``); figures are drawn once it has run. Each figure's data
is slimmed (:mod:`shopmine.report.slim`), and figures sharing a plotly template (most do: about 7 kB each)
carry it once per page (:class:`PageFigures`).
"""

from __future__ import annotations

import base64
import gzip
import json
from functools import lru_cache
from typing import Any

import jinja2
import plotly.graph_objects as go
import plotly.io as pio
import plotly.offline
from markupsafe import Markup

from shopmine.report.escaping import escape_plotly_text, escape_script_json, script_json
from shopmine.report.slim import slim_figure

__all__ = ["DEFAULT_FIGURE_HEIGHT", "PLOT_CONFIG", "PageFigures", "environment", "figure_div", "figure_page",
           "packed_plotlyjs", "page_figure", "plotlyjs"]

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
    """plotly.py's own plotly.js bundle, for an inline ``<script>`` (shopmine's own code, not data): the
    plotly.js version plotly.py writes its figures' JSON for, installed with it, so no copy to keep in step."""
    return Markup(plotly.offline.get_plotlyjs())


@lru_cache(maxsize=1)
def packed_plotlyjs() -> str:
    """:func:`plotlyjs` gzipped and base64-encoded, for ``templates/plotly.html`` to unpack in the browser:
    2.0 MB instead of 4.8 MB. Base64 text holds no ``<``, so it cannot end its script element.

    ``mtime=0``: the same bundle packs to the same bytes, so two reports of the same data are identical.
    """
    packed = gzip.compress(str(plotlyjs()).encode("utf-8"), compresslevel=9, mtime=0)
    return base64.b64encode(packed).decode("ascii")


class PageFigures:
    """The plotly templates of one page's figures, each written once (``window.shopmineTemplates``).

    :func:`figure_div` given one takes the figure's ``layout.template`` out of its JSON, keeps one copy
    per distinct template here, and has the figure's script put it back.
    """

    def __init__(self) -> None:
        self.templates: list[str] = []

    def template_index(self, template: Any) -> int:
        text = json.dumps(template, sort_keys=True, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        if text not in self.templates:
            self.templates.append(text)
        return self.templates.index(text)

    def script(self) -> Markup:
        """The JavaScript defining the templates, for an inline ``<script>`` before the figures."""
        items = ",".join(escape_script_json(text) for text in self.templates)
        return Markup(f"window.shopmineTemplates = [{items}];")


def _css_size(value: Any) -> str:
    # plotly's rule: a number is pixels, anything else is a CSS length as given.
    try:
        float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{value}px"


def page_figure(fig: Any) -> dict[str, Any]:
    """The figure as the dict a page embeds: validated, slimmed, its shop text escaped for plotly.js.

    Write it into a page only through :func:`~shopmine.report.escaping.escape_script_json` (it is JSON data,
    not yet safe inside a ``<script>``).
    """
    # Validated as plotly.io.to_html does: a figure dict goes through go.Figure.
    fig_dict = fig.to_dict() if isinstance(fig, go.Figure) else go.Figure(fig).to_dict()
    # plotly's encoder knows numpy, pandas and dates; read back, the JSON is slimmed for the page.
    # Shop text in a figure is text: plotly.js would draw the tags it knows (a link, bold).
    return escape_plotly_text(slim_figure(json.loads(pio.to_json(fig_dict, validate=False))))


def figure_div(fig: Any, div_id: str, *, default_height: str = DEFAULT_FIGURE_HEIGHT,
               page: PageFigures | None = None) -> Markup:
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
    page : PageFigures, optional
        The page's figures: the figure's template is written there once instead of in the figure; the
        page must then define them (:meth:`PageFigures.script`) before the figure's script.

    Returns
    -------
    markupsafe.Markup
        A ``<div>`` with an inline script that calls ``Plotly.newPlot`` through
        ``window.shopminePlot``; the page must include ``templates/plotly.html`` (plotly.js and
        ``shopminePlot``) before it.
    """
    fig_dict = page_figure(fig)
    layout = fig_dict.get("layout", {})
    template_layout = layout.get("template", {}).get("layout", {})
    template_index = None
    if page is not None and "template" in layout:
        template_index = page.template_index(layout.pop("template"))
    return Markup(environment().get_template("figure.html").render(
        div_id=div_id,
        div_id_json=script_json(div_id),
        # Its own escaping is not relied on.
        figure_json=escape_script_json(json.dumps(fig_dict, ensure_ascii=False, separators=(",", ":"))),
        template_index=template_index,
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
    page = PageFigures()
    div = figure_div(fig, "figure", default_height="100%", page=page)
    return environment().get_template("figure_page.html").render(
        title=title, figure=div, packed_plotlyjs=packed_plotlyjs(), templates=page.script())
