"""What ``--help`` shows beside an option: its allowed values, or a word a user reads.

Typer 0.29 prints a Python type beside every parameter (``<str>``, ``<bool>``, ``<list[str]>``). Two
means, both Typer's own ``metavar``:

- :func:`choice` builds an option whose metavar lists the library's tuple of allowed values
  (``<product|category|total>``). The values are only shown: validation stays in the library, so a bad
  value gets the library's one message from every shell, not Click's.
- :func:`readable_help` gives the rest of the command tree words instead of types, once, where
  :func:`shopmine.cli.app.main` builds the command: no metavar on a flag (it takes no value),
  ``<text>`` for a string, and a repeatable option shows its element, not ``list[...]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, get_args

import typer
from typer.core import TyperArgument

__all__ = ["choice", "choices_metavar", "readable_help"]

#: Python type -> what help shows for a value of it; types not listed keep Typer's word (<int>, <path> ...).
WORDS: dict[Any, str] = {str: "<text>"}


def choices_metavar(values: Iterable[object]) -> str:
    """``("D", "W")`` -> ``"<D|W>"``, the way Typer shows a choice."""
    return "<" + "|".join(str(v) for v in values) + ">"


def choice(values: Iterable[object], *param_decls: str, help: str, **kwargs: Any) -> Any:
    """A ``typer.Option`` whose help lists ``values`` (a library's tuple, e.g. ``forecast.MODELS``).

    Examples
    --------
    >>> option = choice(("D", "W"), "--freq", help="Period length.")
    >>> option.metavar
    '<D|W>'
    """
    return typer.Option(*param_decls, metavar=choices_metavar(values), help=help, **kwargs)


class _ReadableArgument(TyperArgument):
    # Typer shows an argument's metavar in the name column and its type beside it, whatever the
    # metavar: the word goes beside the name instead of the type.
    _word: str | None = None

    def display_type_rich(self, ctx):
        return self._word if self._word is not None else super().display_type_rich(ctx)


def _word(param: Any) -> str | None:
    """The readable metavar of a parameter Typer would show as a Python type, else None (keep Typer's)."""
    desc = getattr(param, "type_descriptor", None)
    if desc is None or desc.is_choice:  # a choice already lists its values
        return None
    if getattr(param, "is_flag", False) or getattr(param, "count", False) or desc.annotation is bool:
        return ""  # a flag takes no value
    annotation = get_args(desc.annotation)[0] if desc.is_list else desc.annotation
    if annotation in WORDS:
        return WORDS[annotation]
    if desc.is_list:  # e.g. list[int]: the element's own word, without "list[...]"
        return f"<{getattr(annotation, '__name__', str(annotation)).lower()}>"
    return None


def _commands(command: Any) -> Iterator[Any]:
    yield command
    for sub in getattr(command, "commands", {}).values():
        yield from _commands(sub)


def readable_help(command: Any) -> Any:
    """Give every parameter of ``command`` and its subcommands (their ``--help`` too) a readable metavar.

    Parameters
    ----------
    command : typer.core.TyperGroup or typer.core.TyperCommand
        The command built from the Typer app (``typer.main.get_command(app)``).

    Returns
    -------
    The same command, changed in place.
    """
    for cmd in _commands(command):
        help_option = cmd.get_help_option(typer.Context(cmd))  # made lazily by Typer; cached on cmd
        for param in [*cmd.params, *([help_option] if help_option is not None else [])]:
            if param.metavar is not None:
                continue
            word = _word(param)
            if word is None:
                continue
            if isinstance(param, TyperArgument):
                param.__class__ = _ReadableArgument
                param._word = word
            else:
                param.metavar = word
    return command
