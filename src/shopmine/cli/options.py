"""Library parameter names -> the options a user typed: the one place errors get the CLI's spelling.

The library names parameters (``horizon_days``, :class:`~shopmine.errors.ShopmineInputError`); the
command line names options (``--horizon-days``). The map is read from the Typer commands themselves
(each option's Python parameter name and its spellings), so it cannot go stale when an option is
added or renamed. A Python name with a trailing underscore (``map_``, a built-in's name) matches
the library name without it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

# Typer carries its own copy of Click (typer._click), so the commands are read by duck typing, not
# isinstance against the click package: a parameter's ``param_type_name``, a group's ``commands``.


def _is_option(param: Any) -> bool:
    return getattr(param, "param_type_name", None) == "option"


def _spellings(command: Any) -> dict[str, str]:
    names: dict[str, str] = {}
    for param in command.params:
        if not param.name:
            continue
        if _is_option(param):
            spelling = max(param.opts, key=len)  # --workspace rather than -w
        else:
            spelling = param.name.upper()  # an argument: FILES
        names[param.name] = spelling
        names.setdefault(param.name.rstrip("_"), spelling)
    return names


def _takes_value(command: Any, token: str) -> bool:
    """Whether ``token`` (an option of ``command``) is followed by its value as the next argument."""
    if "=" in token:
        return False
    for param in command.params:
        if _is_option(param) and token in (*param.opts, *param.secondary_opts):
            return not (param.is_flag or param.count)
    return False


def option_names(root: Any, argv: Sequence[str]) -> dict[str, str]:
    """Python parameter name -> option spelling for the command ``argv`` runs, its groups' options included.

    Examples
    --------
    >>> import typer
    >>> app = typer.Typer()
    >>> @app.callback()
    ... def main(workspace: str = typer.Option(".", "--workspace", "-w")): ...
    >>> @app.command()
    ... def clv(horizon_days: int = typer.Option(365, "--horizon-days")): ...
    >>> names = option_names(typer.main.get_command(app), ["-w", "ws", "clv", "--horizon-days", "0"])
    >>> names["horizon_days"], names["workspace"]
    ('--horizon-days', '--workspace')
    """
    command = root
    names = _spellings(root)
    i = 0
    while hasattr(command, "commands") and i < len(argv):
        token = argv[i]
        if token.startswith("-"):
            i += 2 if _takes_value(command, token) else 1
            continue
        sub = command.commands.get(token)
        if sub is None:
            break
        command = sub
        names.update(_spellings(sub))  # the command's own option wins over a group's of the same name
        i += 1
    return names


def option_namer(root: Any, argv: Sequence[str]) -> Callable[[str], str]:
    """``name -> spelling`` for :meth:`ShopmineInputError.render`; a name the command has no option for
    stays as it is."""
    names = option_names(root, argv)
    return lambda name: names.get(name, name)
