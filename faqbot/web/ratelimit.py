"""The chat's per-client rate limit: a sliding window of the last minute, in memory.

    limiter = RateLimiter()
    if not limiter.allow("203.0.113.7", limit=20):   # 20 messages in any 60 seconds
        ...                                           # tell the customer to wait

A client is whatever key the caller passes (the chat uses the customer's network, `budget_key`:
the IPv4 address, or the IPv6 /48 the address is in). Each
client keeps the times of its accepted messages within the window, at most `limit` of them; a
refused message is not counted, so a customer who waits gets through again. Memory is bounded:
clients idle for a whole window are dropped, and past `max_clients` the longest-idle ones go
first. One lock makes it safe to call from Gradio's worker threads. Each app process has its
own limiter, so behind a load balancer the limit is per process.

`ClientBudget` is what the widget and the JSON API both spend: one per server, so a client
cannot double its budget by using both; `client_address` is the one way both name a client.

`Tarpit` makes a client past its budget wait before its next request is even handled, so a
flood of refused messages cannot take the server's CPU from other customers. `RequestBudget`
does the same for every other request (page loads, the greeting, 👍/👎, malformed calls, the
page's files): each counts against a larger per-client budget, and past it the client waits,
then gets a 429 that costs the server nothing. `ProxyCheck` says
in the server's log when a proxy the settings do not trust stands in front: its customers
would all share its one budget.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from faqbot.conversations.clients import client_network

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60.0
TARPIT_SECONDS = 1.0  # a request from a client past its budget waits this long (see Tarpit)
MAX_CLIENTS = 10_000  # about 1 MB at 20 timestamps each
# Requests of any kind a client may make per message of its budget: a page load is ~6 requests
# (the page, its config, theme, manifest, greeting, heartbeat), each message one more. The
# page's own files (ASSET_PREFIXES) are far more numerous on a first load, and cheap: their own budget.
REQUESTS_PER_MESSAGE = 10
ASSETS_PER_MESSAGE = 50
ASSET_PREFIXES = ("/assets/", "/static/", "/svelte/", "/favicon.ico")
# Whatever the message limit, a client may load the page: a first load fetches ~45 files at once,
# which a low limit (3 messages a minute: 150 files a minute, 25 at once) refused, leaving the
# widget on "Loading...". At least this many a minute, BURST_SECONDS' worth of them at once.
MIN_REQUESTS_PER_MINUTE = 120
MIN_ASSETS_PER_MINUTE = 600
# A client may spend at most this many seconds' worth of its request budget at once: the whole
# minute's worth in one burst (200 page loads) took seconds of CPU from other customers.
BURST_SECONDS = 10.0


class RateLimiter:
    """Answers "may this client send another message now?"; thread-safe."""

    def __init__(
        self,
        window: float = WINDOW_SECONDS,
        max_clients: int = MAX_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window = window
        self.max_clients = max_clients
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()  # least recently active first

    def allow(self, client: str, limit: int) -> bool:
        """Count one message from `client`; False when it already sent `limit` in the window.

        A limit of 0 or less means no limit.
        """
        if limit <= 0:
            return True
        with self._lock:
            now = self._clock()
            self._forget_idle(now)
            times = self._seen.get(client)
            if times is None:
                while len(self._seen) >= self.max_clients:
                    self._seen.popitem(last=False)  # the longest idle
                times = self._seen[client] = deque()
            else:
                self._seen.move_to_end(client)
            while times and times[0] <= now - self.window:
                times.popleft()
            if len(times) >= limit:
                return False
            times.append(now)
            while len(times) > limit:  # the limit was lowered while the app ran
                times.popleft()
            return True

    def over(self, client: str, limit: int) -> bool:
        """Whether `client` has used up its `limit` in the window; counts nothing."""
        if limit <= 0:
            return False
        with self._lock:
            times = self._seen.get(client)
            cutoff = self._clock() - self.window
            return times is not None and sum(1 for t in times if t > cutoff) >= limit

    def retry_after(self, client: str) -> float:
        """Seconds until `client` may send again (0 when it may now)."""
        with self._lock:
            times = self._seen.get(client)
            if not times:
                return 0.0
            return max(0.0, times[0] + self.window - self._clock())

    def _forget_idle(self, now: float) -> None:
        """Drop the longest-idle clients while they have nothing left in the window."""
        while self._seen:
            client, times = next(iter(self._seen.items()))
            if times and times[-1] > now - self.window:
                break
            del self._seen[client]


class TokenBucket:
    """A budget of `limit` requests a window that refills smoothly, of which at most `burst`
    seconds' worth can be spent at once: like RateLimiter, but a client costs a few numbers
    however large its limit (RequestBudget's limits are hundreds)."""

    def __init__(
        self,
        window: float = WINDOW_SECONDS,
        max_clients: int = MAX_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
        burst: float = BURST_SECONDS,
    ) -> None:
        self.window, self.max_clients, self._clock, self.burst = window, max_clients, clock, burst
        self._lock = threading.Lock()
        self._buckets: OrderedDict[str, tuple[float, float, int]] = OrderedDict()  # tokens, when, limit

    def allow(self, client: str, limit: int) -> bool:
        """Spend one of `client`'s `limit` a window; False when none is left. 0 or less: no limit."""
        if limit <= 0:
            return True
        with self._lock:
            now = self._clock()
            tokens = self._tokens(client, limit, now)
            if tokens < 1:
                return False
            self._buckets[client] = (tokens - 1, now, limit)
            self._buckets.move_to_end(client)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)  # the longest idle
            return True

    def retry_after(self, client: str) -> float:
        """Seconds until `client` has one to spend again."""
        with self._lock:
            if client not in self._buckets:
                return 0.0
            limit = self._buckets[client][2]
            return max(0.0, (1 - self._tokens(client, limit, self._clock())) * self.window / limit)

    def capacity(self, limit: int) -> float:
        """How many requests of a `limit` a window a client may send at once."""
        return max(1.0, limit * min(self.burst, self.window) / self.window)

    def _tokens(self, client: str, limit: int, now: float) -> float:
        tokens, when, _ = self._buckets.get(client, (self.capacity(limit), now, limit))
        return min(self.capacity(limit), tokens + (now - when) * limit / self.window)


