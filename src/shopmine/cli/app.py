"""Entry point: global options, command registration, exit codes (0 done, 1 failed, 2 bad input)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated

import typer

from shopmine import __version__
from shopmine.cli.argv import hoist_global_options
from shopmine.cli.context import CliState, err_console
from shopmine.cli.helptext import choice
from shopmine.errors import ShopmineInputError
from shopmine.settings import SETTINGS
from shopmine.workspace_lock import WorkspaceBusyError

app = typer.Typer(
    name="shopmine",
    help="Data mining for online shops: load an order log, check it, forecast, segment, price, score.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ENGINES = next(s.choices for s in SETTINGS if s.name == "engine")


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"shopmine {__version__}")
        raise typer.Exit(0)


@app.callback()
def global_options(
    ctx: typer.Context,
    workspace: Annotated[Path, typer.Option("--workspace", "-w", help="Workspace folder.",
                                            envvar="SHOPMINE_WORKSPACE")] = Path("."),
    engine: Annotated[str | None, choice(ENGINES, "--engine", help="Query engine.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="<YYYY-MM-DD>", help="Analysis date "
                                              "(default: the day after the last order).")] = None,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.", is_eager=True,
                                          callback=_print_version)] = False,
) -> None:
    """Global options go before or after the command: ``shopmine -w shop quality`` = ``shopmine quality -w shop``."""
    if as_of is not None:
        try:
            dt.date.fromisoformat(as_of)
        except ValueError:
            raise typer.BadParameter(f"must be a date like 2011-12-01, got {as_of!r}",
                                     param_hint="--as-of") from None
    if engine is not None and engine not in ENGINES:
        raise typer.BadParameter(f"must be {' or '.join(ENGINES)}, got {engine!r}", param_hint="--engine")
    ctx.obj = CliState(workspace, {"engine": engine, "as_of": as_of})
    ctx.call_on_close(ctx.obj.close)  # the workspace lock goes when the command ends


def _register_commands() -> None:
    """Add every command to the app, once."""
    from shopmine.cli import commands

    if app.registered_commands or app.registered_groups:
        return
    for module in commands.MODULES:
        module.register(app)


_COMMAND = None


def command():
    """The ``shopmine`` command built from the Typer app, with readable help (:mod:`shopmine.cli.helptext`).

    Built once per process: registering the commands again on every call appended a copy of each to
    the app, so that a process running the CLI many times (the test suite) got slower with every call.
    """
    global _COMMAND
    if _COMMAND is None:
        from shopmine.cli.helptext import readable_help

        _register_commands()
        _COMMAND = readable_help(typer.main.get_command(app))
    return _COMMAND


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map errors to exit codes with a one-line reason."""
    import sys

    argv = hoist_global_options(list(sys.argv[1:] if argv is None else argv))
    try:
        code = command()(args=argv, standalone_mode=False, prog_name="shopmine")
    except typer.Exit as exc:
        return _exit(exc.exit_code)
    except typer.Abort:
        err_console().print("aborted")
        return _exit(1)
    except typer.TyperException as exc:  # Typer's own click: usage errors, bad parameters
        exc.show()
        return _exit(getattr(exc, "exit_code", 2))
    except ShopmineInputError as exc:
        # The library names its parameters; the user typed options (cli/options.py).
        from shopmine.cli.options import option_namer

        namer = option_namer(typer.main.get_command(app), argv)
        err_console().print(f"error: {exc.render(namer)}", markup=False)
        return _exit(2)
    except WorkspaceBusyError as exc:  # another process's command: not the user's input, exit 1
        err_console().print(f"error: {exc}", markup=False)
        return _exit(1)
    except KeyboardInterrupt:
        err_console().print("interrupted; nothing was half-written")
        return _exit(130)
    except Exception as exc:  # one-line reason, exit 1; the traceback only on request
        if "SHOPMINE_DEBUG" in os.environ:
            raise
        first_line = (str(exc).strip().splitlines() or [""])[0]
        err_console().print(f"failed: {type(exc).__name__}: {first_line}", markup=False)
        return _exit(1)
    # Without standalone mode Typer returns (not raises) a command's typer.Exit code, and 130 for
    # Ctrl-C; a command's own return value is None.
    return _exit(code if isinstance(code, int) and not isinstance(code, bool) else 0)


def _exit(code: int | None) -> int:
    # The console script wraps this as sys.exit(main()); tests call main([...]) and read the code.
    return 0 if code is None else int(code)
