"""Library code names parameters, never command-line options (issue 12, acceptance 4).

Only ``shopmine/cli/`` (and the HTTP API, a shell of its own, naming the commands that make the runs it
serves) knows that ``horizon_days`` is spelled ``--horizon-days``; a message or
docstring elsewhere that says ``--k`` is wrong for every other shell (a Python caller, the HTTP API).
"""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "shopmine"
#: ``--k``, ``--horizon-days``: two dashes and a lower-case word, not inside another word or a longer
#: dash run (``---`` rules, ``x--y``).
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*(?![\w-])")
#: Modules allowed to spell options, with the reason. Keep it short.
ALLOWED: dict[str, str] = {
    "spark_cluster.py": "the command lines of Spark's Master and Worker daemons (Spark's options, not shopmine's)",
}


def option_spellings(root: Path) -> list[str]:
    """``file:line: text`` of every option spelling in the modules under ``root`` outside ``cli/``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        # The HTTP API is a shell of its own: when a run it serves is missing it names the command line that
        # makes that run (it cannot run it), and its docs say which `shopmine risk score` columns it takes.
        if relative.startswith(("cli/", "api/")) or relative in ALLOWED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if OPTION.search(line):
                found.append(f"src/shopmine/{relative}:{number}: {line.strip()}")
    return found


def test_no_option_spelling_outside_cli():
    found = option_spellings(PACKAGE)
    assert not found, "option spellings outside cli/ (name the parameter, e.g. {horizon_days}):\n" + "\n".join(found)


def test_the_scan_finds_a_planted_spelling(tmp_path):
    # The scanner itself must be able to fail: one module with a message naming --k, one in cli/.
    (tmp_path / "cli").mkdir()
    (tmp_path / "cli" / "app.py").write_text('HELP = "--k clusters"\n')
    (tmp_path / "clusters.py").write_text('x = 1\nMESSAGE = f"--k must be at least 2"\nRULE = "-" * 3 + "---"\n')
    assert option_spellings(tmp_path) == ['src/shopmine/clusters.py:2: MESSAGE = f"--k must be at least 2"']
