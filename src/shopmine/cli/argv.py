"""Global options given after the command (``shopmine quality -w ws``) are accepted there too.

Click only reads a group's options before the command name; people type them anywhere. Each global
option takes one value and no command has an option of the same spelling, so moving them (with their
values) in front of the command changes nothing else.
"""

from __future__ import annotations

#: The global options (see ``cli/app.py``), each taking one value.
GLOBAL_OPTIONS = ("--workspace", "-w", "--engine", "--as-of")


def _is_global(token: str) -> bool:
    return token in GLOBAL_OPTIONS or token.split("=", 1)[0] in GLOBAL_OPTIONS and token.startswith("--")


def hoist_global_options(argv: list[str]) -> list[str]:
    """``argv`` with every global option found after the command moved in front of it.

    Examples
    --------
    >>> hoist_global_options(["quality", "-w", "ws", "--output", "q.json"])
    ['-w', 'ws', 'quality', '--output', 'q.json']
    >>> hoist_global_options(["--engine", "spark", "batches", "list", "--as-of=2011-12-01"])
    ['--engine', 'spark', '--as-of=2011-12-01', 'batches', 'list']
    >>> hoist_global_options(["forecast", "--top", "3"])
    ['forecast', '--top', '3']
    """
    head: list[str] = []
    i = 0
    while i < len(argv) and argv[i].startswith("-"):  # the global options before the command
        takes_value = argv[i] in GLOBAL_OPTIONS
        head.extend(argv[i:i + 1 + takes_value])
        i += 1 + takes_value
    rest: list[str] = []
    while i < len(argv):
        token = argv[i]
        if token == "--":  # everything after it is an argument
            rest.extend(argv[i:])
            break
        if _is_global(token):
            takes_value = "=" not in token
            if takes_value and i + 1 >= len(argv):  # no value: let the parser say so
                rest.append(token)
                break
            head.extend(argv[i:i + 1 + takes_value])
            i += 1 + takes_value
            continue
        rest.append(token)
        i += 1
    return head + rest
