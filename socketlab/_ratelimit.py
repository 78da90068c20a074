"""A client-side rate limiter shared by every thread of a client.

Snyk allows a number of requests per minute per API key and, once over it, answers 429 "until
requests stop for the duration of the rate-limiting interval". So two things are needed: never
send more than the budget in any sliding minute, and when a 429 arrives anyway (another tool
using the same key), stop *every* thread for the interval, not just the one that was refused.

Written here rather than taken from a library because the pause must be shared with the retry
logic and both must run on an injectable clock, so tests never really wait.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable

from socketlab._fanout import Cancel

__all__ = ["RateLimiter"]


class RateLimiter:
    """At most ``per_minute`` acquisitions in any ``window`` seconds, plus a shared pause."""

    def __init__(
        self,
        per_minute: int,
        *,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if isinstance(per_minute, bool) or not isinstance(per_minute, int) or per_minute < 1:
            raise ValueError(f"per_minute must be a positive int, not {per_minute!r}")
        self.per_minute = per_minute
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._sent: collections.deque[float] = collections.deque()
        self._paused_until = 0.0
        self.waited = 0.0  # seconds spent waiting at the gate, all threads together

    def acquire(self, cancel: Cancel | None = None) -> None:
        """Block until a request may be sent, then count it.

        With ``cancel``, the wait is cut into short naps that end as soon as the work is stopped
        (raising Cancelled): a stopped fan-out never leaves a thread waiting a minute to send.
        """
        while True:
            if cancel is not None:
                cancel.check()
            with self._lock:
                now = self._clock()
                wait = self._paused_until - now
                if wait <= 0:
                    while self._sent and self._sent[0] <= now - self.window:
                        self._sent.popleft()
                    if len(self._sent) < self.per_minute:
                        self._sent.append(now)
                        return
                    wait = self._sent[0] + self.window - now
                # never a vanishing wait: clocks with coarse ticks would otherwise spin forever
                wait = max(wait, 0.001)
                if cancel is not None:
                    wait = min(wait, 0.25)
                self.waited += wait
            self._sleep(wait)

    def pause(self, seconds: float) -> None:
        """Hold every thread at the gate for ``seconds`` from now (a 429 was received)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    @property
    def paused_for(self) -> float:
        """Seconds left in the current pause (0 when not paused)."""
        with self._lock:
            return max(0.0, self._paused_until - self._clock())
