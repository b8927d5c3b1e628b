"""The dashboard in headless Chromium driven by Selenium (Debian's chromium-driver): log in, every page opens
with no console error and every plot drawn with data, the product picker changes the chart, the customer
lookup shows the customer's recommendations. Screenshots are kept under the test's tmp_path, and copied to
``$SHOPMINE_ARTEFACTS`` when it is set."""

from __future__ import annotations

import pytest

pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e .[test])")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from api.browser import console_errors, screenshot  # noqa: E402
from api.shop import HOSTILE_NAME, HOSTILE_PRODUCT  # noqa: E402

WAIT = 30


@pytest.fixture(scope="module")
def signed_in(driver, served):
    """The driver logged in through the form; the server's URL."""
    _root, server, keys = served
    driver.get(server.url + "/dashboard")
    WebDriverWait(driver, WAIT).until(ec.url_contains("/dashboard/login"))
    driver.find_element(By.ID, "key").send_keys(keys["key"])
    driver.find_element(By.ID, "login").click()
    WebDriverWait(driver, WAIT).until(ec.url_to_be(server.url + "/dashboard"))
    return server.url


def _plots_drawn(driver) -> int:
    """Wait until every figure of the page is drawn with a trace that has an SVG path; their number."""
    expected = len(driver.find_elements(By.CSS_SELECTOR, "[data-figure]"))

    def drawn(d):
        plots = d.find_elements(By.CSS_SELECTOR, ".js-plotly-plot")
        return len(plots) == expected and all(
            p.find_elements(By.CSS_SELECTOR, "g.trace path, g.trace rect") for p in plots)
    WebDriverWait(driver, WAIT).until(drawn)
    return expected


@pytest.mark.parametrize(("path", "figures"), [("", 1), ("/forecast", 1), ("/segments", 2), ("/customer", 0),
                                               ("/prices", 0)])
def test_page_opens_with_its_plots_drawn_and_no_console_error(driver, signed_in, tmp_path, path, figures):
    driver.get_log("browser")  # what earlier pages logged
    driver.get(signed_in + "/dashboard" + path)
    assert _plots_drawn(driver) == figures
    screenshot(driver, tmp_path, "dashboard" + path.replace("/", "-"))
    assert console_errors(driver) == []


def test_product_picker_changes_the_chart(driver, signed_in, tmp_path):
    driver.get(f"{signed_in}/dashboard/forecast?product={HOSTILE_PRODUCT}")
    _plots_drawn(driver)
    title = driver.find_element(By.CSS_SELECTOR, ".gtitle").text
    assert title == f"Forecast of {HOSTILE_NAME} ({HOSTILE_PRODUCT})"  # shown as text, drawn as no element
    assert driver.find_elements(By.CSS_SELECTOR, "main img, main b") == []
    Select(driver.find_element(By.ID, "product")).select_by_value("P00002")  # the page's script submits it
    WebDriverWait(driver, WAIT).until(ec.url_contains("product=P00002"))
    _plots_drawn(driver)
    assert driver.find_element(By.CSS_SELECTOR, ".gtitle").text.endswith("(P00002)")
    screenshot(driver, tmp_path, "dashboard-forecast-picked")
    assert console_errors(driver) == []


def test_customer_lookup_shows_the_customers_recommendations(driver, signed_in, client, tmp_path):
    driver.get(signed_in + "/dashboard/customer")
    driver.find_element(By.ID, "customer_id").send_keys("C000001")
    driver.find_element(By.ID, "lookup").click()
    WebDriverWait(driver, WAIT).until(ec.presence_of_element_located((By.ID, "recommendations-table")))
    rows = driver.find_elements(By.CSS_SELECTOR, "#recommendations-table tbody tr")
    shown = [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")] for row in rows]
    expected = client.get("/v1/customers/C000001/recommendations", params={"k": 10}).json()["items"]
    assert [(r[1], r[3]) for r in shown] == [(i["product_id"], i["reason"]) for i in expected]
    assert driver.find_element(By.CSS_SELECTOR, "#segment td").text == \
        client.get("/v1/customers/C000001/segment").json()["rfm_segment"]
    screenshot(driver, tmp_path, "dashboard-customer")
    assert console_errors(driver) == []
