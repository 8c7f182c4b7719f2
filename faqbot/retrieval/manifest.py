"""The index manifest (`manifest.json`): what an index generation is, as a typed record.

Written last by a build (it is the commit point), read first by every loader; the bot reads the
calibration and the version from it, publishing the file names. `to_dict`/`from_dict` are the
JSON round trip; `format_version` says which layout of the folder it describes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from faqbot.decision import Calibration

BUILT_BY_CHAT = "chat"  # a running app rebuilt the index itself when it found the FAQ changed


@dataclass(frozen=True)
class Manifest:
    """One index generation: its files (with checksums), model, FAQ and calibration."""

    format_version: int
    model: str
    dimension: int
    faq_hash: str
    built_at: str
    views: int
    files: dict[str, str]
    checksums: dict[str, str] = field(default_factory=dict)
    faq_path: str = ""
    entry_ids: tuple[str, ...] = ()
    entry_hashes: dict[str, str] = field(default_factory=dict)
    index_type: str = "flat"
    ivf: dict[str, int] | None = None  # lists and probes of an IVF index
    calibration: Calibration | None = None  # what `threshold: auto` chose, and why
    built_by: str = ""  # BUILT_BY_CHAT when a running chat rebuilt it for an edited FAQ, else "" (faqbot index, learn)
    offtopic_digest: str = ""  # the off-topic bank it was calibrated with (`bank_digest`); "" before it was kept

    @property
    def version(self) -> str:
        """Which index answered, for the conversation log: its build time and FAQ hash."""
        return f"{self.built_at}/{self.faq_hash}"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format_version": self.format_version,
            "model": self.model,
            "dimension": self.dimension,
            "faq_hash": self.faq_hash,
            "faq_path": self.faq_path,
            "entry_ids": list(self.entry_ids),
            "entry_hashes": self.entry_hashes,
            "views": self.views,
            "index_type": self.index_type,
            **({"ivf": self.ivf} if self.ivf else {}),
            "built_at": self.built_at,
            **({"built_by": self.built_by} if self.built_by else {}),
            **({"offtopic_digest": self.offtopic_digest} if self.offtopic_digest else {}),
            "calibration": self.calibration.to_dict() if self.calibration else None,
            "files": self.files,
            "checksums": self.checksums,
        }
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        """A manifest as read from JSON; raises KeyError or TypeError when it is not one."""
        calibration = data.get("calibration")
        return cls(
            format_version=int(data["format_version"]),
            model=str(data["model"]),
            dimension=int(data["dimension"]),
            faq_hash=str(data["faq_hash"]),
            built_at=str(data["built_at"]),
            views=int(data["views"]),
            files={str(k): str(v) for k, v in data["files"].items()},
            checksums=dict(data.get("checksums") or {}),
            faq_path=str(data.get("faq_path", "")),
            entry_ids=tuple(data.get("entry_ids", ())),
            entry_hashes=dict(data.get("entry_hashes") or {}),
            index_type=str(data.get("index_type", "flat")),
            ivf=data.get("ivf"),
            calibration=Calibration.from_dict(calibration) if isinstance(calibration, dict) else None,
            built_by=str(data.get("built_by", "")),
            offtopic_digest=str(data.get("offtopic_digest", "")),
        )


def bank_digest(bank: Sequence[str]) -> str:
    """What names an off-topic bank in a manifest: a hash of its questions, in order."""
    return hashlib.sha256("\n".join(bank).encode("utf-8")).hexdigest()[:16]
