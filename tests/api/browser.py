"""What the browser tests share: the console's errors and screenshots kept as test artefacts."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def screenshot(driver, tmp_path: Path, name: str) -> None:
    """``name.png`` under ``tmp_path``, copied to ``$SHOPMINE_ARTEFACTS`` when it is set."""
    path = tmp_path / f"{name}.png"
    assert driver.save_screenshot(str(path))
    if os.environ.get("SHOPMINE_ARTEFACTS"):
        folder = Path(os.environ["SHOPMINE_ARTEFACTS"])
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, folder / path.name)


def console_errors(driver) -> list[dict]:
    """The browser console's errors since the last call (CSP violations and failed loads among them)."""
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
