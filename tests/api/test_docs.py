"""``/docs`` without a CDN: the page names no other host, Swagger UI's files come from the server with their
media types, the Content-Security-Policy allows the server's own origin only, and in headless Chromium the
page draws every operation of the schema with no console error (a CSP violation or a failed load is one)."""

from __future__ import annotations

import re

import httpx
import pytest

from api.browser import console_errors, screenshot
from shopmine.api.docs import CSP

ASSETS = {"/docs/static/swagger-ui-bundle.js": "text/javascript", "/docs/static/swagger-ui.css": "text/css",
          "/docs/static/swagger-init.js": "text/javascript", "/docs/static/favicon.png": "image/png"}


@pytest.fixture(scope="module")
def url(served) -> str:
    return served[1].url


def test_docs_page_references_no_other_host_and_allows_only_self(url):
    answer = httpx.get(f"{url}/docs")  # no key: the docs are open
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    html = answer.text
    references = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert sorted(references) == sorted(ASSETS)  # every file the page loads is one of the server's
    assert "//" not in html.replace("<!DOCTYPE html>", "")  # no scheme-relative or absolute URL anywhere
    assert "<script>" not in html  # no inline script: every <script> has a src
    policy = answer.headers["content-security-policy"]
    assert policy == CSP
    sources = {part.split()[0]: part.split()[1:] for part in policy.split("; ")}
    assert sources["default-src"] == sources["script-src"] == sources["style-src"] == ["'self'"]
    assert sources["connect-src"] == ["'self'"] and sources["img-src"] == ["'self'", "data:"]
    assert not any("http" in value or "*" in value for values in sources.values() for value in values)


@pytest.mark.parametrize(("path", "media_type"), sorted(ASSETS.items()))
def test_docs_assets_are_served_with_their_media_type(url, path, media_type):
    answer = httpx.get(url + path)
    assert answer.status_code == 200
    assert answer.headers["content-type"].split(";")[0] == media_type
    assert len(answer.content) > 0 and answer.headers["etag"]
    again = httpx.get(url + path, headers={"If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_swagger_ui_files_are_the_packaged_dist_and_the_init_script_reads_our_schema(url):
    bundle = httpx.get(f"{url}/docs/static/swagger-ui-bundle.js").text
    assert "SwaggerUIBundle" in bundle and len(bundle) > 1_000_000  # the real bundle, not a stand-in
    init = httpx.get(f"{url}/docs/static/swagger-init.js").text
    assert 'url: "/openapi.json"' in init and "validatorUrl: null" in init  # no schema sent to a validator


def test_an_unknown_docs_file_is_a_404_in_the_envelope(url):
    answer = httpx.get(f"{url}/docs/static/..%2F..%2Fapp.py")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"
    assert httpx.get(f"{url}/docs/static/index.html").json()["error"]["code"] == "not_found"


def test_docs_renders_every_operation_with_no_console_error(driver, url, tmp_path):
    pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    schema = httpx.get(f"{url}/openapi.json").json()
    operations = {(method.upper(), path) for path, item in schema["paths"].items() for method in item}
    driver.get_log("browser")
    driver.get(f"{url}/docs")
    WebDriverWait(driver, 30).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, ".opblock-summary")) >= len(operations))
    shown = {(block.find_element(By.CSS_SELECTOR, ".opblock-summary-method").text,
              block.find_element(By.CSS_SELECTOR, ".opblock-summary-path").get_attribute("data-path"))
             for block in driver.find_elements(By.CSS_SELECTOR, ".opblock-summary")}
    assert shown == operations
    assert driver.find_element(By.CSS_SELECTOR, ".info .title").text.startswith("shopmine")
    screenshot(driver, tmp_path, "docs")
    assert console_errors(driver) == []
