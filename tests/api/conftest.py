"""One simulated workspace with every analysis saved, and a real ``shopmine serve`` on it, per module; a
headless Chromium driven by Selenium for the browser tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from api.server import Server
from api.shop import build_workspace, write_files


@pytest.fixture(scope="session")
def shop_files(tmp_path_factory) -> dict[str, Path]:
    return write_files(tmp_path_factory.mktemp("api_shop"))


@pytest.fixture(scope="session")
def template(tmp_path_factory, shop_files) -> tuple[Path, dict[str, str]]:
    """Built once per session (a minute of analyses); each module serves its own copy."""
    root = tmp_path_factory.mktemp("api_template") / "ws"
    return root, build_workspace(root, shop_files)


@pytest.fixture(scope="module")
def served(tmp_path_factory, template):
    """``(workspace folder, server, keys)``: a copy of the template workspace behind a real server."""
    source, keys = template
    root = tmp_path_factory.mktemp("api_ws") / "ws"
    shutil.copytree(source, root)
    server = Server(root)
    yield root, server, keys
    server.stop()


@pytest.fixture(scope="module")
def client(served):
    """An httpx client on the server, sending the valid key."""
    _root, server, keys = served
    with httpx.Client(base_url=server.url, headers={"X-API-Key": keys["key"]}, timeout=30) as http:
        yield http


CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def driver():
    """Headless Chromium (Debian's chromium-driver) keeping the browser console's log; skips without them."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e .[test])")
    if not Path(CHROMEDRIVER).exists():
        pytest.skip("chromedriver is absent: `make browser` installs chromium and chromium-driver")
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    chrome = webdriver.Chrome(service=webdriver.ChromeService(CHROMEDRIVER), options=options)
    yield chrome
    chrome.quit()