def client_address(request: object) -> str | None:
    """The client's IP address from a Starlette or Gradio request; None for a direct call (no request, no limit).

    The server has already replaced a trusted proxy's address with the one it forwarded (see
    faqbot.web.server), so this is the customer, not nginx.
    """
    if request is None:
        return None
    client = getattr(request, "client", None)
    return str(getattr(client, "host", None) or "unknown")


def budget_key(address: str) -> str:
    """Whose budget a request spends: the client's network as the log counts clients (an IPv4
    address, an IPv6 /48: faqbot.conversations.clients), the address itself when it is none.

    By the exact address, one IPv6 host sends from as many addresses of its /64 (or /48) as it
    likes, each with a fresh budget (found by an attack: 60 questions from 60 addresses of one
    /64 in 6 s, all answered; 300 at once held a real customer's question for 56 s).
    """
    return client_network(address) or address


class ClientBudget:
    """Each client's budgets for any minute, shared by the widget and the JSON API.

        budget = ClientBudget(lambda: bot.config.rate_limit_per_minute)
        if not budget.allow(client_address(request), budget.messages):
            ...                                   # refuse; budget.retry_after(client, budget.messages)

    `messages`: questions and picked choices (each one gets an answer); `ratings`: 👍/👎, kept
    apart so that rating answers does not use up the budget for questions. Both allow
    `limit()` a minute. `requests` (REQUESTS_PER_MESSAGE times that) and `assets`
    (ASSETS_PER_MESSAGE times) are spent by RequestBudget on every request. A client past a budget is said once a minute in the server's log.
    """

    def __init__(self, limit: Callable[[], int], messages: RateLimiter | None = None) -> None:
        self.limit = limit
        self.messages = messages if messages is not None else RateLimiter()  # an empty one is falsy
        self.ratings = RateLimiter()
        self.requests = TokenBucket()  # any request at all (RequestBudget)
        self.assets = TokenBucket()  # the page's static files
        self._noted = RateLimiter()  # one line in the server's log per limited client per minute

    def allow(self, client: str | None, spent: RateLimiter | TokenBucket) -> bool:
        """Count one request of `client` against `spent` (messages or ratings); False past the limit."""
        if client is None:
            return True
        client = budget_key(client)
        limit = self.limit()
        if spent.allow(client, limit):
            return True
        if self._noted.allow(client, 1):
            logger.warning("rate limit: %s sent more than %d messages or ratings in a minute", client, limit)
        return False

    def retry_after(self, client: str, spent: RateLimiter | TokenBucket) -> int:
        """Whole seconds until `client` may spend from `spent` again (at least 1)."""
        return max(1, math.ceil(spent.retry_after(budget_key(client))))


def budget_for(given: ClientBudget | RateLimiter | None, limit: Callable[[], int]) -> ClientBudget:
    """`given` when it is a ClientBudget; else a budget whose message limiter is `given` (shared with its owner)."""
    return given if isinstance(given, ClientBudget) else ClientBudget(limit, given)


class Waiting:
    """How many requests of each client wait in a tarpit now; a client's next one waits that many delays."""

    def __init__(self, delay: float, longest: float) -> None:
        self.delay, self.longest = delay, longest
        self.waiting: dict[str, int] = {}  # per client; touched only in the event loop's thread

    async def wait(self, address: str) -> None:
        self.waiting[address] = waiting = self.waiting.get(address, 0) + 1
        try:
            await asyncio.sleep(min(self.delay * waiting, self.longest))
        finally:
            self.waiting[address] -= 1
            if not self.waiting[address]:
                del self.waiting[address]


