"""Real command output for README.md and docs/, pasted by cog (`make docs`), so it cannot drift.

    <!-- [[[cog from cogsession import console; console('faqbot ask "Kan jag ringa er?"') ]]] -->
    ...replaced by the command and what it printed...
    <!-- [[[end]]] -->

Each command runs in bash from the repository's root, with this Python's bin/ first on PATH
(so `faqbot` is the checkout's); a command that fails stops the run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cog  # provided by cog (cogapp) while it runs

ROOT = Path(__file__).resolve().parent.parent


def console(*commands: str) -> None:
    """A ```console block: each command after `$ `, then its output."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    cog.outl("```console")
    for command in commands:
        done = subprocess.run(
            ["bash", "-o", "pipefail", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if done.returncode not in (0, 141):  # 141: `| head` closed the pipe early
            raise RuntimeError(f"{command} failed ({done.returncode}):\n{done.stderr}")
        cog.outl(f"$ {command}")
        cog.out(done.stdout)
    cog.outl("```")
