"""Render analysis results into one self-contained, offline HTML report.

The report is a shell over :class:`~shopmine.result.AnalysisResult` (DESIGN.md, "The seam between
analyses and shells"): it formats what the analyses computed and computes nothing itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from shopmine import __version__
from shopmine.atomic import atomic_write_text
from shopmine.errors import ShopmineInputError, ShopmineRunError
from shopmine.report.format import AMOUNT_KEYS, table_view
from shopmine.report.metric_tables import MetricTable, metric_layout
from shopmine.report.tiles import TILES_TABLE, tile_views
from shopmine.report.pages import PLOT_CONFIG, PageFigures, environment, figure_div, packed_plotlyjs
from shopmine.result import AnalysisResult

# PLOT_CONFIG and figure_div live in pages.py; re-exported where callers found them before.
__all__ = ["DEFAULT_MAX_ROWS", "PLOT_CONFIG", "figure_div", "render_html", "render_report"]

#: Rows of each table shown in the report; the CSV output carries the rest.
DEFAULT_MAX_ROWS = 20


def _html_id(*parts: str) -> str:
    # HTML ids may not contain whitespace; keep everything else readable in the URL fragment.
    return "-".join(re.sub(r"\s+", "_", str(p).strip()) or "_" for p in parts)


def _humanize(name: str) -> str:
    text = str(name).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _figure_has_title(fig: Any) -> bool:
    # A figure with its own title needs no caption repeating its name.
    if hasattr(fig, "layout"):
        return bool(getattr(getattr(fig.layout, "title", None), "text", None))
    if isinstance(fig, dict):
        title = fig.get("layout", {}).get("title")
        return bool(title.get("text") if isinstance(title, dict) else title)
    return False


def _amounts(result: AnalysisResult, name: str, df) -> frozenset[str]:
    """The money columns of one table: the named amounts and, in a revenue forecast's outlook and
    forecasts, every number but the change (a share): the forecasts' columns are named by model."""
    if result.metrics.get("measure") != "revenue" or name not in ("outlook", "forecasts"):
        return AMOUNT_KEYS
    values = {c for c in df.columns if isinstance(c, str) and c != "change"
              and pd.api.types.is_float_dtype(df[c])}
    return AMOUNT_KEYS | values


#: Tables a run keeps for the API and the dashboard that the report leaves out, by result name: the forecast's
#: recent history (90 rows a series; the section's charts draw it already).
UNSHOWN_TABLES = {"forecast": {"history"}}

#: Key figures per column: beyond this they are spread over up to three side-by-side columns.
FIGURES_PER_COLUMN = 8


