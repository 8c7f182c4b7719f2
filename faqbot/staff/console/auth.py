"""What keeps the staff console to staff: login throttling, CSRF tokens, cookies and HTTP hardening.

    throttle = Throttle()
    wait = throttle.begin("user:anna", "addr:203.0.113.9")  # 0: check this try now; else seconds to wait
    throttle.failed("user:anna", "addr:203.0.113.9")         # after a wrong password
    throttle.end("user:anna", "addr:203.0.113.9")            # the check is over, right or wrong

- Repeated failed logins slow down per account and per address: after FREE_FAILURES failures
  every further try must wait BASE_DELAY * 2**n seconds (at most MAX_DELAY); a try that comes
  earlier is refused without checking the password. One try per account and per address is
  checked at a time (`begin` marks its keys until `end`), and at most MAX_CHECKS at once in
  all, so tries sent together are not all checked before the first failure counts, and a
  burst of them cannot take 64 MiB of argon2 memory each. The count is kept in this process (a
  few thousand keys at most) and forgotten FORGET_SECONDS after the last failure.
- Every state-changing request carries the session's CSRF token, compared in constant time;
  the login form carries a token of its own (double submit: a cookie and a field).
- Every response says: no framing, no caching, no sniffing, and a Content-Security-Policy that
  allows nothing from other hosts and no inline script.
- Request bodies are bounded (MAX_BODY_BYTES) before anything reads them.
- A request is answered only under a host name the console is known by (`KnownHost`): a page
  of another site whose name an attacker points at 127.0.0.1 (DNS rebinding) would otherwise
  reach the console, which listens there, through a member of staff's browser.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import psycopg
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from faqbot.conversations.clients import client_network
from faqbot.retrieval.publish import StalePublishError
from faqbot.staff.console.accounts import account_name
from faqbot.web.headers import AddHeaders

FREE_FAILURES = 3
BASE_DELAY = 1.0
MAX_DELAY = 300.0
FORGET_SECONDS = 3600.0
MAX_KEYS = 10_000
MAX_CHECKS = 2  # password checks at once (argon2id: 64 MiB and a core's tenth of a second each)
BUSY_WAIT = 1.0  # seconds a try is told to wait while another for its account or address is checked
MAX_BODY_BYTES = 64 * 1024
LOG = logging.getLogger("faqbot.staff.console")

COOKIE = "faqbot_staff"
LOGIN_COOKIE = "faqbot_staff_login"  # the login form's own CSRF token, before there is a session

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


class Wait(NamedTuple):
    """How long a login try must wait (0: it is checked now), and whether only because another is being checked."""

    seconds: float
    busy: bool = False


def login_keys(name: str, address: str) -> tuple[str, str]:
    """What a login try is throttled by: the account, and the network it came from (an IPv4
    address, an IPv6 /48: faqbot.conversations.clients). By the exact address, one IPv6 host
    sprayed passwords from a /64 without ever waiting, and kept both password checks busy."""
    return f"user:{account_name(name).casefold()}", f"addr:{client_network(address) or address}"


@dataclass
class Throttle:
    """Failed logins per key (an account, an address) and how long the next try must wait."""

    clock: Callable[[], float] = time.monotonic
    free: int = FREE_FAILURES
    base: float = BASE_DELAY
    cap: float = MAX_DELAY
    _failures: OrderedDict[str, tuple[int, float]] = field(default_factory=OrderedDict)
    _checking: set[str] = field(default_factory=set)
    _checks: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def begin(self, *keys: str) -> Wait:
        """No wait when a try for `keys` may be checked now (its keys are then busy until `end`);
        else the throttle's wait, or BUSY_WAIT (`busy`) while another try for one of the keys, or
        MAX_CHECKS tries in all, are being checked."""
        with self._lock:
            wait = self.wait(*keys)
            if wait > 0:
                return Wait(wait)
            if self._checks >= MAX_CHECKS or any(key in self._checking for key in keys):
                return Wait(BUSY_WAIT, busy=True)
            self._checking.update(keys)
            self._checks += 1
            return Wait(0.0)

    def end(self, *keys: str) -> None:
        with self._lock:
            self._checking.difference_update(keys)
            self._checks = max(0, self._checks - 1)

    def delay(self, failures: int) -> float:
        """The wait after `failures` failed tries in a row: none for the first few, then doubling, bounded."""
        if failures < self.free:
            return 0.0
        return min(self.cap, self.base * 2 ** (failures - self.free))

    def wait(self, *keys: str) -> float:
        """Seconds until a try for all of `keys` may be checked (0: now)."""
        now = self.clock()
        longest = 0.0
        for key in keys:
            count, last = self._failures.get(key, (0, now))
            if now - last > FORGET_SECONDS:
                self._failures.pop(key, None)
                continue
            longest = max(longest, last + self.delay(count) - now)
        return longest

    def failed(self, *keys: str) -> None:
        now = self.clock()
        for key in keys:
            count, _ = self._failures.pop(key, (0, now))
            self._failures[key] = (count + 1, now)
        if len(self._failures) > MAX_KEYS:
            self._make_room(now, keys)

    def _make_room(self, now: float, counting: tuple[str, ...]) -> None:
        """Down to MAX_KEYS keys, never one of `counting` (the try just failed: dropping its own new
        keys let a table full of junk make every new network's guesses free). The forgotten keys
        go first, then those that impose no wait yet (fewer than `free` failures), oldest first,
        then the oldest of the rest. Dropping the oldest alone let 10,000 one-off failures (a name
        and a network each) reset an account's wait; now it takes `free` failures a key."""
        for key, (_count, last) in list(self._failures.items()):
            if now - last > FORGET_SECONDS:
                del self._failures[key]
        excess = len(self._failures) - MAX_KEYS
        if excess <= 0:
            return
        harmless = [k for k, (count, _) in self._failures.items() if count < self.free and k not in counting]
        going = harmless[:excess]
        if len(going) < excess:
            spared = set(going) | set(counting)
            going += [k for k in self._failures if k not in spared][: excess - len(going)]
        for key in going:
            del self._failures[key]

    def succeeded(self, *keys: str) -> None:
        for key in keys:
            self._failures.pop(key, None)


def same_token(expected: str, given: str | None) -> bool:
    """The CSRF check: constant-time, and never true for a missing token."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


STALE = (
    "Inget sparades: en nyare FAQ har publicerats från en annan dator, och FAQ-filen här har ändringar "
    "som inte är publicerade. Hämta den publicerade med faqbot index --fetch (filen här finns kvar under "
    "Versioner) och gör ändringen igen."
)
DATABASE_AWAY = (
    "Databasen svarar inte just nu, så konsolen kan inte visa eller spara något. Chatten svarar ändå "
    "kunderna. Försök igen om en stund."
)


class SecurityHeaders(AddHeaders):
    """Adds SECURITY_HEADERS to every response of the app it wraps, an unforeseen error's 500 too:
    that is answered here, in words and with the headers, and its traceback goes to the server log
    (the framework's own 500 is sent from outside every middleware, without them)."""

    headers = SECURITY_HEADERS

    async def serve(self, scope: Scope, receive: Receive, send: Send, started: list[bool]) -> None:
        try:
            await self.app(scope, receive, send)
        except StalePublishError as err:  # found by a walk-through: a 500 that said nothing was done, after a save
            LOG.warning("the staff console refused a change on %s: %s", scope.get("path", "")[:200], err)
            if started:
                raise
            await plain(send, 409, STALE)
        except psycopg.OperationalError as err:  # the database is away: one line, not a traceback a request
            LOG.error("the staff console cannot reach its database on %s: %s", scope.get("path", "")[:200], err)
            if started:
                raise
            await plain(send, 503, DATABASE_AWAY)
        except Exception:
            LOG.exception("the staff console failed on %s %s", scope.get("method", ""), scope.get("path", "")[:200])
            if started:
                raise
            await plain(send, 500, "Något gick fel i konsolen; inget mer gjordes. Felet står i serverns logg.")


LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
WILDCARD_ADDRESSES = frozenset({"", "0.0.0.0", "::"})
UNKNOWN_HOST = (  # before the session and its language are known: in both
    "Konsolen svarar inte under det här namnet. Når ni den genom en proxy: lägg till namnet i "
    "staff_host i inställningsfilen och starta om faqbot staff.\n"
    "The console does not answer under this name. If you reach it through a proxy, add the name to "
    "staff_host in the settings file and restart faqbot staff."
)


def known_hosts(listening_on: str, staff_host: str) -> frozenset[str]:
    """The host names the console answers under: loopback, the address it listens on (unless
    every address), and the names of the `staff_host` setting."""
    names = set(LOOPBACK_NAMES) | {name for name in staff_host.split(",") if name}
    if listening_on.strip("[]") not in WILDCARD_ADDRESSES:
        names.add(listening_on.strip("[]").lower())
    return frozenset(names)


def host_name(header: bytes) -> str:
    """The name of a Host header without its port, lower case ("[::1]:7861" -> "::1"); "" when it is none."""
    text = header.decode("latin-1").strip().lower()
    if text.startswith("["):
        inside, _, rest = text[1:].partition("]")
        try:
            ipaddress.IPv6Address(inside)
        except ValueError:
            return ""
        return inside if rest == "" or (rest.startswith(":") and rest[1:].isdigit()) else ""
    name, _, port = text.partition(":")
    if port and not port.isdigit():
        return ""
    return name.rstrip(".")


class KnownHost:
    """Answers 400 to a request whose Host header names none of `names` (see the module docstring)."""

    MAX_TOLD = 100  # distinct refused names written to the server's log; a flood of made-up ones is not

    def __init__(self, app: ASGIApp, names: frozenset[str]) -> None:
        self.app = app
        self.names = names
        self._told: set[str] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            hosts = [value for key, value in scope.get("headers", []) if key == b"host"]
            if len(hosts) != 1 or host_name(hosts[0]) not in self.names:
                self.tell(hosts)
                await plain(send, 400, UNKNOWN_HOST)
                return
        await self.app(scope, receive, send)

    def tell(self, hosts: list[bytes]) -> None:
        """Say in the server's log which name was refused (the page does not repeat what a client sent),
        once a name, so that staff behind a proxy can tell what to put in staff_host."""
        shown = repr(hosts[0].decode("latin-1")[:100]) if len(hosts) == 1 else f"{len(hosts)} Host headers"
        if shown in self._told or len(self._told) >= self.MAX_TOLD:
            return
        self._told.add(shown)
        LOG.warning(
            "refused a request for host %s: the console answers under %s; if staff reach it under that name "
            "through a proxy, add the name to staff_host in the settings",
            shown,
            ", ".join(sorted(self.names)),
        )


class BodyLimit:
    """Refuses a request body over `max_bytes` with 413, whether announced or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", [])).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.max_bytes:
            await too_large(send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise BodyTooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except BodyTooLarge:
            await too_large(send)


class BodyTooLarge(Exception):
    """A streamed body went past the limit."""


async def too_large(send: Send) -> None:
    await plain(send, 413, "För stor förfrågan.")


async def plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
