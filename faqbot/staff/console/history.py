"""Versions of the FAQ file: every change the console saves, kept with who and when, to compare and restore.

    history = FaqHistory("data/conversations.db")     # or postgresql://faqbot@db.internal/faqbot
    history.record(text, "anna", "ändrade backup")    # after a save; returns the Version
    history.versions()                                # newest first, without their texts
    history.version(12).content                       # one version's whole file

Where they are kept: in the conversation log's database (migration 6 of its schema,
faqbot.conversations.migrations), beside the staff accounts, not in files beside the FAQ.
Replicas behind a proxy share one PostgreSQL: whichever replica's console staff use, they see
one history, and a version saved on one can be restored on another (publishing then carries
the file to every replica). A folder of copies beside data/faq.yaml would be one per machine,
would land in the staff's git checkout, and would need a writable data folder.

What is kept: the whole file per version (a file is at most faqbot.faq.model.MAX_FILE_BYTES,
or the bot refuses it), the newest KEEP_VERSIONS versions and, of those, only as many of the
newest as fit in KEEP_CHARACTERS together; the newest version is always kept. Older ones are
deleted when a new one is recorded.

A version's `what` says what changed against the version before it, by entry ("ändrade:
backup; nya: kontorshund"), kept in Swedish; `what_said` shows it in the console's language
(its phrases are Text, translated in faqbot.staff.console.english; entry ids stay as they are). A change made by hand in
the file is recorded (author "") the next time the console looks at the file, before it
writes its own change, so each version's difference is only its own.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from faqbot.errors import DataError
from faqbot.faq.drafts import parsed
from faqbot.faq.model import Faq, normalize_question
from faqbot.staff.console.language import Text
from faqbot.staff.console.tables import LogTables

KEEP_VERSIONS = 100
KEEP_CHARACTERS = 20_000_000  # about ten versions of the largest file the bot accepts, hundreds of a usual one
MAX_WHAT = 500  # characters of a version's summary
NAMED_IDS = 12  # entry ids a summary names under each of changed, new and removed; the rest are counted ("+34")
# The phrases of a version's `what` (what_changed and faqbot.staff.console.service write them).
HAND_EDIT = Text("ändrad i filen")
FIRST_SEEN = Text("så som konsolen först såg filen")
RESTORED = Text("återställde version {id}")
UNCHECKED = Text("filen klarar inte FAQ-kontrollerna (chatten svarar med den senaste fungerande versionen)")
COUNTED = Text("{count} poster")
FIXED = Text("filen rättad: {count} poster")
LAYOUT = Text("bara kommentarer eller layout")
CHANGED, ADDED, REMOVED = Text("ändrade"), Text("nya"), Text("borttagna")
OFF_TOPIC = Text("frågor om annat")  # the FAQ's off_topic: list, "+2 -1": questions added and taken off


@dataclass(frozen=True)
class Version:
    """One kept version of the FAQ file; `content` is only filled by `FaqHistory.version`."""

    id: int
    created_at: float
    author: str
    what: str
    faq_hash: str
    content: str = ""

    @property
    def by_hand(self) -> bool:
        return not self.author


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class FaqHistory(LogTables):
    """The faq_versions table of the log at `location` (a SQLite path or a postgresql:// URL)."""

    def record(self, content: str, author: str, what: str) -> Version:
        """Keep `content` as the newest version, then forget what no longer fits the bounds."""
        now, digest = self.clock(), text_hash(content)
        what = what if len(what) <= MAX_WHAT else what[: MAX_WHAT - 1] + "…"
        rows = self._run(
            "INSERT INTO faq_versions (created_at, author, what, faq_hash, content) VALUES (?, ?, ?, ?, ?) RETURNING id",
            (now, author, what, digest, content),
        )
        self.prune()
        return Version(int(rows[0][0]), now, author, what, digest)

    def prune(self) -> int:
        """Delete the versions past KEEP_VERSIONS or KEEP_CHARACTERS (never the newest); returns how many."""
        sizes = self._run("SELECT id, length(content) FROM faq_versions ORDER BY id DESC")
        kept, total = 0, 0
        for position, (_, size) in enumerate(sizes):
            total += int(size)
            if position >= KEEP_VERSIONS or (position > 0 and total > KEEP_CHARACTERS):
                break
            kept += 1
        if kept < len(sizes):
            self._run("DELETE FROM faq_versions WHERE id <= ?", (int(sizes[kept][0]),))
        return len(sizes) - kept

    def versions(self) -> list[Version]:
        """Every kept version, newest first, without its text."""
        rows = self._run("SELECT id, created_at, author, what, faq_hash FROM faq_versions ORDER BY id DESC")
        return [Version(int(i), float(at), author, what, digest) for i, at, author, what, digest in rows]

    def latest(self) -> Version | None:
        rows = self._run("SELECT id, created_at, author, what, faq_hash FROM faq_versions ORDER BY id DESC LIMIT 1")
        return Version(int(rows[0][0]), float(rows[0][1]), *rows[0][2:]) if rows else None

    def with_hash(self, digest: str) -> Version | None:
        """The newest kept version whose text has this hash (a form's `hash`), with its text."""
        rows = self._run("SELECT id FROM faq_versions WHERE faq_hash = ? ORDER BY id DESC LIMIT 1", (digest[:64],))
        return self.version(int(rows[0][0])) if rows else None

    def version(self, version_id: int) -> Version | None:
        """One version with its whole text, or None when it is not (or no longer) kept."""
        rows = self._run(
            "SELECT id, created_at, author, what, faq_hash, content FROM faq_versions WHERE id = ?", (version_id,)
        )
        if not rows:
            return None
        i, at, author, what, digest, content = rows[0]
        return Version(int(i), float(at), author, what, digest, content)


def noticed(history: FaqHistory, text: str) -> None:
    """Keep the file's `text` as a version when it is not the newest one: the first the history
    sees, or a change made by hand since (author ""), so the next version's difference is its own."""
    latest = history.latest()
    if latest is None:
        history.record(text, "", f"{FIRST_SEEN}: {what_changed(None, text)}")
    elif latest.faq_hash != text_hash(text):
        earlier = history.version(latest.id)
        history.record(text, "", f"{HAND_EDIT}: {what_changed(earlier.content if earlier else None, text)}")


def what_changed(before: str | None, after: str) -> str:
    """What `after` changed against `before`, by entry, in Swedish (the history page's words)."""
    try:
        new = parsed(after)
    except DataError:
        return str(UNCHECKED)
    if before is None:
        return COUNTED.format(count=len(new.entries))
    try:
        old = parsed(before)
    except DataError:
        return FIXED.format(count=len(new.entries))
    changed, added, removed = entry_changes(old, new)
    parts = [(label, ids) for label, ids in ((CHANGED, changed), (ADDED, added), (REMOVED, removed)) if ids]
    said = "; ".join(f"{label}: {named(ids)}" for label, ids in parts)
    if old.helpdesk != new.helpdesk:
        said = "; ".join(filter(None, [said, f"helpdesk: {new.helpdesk}"]))
    marked, unmarked = len(set(new.off_topic) - set(old.off_topic)), len(set(old.off_topic) - set(new.off_topic))
    if marked or unmarked:
        counts = " ".join(filter(None, [f"+{marked}" if marked else "", f"-{unmarked}" if unmarked else ""]))
        said = "; ".join(filter(None, [said, f"{OFF_TOPIC}: {counts}"]))
    return said or str(LAYOUT)


def entry_changes(old: Faq, new: Faq) -> tuple[list[str], list[str], list[str]]:
    """By entry id, what `new` did to `old`: (changed, added, removed), in file order."""
    old_hashes = {e.id: e.content_hash() for e in old.entries}
    new_hashes = {e.id: e.content_hash() for e in new.entries}
    return (
        [i for i in new_hashes if i in old_hashes and old_hashes[i] != new_hashes[i]],
        [i for i in new_hashes if i not in old_hashes],
        [i for i in old_hashes if i not in new_hashes],
    )


def named(ids: list[str]) -> str:
    """The ids, the first NAMED_IDS of them by name and the rest counted: "a, b, c +34"."""
    more = f" +{len(ids) - NAMED_IDS}" if len(ids) > NAMED_IDS else ""
    return ", ".join(ids[:NAMED_IDS]) + more


def what_said(what: str, say: Callable[..., str]) -> str:
    """A version's `what`, kept in Swedish, in the language of `say` (the page's phrasebook,
    faqbot.staff.console.language): each phrase translated, entry ids and addresses as they
    are. A summary in other words (from an older release) is shown as it was kept."""
    head = ""
    for prefix in (HAND_EDIT, FIRST_SEEN):
        if what.startswith(prefix + ": "):
            head, what = say(prefix) + ": ", what[len(prefix) + 2 :]
            break
    else:
        found = re.match(r"återställde version (\d+): ", what)
        if found:
            head, what = say(RESTORED, id=found.group(1)) + ": ", what[found.end() :]
    if what in (UNCHECKED, LAYOUT):
        return head + say(what)
    counted = re.fullmatch(r"(filen rättad: )?(\d+) poster", what)
    if counted:
        return head + say(FIXED if counted.group(1) else COUNTED, count=counted.group(2))
    labels = {str(label): label for label in (CHANGED, ADDED, REMOVED, OFF_TOPIC)} | {"helpdesk": "helpdesk"}
    parts = [part.partition(": ") for part in what.split("; ")]
    if not all(sep and label in labels for label, sep, _ in parts):
        return head + what
    return head + "; ".join(f"{say(labels[label])}: {rest}" for label, _, rest in parts)


@dataclass(frozen=True)
class Difference:
    """A kept version against the file as it is now: unified-diff lines, at most MAX_DIFF_LINES."""

    version: Version
    lines: list[str]
    cut: bool
    # by entry id, what a restore would do to the file now (empty when either does not read)
    removed: tuple[str, ...] = ()  # in the file now, not in the version: they go
    returned: tuple[str, ...] = ()  # in the version, not in the file now: they come back
    changed: tuple[str, ...] = ()  # in both, with other texts: the version's texts come back
    compared: str = ""  # text_hash of the file it was compared with: a restore of it refuses another
    refused: object = None  # why the version itself does not pass the checks (None: it does): no restore offered
    # the FAQ's off_topic: questions a restore would take off the list, and put on it again
    unmarks: tuple[str, ...] = ()
    marks: tuple[str, ...] = ()

    @property
    def same(self) -> bool:
        return not self.lines


MAX_DIFF_LINES = 2_000


def difference(version: Version, current: str) -> Difference:
    """What restoring `version` would change in `current` ('-' lines go, '+' lines come back)."""
    lines = list(
        difflib.unified_diff(
            current.splitlines(),
            version.content.splitlines(),
            fromfile="filen nu",
            tofile=f"version {version.id}",
            lineterm="",
        )
    )
    removed, returned, changed = by_entry(current, version.content)
    cut = len(lines) > MAX_DIFF_LINES
    unmarks, marks = by_mark(current, version.content)
    shown = Difference(version, lines[:MAX_DIFF_LINES], cut, removed, returned, changed, text_hash(current))
    return replace(shown, unmarks=unmarks, marks=marks)


def by_mark(current: str, restored: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The questions marked as about something else in `current` that `restored` does not mark,
    and those it marks that `current` does not; both empty when either does not pass the checks
    (found by a walk-through: a restore named what it did to entries, not to the list)."""
    try:
        now, then = parsed(current), parsed(restored)
    except DataError:
        return (), ()
    return marked_only(now, then), marked_only(then, now)


def marked_only(faq: Faq, other: Faq) -> tuple[str, ...]:
    """The questions `faq` marks as about something else (its `off_topic:`) that `other` does not."""
    kept = {normalize_question(t) for t in other.off_topic}
    return tuple(t for t in faq.off_topic if normalize_question(t) not in kept)


def by_entry(current: str, restored: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(removed, returned, changed) entry ids if `restored` replaced `current`; all empty when
    either does not pass the checks (the diff lines then say what changes)."""
    try:
        changed, returned, removed = entry_changes(parsed(current), parsed(restored))
    except DataError:
        return (), (), ()
    return tuple(removed), tuple(returned), tuple(changed)
