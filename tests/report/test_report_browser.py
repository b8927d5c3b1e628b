"""The report in a real browser: plotly.js draws every figure, offline, without JS errors.

Needs /usr/bin/chromium (CI installs it); the tests skip with that reason when it is absent.
"""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

from shopmine.report import render_report, write_result_folder

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run_chromium(chromium: Path, page: Path, profile: Path) -> tuple[str, str]:
    """Load ``page`` headless and return (the DOM after scripts ran, Chromium's log)."""
    command = [
        str(chromium),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        # No name resolves: anything the page tried to fetch from the web would fail.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        # Console messages (uncaught exceptions included) go to stderr as "CONSOLE" lines.
        "--enable-logging=stderr",
        "--v=0",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=10000",
        "--dump-dom",
        page.resolve().as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, done.stderr


class _Elements(HTMLParser):
    """Record (tag, attrs) of every element in document order; script text is skipped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {k: v or "" for k, v in attrs}))


def elements(dom: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Elements()
    parser.feed(dom)
    parser.close()
    return parser.elements


def test_report_figures_render_in_chromium(chromium, tmp_path, sales_result, customers_result):
    page = render_report([sales_result, customers_result], tmp_path / "report.html", title="Demo")
    dom, log = run_chromium(chromium, page, tmp_path / "profile")

    figure_ids = [
        f"{r.name}-figure-{name}" for r in (sales_result, customers_result) for name in r.figures
    ]
    tags = elements(dom)
    # Per figure: plotly marked its div as drawn and put its rendered <svg class="main-svg">
    # inside it (before the next figure's div starts).
    starts = {a["id"]: i for i, (_, a) in enumerate(tags) if a.get("id") in figure_ids}
    assert list(starts) == figure_ids
    bounds = [*starts.values(), len(tags)]
    for fig_id, start, end in zip(figure_ids, bounds, bounds[1:], strict=False):
        classes = tags[start][1]["class"].split()
        assert "js-plotly-plot" in classes, f"{fig_id} was not drawn by plotly.js"
        inside = tags[start:end]
        main_svgs = [t for t, a in inside if t == "svg" and "main-svg" in a.get("class", "")]
        assert main_svgs, f"{fig_id} has no rendered main-svg"
    drawn = [a["id"] for _, a in tags if "js-plotly-plot" in a.get("class", "").split()]
    assert drawn == figure_ids  # one drawn plot per figure, none extra

    # No JavaScript error reached the console, and plotly showed no error notice.
    console = [line for line in log.splitlines() if ":CONSOLE" in line]
    errors = [line for line in console if re.search(r"error|uncaught|exception", line, re.I)]
    assert errors == []
    assert not re.search(r'class="plotly-notifier"[^>]*>\s*<div', dom)

    # After plotly.js built the page, still nothing points off the page (no logo link,
    # no "Share chart" button).
    external = [
        value
        for _, attrs in tags
        for name, value in attrs.items()
        if name in {"src", "href", "xlink:href"} and re.match(r"\s*(https?:)?//", value)
    ]
    assert external == []
    assert "Share chart" not in " ".join(a.get("data-title", "") for _, a in tags)


def test_png_export(chromium, tmp_path, sales_result, monkeypatch):
    monkeypatch.delenv("BROWSER_PATH", raising=False)  # the default: /usr/bin/chromium
    files = write_result_folder(sales_result, tmp_path / "sales", png=True)
    for name in ("revenue_by_category", "price_vs_units"):
        png = files[f"{name}.png"]
        assert png == tmp_path / "sales" / f"{name}.png"
        data = png.read_bytes()
        assert data.startswith(PNG_SIGNATURE)
        # width and height from the IHDR chunk: kaleido's 700 x 500 at scale 2
        assert int.from_bytes(data[16:20], "big") == 1400
        assert int.from_bytes(data[20:24], "big") == 1000
    assert (tmp_path / "sales" / "revenue_by_category.html").is_file()


def test_markup_in_shop_text_is_not_drawn_by_plotly(chromium, tmp_path):
    """plotly.js draws a few HTML tags in titles, tick labels, legends and hover text (<a href>, <b>,
    <br> ...): a product named like a link must be shown as its text, not become a link off the page."""
    from plotly import graph_objects as go

    from shopmine.result import AnalysisResult

    name = '<a href="https://evil.example/">WIN</a> <b>bold</b>'
    fig = go.Figure(go.Bar(x=[name, "plain"], y=[3, 1], name=name), layout={"title": {"text": f"Sales of {name}"}})
    result = AnalysisResult(name="hostile", title="Hostile names", figures={"bars": fig})
    page = render_report([result], tmp_path / "report.html", title="Demo")
    dom, _ = run_chromium(chromium, page, tmp_path / "profile")
    tags = elements(dom)
    assert "js-plotly-plot" in next(a["class"] for _, a in tags if a.get("id") == "hostile-figure-bars")
    links = [value for _, attrs in tags for key, value in attrs.items() if key in {"href", "xlink:href"}]
    assert not [value for value in links if "evil.example" in value]
    assert not [t for t, _ in tags if t == "b"]
    # the name is shown as written, tags and all, in the bar's tick label and the legend
    shown = '&lt;a href="https://evil.example/"&gt;WIN&lt;/a&gt; &lt;b&gt;bold&lt;/b&gt;'
    assert dom.count(shown) >= 2


def test_the_demo_report_opens_with_every_section_and_every_plot_drawn_with_data(chromium, tmp_path):
    """The report a new user opens first (`shopmine demo`), in headless Chromium: every section, every plot
    drawn by plotly.js with at least one trace, no console error; a screenshot is kept as an artefact."""
    import os
    import shutil

    from shopmine.demo import run_demo

    demo = run_demo(tmp_path / "demo", n_customers=300, n_products=40, n_days=120, seed=3)
    page = demo.report_path
    html = page.read_text(encoding="utf-8")
    sections = re.findall(r'<section class="result" id="([^"]+)">', html)
    assert sections[:4] == ["glance", "quality", "sales_panel_w", "customer_summary"]
    assert {"forecast", "segments", "classify", "clv", "recommend_evaluation", "price", "risk"} <= set(sections)
    figure_ids = re.findall(r'<div id="([^"]+-figure-[^"]+)" class="plotly-graph-div"', html)
    assert len(figure_ids) >= 20

    dom, log = run_chromium(chromium, page, tmp_path / "profile")
    tags = elements(dom)
    starts = {a["id"]: i for i, (_, a) in enumerate(tags) if a.get("id") in figure_ids}
    assert list(starts) == figure_ids
    bounds = [*starts.values(), len(tags)]
    for fig_id, start, end in zip(figure_ids, bounds, bounds[1:], strict=False):
        assert "js-plotly-plot" in tags[start][1]["class"].split(), f"{fig_id} was not drawn"
        inside = tags[start:end]
        # a drawn trace: scatter/bar/histogram traces are <g class="trace ...">, a heatmap an <image>
        traces = [t for t, a in inside if "trace" in a.get("class", "").split() or t == "image"]
        assert traces, f"{fig_id} drew no data"
    console = [line for line in log.splitlines() if ":CONSOLE" in line]
    assert [line for line in console if re.search(r"error|uncaught|exception", line, re.I)] == []

    shot = tmp_path / "demo_report.png"
    subprocess.run([str(chromium), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--user-data-dir={tmp_path / 'shot-profile'}", "--virtual-time-budget=10000",
                    "--window-size=1400,2400", f"--screenshot={shot}", page.resolve().as_uri()],
                   capture_output=True, timeout=180, check=False)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("SHOPMINE_ARTEFACTS"):
        shutil.copy(shot, Path(os.environ["SHOPMINE_ARTEFACTS"]) / shot.name)


def test_top_products_named_with_markup_are_text_in_the_report(chromium, tmp_path):
    """The glance section's top-products table of the hand-made shop (tests/api/handmade.py), whose two best
    sellers are named ``<script>alert(1)</script>`` and ``<img src=x onerror="alert(2)">``: escaped in the file,
    shown as their text in Chromium, and no element made from them. The forecast run's saved history is not a
    table of the report."""
    from html import unescape

    from api.handmade import IMG_NAME, SCRIPT_NAME, build_workspace, write_files
    from shopmine.shop import Shop
    from shopmine.workspace import Workspace

    root = tmp_path / "ws"
    build_workspace(root, write_files(tmp_path / "files"))
    with Shop(Workspace(root, create=False)) as shop:
        page = Path(shop.report(tmp_path / "report.html").metrics["path"])
    html = page.read_text(encoding="utf-8")
    table = re.search(r'id="glance-table-top_products".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    assert [row[:4] for row in rows] == [
        ["P1", "&lt;script&gt;alert(1)&lt;/script&gt;", "900", "90"],
        ["P2", "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;", "120", "30"], ["P3", "Plain mug", "10", "10"]]
    assert [unescape(row[1]) for row in rows[:2]] == [SCRIPT_NAME, IMG_NAME]
    assert SCRIPT_NAME not in html and "<img" not in html
    assert 'id="forecast-table-outlook"' in html and "forecast-table-history" not in html

    dom, log = run_chromium(chromium, page, tmp_path / "profile")
    tags = elements(dom)
    assert [t for t, _ in tags if t == "img"] == []
    assert [a for _, a in tags if "onerror" in a] == []
    assert SCRIPT_NAME not in dom  # no script element made from the name (the page adds its own plotly.js one)
    assert SCRIPT_NAME.replace("<", "&lt;").replace(">", "&gt;") in dom  # shown as its text
    console = [line for line in log.splitlines() if ":CONSOLE" in line]
    assert [line for line in console if re.search(r"error|uncaught|exception", line, re.I)] == []
