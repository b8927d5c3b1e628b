"""The report's sections, read from saved runs (or recomputed).

Rendering reads runs (:mod:`shopmine.runs`) and computes nothing: a section says which run it shows, says
when that run predates the workspace's last ingest, and, for an analysis never run, which command runs
it. With ``refresh`` each analysis is run again through its Shop method, which saves a new run. The
overviews of the sales panel and the customers are fixed by the data alone: they are saved as runs too
and read back while the workspace holds the same batches (:func:`overview_sections`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from shopmine.defaults import beyond_defaults
from shopmine.errors import ShopmineInputError
from shopmine.result import AnalysisResult
from shopmine.runs import (RunIntegrityError, latest_run, remove_orphan_models, save_run, seen_batches,
                           stale_batches)
from shopmine.runs.cache import matching_run


@dataclass(frozen=True)
class Section:
    """One analysis of the report: its runs folder, Shop method, title when it has none, and command.
    ``recompute`` False: the method needs the user's own inputs (a table to learn from), so a refreshed
    report shows its latest saved run instead of running it again."""

    analysis: str
    method: str
    title: str
    command: str
    recompute: bool = True


SECTIONS = (
    Section("quality", "quality", "Data quality", "shopmine quality"),
    Section("forecast", "forecast", "Sales forecast", "shopmine forecast"),
    Section("segments", "segments", "Customer segments (RFM and behaviour clusters)", "shopmine segment"),
    Section("classify", "classify", "Who buys again (decision tree)", "shopmine classify"),
    Section("clv", "clv", "Customer lifetime value", "shopmine clv"),
    # No option spelled here (only cli/ spells options): the command's evaluate mode, in words.
    Section("recommend_evaluation", "recommend_evaluation", "Recommendations on held-out purchases",
            "shopmine recommend in its evaluate mode"),
    Section("price", "price", "Prices: elasticities and suggested prices under the shop's rules", "shopmine price"),
    Section("risk", "risk_train", "Risk scorecard and challenger", "shopmine risk train", recompute=False),
    Section("risk_monitor", "risk_monitor", "Risk model drift (PSI)", "shopmine risk monitor", recompute=False),
)


def parameters_beyond_defaults(analysis: str, parameters: dict, owner: type | None = None) -> str:
    """The parameters a run was given beyond the defaults of ``owner``'s method for ``analysis`` (the
    :class:`~shopmine.shop.Shop` class), ``"defaults"`` when none: what tells two runs of one analysis
    apart (every given parameter for an analysis without a method)."""
    methods = {section.analysis: section.method for section in SECTIONS}
    method = getattr(owner, methods[analysis]) if owner is not None and analysis in methods else None
    return ", ".join(f"{k}={v}" for k, v in beyond_defaults(method, parameters).items()) or "defaults"


def _from_run(shop, section: Section, current: list[str], commands: Mapping[str, str]) -> AnalysisResult:
    try:
        saved = latest_run(shop.workspace, section.analysis)
    except RunIntegrityError as exc:
        return AnalysisResult(name=section.analysis, title=section.title, summary=f"Not shown: {exc}")
    if saved is None:
        return AnalysisResult(name=section.analysis, title=section.title,
                              summary=f"Not run yet: run `{commands.get(section.analysis, section.command)}` "
                                      f"(or refresh the report) to add this section.")
    meta, result = saved.metadata, saved.result
    finished = meta["finished_at"][:16].replace("T", " ")
    dated = f"as of {meta['as_of']}" if meta["as_of"] is not None else "on a table given to it, no as-of date"
    notes = [f"Saved run {meta['run_id']} ({meta['command']}, finished {finished} UTC, {dated}; "
             f"parameters: {parameters_beyond_defaults(section.analysis, meta['parameters'], type(shop))})."]
    since = stale_batches(shop.workspace, meta, current)
    if since:
        notes.append(f"Out of date: this run predates the last ingest (batches since: {', '.join(since)}). Run "
                     f"`{commands.get(section.analysis, section.command)}` again, or refresh the report.")
    result.summary = "\n\n".join([*notes, result.summary])
    return result


def _recomputed(shop, section: Section) -> AnalysisResult:
    # A shop too small for an analysis still gets its report, with the reason in the section.
    try:
        return getattr(shop, section.method)()
    except ShopmineInputError as exc:
        return AnalysisResult(name=section.analysis, title=section.title, summary=f"Not computed: {exc}")


#: The overviews' runs, in report order; the result of ``Shop.overview_results`` at each position.
OVERVIEWS = ("glance", "sales_overview", "customer_overview")
#: The overviews' period: weeks (a daily revenue line of a year is noise at report size).
OVERVIEW_FREQ = "W"


def overview_sections(shop, current: list[str], refresh: bool = False) -> list[AnalysisResult]:
    """The sales panel and customer overviews: the saved runs made from exactly the batches loaded now
    (``current``), at the shop's as-of date and settings, else computed once and saved for the next report.

    Parameters
    ----------
    shop : shopmine.shop.Shop
    current : list of str
        The workspace's batches now (:func:`~shopmine.runs.seen_batches`).
    refresh : bool, default=False
        Compute them again (and save them) even when a saved run matches.
    """
    parameters = {"freq": OVERVIEW_FREQ, "cancel_window_days": shop.workspace.settings.cancel_window_days}
    if not refresh:
        saved = [matching_run(shop.workspace, analysis, parameters=parameters, as_of=shop.as_of, batches=current)
                 for analysis in OVERVIEWS]
        if all(run is not None for run in saved):
            return [run.result for run in saved]
    started = datetime.now(timezone.utc)
    results = shop.overview_results(OVERVIEW_FREQ)
    for analysis, result in zip(OVERVIEWS, results):
        save_run(shop.workspace, result, analysis=analysis, parameters=parameters, as_of=shop.as_of,
                 started=started, batches=current, command="shopmine report")
    return results


def report_sections(shop, refresh: bool = False, commands: Mapping[str, str] | None = None) -> list[AnalysisResult]:
    """Every section of ``shop``'s report, in report order: the shop at a glance, quality, the sales and
    customer overviews, forecast, segments,
    classify, CLV, the recommendations' evaluation, prices, the risk scorecard and its drift.

    Parameters
    ----------
    shop : shopmine.shop.Shop
    refresh : bool, default=False
        Recompute each analysis (saving a new run) instead of reading the latest saved run; a section that
        needs the user's own table (``recompute`` False: the risk sections) still shows its latest run.
    commands : mapping, optional
        The calling shell's command line per analysis, for "Not run yet" and "Out of date" notes (the
        command line's are in ``cli/``); else :attr:`Section.command`'s words.

    Returns
    -------
    list of AnalysisResult
    """
    commands = commands or {}
    remove_orphan_models(shop.workspace)  # what killed saves left, before reading the latest runs
    current = seen_batches(shop.workspace)  # read once for every section's stale check
    if refresh:
        analyses = [_recomputed(shop, section) if section.recompute else _from_run(shop, section, current, commands)
                    for section in SECTIONS]
    else:
        analyses = [_from_run(shop, section, current, commands) for section in SECTIONS]
    glance, *overviews = overview_sections(shop, current, refresh)
    # A merchant reads the report before an analyst does: the shop at a glance first, then the data's quality.
    return [glance, analyses[0], *overviews, *analyses[1:]]
