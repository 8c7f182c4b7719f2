"""Real command output for README.md and docs/, pasted by cog (`make docs`), so it cannot drift;
and the module list of docs/architecture.md, from the modules' own docstrings.

    <!-- [[[cog from cogsession import console; console('faqbot ask "Kan jag ringa er?"') ]]] -->
    ...replaced by the command and what it printed...
    <!-- [[[end]]] -->

Each command runs in bash from the repository's root, with this Python's bin/ first on PATH
(so `faqbot` is the checkout's); a command that fails stops the run.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import cog  # provided by cog (cogapp) while it runs

ROOT = Path(__file__).resolve().parent.parent


def console(*commands: str, env: dict[str, str] | None = None) -> None:
    """A ```console block: each command after `$ `, then its output as a terminal shows it.

    `env` is exported for every command, and the block starts with that `export` line.
    A command may fail on purpose when it says so (`...; echo "exit status $?"`).
    """
    environ = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}", **(env or {})}
    cog.outl("```console")
    if env:
        cog.outl("$ export " + " ".join(f"{name}={value}" for name, value in env.items()))
    for command in commands:
        done = subprocess.run(
            ["bash", "-o", "pipefail", "-c", command], cwd=ROOT, env=environ, capture_output=True
        )  # bytes: text mode would turn a progress line's \r into a new line
        if done.returncode not in (0, 141):  # 141: `| head` closed the pipe early
            raise RuntimeError(f"{command} failed ({done.returncode}):\n{done.stderr.decode(errors='replace')}")
        cog.outl(f"$ {command}")
        lines = done.stdout.decode().split("\n")
        cog.out("\n".join(line.rsplit("\r", 1)[-1] for line in lines))  # what stays on screen
    cog.outl("```")


def masking(*examples: str) -> None:
    """A table: what a customer wrote, and what the conversation log stores (faqbot's own masking)."""
    from faqbot.conversations.privacy import mask_pii

    cog.outl("| customer wrote | stored as |")
    cog.outl("|---|---|")
    for text in examples:
        cog.outl(f"| `{text}` | `{mask_pii(text)}` |")


def modules(package: str = "faqbot") -> None:
    """A block with one line per module of `package`: its path and the first sentence of its docstring."""
    rows = []
    for path in sorted((ROOT / package).rglob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        paragraph = " ".join(doc.split("\n\n")[0].split())
        first = re.match(r"(.+?[.!?])(\s|$)", paragraph)
        rows.append((str(path.relative_to(ROOT)), first.group(1) if first else paragraph))
    width = max(len(name) for name, _ in rows)
    cog.outl("```")
    for name, what in rows:
        cog.outl(f"{name:<{width}}  {what}")
    cog.outl("```")
