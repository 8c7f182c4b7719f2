"""`Settings`: what a run of faqbot is told, resolved once. An argument wins over the
environment variable, which wins over the default; the settings file is read once per run,
and nothing in faqbot changes the process environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from faqbot import FaqBot
from faqbot import config as cfg
from faqbot.cli import main
from faqbot.config import Settings
from faqbot.errors import DataError
from tests.conftest import ROOT
from tests.fakes import FAKE_MODEL

VARIABLES = ("FAQBOT_FAQ", "FAQBOT_INDEX", "FAQBOT_CONFIG", "FAQBOT_LOG", "FAQBOT_HOST", "FAQBOT_PORT")


@pytest.fixture
def clean_environment(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_without_arguments_or_environment_the_defaults_are_used(clean_environment, tmp_path):
    clean_environment.chdir(tmp_path)  # no data/config.yaml here: the settings' own defaults
    settings = Settings.resolve()
    assert (settings.faq_path, settings.index_dir, settings.config_path) == (
        Path("data/faq.yaml"),
        Path("index"),
        Path("data/config.yaml"),
    )
    assert settings.config == cfg.Config()
    assert settings.log_location == "data/conversations.db"
    assert (settings.host, settings.port) == ("127.0.0.1", "7860")


def test_a_settings_file_named_but_missing_is_warned_of_not_silently_replaced_by_defaults(
    clean_environment, tmp_path, caplog
):
    """A typo in --config had the bot log to data/conversations.db without a word."""
    clean_environment.chdir(tmp_path)
    Settings.resolve()  # the default file, absent: the defaults, quietly (a fresh checkout)
    assert "does not exist" not in caplog.text
    settings = Settings.resolve(config=tmp_path / "confg.yaml")
    assert settings.config == cfg.Config()
    assert f"the settings file {tmp_path / 'confg.yaml'} does not exist: the default settings are used" in caplog.text
    caplog.clear()
    clean_environment.setenv("FAQBOT_CONFIG", str(tmp_path / "nothing.yaml"))
    Settings.resolve()
    assert "nothing.yaml does not exist" in caplog.text


def test_the_environment_wins_over_the_defaults_and_an_argument_over_the_environment(clean_environment, tmp_path):
    (tmp_path / "env.yaml").write_text("log_url: postgresql://faqbot@db.internal/faqbot\n", encoding="utf-8")
    (tmp_path / "given.yaml").write_text("retention_days: 7\n", encoding="utf-8")
    for name, value in {
        "FAQBOT_FAQ": "env-faq.yaml",
        "FAQBOT_INDEX": "env-index",
        "FAQBOT_CONFIG": str(tmp_path / "env.yaml"),
        "FAQBOT_HOST": "0.0.0.0",
        "FAQBOT_PORT": "8080",
    }.items():
        clean_environment.setenv(name, value)
    from_environment = Settings.resolve()
    assert (from_environment.faq_path, from_environment.index_dir) == (Path("env-faq.yaml"), Path("env-index"))
    assert from_environment.log_location == "postgresql://faqbot@db.internal/faqbot"  # log_url in that file
    assert (from_environment.host, from_environment.port) == ("0.0.0.0", "8080")
    clean_environment.setenv("FAQBOT_LOG", str(tmp_path / "env.db"))
    assert Settings.resolve().log_location == str(tmp_path / "env.db")  # FAQBOT_LOG wins over log_url
    given = Settings.resolve("faq.yaml", "idx", tmp_path / "given.yaml", tmp_path / "given.db", "::1", 9000)
    assert (given.faq_path, given.index_dir, given.config_path) == (
        Path("faq.yaml"),
        Path("idx"),
        tmp_path / "given.yaml",
    )
    assert given.config.retention_days == 7
    assert (given.log_location, given.host, given.port) == (str(tmp_path / "given.db"), "::1", "9000")


def test_an_empty_environment_variable_counts_as_unset(clean_environment, tmp_path):
    clean_environment.setenv("FAQBOT_FAQ", "")
    clean_environment.setenv("FAQBOT_LOG", "")
    settings = Settings.resolve(config=tmp_path / "none.yaml")
    assert settings.faq_path == Path("data/faq.yaml") and settings.log_location == "data/conversations.db"


def test_an_invalid_settings_file_is_reported_where_it_is_wrong(tmp_path):
    (tmp_path / "config.yaml").write_text("threshold: high\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"config.yaml:1: threshold must be auto"):
        Settings.resolve(config=tmp_path / "config.yaml")


@pytest.mark.parametrize("value", ["https://staff.example.se", "staff.example.se:443", "staff_example.se", "[1, 2]"])
def test_a_staff_host_that_is_not_a_host_name_is_reported_on_its_line(tmp_path, value):
    (tmp_path / "config.yaml").write_text(f"learn: staff\nstaff_host: {value}\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"config.yaml:2: staff_host must be the host names"):
        Settings.resolve(config=tmp_path / "config.yaml")


def test_staff_host_names_are_read_in_lower_case_without_a_final_dot(tmp_path):
    (tmp_path / "config.yaml").write_text("staff_host: Staff.Example.se., 10.0.0.5 ,::1\n", encoding="utf-8")
    assert Settings.resolve(config=tmp_path / "config.yaml").config.staff_host == "staff.example.se,10.0.0.5,::1"


def test_a_bot_given_settings_uses_them_and_refuses_paths_as_well(small):
    settings = Settings.resolve(small / "faq.yaml", small / "index", small / "config.yaml")
    bot = FaqBot(settings=settings)
    assert (bot.faq_path, bot.index_dir, bot.config) == (small / "faq.yaml", small / "index", settings.config)
    assert bot.ask("Kan jag ringa er?").resolved
    with pytest.raises(TypeError, match="the paths or the settings, not both"):
        FaqBot(small / "faq.yaml", settings=settings)


def test_faqbot_serve_reads_the_settings_file_once(small, monkeypatch, capsys):
    """The log the bot writes to, the database a replica follows and the rate limit come from one
    reading of the file, so they cannot disagree when staff edit it during start-up."""
    from faqbot.web import server

    reads: list[Path] = []
    read = cfg.load_config
    monkeypatch.setattr(cfg, "load_config", lambda path=None: reads.append(Path(path)) or read(path))
    started: list[tuple[str, int, str]] = []
    monkeypatch.setattr(
        server, "launch", lambda app, host, port, trusted_proxy, sock: started.append((host, port, trusted_proxy))
    )
    monkeypatch.setattr(server, "listening_socket", lambda host, port: None)
    (small / "config.yaml").write_text(f"model: {FAKE_MODEL}\ntrusted_proxy: 10.0.0.0/8\n", encoding="utf-8")
    paths = ["--faq", str(small / "faq.yaml"), "--index", str(small / "index"), "--config", str(small / "config.yaml")]
    assert main(["serve", *paths, "--port", "8123"]) == 0
    assert started == [("127.0.0.1", 8123, "10.0.0.0/8")]
    assert reads == [small / "config.yaml"]


@pytest.mark.slow
def test_importing_faqbot_leaves_the_process_environment_alone():
    """A program that embeds the widget keeps its own environment (Gradio's analytics are turned
    off on the widget itself, not through GRADIO_ANALYTICS_ENABLED)."""
    check = (
        "import os; before = dict(os.environ)\n"
        "import faqbot.cli, faqbot.bot, faqbot.web.server, faqbot.web.widget\n"
        "changed = sorted(k for k in set(before) | set(os.environ) if before.get(k) != os.environ.get(k))\n"
        "print(changed)"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"