def _columns(figures: list[tuple[str, str]]) -> list[MetricTable]:
    """The key figures as up to three untitled two-column tables, drawn like the metric tables."""
    count = min(3, max(1, -(-len(figures) // FIGURES_PER_COLUMN)))
    size = -(-len(figures) // count) if figures else 0
    return [MetricTable(title="", columns=[], rows=[(label, [value]) for label, value in figures[i:i + size]])
            for i in range(0, len(figures), size)] if figures else []


def _section(result: AnalysisResult, max_rows: int, currency: str | None = None,
             page: PageFigures | None = None) -> dict[str, Any]:
    anchor = _html_id(result.name)
    tables = []
    tiles = (tile_views(result.tables[TILES_TABLE], currency)
             if isinstance(result.tables.get(TILES_TABLE), pd.DataFrame) and "kpi" in result.tables[TILES_TABLE]
             else [])
    for name, df in result.tables.items():
        if (tiles and name == TILES_TABLE) or name in UNSHOWN_TABLES.get(result.name, ()):
            continue
        view = table_view(df, max_rows, currency, _amounts(result, name, df))
        view.update(anchor=_html_id(result.name, "table", name), caption=_humanize(name))
        tables.append(view)
    figures = []
    for name, fig in result.figures.items():
        div_id = _html_id(result.name, "figure", name)
        try:
            html = figure_div(fig, div_id, page=page)
        except Exception as exc:
            raise ShopmineRunError(
                f"Figure {name!r} of result {result.name!r} cannot be rendered: {exc}. "
                "Figures must be plotly Figures or figure dicts."
            ) from exc
        figures.append(
            {
                "anchor": f"{div_id}-box",
                # Markup from pages.figure_div: its id and JSON went through the escaping helpers.
                "html": html,
                "caption": "" if _figure_has_title(fig) else _humanize(name),
            }
        )
    summary = [p.strip() for p in re.split(r"\n\s*\n", result.summary or "") if p.strip()]
    layout = metric_layout(result.metrics, currency=currency)
    return {
        "anchor": anchor,
        "title": result.title or _humanize(result.name),
        "summary": summary,
        "tiles": tiles,
        "metrics": layout,
        "metric_columns": _columns(layout.figures),
        "tables": tables,
        "figures": figures,
    }


def _check_names(results: Sequence[AnalysisResult]) -> None:
    seen: set[str] = set()
    for result in results:
        anchor = _html_id(result.name)
        if anchor in seen:
            raise ShopmineInputError(
                f"Two results are named {result.name!r}; result names are the report's anchors "
                "and must be unique. Rename one of them."
            )
        seen.add(anchor)


def render_html(
    results: Sequence[AnalysisResult],
    *,
    title: str,
    subtitle: str = "",
    generated_at: datetime | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    currency: str | None = None,
) -> str:
    """Render results into the text of a self-contained HTML page.

    Parameters and behaviour as :func:`render_report`, which also writes the file.

    Returns
    -------
    str
        The whole page.
    """
    if max_rows < 1:
        raise ShopmineInputError(f"max_rows must be at least 1. Got {max_rows} instead.")
    _check_names(results)
    when = generated_at if generated_at is not None else datetime.now().astimezone()
    when_text = f"{when:%Y-%m-%d %H:%M}"
    if when.tzinfo is not None:
        when_text += f" {when:%Z}" if when.tzname() else f" {when:%z}"
    page = PageFigures()
    sections = [_section(r, max_rows, currency, page) for r in results]
    has_figures = any(s["figures"] for s in sections)
    template = environment().get_template("report.html")
    return template.render(
        title=title,
        subtitle=subtitle,
        generated_iso=when.isoformat(timespec="seconds"),
        generated_text=when_text,
        sections=sections,
        # plotly.js exactly once for the whole page, and only when a figure needs it: packed (2.0 MB),
        # then the figures' shared templates.
        packed_plotlyjs=packed_plotlyjs() if has_figures else "",
        templates=page.script() if has_figures else "",
        version=__version__,
    )


def render_report(
    results: Sequence[AnalysisResult],
    path: Path,
    *,
    title: str,
    subtitle: str = "",
    generated_at: datetime | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    currency: str | None = None,
) -> Path:
    """Write one self-contained offline HTML report with a section per result.

    The page embeds plotly.js once, inline, and references nothing outside itself (no CDN,
    no web fonts), so it opens from a mail attachment or a USB stick. Each section, anchored
    at ``#<result.name>``, shows the result's title, summary, metrics (nested keys flattened),
    tables (first ``max_rows`` rows) and interactive figures.

    Parameters
    ----------
    results : sequence of AnalysisResult
        The results, in display order; their names must be unique.
    path : pathlib.Path
        The HTML file to write. It is replaced atomically: if rendering fails, an existing
        file stays as it was.
    title : str
        The report's heading and page title.
    subtitle : str, default=""
        A line under the title (shop, data range, as-of date ...).
    generated_at : datetime, optional
        The time shown in the header; default: now, in local time.
    max_rows : int, default=20
        Rows shown per table; longer tables carry a note such as "showing 20 of 4,372 rows".
    currency : str, optional
        The shop's currency code (:mod:`shopmine.currency`): money columns and metrics
        (:data:`~shopmine.report.format.AMOUNT_KEYS`, and the values of a revenue forecast) read
        ``£171,500``. Without it they are plain numbers.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ShopmineInputError
        If two results share a name or ``max_rows`` is below 1.
    ShopmineRunError
        If a figure cannot be rendered.

    Examples
    --------
    >>> from shopmine.result import AnalysisResult
    >>> result = AnalysisResult(name="demo", title="Demo", metrics={"orders": 1200})
    >>> render_report([result], tmp_path / "report.html", title="My shop")  # doctest: +SKIP
    PosixPath('.../report.html')
    """
    path = Path(path)
    # Render the whole page in memory first: a failure then never reaches the file system.
    text = render_html(
        results,
        title=title,
        subtitle=subtitle,
        generated_at=generated_at,
        max_rows=max_rows,
        currency=currency,
    )
    atomic_write_text(path, text)
    return path
