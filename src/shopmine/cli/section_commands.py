"""The command line that runs each report section, as the report's notes name it ("Not run yet: run
`shopmine recommend --evaluate`"). Here because only ``cli/`` spells options."""

from __future__ import annotations

#: Analysis (its runs folder) to the command a merchant types; the others' words in
#: :data:`shopmine.report.sections.SECTIONS` are already a command.
SECTION_COMMANDS = {
    "recommend_evaluation": "shopmine recommend --evaluate",
    "risk": "shopmine risk train --data FILE --target COL (or --orders)",
    "risk_monitor": "shopmine risk monitor --data NEW",
}
