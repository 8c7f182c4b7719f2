"""The package stays readable: no function in faqbot/ is longer than a screen (issue 13)."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "faqbot"
MAX_FUNCTION_LINES = 60  # from `def` to its last line, docstring and comments included


@functools.cache
def function_lengths() -> dict[str, int]:
    """`file:line name` -> lines, for every function and method in the package (read once per run)."""
    lengths = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}"
                lengths[where] = (node.end_lineno or node.lineno) - node.lineno + 1
    return lengths


def test_the_package_has_functions_to_measure():
    lengths = function_lengths()
    assert len(lengths) > 100 and "faqbot/retrieval/index.py" in " ".join(lengths)


def test_no_function_is_longer_than_sixty_lines():
    too_long = {where: n for where, n in function_lengths().items() if n > MAX_FUNCTION_LINES}
    assert not too_long, f"split these into named steps: {too_long}"
