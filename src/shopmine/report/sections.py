"""The report's analysis sections, read from the latest saved run of each analysis (or recomputed).

Rendering reads runs (:mod:`shopmine.runs`) and computes nothing: a section says which run it shows, says
when that run predates the workspace's last ingest, and, for an analysis never run, which command runs
it. With ``refresh`` each analysis is run again through its Shop method, which saves a new run.
"""

from __future__ import annotations

from dataclasses import dataclass

from shopmine.defaults import beyond_defaults
from shopmine.errors import ShopmineInputError
from shopmine.result import AnalysisResult
from shopmine.runs import RunIntegrityError, latest_run, seen_batches, stale_batches


@dataclass(frozen=True)
class Section:
    """One analysis of the report: its runs folder, Shop method, title when it has none, and command."""

    analysis: str
    method: str
    title: str
    command: str


SECTIONS = (
    Section("forecast", "forecast", "Sales forecast", "shopmine forecast"),
    Section("segments", "segments", "Customer segments (RFM and behaviour clusters)", "shopmine segment"),
    Section("classify", "classify", "Who buys again (decision tree)", "shopmine classify"),
    Section("clv", "clv", "Customer lifetime value", "shopmine clv"),
    Section("recommend_evaluation", "recommend_evaluation", "Recommendations on held-out purchases",
            "shopmine --as-of DATE recommend --evaluate"),
)


def parameters_beyond_defaults(analysis: str, parameters: dict, owner: type | None = None) -> str:
    """The parameters a run was given beyond the defaults of ``owner``'s method for ``analysis`` (the
    :class:`~shopmine.shop.Shop` class), ``"defaults"`` when none: what tells two runs of one analysis
    apart (every given parameter for an analysis without a method)."""
    methods = {section.analysis: section.method for section in SECTIONS}
    method = getattr(owner, methods[analysis]) if owner is not None and analysis in methods else None
    return ", ".join(f"{k}={v}" for k, v in beyond_defaults(method, parameters).items()) or "defaults"


def _from_run(shop, section: Section, current: list[str]) -> AnalysisResult:
    try:
        saved = latest_run(shop.workspace, section.analysis)
    except RunIntegrityError as exc:
        return AnalysisResult(name=section.analysis, title=section.title, summary=f"Not shown: {exc}")
    if saved is None:
        return AnalysisResult(name=section.analysis, title=section.title,
                              summary=f"Not run yet: run `{section.command}` (or refresh the report) "
                                      f"to add this section.")
    meta, result = saved.metadata, saved.result
    finished = meta["finished_at"][:16].replace("T", " ")
    notes = [f"Saved run {meta['run_id']} ({meta['command']}, finished {finished} UTC, as of {meta['as_of']}; "
             f"parameters: {parameters_beyond_defaults(section.analysis, meta['parameters'], type(shop))})."]
    since = stale_batches(shop.workspace, meta, current)
    if since:
        notes.append(f"Out of date: this run predates the last ingest (batches since: {', '.join(since)}). Run "
                     f"`{section.command}` again, or refresh the report.")
    result.summary = "\n\n".join([*notes, result.summary])
    return result


def _recomputed(shop, section: Section) -> AnalysisResult:
    # A shop too small for an analysis still gets its report, with the reason in the section.
    try:
        return getattr(shop, section.method)()
    except ShopmineInputError as exc:
        return AnalysisResult(name=section.analysis, title=section.title, summary=f"Not computed: {exc}")


def analysis_sections(shop, refresh: bool = False) -> list[AnalysisResult]:
    """The forecast, segments, classify and CLV sections of ``shop``'s report, in report order.

    Parameters
    ----------
    shop : shopmine.shop.Shop
    refresh : bool, default=False
        Recompute each analysis (saving a new run) instead of reading the latest saved run.

    Returns
    -------
    list of AnalysisResult
    """
    if refresh:
        return [_recomputed(shop, section) for section in SECTIONS]
    current = seen_batches(shop.workspace)  # read once for the four sections' stale checks
    return [_from_run(shop, section, current) for section in SECTIONS]
