"""Staff accounts and login sessions, kept in the conversation log's database (SQLite or PostgreSQL).

    store = StaffStore("data/conversations.db")      # or postgresql://faqbot@db.internal/faqbot
    store.add_user("anna", "ett långt lösenord")
    session = store.log_in("anna", "ett långt lösenord")   # None for a wrong name or password
    store.session(session.token)                      # the session while it is in use, else None

Passwords are stored as argon2id hashes (argon2-cffi's defaults: salted, memory-hard). A session
id is 256 random bits; the database holds only its SHA-256, so a copy of the database does not
let anyone in. A session ends after IDLE_SECONDS without a request, after MAX_AGE_SECONDS in
all, at logout, and when its user is removed. The tables are migration 5 of the log's schema
(faqbot.conversations.migrations), so every replica on one PostgreSQL knows the same staff and
the same sessions.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from faqbot.errors import FaqbotError
from faqbot.staff.console.tables import LogTables

IDLE_SECONDS = 30 * 60
MAX_AGE_SECONDS = 12 * 3600
ENDED_REMEMBERED = 1_000  # ended sessions' CSRF tokens kept in memory (`StaffStore.ended_user`)
TOUCH_SECONDS = 30  # last_seen is written at most this often per session
# Letters a-z and the Nordic ones staff are named with (Åsa, Göran, Bjørn, Renée), digits and . _ @ -
NAME_LETTERS = "åäöæøéüÅÄÖÆØÉÜ"
NAME_PATTERN = re.compile(rf"^[A-Za-z0-9._@{NAME_LETTERS}-]{{1,64}}\Z")  # \Z: $ lets a final newline through
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # argon2 hashes anything, but nobody needs more, and hashing more costs time

HASHER = PasswordHasher()  # argon2id
# Checked when the name is unknown, so a wrong name takes as long as a wrong password.
DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class Session:
    """A logged-in member of staff. `token` is only known right after login (the cookie's value)."""

    token_hash: str
    user: str
    csrf: str
    token: str = ""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def account_name(name: str) -> str:
    """A user name as stored and compared: "ö" typed as one character or as "o" and a combining
    diaeresis (NFC) is one name, never two accounts or two throttles for one person."""
    return unicodedata.normalize("NFC", name or "")


def check_name(name: str) -> str:
    name = account_name(name)
    if not NAME_PATTERN.match(name):
        raise FaqbotError(
            f"the user name {name!r} may only use letters a-z and {NAME_LETTERS}, digits and . _ @ - (at most 64)"
        )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise FaqbotError(f"the password must be at least {MIN_PASSWORD} characters long")
    if len(password) > MAX_PASSWORD:
        raise FaqbotError(f"the password may be at most {MAX_PASSWORD} characters long")
    return password


class StaffStore(LogTables):
    """The users and sessions tables of the log at `location` (a SQLite path or a postgresql:// URL)."""

    def __init__(self, location: str | Path, clock: Callable[[], float] = time.time) -> None:
        super().__init__(location, clock)
        # the CSRF tokens of sessions that ended (idle, too old, logged out) -> (user, when), so that
        # a form sent after its session ended can be told from a forged one (`ended_user`)
        self._ended: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._ended_lock = threading.Lock()
        with self._connection() as conn:  # creates or migrates the schema now: a broken location fails at start
            del conn

    # -- users ---------------------------------------------------------------------------

    def stored_name(self, name: str) -> str:
        """The account `name` names: its own spelling, else the one account whose name is the same
        whatever the case ("Åsa" typed for "åsa": a phone capitalises the first letter; found by a
        walk-through, where it failed as a wrong password); else `name` as typed."""
        name = account_name(name)
        names = [row[0] for row in self._run("SELECT name FROM staff_users")]  # a handful of staff
        if name in names:
            return name
        same = [n for n in names if n.casefold() == name.casefold()]
        return same[0] if len(same) == 1 else name

    def add_user(self, name: str, password: str) -> str:
        """Create an account, or give an existing one (the same name whatever the case) a new
        password and end its sessions; the account's name."""
        digest = HASHER.hash(check_password(password))
        name = self.stored_name(check_name(name))
        self.remove_sessions(name)
        if self._run("SELECT name FROM staff_users WHERE name = ?", (name,)):
            self._run("UPDATE staff_users SET password_hash = ? WHERE name = ?", (digest, name))
        else:
            self._run(
                "INSERT INTO staff_users (name, password_hash, created_at) VALUES (?, ?, ?)",
                (name, digest, self.clock()),
            )
        return name

    def remove_user(self, name: str) -> bool:
        """Delete an account and end its sessions; False when there was none."""
        name = self.stored_name(name)
        found = bool(self._run("SELECT name FROM staff_users WHERE name = ?", (name,)))
        self._run("DELETE FROM staff_users WHERE name = ?", (name,))
        self.remove_sessions(name)
        return found

    def users(self) -> list[str]:
        return [row[0] for row in self._run("SELECT name FROM staff_users ORDER BY name")]

    def verify(self, name: str, password: str) -> bool:
        """Whether `password` is `name`'s; as slow for an unknown name as for a known one."""
        return self._verify_stored(self.stored_name(name), password)

    def _verify_stored(self, name: str, password: str) -> bool:
        """`verify` for a name `stored_name` has resolved already."""
        known = NAME_PATTERN.match(name or "") is not None
        rows = self._run("SELECT password_hash FROM staff_users WHERE name = ?", (name,)) if known else []
        stored = rows[0][0] if rows else DUMMY_HASH
        try:
            HASHER.verify(stored, password[:MAX_PASSWORD])
        except (VerificationError, InvalidHashError):
            return False
        if not rows:
            return False
        if HASHER.check_needs_rehash(stored):
            self._run("UPDATE staff_users SET password_hash = ? WHERE name = ?", (HASHER.hash(password), name))
        return True

    # -- sessions ------------------------------------------------------------------------

    def log_in(self, name: str, password: str) -> Session | None:
        """A new session for `name` when the password is right (always a new id: no fixation)."""
        name = self.stored_name(name)
        if not self._verify_stored(name, password):
            return None
        token, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), self.clock()
        self._run(
            "INSERT INTO staff_sessions (token_hash, user_name, csrf, created_at, last_seen) VALUES (?, ?, ?, ?, ?)",
            (token_hash(token), name, csrf, now, now),
        )
        return Session(token_hash(token), name, csrf, token)

    def session(self, token: str) -> Session | None:
        """The session with this cookie value while it is in use; an expired one is deleted."""
        if not token or len(token) > 200:
            return None
        key = token_hash(token)
        rows = self._run(
            "SELECT user_name, csrf, created_at, last_seen FROM staff_sessions WHERE token_hash = ?", (key,)
        )
        if not rows:
            return None
        user, csrf, created, seen = rows[0]
        now = self.clock()
        if now - seen > IDLE_SECONDS or now - created > MAX_AGE_SECONDS:
            self.log_out(key)
            return None
        if now - seen > TOUCH_SECONDS:
            self._run("UPDATE staff_sessions SET last_seen = ? WHERE token_hash = ?", (now, key))
        return Session(key, user, csrf)

    def log_out(self, key: str) -> None:
        ended = self._run("SELECT user_name, csrf FROM staff_sessions WHERE token_hash = ?", (key,))
        self._run("DELETE FROM staff_sessions WHERE token_hash = ?", (key,))
        with self._ended_lock:
            for user, csrf in ended:
                self._ended[token_hash(csrf)] = (user, self.clock())
            while len(self._ended) > ENDED_REMEMBERED:
                self._ended.popitem(last=False)

    def ended_user(self, csrf: str) -> str | None:
        """The member of staff whose session, ended in this process within MAX_AGE_SECONDS, had
        this CSRF token (a form of theirs sent after it ended); None for any other token."""
        if not csrf or len(csrf) > 200:
            return None
        with self._ended_lock:
            found = self._ended.get(token_hash(csrf))
        if found is None or self.clock() - found[1] > MAX_AGE_SECONDS:
            return None
        return found[0] if self._run("SELECT 1 FROM staff_users WHERE name = ?", (found[0],)) else None

    def remove_sessions(self, name: str) -> None:
        self._run("DELETE FROM staff_sessions WHERE user_name = ?", (name,))

    def forget_expired(self) -> int:
        """Delete the sessions past their idle or absolute limit; returns how many."""
        now = self.clock()
        stale = self._run(
            "SELECT token_hash FROM staff_sessions WHERE last_seen < ? OR created_at < ?",
            (now - IDLE_SECONDS, now - MAX_AGE_SECONDS),
        )
        for (key,) in stale:
            self.log_out(key)
        return len(stale)
