"""What every command shares: the global options, the workspace, the console."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from shopmine.workspace import Workspace


@dataclass
class CliState:
    workspace_dir: Path
    cli_settings: dict[str, Any] = field(default_factory=dict)
    command: str | None = None  # "quality", "batches list": named in other processes' busy message
    _workspace: Workspace | None = None

    def workspace(self, create: bool = False, **overrides: Any) -> Workspace:
        """The workspace; ``overrides`` are per-command settings.

        Only ``ingest`` passes ``create=True`` (and ``init`` makes its own): any other command on a
        folder that is not a workspace stops with "not a shopmine workspace ...; run `shopmine init`"
        (exit 2) and leaves nothing behind, instead of an empty workspace answering "no orders yet".
        """
        settings = dict(self.cli_settings)
        settings.update({k: v for k, v in overrides.items() if v is not None})
        if self._workspace is None or overrides:
            self.close()
            self._workspace = Workspace(self.workspace_dir, settings, create=create)
            self._workspace.task = self.command
        return self._workspace

    def close(self) -> None:
        """Release the workspace (its lock) when the command ends, also when the CLI runs in-process."""
        if self._workspace is not None:
            self._workspace.close()


def state(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState(Path("."))
        root.call_on_close(root.obj.close)
    if ctx is not root:
        root.obj.command = ctx.command_path.partition(" ")[2] or None
    return root.obj


def console() -> Console:
    # Plain output when not on a terminal (CI logs, pipes): no colours, no live bars. No markup: what
    # is printed holds product names, file names and column names from order files ("[/]" would crash
    # a table, "[link=...]" would become a link); shopmine itself styles nothing with markup.
    return Console(highlight=False, markup=False, soft_wrap=True, force_terminal=None,
                   no_color=not sys.stdout.isatty(), width=None if sys.stdout.isatty() else 120)


def err_console() -> Console:
    # soft_wrap: an error message stays one line, whatever the terminal width.
    return Console(stderr=True, highlight=False, markup=False, soft_wrap=True, no_color=not sys.stderr.isatty())
