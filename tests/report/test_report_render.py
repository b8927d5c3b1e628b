"""The HTML report: content, escaping, one plotly.js, nothing external, atomic writes."""

from __future__ import annotations

import base64
import gzip
import html as html_lib
import pathlib
import re
from datetime import datetime, timezone
from html.parser import HTMLParser

import pandas as pd
import plotly.offline
import pytest

from shopmine.errors import ShopmineInputError, ShopmineRunError
from shopmine.report import render_html, render_report
from shopmine.report.pages import packed_plotlyjs
from shopmine.result import AnalysisResult

GENERATED_AT = datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc)
XSS = "<script>alert(1)</script>"


class _Collector(HTMLParser):
    """Collect every tag's attributes, the text of <style> blocks and the script count.

    HTMLParser treats <script> and <style> content as raw text, so URLs inside the
    plotly.js bundle (string literals in code) are not mistaken for attributes.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attrs: list[tuple[str, str, str]] = []
        self.styles: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            self.attrs.append((tag, name, value or ""))
        if tag == "script":
            self.scripts.append(dict(attrs))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def parse(page: str) -> _Collector:
    collector = _Collector()
    collector.feed(page)
    collector.close()
    return collector


def external_references(page: str) -> list[str]:
    """Every src/href/srcset/action/poster value or CSS url()/@import pointing off the page."""
    collector = parse(page)
    refs = [
        value
        for _, name, value in collector.attrs
        if name in {"src", "href", "srcset", "action", "poster", "data", "xlink:href"}
        and re.match(r"\s*(https?:)?//", value, re.IGNORECASE)
    ]
    for css in collector.styles:
        refs += re.findall(r"(?:url\(|@import)\s*['\"]?\s*((?:https?:)?//[^'\")\s]+)", css, re.I)
    return refs


@pytest.fixture
def report(tmp_path, sales_result, customers_result) -> str:
    path = render_report(
        [sales_result, customers_result],
        tmp_path / "report.html",
        title="Demo shop <report>",
        subtitle="Orders 2024-01-01 to 2024-01-30",
        generated_at=GENERATED_AT,
    )
    assert path == tmp_path / "report.html"
    return path.read_text(encoding="utf-8")


def test_report_has_header_and_table_of_contents(report):
    assert "<title>Demo shop &lt;report&gt;</title>" in report
    assert "Orders 2024-01-01 to 2024-01-30" in report
    assert "2024-03-01 09:30 UTC" in report
    assert 'datetime="2024-03-01T09:30:00+00:00"' in report
    toc = re.search(r'<nav class="toc".*?</nav>', report, re.S).group(0)
    assert re.findall(r'href="#([^"]+)"', toc) == ["sales", "customers"]
    assert "Customers &amp; segments" in toc


def test_each_result_has_a_section_with_its_content(report, sales_result, customers_result):
    assert report.index('<section class="result" id="sales">') < report.index(
        '<section class="result" id="customers">'
    )
    for result in (sales_result, customers_result):
        assert html_lib.escape(result.title, quote=False) in report
        for paragraph in result.summary.split("\n\n"):
            assert f'<p class="summary">{paragraph}</p>' in report
    # metric labels and formatted values; a nested mapping is its own small table under its name
    for label, value in [
        ("orders", "12,345"),
        ("revenue", "1,234,568"),
        ("repeat_customer_share", "43.2%"),
        ("rmse", "12.35"),
        ("hit_rate", "60%"),
        ("customers", "4,372"),
        ("churn_rate", "18.3%"),
    ]:
        assert f'<tr><th scope="row">{label}</th><td>{value}</td></tr>' in report
    holdout = re.search(r"<caption>holdout</caption>.*?</table>", report, re.S).group(0)
    assert "<th scope=\"row\">rmse</th><td>12.35</td>" in holdout and "hit_rate" in holdout
    # table cells, as formatted text
    assert "<td>2024-01-01</td><td>home</td>" in report  # midnight timestamps shown as dates
    assert '<th scope="col" class="num">revenue</th>' in report  # numbers right-aligned
    assert "<td>C00019</td>" in report
    assert '<td>loyal</td><td class="num">1,200</td>' in report
    # one plotly div per figure
    assert report.count('class="plotly-graph-div"') == 4
    for fig_id in ("sales-figure-revenue_by_category", "customers-figure-segments"):
        assert f'<div id="{fig_id}" class="plotly-graph-div"' in report


def test_table_cells_and_text_are_escaped(tmp_path):
    result = AnalysisResult(
        name="xss",
        title=f"Title {XSS}",
        summary=f"Summary {XSS}",
        tables={"t": __import__("pandas").DataFrame({"name": [XSS], f"col{XSS}": [1]})},
        metrics={f"key{XSS}": XSS},
    )
    page = render_report([result], tmp_path / "r.html", title=XSS, subtitle=XSS).read_text()
    assert XSS not in page
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    # <title>, h1, subtitle, section heading, summary, metric key, metric value, column, cell
    assert page.count(escaped) == 9
    assert f'<tr><th scope="row">key{escaped}</th><td>{escaped}</td></tr>' in page
    assert f"<td>{escaped}</td>" in page
    assert parse(page).scripts == []  # no figures: no script tags at all


def test_plotly_js_is_embedded_exactly_once(report):
    # plotly.py's bundle, packed, once for the four figures; never as plain JavaScript.
    full = plotly.offline.get_plotlyjs()
    packed = packed_plotlyjs()
    assert gzip.decompress(base64.b64decode(packed)).decode() == full
    assert report.count(packed) == 1
    assert report.count('id="shopmine-plotlyjs-gzip"') == 1
    assert full[:2000] not in report
    assert report.count("window.shopminePlot(function") == 4  # each figure waits for it, none loads it again
    assert len(report) < len(packed) * 1.5  # not once per figure (4 figures)


def test_report_without_figures_omits_plotly_js(tmp_path):
    result = AnalysisResult(name="plain", title="Plain", metrics={"n": 1})
    page = render_html([result], title="Plain report", generated_at=GENERATED_AT)
    assert "Plotly.newPlot" not in page
    assert len(page) < 20_000


def test_report_references_nothing_external(report):
    collector = parse(report)
    assert collector.attrs, "the parser saw no attributes at all"
    assert external_references(report) == []
    assert all("src" not in script for script in collector.scripts)  # all scripts inline
    # Outside the bundle (whose code mentions URLs it never loads here) no URL at all.
    page = report.replace(packed_plotlyjs(), "")
    assert "http://" not in page and "https://" not in page
    assert '"showSendToCloud": false' in report  # no "Share chart" button uploading data


def test_long_tables_are_truncated_with_a_note(report):
    assert "showing 20 of 4,372 rows" in report
    assert "<td>C00019</td>" in report
    assert "C00020" not in report
    assert report.count('<p class="note">') == 1  # the short tables carry no note


def test_max_rows_is_configurable(tmp_path, customers_result):
    page = render_html([customers_result], title="t", max_rows=5)
    assert "showing 5 of 4,372 rows" in page
    assert "<td>C00004</td>" in page and "C00005" not in page
    with pytest.raises(ShopmineInputError, match="max_rows must be at least 1. Got 0 instead"):
        render_html([customers_result], title="t", max_rows=0)


def test_single_result_has_no_table_of_contents(sales_result):
    page = render_html([sales_result], title="t")
    assert '<nav class="toc"' not in page
    assert '<section class="result" id="sales">' in page


def test_empty_report_says_so():
    assert "This report has no results." in render_html([], title="Nothing yet")


def test_duplicate_result_names_are_refused(sales_result):
    with pytest.raises(ShopmineInputError, match="Two results are named 'sales'.*must be unique"):
        render_html([sales_result, sales_result], title="t")


def test_failed_rendering_leaves_existing_report_unchanged(tmp_path, sales_result):
    path = tmp_path / "report.html"
    path.write_text("previous report", encoding="utf-8")
    broken = AnalysisResult(name="broken", title="Broken", figures={"oops": object()})
    message = "Figure 'oops' of result 'broken' cannot be rendered"
    with pytest.raises(ShopmineRunError, match=message):
        render_report([sales_result, broken], path, title="t")
    assert path.read_text(encoding="utf-8") == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_failed_write_leaves_existing_report_unchanged(tmp_path, sales_result, monkeypatch):
    path = tmp_path / "report.html"
    path.write_text("previous report", encoding="utf-8")
    real_write_text = pathlib.Path.write_text

    def write_half_then_fail(self, data, *args, **kwargs):
        real_write_text(self, data[: len(data) // 2], *args, **kwargs)
        raise OSError("disk full")

    monkeypatch.setattr(pathlib.Path, "write_text", write_half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        render_report([sales_result], path, title="t")
    monkeypatch.undo()
    assert path.read_text(encoding="utf-8") == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_a_revenue_forecast_and_money_columns_read_in_the_shops_currency():
    # A revenue forecast's outlook and forecasts are money, its change a share; units are not money.
    outlook = pd.DataFrame({"unique_id": ["22423"], "last_periods": [12_840.5], "next_periods": [13_020.0],
                            "change": [0.014]})
    forecasts = pd.DataFrame({"unique_id": ["22423"], "forecast": [930.0], "lgbm": [912.25]})
    revenue = AnalysisResult(name="forecast", title="Sales forecast (product, revenue)",
                             metrics={"measure": "revenue"}, tables={"outlook": outlook, "forecasts": forecasts})
    units = AnalysisResult(name="forecast_units", title="Sales forecast (product, units)",
                           metrics={"measure": "units"}, tables={"outlook": outlook})
    customers = AnalysisResult(name="customers", title="Customers",
                               tables={"top": pd.DataFrame({"customer_id": ["1"], "monetary": [171_499.6]})})
    page = render_html([revenue, units, customers], title="t", generated_at=GENERATED_AT, currency="GBP")
    for text in ("£12,840", "£13,020", "£930.00", "£912.25", "1.4%", "£171,500"):
        assert f">{text}<" in page, text
    assert ">12,840<" in page  # the units forecast: a plain number


def test_a_tiles_table_is_shown_as_kpi_tiles_not_as_a_table(tmp_path):
    import pandas as pd

    tiles = pd.DataFrame({"kpi": ["revenue", "orders", "returning_customer_rate"], "value": [1448249.0, 2777.0, 0.845],
                          "vs_previous_period": [0.249, 0.296, 0.083], "vs_last_year": [None, None, -0.02]})
    result = AnalysisResult(name="glance", title="At a glance", tables={"tiles": tiles}, metrics={"orders": 2777})
    page = render_report([result], tmp_path / "r.html", title="T", currency="GBP").read_text()
    boxes = re.findall(r'<div class="tile">(.*?)</div>\s*</div>', page, re.S)
    assert len(boxes) == 3
    text = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", box)).strip() for box in boxes]
    assert text == ["Revenue £1,448,249 +25% vs previous period — vs last year",
                    "Orders 2,777 +30% vs previous period — vs last year",
                    "Returning customers 84.5% +8.3 pts vs previous period −2.0 pts vs last year"]
    assert 'class="tile-change up"' in page and 'class="tile-change down"' in page
    assert "<h3" not in page.split('<section class="result" id="glance">')[1].split("</section>")[0]
