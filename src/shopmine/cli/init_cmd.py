"""``shopmine init DIR``: create a workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopmine.cli.context import console
from shopmine.workspace import Workspace


def init(directory: Annotated[Path, typer.Argument(help="Workspace folder to create.")]) -> None:
    """Create a workspace folder with a commented shopmine.toml."""
    ws = Workspace(directory)
    console().print(f"workspace ready: {ws.root} (settings in {ws.config_path.name})")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