def scope_address(scope: Scope) -> str:
    """The budget key (`budget_key`) of the request's client address."""
    client = scope.get("client")
    return budget_key(str(client[0])) if client else "unknown"


class Tarpit:
    """ASGI middleware: a POST from a client already past its message budget waits before the
    app sees it (it is then refused as usual, with the notice): `delay` seconds times the
    number of that client's requests waiting, at most a minute.

    A refusal is cheap for faqbot but costs Gradio's request handling around it (5-8 ms); a
    client flooding past its limit would take that share of the one process's CPU from other
    customers. Waiting costs no thread and no CPU, and since the wait grows with the client's
    requests in flight, one address gets about one refusal per `delay` however many
    connections it opens; a customer who only typed fast sees the notice a moment later.
    Holding very many connections open is for the proxy to bound.
    """

    def __init__(
        self,
        app: ASGIApp,
        limiter: RateLimiter,
        limit: Callable[[], int],
        delay: float = TARPIT_SECONDS,
        prefixes: tuple[str, ...] = ("/gradio_api/", "/api/"),
    ) -> None:
        self.app, self.limiter, self.limit, self.prefixes = app, limiter, limit, prefixes
        self.tarpit = Waiting(delay, limiter.window)
        self.waiting = self.tarpit.waiting

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"].startswith(self.prefixes):
            address = scope_address(scope)
            if self.limiter.over(address, self.limit()):
                await self.tarpit.wait(address)
        await self.app(scope, receive, send)


class RequestBudget:
    """ASGI middleware: every HTTP request counts against its client's `requests` budget (the
    page's static files against `assets`); past it the client waits as in Tarpit, then gets a
    429 with Retry-After, and the app never sees the request.

    So page loads, greetings, 👍/👎, malformed and refused calls from one address cost the server
    about one cheap 429 per `delay`, however fast they come. A customer never comes near it:
    REQUESTS_PER_MESSAGE requests for each message of the budget.
    """

    def __init__(
        self, app: ASGIApp, budget: ClientBudget, refusal: Callable[[], str], delay: float = TARPIT_SECONDS
    ) -> None:
        self.app, self.budget, self.refusal = app, budget, refusal
        self.tarpit = Waiting(delay, WINDOW_SECONDS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        asset = scope["path"].startswith(ASSET_PREFIXES)
        spent = self.budget.assets if asset else self.budget.requests
        address = scope_address(scope)
        if spent.allow(address, request_limit(self.budget.limit(), asset)):
            return await self.app(scope, receive, send)
        await self.tarpit.wait(address)
        wait = self.budget.retry_after(address, spent)
        body = json.dumps({"error": "rate_limited", "message": self.refusal(), "retry_after": wait})
        headers = [(b"content-type", b"application/json"), (b"retry-after", str(wait).encode())]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body.encode()})


def request_limit(messages: int, asset: bool) -> int:
    """Requests a client may make a minute, of the page's files (`asset`) or of any other kind,
    for a limit of `messages` a minute (0: no limit)."""
    if messages <= 0:
        return 0
    if asset:
        return max(ASSETS_PER_MESSAGE * messages, MIN_ASSETS_PER_MINUTE)
    return max(REQUESTS_PER_MESSAGE * messages, MIN_REQUESTS_PER_MINUTE)


class ProxyCheck:
    """ASGI middleware: says once in the server's log when requests come through a proxy that
    `trusted_proxy` does not name.

    Such a request carries X-Forwarded-For, but the server (rightly) did not believe it, so its
    client address is the proxy's: every customer behind that proxy shares one message budget,
    and one busy minute refuses them all. (A believed header has put one of its addresses in
    the request's client address.)
    """

    MAX_WARNED = 16  # addresses warned about: anyone can send the header, the log must not grow with them

    def __init__(self, app: ASGIApp, setting: Callable[[], str]) -> None:
        self.app, self.setting = app, setting
        self.warned: set[str] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            forwarded = next((v for k, v in scope.get("headers", ()) if k == b"x-forwarded-for"), None)
            client = scope.get("client")
            if forwarded is not None and client:
                listed = {part.strip() for part in forwarded.decode("latin-1").split(",")}
                peer = str(client[0])
                if peer not in listed and peer not in self.warned and len(self.warned) < self.MAX_WARNED:
                    self.warned.add(peer)
                    logger.warning(
                        "requests from %s carry X-Forwarded-For, but trusted_proxy (%s) does not name it: "
                        "every customer behind that proxy counts as %s and shares one rate limit; "
                        "if it is your proxy, set trusted_proxy: %s in the settings",
                        peer,
                        self.setting() or "not set",
                        peer,
                        peer,
                    )
        await self.app(scope, receive, send)
