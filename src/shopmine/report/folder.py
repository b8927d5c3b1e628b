"""A folder of artefacts for one analysis run: page, metrics, tables, figures (and PNGs).

This is what a command's output folder holds. The folder appears whole or not at all
(:func:`shopmine.atomic.atomic_dir`), so a failed run never leaves half its files.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from shopmine.atomic import atomic_dir
from shopmine.errors import ShopmineInputError, ShopmineRunError
from shopmine.report.csv_output import write_csv
from shopmine.report.pages import figure_page
from shopmine.report.render import render_report
from shopmine.result import AnalysisResult

__all__ = ["find_browser", "write_result_folder"]

#: Where Debian/Ubuntu put Chromium; the CI image installs it there.
DEFAULT_BROWSER = Path("/usr/bin/chromium")
#: File names the folder itself uses; an artefact may not take them.
_RESERVED = {"index.html", "metrics.json"}


def find_browser() -> str | None:
    """Return the Chrome/Chromium executable for PNG export, or None to let kaleido search.

    ``BROWSER_PATH`` wins (the variable choreographer, kaleido's browser driver, honours too),
    then ``/usr/bin/chromium``. Otherwise choreographer searches ``PATH``, the usual install
    locations and its own downloaded copy.

    Returns
    -------
    str or None
        The path to pass to kaleido, or None.
    """
    explicit = os.environ.get("BROWSER_PATH")
    if explicit:
        return explicit
    if DEFAULT_BROWSER.is_file() and os.access(DEFAULT_BROWSER, os.X_OK):
        return str(DEFAULT_BROWSER)
    return None


def _file_stem(name: str) -> str:
    # Artefact names come from analyses, but end up as file names: no separators, no dot files.
    stem = re.sub(r"[^\w.-]+", "_", str(name), flags=re.ASCII).strip("._")
    return stem or "unnamed"


def _plan_files(result: AnalysisResult, png: bool) -> dict[str, tuple[str, Any]]:
    """Map each output file name to what goes in it, refusing name clashes up front."""
    plan: dict[str, tuple[str, Any]] = {}

    def claim(file_name: str, kind: str, what: str, payload: Any) -> None:
        if file_name in _RESERVED or file_name in plan:
            raise ShopmineInputError(
                f"{what} of result {result.name!r} would be written as {file_name!r}, which "
                "is already taken in its output folder. Rename the table or figure."
            )
        plan[file_name] = (kind, payload)

    for name, df in result.tables.items():
        claim(f"{_file_stem(name)}.csv", "csv", f"Table {name!r}", df)
    for name, fig in result.figures.items():
        stem = _file_stem(name)
        claim(f"{stem}.html", "figure_html", f"Figure {name!r}", fig)
        if png:
            claim(f"{stem}.png", "png", f"Figure {name!r}", fig)
    return plan


def _export_pngs(jobs: list[tuple[Any, Path]], result_name: str) -> None:
    """Render figures to PNG files with kaleido in one browser session."""
    import kaleido  # deferred: only PNG export needs kaleido and a browser

    browser = find_browser()
    # No MathJax: kaleido would fetch it from a CDN, and shopmine figures use no LaTeX.
    kopts: dict[str, Any] = {"mathjax": False}
    if browser:
        kopts["path"] = browser
    fig_dicts = [
        {"fig": fig, "path": str(path), "opts": {"format": "png", "scale": 2}} for fig, path in jobs
    ]
    hint = (
        "PNG export needs Chrome or Chromium: install it (Debian/Ubuntu: apt-get install "
        "chromium) or set BROWSER_PATH to its executable, or run without PNG output."
    )
    try:
        kaleido.write_fig_from_object_sync(fig_dicts, kopts=kopts, cancel_on_error=True)
    except Exception as exc:
        where = browser or "the browser kaleido found"
        raise ShopmineRunError(
            f"PNG export of the figures of result {result_name!r} failed using {where}: "
            f"{exc}. {hint}"
        ) from exc
    missing = [path.name for _, path in jobs if not path.is_file() or path.stat().st_size == 0]
    if missing:
        raise ShopmineRunError(
            f"PNG export of result {result_name!r} produced no file for {', '.join(missing)}. "
            f"{hint}"
        )


def write_result_folder(
    result: AnalysisResult,
    out_dir: Path,
    *,
    png: bool = False,
    generated_at: datetime | None = None,
) -> dict[str, Path]:
    """Write one analysis run as a folder of files.

    The folder holds ``index.html`` (the result as a one-section report), ``metrics.json``,
    one ``<table>.csv`` per table, one self-contained interactive ``<figure>.html`` per figure
    and, with ``png=True``, a ``<figure>.png`` per figure. It replaces ``out_dir`` whole: if
    anything fails, an existing folder stays as it was and no partial folder appears.

    Parameters
    ----------
    result : AnalysisResult
        The run to write.
    out_dir : pathlib.Path
        The folder to create or replace.
    png : bool, default=False
        Also export each figure as a PNG image. Needs Chrome/Chromium (``/usr/bin/chromium``,
        or the executable named by ``BROWSER_PATH``).
    generated_at : datetime, optional
        Time shown in ``index.html``; default: now.

    Returns
    -------
    dict of str to pathlib.Path
        File name (``"index.html"``, ``"metrics.json"``, ``"orders.csv"`` ...) to its final
        path inside ``out_dir``.

    Raises
    ------
    ShopmineInputError
        If two artefacts would share a file name (names are sanitised for the file system).
    ShopmineRunError
        If a figure cannot be rendered or PNG export fails (no browser, browser crash).

    Examples
    --------
    >>> result = AnalysisResult(name="demo", title="Demo", metrics={"orders": 1200})
    >>> sorted(write_result_folder(result, tmp_path / "demo"))  # doctest: +SKIP
    ['index.html', 'metrics.json']
    """
    out_dir = Path(out_dir)
    plan = _plan_files(result, png)
    written: list[str] = []
    with atomic_dir(out_dir) as tmp:
        render_report(
            [result], tmp / "index.html", title=result.title or result.name, generated_at=generated_at
        )
        written.append("index.html")
        (tmp / "metrics.json").write_text(result.metrics_json() + "\n", encoding="utf-8")
        written.append("metrics.json")
        png_jobs: list[tuple[Any, Path]] = []
        for file_name, (kind, payload) in plan.items():
            target = tmp / file_name
            if kind == "csv":
                write_csv(payload, target, index=_keeps_index(payload))
            elif kind == "figure_html":
                try:
                    html = figure_page(payload, f"{result.title or result.name}: {file_name}")
                except Exception as exc:
                    raise ShopmineRunError(
                        f"Figure for {file_name!r} of result {result.name!r} cannot be "
                        f"rendered: {exc}"
                    ) from exc
                target.write_text(html, encoding="utf-8")
            else:
                png_jobs.append((payload, target))
            written.append(file_name)
        if png_jobs:
            _export_pngs(png_jobs, result.name)
    return {name: out_dir / name for name in written}


def _keeps_index(df: pd.DataFrame) -> bool:
    # A default 0..n-1 index is row numbering, not data; anything else (dates, ids) is kept.
    return not (isinstance(df.index, pd.RangeIndex) and df.index.name is None)
