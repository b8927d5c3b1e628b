"""The hand-made shop (:mod:`api.handmade`) behind a real server.

The forecast's history, saved with the run and served without the warehouse: the API's ``history`` and the
dashboard chart's "actual sales" trace are each product's units of the last 90 days before the as-of date, as
the shop's rules give them. The overview's top products, two of them named with markup, are shown as text: in
the HTML, and in headless Chromium, where no element comes from a name and no script runs."""

from __future__ import annotations

import datetime as dt
import json
import re

import httpx
import pytest

from api.browser import console_errors, screenshot
from api.handmade import DAYS, IMG_NAME, SCRIPT_NAME, START, build_workspace, units, write_files
from api.server import Server
from shopmine.api.keys import KeyStore
from shopmine.forecast.report import HISTORY_PERIODS
from shopmine.workspace import Workspace

#: The last 30 days' best sellers of the hand-made shop: (id, name, revenue, units), by its rules.
TOP_PRODUCTS = [("P1", SCRIPT_NAME, "900", "90"), ("P2", IMG_NAME, "120", "30"), ("P3", "Plain mug", "10", "10")]
FIGURE_BLOCK = re.compile(r'<script type="application/json" id="figure-\d+">(.*?)</script>', re.S)


def expected(product: str) -> list[dict]:
    """Each of the last HISTORY_PERIODS days before the as-of date with the units the rules give."""
    return [{"ds": str(START + dt.timedelta(days=day)), "y": float(units(product, day))}
            for day in range(DAYS - HISTORY_PERIODS, DAYS)]


@pytest.fixture(scope="module")
def handmade(tmp_path_factory) -> tuple[Server, str]:
    """The server and a valid key."""
    folder = tmp_path_factory.mktemp("handmade")
    root = folder / "ws"
    build_workspace(root, write_files(folder / "files"))
    key = KeyStore(Workspace(root, create=False).secret_dir).create("tests")
    server = Server(root)
    yield server, key
    server.stop()


@pytest.fixture(scope="module")
def dashboard(handmade):
    """An httpx client signed in to the dashboard."""
    server, key = handmade
    with httpx.Client(base_url=server.url, timeout=30) as http:
        assert http.post("/dashboard/login", data={"key": key}).status_code == 303
        yield http


def test_the_expected_history_is_what_the_rules_say():
    days = expected("P2")
    assert len(days) == 90 and days[0]["ds"] == "2024-01-31" and days[-1]["ds"] == "2024-04-29"
    assert [d["y"] for d in days[:4]] == [2.0, 0.0, 2.0, 0.0]  # day 30 is even: 2 units, day 31 none


@pytest.mark.parametrize("product", ["P1", "P2", "P3"])
def test_the_api_answers_the_products_history(handmade, product):
    server, key = handmade
    answer = httpx.get(f"{server.url}/v1/products/{product}/forecast", headers={"X-API-Key": key}).json()
    assert answer["history"] == expected(product)
    assert answer["items"][0]["ds"] == "2024-04-30"  # the forecast starts where the history ends
    listed = httpx.get(f"{server.url}/v1/forecasts/product", params={"series": product},
                       headers={"X-API-Key": key}).json()
    assert listed["history"] == expected(product)
    everything = httpx.get(f"{server.url}/v1/forecasts/product", headers={"X-API-Key": key}).json()
    assert everything["history"] is None  # only for one series


def test_the_dashboard_chart_draws_the_history_before_the_forecast(dashboard):
    html = dashboard.get("/dashboard/forecast", params={"product": "P2"}).text
    figure = json.loads(FIGURE_BLOCK.search(html).group(1))
    traces = {trace.get("name"): trace for trace in figure["data"]}
    history = traces["actual sales"]
    assert history["x"] == [d["ds"] for d in expected("P2")]
    assert history["y"] == [d["y"] for d in expected("P2")]
    forecast = traces["forecast"]
    assert forecast["x"][0] == "2024-04-30" and forecast["y"] == [0.0] * 7  # naive: the last day's units (odd: 0)


def test_top_products_with_markup_names_are_text_in_the_overview(dashboard):
    html = dashboard.get("/dashboard").text
    body = re.search(r'<table id="top-products">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    assert [row[:2] for row in rows] == [["P1", "&lt;script&gt;alert(1)&lt;/script&gt;"],
                                         ["P2", "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;"],
                                         ["P3", "Plain mug"]]
    assert SCRIPT_NAME not in html and "<img" not in html


def test_top_products_with_markup_names_in_chromium(driver, handmade, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    server, key = handmade
    driver.get(server.url + "/dashboard/login")
    driver.find_element(By.ID, "key").send_keys(key)
    driver.find_element(By.ID, "login").click()
    WebDriverWait(driver, 30).until(ec.url_to_be(server.url + "/dashboard"))
    driver.get_log("browser")
    driver.get(server.url + "/dashboard")
    table = WebDriverWait(driver, 30).until(ec.presence_of_element_located((By.ID, "top-products")))
    shown = [tuple(cell.text for cell in row.find_elements(By.TAG_NAME, "td"))[:4]
             for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")]
    assert shown == TOP_PRODUCTS  # the names as a person reads them
    assert table.find_elements(By.CSS_SELECTOR, "img, script") == []  # no element made from a name
    assert driver.execute_script("return document.querySelectorAll('img').length") == 0
    screenshot(driver, tmp_path, "dashboard-handmade-overview")
    assert console_errors(driver) == []  # nothing ran (an inline script would also be a CSP violation)
