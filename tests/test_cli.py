"""The `faqbot` command as a newcomer meets it (issue 20, item 8): what --help says, defaults
that need no file name, options that mean one thing, errors at the line where the mistake is."""

from __future__ import annotations

import io
import sys
import tomllib
from pathlib import Path
from typing import cast

import pytest

from faqbot import DataError, load_faq
from faqbot.cli import build_parser, embedding_progress, id_list, main
from faqbot.errors import FaqbotError
from faqbot.staff import evaluate
from tests.conftest import ROOT
from tests.fakes import SMALL_FAQ

COMMANDS = ("index", "import", "serve", "ask", "evaluate", "learn", "report", "log")


def test_the_top_level_help_says_what_faqbot_is(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "faqbot: a Swedish FAQ chatbot" in out and "thin shells" not in out


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_a_one_line_description_under_its_help(name, capsys):
    with pytest.raises(SystemExit):
        main([name, "--help"])
    usage, description = capsys.readouterr().out.split("\n\n")[:2]
    assert usage.startswith(f"usage: faqbot {name}") and description.strip() and "options:" not in description


@pytest.mark.parametrize("name", ["serve", "report", "evaluate", "ask", "learn"])
def test_out_names_the_index_only_on_index(name, capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args([name, "--out", "x"])
    assert "unrecognized arguments: --out" in capsys.readouterr().err
    assert build_parser().parse_args(["index", "--out", "x"]).index == Path("x")


def test_plot_without_a_file_name_draws_to_a_default_file():
    assert build_parser().parse_args(["evaluate", "--plot"]).plot == Path("threshold.png")
    assert build_parser().parse_args(["evaluate", "--plot", "a.png"]).plot == Path("a.png")


def test_plot_without_matplotlib_says_so_without_a_line_number(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if it were not installed
    with pytest.raises(FaqbotError) as caught:
        evaluate.plot(cast(evaluate.Report, None), Path("threshold.png"))  # fails before the report is read
    assert str(caught.value).startswith("--plot needs matplotlib") and ":0:" not in str(caught.value)


def test_an_unclosed_quote_is_reported_at_the_line_where_it_opens(tmp_path):
    lines = SMALL_FAQ.splitlines()
    lines[4] = '    question: "Hur ofta gör ni säkerhetskopior?'  # line 5, never closed
    (tmp_path / "faq.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_faq(tmp_path / "faq.yaml")
    assert f"{tmp_path / 'faq.yaml'}:5: invalid YAML: the quote '\"' that opens here is never closed" in str(
        caught.value
    )


def test_many_ids_are_counted_and_wrapped_not_printed_on_one_line():
    ids = [f"fraga-nummer-{n}-om-nagot-viktigt" for n in range(109)]
    text = id_list(ids)
    assert text.startswith("109: fraga-nummer-0-") and "(97 more)" in text
    assert max(map(len, text.splitlines())) <= 100
    assert id_list(["backup", "telefonsupport"]) == "backup, telefonsupport"
    # an id is never split at its hyphens: it is copied from here into --assign and the like
    shown = " ".join(text.split()).removeprefix("109: ").split(", ")[:12]
    assert shown == ids[:12]


def test_the_license_is_an_spdx_expression_not_a_table():
    """setuptools warned three times on every install about `project.license` as a table."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"


def test_faqbot_index_explains_a_yaml_slip_on_its_line_and_leaves_the_index_alone(tmp_path, capsys):
    shipped = (ROOT / "data" / "faq.yaml").read_text(encoding="utf-8").split("\n")
    line = shipped.index("  - id: telefonsupport") + 1
    shipped[line - 1] = "  id: telefonsupport"  # the '- ' that starts an entry forgotten
    (tmp_path / "faq.yaml").write_text("\n".join(shipped), encoding="utf-8")
    code = main(["index", "--faq", str(tmp_path / "faq.yaml"), "--out", str(tmp_path / "index")])
    assert code == 1 and not (tmp_path / "index").exists()
    assert capsys.readouterr().err == (
        f"error: {tmp_path / 'faq.yaml'}:{line}: invalid YAML: 'id: telefonsupport' starts a new entry but has "
        "no '- ' in front of it; write '- id: telefonsupport', lined up with the '- ' of the other entries\n"
    )


def test_after_learning_faqbot_index_says_its_calibration_figures_are_not_customers_figures():
    """Found by a walk-through: each accept printed lower figures (answered right 0.833 at import,
    0.591 after four learned phrasings), and nothing said whether that was expected."""
    from faqbot.cli import calibration_text
    from faqbot.decision.calibration import Calibration

    rates = {"answered_right": 0.591, "one_click": 0.1, "confident_wrong": 0.05, "offtopic_to_helpdesk": 0.98}
    learned = Calibration(0.4, None, None, "why", 22, 600, rates=rates, learned_questions=4)
    text = calibration_text(learned, "auto")
    assert "22 FAQ questions, 4 of them learned from customers" in text
    assert "so these figures fall as it learns" in text and "faqbot evaluate measures that" in text
    assert "fall as it learns" not in calibration_text(
        Calibration(0.4, None, None, "why", 18, 600, rates=rates), "auto"
    )


def test_a_file_system_error_is_one_line_naming_the_path(small, fake_embedder, capsys, tmp_path):
    """Found by an attack: `faqbot index` on a full disk printed a 56-line traceback."""
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    paths = [
        "--faq",
        str(small / "faq.yaml"),
        "--config",
        str(small / "config.yaml"),
        "--index",
        str(blocked / "index"),
    ]
    assert main(["index", *paths]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == f"error: Not a directory: {blocked / 'index'}" and "Traceback" not in err


class Stream(io.StringIO):
    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


def test_the_index_says_how_far_it_is_a_line_a_tenth_in_a_log_and_on_one_line_on_a_terminal():
    """In a log file (a service's journal) the progress was one line of thousands of carriage returns."""
    log, terminal = Stream(terminal=False), Stream(terminal=True)
    for stream in (log, terminal):
        progress = embedding_progress(stream)
        for done in range(64, 3000, 64):
            progress(done, 3000)
        progress(3000, 3000)
    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue() and len(lines) == 11
    assert lines[0] == "embedding 64/3000 texts" and lines[-1] == "embedding 3000/3000 texts"
    assert terminal.getvalue().count("\n") == 1 and terminal.getvalue().endswith("\rembedding 3000/3000 texts\n")
