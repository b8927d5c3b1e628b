"""One simulated workspace with every analysis saved, and a real ``shopmine serve`` on it, per module."""

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
