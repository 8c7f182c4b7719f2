"""How often one small edit moves the calibrated threshold and margin: staff's edits, rebuilt one
after another in one index folder as `faqbot index` and the console build them.

    python -m benchmarks.stability                       # the shipped FAQ, 12 edits
    python -m benchmarks.stability --faq data/examples/bibliotek/faq.yaml --edits 20
    python -m benchmarks.stability --fresh               # each build from an empty folder: nothing in force

Each edit removes one question text: a learned phrasing while there are any, else an
alternative, one entry after another. Prints the threshold and margin after each rebuild and how
many times they moved. A move on a one-text edit is mostly the noise of the calibration's few
hundred questions (`IN_FORCE_TOLERANCE_SE` in faqbot/decision/calibration.py).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import shutil
import tempfile
from pathlib import Path

from ruamel.yaml import YAML

from benchmarks.learning import PATHS
from benchmarks.webapp import ROOT
from faqbot.cli import main


def one_text_less(faq_path: Path, turn: int) -> str | None:
    """Remove one question text from the `turn`-th entry that has one (learned first); what was removed."""
    yaml = YAML()
    data = yaml.load(faq_path.read_text(encoding="utf-8"))
    entries = data["entries"]
    for key in ("learned", "alternatives"):
        holders = [e for e in entries if e.get(key)]
        if holders:
            entry = holders[turn % len(holders)]
            removed = entry[key].pop(0)
            if not entry[key]:
                del entry[key]
            with faq_path.open("w", encoding="utf-8") as out:
                yaml.dump(data, out)
            return f"{entry['id']}: {removed}"
    return None


def policy_after_build(folder: Path, fresh: bool) -> tuple[float, float]:
    if fresh:
        shutil.rmtree(folder / "index", ignore_errors=True)
    with contextlib.chdir(folder), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["index", *PATHS]) == 0  # the learning benchmark's: faq.yaml, index/, config.yaml in the folder
    calibration = json.loads((folder / "index" / "manifest.json").read_text(encoding="utf-8"))["calibration"]
    return calibration["threshold"], calibration["choice_margin"] or 0.0


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faq", type=Path, default=ROOT / "data" / "faq.yaml")
    parser.add_argument("--edits", type=int, default=12)
    parser.add_argument("--fresh", action="store_true", help="build each time into an empty folder")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copy(args.faq, folder / "faq.yaml")
        (folder / "config.yaml").write_text("threshold: auto\n", encoding="utf-8")
        policies = [policy_after_build(folder, fresh=False)]
        print(f"{args.faq}: threshold {policies[0][0]:.2f}, margin {policies[0][1]:.2f}")
        for turn in range(args.edits):
            removed = one_text_less(folder / "faq.yaml", turn)
            if removed is None:
                break
            policies.append(policy_after_build(folder, args.fresh))
            print(f"  - {removed[:60]:60}  threshold {policies[-1][0]:.2f}, margin {policies[-1][1]:.2f}")
    moves = sum(a != b for a, b in zip(policies, policies[1:], strict=False))
    print(f"{'fresh builds' if args.fresh else 'rebuilt in place'}: moved {moves} times in {len(policies) - 1} edits")
    return 0


if __name__ == "__main__":
    raise SystemExit(run())
