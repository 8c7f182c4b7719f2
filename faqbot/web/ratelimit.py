"""The chat's per-client rate limit: a sliding window of the last minute, in memory.

    limiter = RateLimiter()
    if not limiter.allow("203.0.113.7", limit=20):   # 20 messages in any 60 seconds
        ...                                           # tell the customer to wait

A client is whatever key the caller passes (the chat uses the customer's IP address). Each
client keeps the times of its accepted messages within the window, at most `limit` of them; a
refused message is not counted, so a customer who waits gets through again. Memory is bounded:
clients idle for a whole window are dropped, and past `max_clients` the longest-idle ones go
first. One lock makes it safe to call from Gradio's worker threads. Each app process has its
own limiter, so behind a load balancer the limit is per process.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

WINDOW_SECONDS = 60.0
MAX_CLIENTS = 10_000  # about 1 MB at 20 timestamps each


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
