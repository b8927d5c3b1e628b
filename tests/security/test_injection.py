"""Issue 10, item 2: no script runs from order data, column names or file names.

Each page shopmine writes is checked twice: parsed as it is on disk (no element or event
handler attribute came from the data), and loaded in headless Chromium (after plotly.js drew the
figures, the title is unchanged and no element carries an ``on...`` handler). Each test also
checks that the payload did reach the page, as text, so that a page that merely lost the value
cannot pass.
"""

from __future__ import annotations

import re
import subprocess
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from .conftest import run_cli
from .payloads import CATEGORY_XSS, CUSTOMER_XSS, FILE_XSS, PRODUCT_XSS, XSS

REPORT_TITLE = "shopmine report"


class _Page(HTMLParser):
    """Elements (tag, attributes), the <title> and the text outside scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.title = ""
        self.text: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        self._open.append(tag)

    def handle_endtag(self, tag):
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag):]

    def handle_data(self, data):
        inside = self._open[-1] if self._open else ""
        if inside == "title":
            self.title += data
        elif inside not in ("script", "style"):
            self.text.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


@lru_cache(maxsize=None)
def browser_dom(chromium: Path, page: Path) -> str:
    """The DOM of ``page`` after its scripts ran in headless Chromium (offline)."""
    command = [
        str(chromium), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={page.parent / '.chromium'}",
        "--virtual-time-budget=10000", "--dump-dom", page.resolve().as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def handlers(page: _Page) -> list[tuple[str, str]]:
    return [(tag, name) for tag, attrs in page.elements for name in attrs if name.startswith("on")]


def assert_no_injection(chromium: Path, path: Path, title: str, payload: str) -> None:
    """``payload`` shows as text on the page at ``path`` and runs nowhere."""
    html = path.read_text(encoding="utf-8")
    # Nowhere unescaped: not in the markup, not in a script.
    assert payload not in html
    on_disk = parse(html)
    assert on_disk.title == title
    # No element of the page as written comes from the data: no <svg> (plotly draws its own
    # only when its script runs) and no event handler attribute.
    assert [tag for tag, _ in on_disk.elements if tag == "svg"] == []
    assert handlers(on_disk) == []
    drawn = parse(browser_dom(chromium, path))
    assert drawn.title == title  # the payload sets it to "XSS" when it runs
    assert handlers(drawn) == []
    assert not any(tag == "svg" and "onload" in attrs for tag, attrs in drawn.elements)
    links = [v for _, attrs in drawn.elements for k, v in attrs.items() if k in ("href", "xlink:href")]
    assert not [v for v in links if v.strip().lower().startswith("javascript:")]
    assert payload in "".join(drawn.text), f"{payload!r} never reached {path.name} as text"


@pytest.fixture(scope="session")
def report_page(payload_shop) -> Path:
    path = payload_shop.root / "report.html"
    # The report's quality section is the saved quality run: the file name goes through its Parquet tables.
    assert run_cli("--workspace", payload_shop.workspace, "quality") == 0
    assert run_cli("--workspace", payload_shop.workspace, "report", "--output", path) == 0
    return path


@pytest.fixture(scope="session")
def quality_page(payload_shop) -> Path:
    assert run_cli("--workspace", payload_shop.workspace, "quality") == 0
    return payload_shop.workspace / "outputs" / "quality.html"


def _forecast_dir(payload_shop, name: str, *selection: str) -> Path:
    out = payload_shop.root / name
    assert run_cli("--workspace", payload_shop.workspace, "forecast", *selection, "--model",
                   "window_average", "--backtest", "1", "--horizon", "7", "--output-dir", out) == 0
    return out


@pytest.fixture(scope="session")
def forecast_dir(payload_shop) -> Path:
    return _forecast_dir(payload_shop, "forecast_run", "--top", "3")


@pytest.fixture(scope="session")
def category_forecast_dir(payload_shop) -> Path:
    return _forecast_dir(payload_shop, "category_forecast_run", "--level", "category")


@pytest.fixture(scope="session")
def linear_dir(tmp_path_factory) -> Path:
    """``model linear`` on a table whose one feature column is named with the payload."""
    root = tmp_path_factory.mktemp("linear_xss")
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 10, 60)
    pd.DataFrame({PRODUCT_XSS: x, "sales": 2 * x + rng.normal(0, 1, 60)}).to_csv(
        root / "table.csv", index=False)
    assert run_cli("model", "linear", "--data", root / "table.csv", "--target", "sales",
                   "--output-dir", root / "run") == 0
    return root / "run"


@pytest.fixture(scope="session")
def tree_dir(tmp_path_factory) -> Path:
    """``model tree`` with a payload feature name and a payload class label (rules, tree plot)."""
    root = tmp_path_factory.mktemp("tree_xss")
    rng = np.random.default_rng(4)
    x = rng.uniform(0, 10, 120)
    label = np.where(x + rng.normal(0, 1, 120) > 5, CATEGORY_XSS, "other")
    pd.DataFrame({PRODUCT_XSS: x, "noise": rng.normal(0, 1, 120), "label": label}).to_csv(
        root / "table.csv", index=False)
    assert run_cli("model", "tree", "--data", root / "table.csv", "--target", "label",
                   "--output-dir", root / "run") == 0
    return root / "run"


def test_product_id_script_in_report_html(chromium, report_page):
    assert_no_injection(chromium, report_page, REPORT_TITLE, PRODUCT_XSS)


def test_customer_id_script_in_report_html(chromium, report_page):
    assert_no_injection(chromium, report_page, REPORT_TITLE, CUSTOMER_XSS)


def test_category_script_in_forecast_output_dir(chromium, category_forecast_dir):
    # Categories reach a page as the series of a category forecast (the report has none).
    index = category_forecast_dir / "index.html"
    assert_no_injection(chromium, index, "Sales forecast (category, units)", CATEGORY_XSS)
    [page] = [p for p in category_forecast_dir.glob("forecast_home*.html")]
    assert_no_injection(chromium, page, f"Sales forecast (category, units): {page.name}",
                        f"{CATEGORY_XSS}: history and forecast")


def test_file_name_script_in_report_html(chromium, report_page):
    assert_no_injection(chromium, report_page, REPORT_TITLE, FILE_XSS)


def test_file_name_script_in_quality_html(chromium, quality_page):
    assert_no_injection(chromium, quality_page, "shopmine data quality", FILE_XSS)


def test_product_id_script_in_forecast_output_dir(chromium, forecast_dir):
    index = forecast_dir / "index.html"
    assert_no_injection(chromium, index, "Sales forecast (product, units)", PRODUCT_XSS)
    # The product's own figure page (its file name is sanitised; its title and plot are not).
    [page] = [p for p in forecast_dir.glob("forecast_21212*.html")]
    assert_no_injection(chromium, page, f"Sales forecast (product, units): {page.name}",
                        f"{PRODUCT_XSS}: history and forecast")


def test_column_name_script_in_model_linear_output_dir(chromium, linear_dir):
    index = linear_dir / "index.html"
    title = parse(index.read_text(encoding="utf-8")).title
    assert title.startswith("Linear regression")
    assert_no_injection(chromium, index, title, PRODUCT_XSS)
    [page] = [p for p in linear_dir.glob("scatter_21212*.html")]
    assert_no_injection(chromium, page, f"{title}: {page.name}", PRODUCT_XSS)


def test_no_page_in_any_output_dir_carries_the_payload_raw(forecast_dir, category_forecast_dir,
                                                          linear_dir):
    # The raw payload (closing </script>) is nowhere in any page written, in a script or not.
    pages = [*forecast_dir.glob("*.html"), *category_forecast_dir.glob("*.html"),
             *linear_dir.glob("*.html")]
    assert len(pages) >= 6
    for page in pages:
        assert XSS not in page.read_text(encoding="utf-8"), page.name


def test_column_name_and_class_label_script_in_model_tree_output_dir(chromium, tree_dir):
    index = tree_dir / "index.html"
    title = parse(index.read_text(encoding="utf-8")).title
    # The rules table and the tree plot show both the feature and the class.
    assert_no_injection(chromium, index, title, PRODUCT_XSS)
    assert_no_injection(chromium, index, title, CATEGORY_XSS)
    assert_no_injection(chromium, tree_dir / "tree.html", f"{title}: tree.html", CATEGORY_XSS)


@pytest.fixture(scope="session")
def price_dir(payload_shop) -> Path:
    out = payload_shop.root / "price_run"
    assert run_cli("--workspace", payload_shop.workspace, "price", "--output-dir", out) == 0
    return out


def test_product_id_script_in_price_output_dir(chromium, price_dir):
    # The product is in the suggestions table and, when its elasticity is usable, in a curve's title.
    index = price_dir / "index.html"
    assert_no_injection(chromium, index, parse(index.read_text(encoding="utf-8")).title, PRODUCT_XSS)
    for page in price_dir.glob("*.html"):
        assert XSS not in page.read_text(encoding="utf-8"), page.name
