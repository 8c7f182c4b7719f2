"""What the benchmark parts share: timing and memory helpers, the shipped FAQ, test questions."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
QUERIES = 80  # per latency figure
FLOOR_QUERIES = 40  # per OpenMP setting in the floor comparison
EDITED = "backup"  # the shipped entry whose answer the one-edit rebuild changes
HTTP_QUESTIONS = [
    "Kan jag ringa er?",
    "Hur ofta tar ni backup?",
    "Vad kostar ett webbhotell?",
    "Can I call you?",
    "Hur säger jag upp mitt avtal?",
    "Vad är huvudstaden i Frankrike?",
]


def ms(seconds: list[float]) -> tuple[float, float]:
    """(median, p95) in milliseconds."""
    values = np.asarray(seconds) * 1000
    return float(np.median(values)), float(np.percentile(values, 95))


def memory() -> dict[str, float]:
    """This process's resident memory now and at its peak, in MB (Linux /proc)."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return {"rss_mb": fields.get("VmRSS", 0.0), "peak_mb": fields.get("VmHWM", 0.0)}


def reset_peak() -> None:
    """Start measuring peak memory from here (Linux: writing 5 to clear_refs resets VmHWM)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def process_rss(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def shipped_copy(folder: Path) -> Path:
    """data/faq.yaml and data/config.yaml copied into `folder` (nothing touches the real data/)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "data" / "faq.yaml", folder / "faq.yaml")
    shutil.copy(ROOT / "data" / "config.yaml", folder / "config.yaml")
    # Every simulated customer comes from 127.0.0.1: with the chat's per-client rate limit on,
    # most of them would be timed reading the limit's notice instead of an answer.
    settings = folder / "config.yaml"
    text = re.sub(r"(?m)^rate_limit_per_minute:.*\n?", "", settings.read_text(encoding="utf-8"))
    settings.write_text(text.rstrip("\n") + "\nrate_limit_per_minute: 0\n", encoding="utf-8")
    return folder


def edit_one_entry(faq_file: Path, round_: int) -> None:
    """Change the answer of entry EDITED, differently each round, as staff would."""
    import yaml

    text = faq_file.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    answer = next(e["answer"] for e in data["entries"] if e["id"] == EDITED).rstrip()
    first_line = answer.splitlines()[0]
    faq_file.write_text(text.replace(first_line, f"{first_line} (Ändrat {round_}.)", 1), encoding="utf-8")


def test_questions(limit: int) -> list[str]:
    lines = (ROOT / "data" / "test_questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()][:limit]
