"""The dashboard over HTTP against a real server: login, the session cookie, every page's content checked
against the saved runs (read back through the library) and the API's own answers, and shop text escaped."""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from html import unescape

import httpx
import pytest

from api.shop import HOSTILE_NAME, HOSTILE_PRODUCT
from shopmine.api.keys import KeyStore
from shopmine.api.routes.forecasts import latest_forecast
from shopmine.api.saved import SavedRuns
from shopmine.currency import format_amount
from shopmine.runs import latest_run, load_run
from shopmine.workspace import Workspace

PAGES = ["/dashboard", "/dashboard/forecast", "/dashboard/segments", "/dashboard/customer", "/dashboard/prices"]
FIGURE_BLOCK = re.compile(r'<script type="application/json" id="(figure-\d+)">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def ws(served):
    workspace = Workspace(served[0], create=False)
    yield workspace
    workspace.close()


@contextmanager
def _login(url: str, key: str):
    """An httpx client logged in to the dashboard with ``key`` (it keeps the session cookie)."""
    with httpx.Client(base_url=url, timeout=30) as http:
        answer = http.post("/dashboard/login", data={"key": key})
        assert answer.status_code == 303 and answer.headers["location"] == "/dashboard"
        yield http


@pytest.fixture(scope="module")
def browser(served):
    """An httpx client holding a dashboard session of the valid key."""
    _root, server, keys = served
    with _login(server.url, keys["key"]) as http:
        yield http


def _figures(html: str) -> list[dict]:
    return [json.loads(text) for _id, text in FIGURE_BLOCK.findall(html)]


def _cells(html: str, table_id: str) -> list[list[str]]:
    body = re.search(rf'<table id="{table_id}">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [[unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_redirects_to_the_login_form_without_a_session(served, path):
    answer = httpx.get(served[1].url + path, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/dashboard/login"


def test_login_form_is_open_and_under_the_strict_policy(served):
    answer = httpx.get(served[1].url + "/dashboard/login")
    assert answer.status_code == 200 and 'name="key"' in answer.text
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "<script>" not in answer.text and " style=" not in answer.text  # no inline script or style


def test_unknown_and_revoked_keys_are_refused_without_a_cookie(served):
    _root, server, keys = served
    unknown = httpx.post(server.url + "/dashboard/login", data={"key": keys["key"] + "x"})
    revoked = httpx.post(server.url + "/dashboard/login", data={"key": keys["revoked"]})
    empty = httpx.post(server.url + "/dashboard/login", content=b"", headers={"content-type": "text/plain"})
    assert (unknown.status_code, revoked.status_code, empty.status_code) == (401, 403, 401)
    assert "not an API key of this workspace" in unknown.text and "The key old was revoked" in revoked.text
    assert all("set-cookie" not in a.headers for a in (unknown, revoked, empty))


def test_session_cookie_is_httponly_samesite_strict_and_holds_no_key(served):
    _root, server, keys = served
    answer = httpx.post(server.url + "/dashboard/login", data={"key": keys["key"]})
    cookie = answer.headers["set-cookie"]
    flags = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    assert "httponly" in flags and flags["samesite"].lower() == "samesite=strict"
    assert flags["path"] == "Path=/dashboard" and flags["max-age"] == "Max-Age=28800"
    assert keys["key"] not in cookie and cookie.startswith("shopmine_session=tests~")


def test_a_changed_token_does_not_log_in(served):
    _root, server, keys = served
    with _login(server.url, keys["key"]) as http:
        token = http.cookies["shopmine_session"]
        forged = token.replace("tests~", "old~", 1)
        answer = httpx.get(server.url + "/dashboard", cookies={"shopmine_session": forged}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/dashboard/login?reason=invalid"
    assert 'shopmine_session=""' in answer.headers["set-cookie"]


def test_logout_clears_the_cookie(served):
    _root, server, keys = served
    with _login(server.url, keys["key"]) as http:
        assert http.get("/dashboard").status_code == 200
        answer = http.post("/dashboard/logout")
        assert answer.status_code == 303 and answer.headers["location"] == "/dashboard/login?reason=logout"
        assert "Max-Age=0" in answer.headers["set-cookie"]
        assert http.get("/dashboard").status_code == 303


def test_revoking_the_key_logs_the_session_out(served):
    root, server, _keys = served
    store = KeyStore(Workspace(root, create=False).secret_dir)
    key = store.create("dashboard-revoked")
    with _login(server.url, key) as http:
        assert http.get("/dashboard").status_code == 200
        store.revoke("dashboard-revoked")
        answer = http.get("/dashboard")
    assert answer.status_code == 303 and answer.headers["location"] == "/dashboard/login?reason=revoked"


def test_overview_shows_the_glance_runs_tiles_chart_and_top_products(browser, ws):
    run = latest_run(ws, "glance")
    html = browser.get("/dashboard").text
    revenue = run.result.metrics["revenue"]
    # As the report writes them, in the currency the glance run found in the orders (the simulated shop's
    # euros; no currency setting): whole amounts from 1,000, cents below, a rate in percent to one decimal.
    assert run.result.metrics["currency"] == "EUR"
    tiles = re.findall(r'<div class="label">(.*?)</div>\s*<div class="value">(.*?)</div>', html)
    assert tiles == [("Revenue", format_amount(revenue, "EUR")), ("Orders", f"{run.result.metrics['orders']:,.0f}"),
                     ("Average order value", format_amount(run.result.metrics["avg_order_value"], "EUR")),
                     ("Returning customers", f"{run.result.metrics['returning_customer_rate']:.1%}")]
    [figure] = _figures(html)
    weekly = run.result.figures["revenue_against_last_year"]
    assert figure["data"][0]["y"] == pytest.approx(list(weekly.data[0].y))
    top = run.result.tables["top_products"]
    assert [row[0] for row in _cells(html, "top-products")] == list(top["product_id"])
    assert run.run_id in html


def test_forecast_picker_lists_every_product_and_draws_the_chosen_one(browser, ws):
    run = load_run(ws, latest_forecast(SavedRuns(ws), "product")["run_id"])
    table = run.result.tables["forecasts"]
    first = browser.get("/dashboard/forecast").text
    options = re.findall(r'<option value="([^"]*)"', first)
    assert options == list(dict.fromkeys(table["unique_id"]))
    html = browser.get("/dashboard/forecast", params={"product": "P00002"}).text
    assert '<option value="P00002" selected>' in html
    [figure] = _figures(html)
    rows = table[table["unique_id"] == "P00002"]
    assert figure["layout"]["title"]["text"].endswith("(P00002)")
    traces = {trace.get("name"): trace for trace in figure["data"]}
    assert figure["data"][-1] == traces["forecast"]
    assert traces["forecast"]["y"] == pytest.approx(list(rows["forecast"]))
    assert traces["95% interval"]["y"] == pytest.approx(list(rows["forecast-lo-95"]))
    history = run.result.tables["history"]
    assert traces["actual sales"]["y"] == pytest.approx(list(history.loc[history["unique_id"] == "P00002", "y"]))
    unknown = browser.get("/dashboard/forecast", params={"product": "NOPE"})
    assert unknown.status_code == 404 and "&#39;NOPE&#39; is not in the product forecast run" in unknown.text


def test_hostile_product_name_is_text_in_the_page_and_the_figure(browser):
    html = browser.get("/dashboard/forecast", params={"product": HOSTILE_PRODUCT}).text
    assert HOSTILE_NAME not in html and "<img" not in html and "<b>Mug" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;&lt;/script&gt;&lt;b&gt;Mug &amp; &#34;Co&#34;" in html
    # The figure's JSON block: no markup reaches the HTML parser; plotly.js gets its text with '<' escaped.
    block = FIGURE_BLOCK.search(html).group(2)
    assert "<" not in block and "\\u0026lt;/script\\u003e" in block
    title = json.loads(block)["layout"]["title"]["text"]
    assert title == f"Forecast of {HOSTILE_NAME.replace('<', '&lt;')} ({HOSTILE_PRODUCT})"


def test_segments_page_shows_the_segments_runs_sizes(browser, ws):
    run = latest_run(ws, "segments")
    html = browser.get("/dashboard/segments").text
    segments = run.result.tables["rfm_segments"]
    cells = _cells(html, "segments-table")
    assert [(row[0], int(row[1])) for row in cells] == list(zip(segments["rfm_segment"], segments["customers"]))
    assert sum(int(row[1]) for row in cells) == len(run.result.tables["customers"])
    figures = _figures(html)
    assert len(figures) == 2 and all(f["data"] for f in figures)


def test_customer_lookup_shows_what_the_api_answers(browser, client):
    html = browser.get("/dashboard/customer", params={"customer_id": "C000001"}).text
    recommended = client.get("/v1/customers/C000001/recommendations", params={"k": 10}).json()["items"]
    rows = _cells(html, "recommendations-table")
    assert [(r[1], r[3]) for r in rows] == [(i["product_id"], i["reason"]) for i in recommended]
    segment = client.get("/v1/customers/C000001/segment").json()
    assert f"<th>RFM segment</th><td>{segment['rfm_segment']}</td>" in html
    risk = client.get("/v1/customers/C000001/risk").json()
    assert f"<th>Score points</th><td>{risk['score_points']:.4g}</td>" in html
    clv = client.get("/v1/customers/C000001/clv").json()  # money in the shop's euros, found by the glance run
    assert f"<th>Expected revenue</th><td>{format_amount(clv['expected_revenue'], 'EUR')}</td>" in html


def test_customer_lookup_of_an_unknown_customer_says_so(browser):
    html = browser.get("/dashboard/customer", params={"customer_id": "<nobody>"}).text
    assert "customer &#39;&lt;nobody&gt;&#39; is not in the segments run" in html
    assert "<nobody>" not in html


def test_prices_are_paginated_in_the_runs_order(browser, client):
    first, second = (browser.get("/dashboard/prices", params={"page": n}).text for n in (1, 2))
    api = client.get("/v1/prices", params={"limit": 1000}).json()
    ids = [item["product_id"] for item in api["items"]]
    assert [r[0] for r in _cells(first, "prices-table")] == ids[:25]
    assert [r[0] for r in _cells(second, "prices-table")] == ids[25:50]
    assert f"Products 26–{min(50, api['total'])} of {api['total']}" in second
    assert 'href="/dashboard/prices?page=2" id="next"' in first and 'id="previous"' in second


def test_plotly_js_is_served_from_the_package_and_cached(served):
    url = served[1].url + "/dashboard/static/plotly.min.js"
    answer = httpx.get(url)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/javascript")
    import plotly.offline
    assert answer.text == plotly.offline.get_plotlyjs()
    again = httpx.get(url, headers={"if-none-match": answer.headers["etag"]})
    assert again.status_code == 304 and "max-age=86400" in again.headers["cache-control"]
