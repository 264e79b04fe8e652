"""The web app's stylesheet (frontend/src/styles.css) keeps its rules apart: a rule left open
nests every rule after it (CSS nesting), which silently unstyles whole screens."""

import re
from pathlib import Path

STYLESHEET = Path(__file__).resolve().parents[2] / "frontend" / "src" / "styles.css"
# A rule or at-rule written at the top level of the file: it starts in the first column.
TOP_LEVEL = re.compile(r"^[.#@:\[*a-z][^{};]*\{\s*$")


def test_every_rule_is_closed_before_the_next_begins():
    depth, opened_inside = 0, []
    text = re.sub(r"/\*.*?\*/", lambda comment: "\n" * comment.group().count("\n"), STYLESHEET.read_text(),
                  flags=re.DOTALL)
    for number, line in enumerate(text.splitlines(), 1):
        if depth and TOP_LEVEL.match(line):
            opened_inside.append(f"{number}: {line}")
        depth += line.count("{") - line.count("}")
    assert (opened_inside, depth) == ([], 0)
