"""Seeded, switchable faults for the sandboxes: what real networks and servers do to clients.

``Faulty(app, Faults(rate=0.2, seed=7))`` answers like ``app`` except that, per request and
with the given probability, it injects one fault drawn from ``kinds``:

- ``429`` with a short ``Retry-After``, and ``429-no-retry-after``;
- ``500``, ``502``, ``503`` (with the API's error body, or an HTML proxy page for 502);
- ``reset``: the connection drops before an answer; ``timeout``: no answer in time;
- ``truncated``: a 200 whose body stops half-way; ``invalid-json``: a 200 that is an HTML page;
  ``empty``: a 200 with no body; ``wrong-shape``: a 200 of valid JSON without the documented
  shape (a Socket page without ``items``, a Snyk page without ``data``);
- ``repeat-cursor``: a Socket page whose endCursor is the cursor it was asked for (a loop);
- ``foreign-link``: a Snyk page whose next link points to another host.

All but the last two kinds are transient (a retry can succeed); the last two are server bugs
that a client must stop on. Everything is drawn from one seeded generator, so a run is repeatable.
"""

from __future__ import annotations

import json
import random
import threading
import urllib.parse
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from socketlab.sandbox._socket import Reply

__all__ = ["ALL_FAULTS", "TRANSIENT_FAULTS", "ConnectionDropped", "Faults", "Faulty", "ReadTimedOut"]

TRANSIENT_FAULTS = (
    "429", "429-no-retry-after", "500", "502", "503", "reset", "timeout", "truncated", "invalid-json", "empty",
    "wrong-shape",
)  # fmt: skip
ALL_FAULTS = (*TRANSIENT_FAULTS, "repeat-cursor", "foreign-link")


class ConnectionDropped(Exception):
    """Raised by Faulty for a 'reset': the serving layer drops the connection."""


class ReadTimedOut(Exception):
    """Raised by Faulty for a 'timeout': the serving layer answers nothing in time."""


class App(Protocol):
    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes = b"") -> Reply: ...


@dataclass
class Faults:
    """Which faults, how often (per request), and the seed that makes a run repeatable."""

    rate: float = 0.1
    seed: int = 0
    kinds: tuple[str, ...] = TRANSIENT_FAULTS
    retry_after: int = 1  # seconds, for '429'

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(ALL_FAULTS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {', '.join(sorted(unknown))}")
        if not 0 <= self.rate <= 1:
            raise ValueError("rate is a probability, from 0 to 1")


@dataclass
class Faulty:
    """An app that answers like ``app`` but injects ``faults``; ``injected`` counts them by kind."""

    app: App
    faults: Faults = field(default_factory=Faults)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.faults.seed)
        self._lock = threading.Lock()
        self.injected: Counter[str] = Counter()
        self.requests = 0

    def __getattr__(self, name: str) -> object:  # token, org_id, requests ... of the wrapped app
        return getattr(self.app, name)

    def _draw(self) -> str | None:
        with self._lock:
            self.requests += 1
            if self._rng.random() >= self.faults.rate:
                return None
            kind = self._rng.choice(self.faults.kinds)
            self.injected[kind] += 1
            return kind

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes = b"") -> Reply:
        kind = self._draw()
        if kind == "reset":
            raise ConnectionDropped(target)
        if kind == "timeout":
            raise ReadTimedOut(target)
        if kind in ("429", "429-no-retry-after", "500", "502", "503"):
            return _error_reply(kind, self.faults.retry_after)
        reply = self.app.handle(method, target, headers, *((body,) if body else ()))
        if kind is None or reply.status != 200:
            return reply
        if kind == "truncated":
            return Reply(200, dict(reply.headers), reply.body[: max(1, len(reply.body) // 2)])
        if kind == "invalid-json":
            return Reply(200, dict(reply.headers), b"<html><body>Service temporarily unavailable</body></html>")
        if kind == "empty":
            return Reply(200, dict(reply.headers), b"")
        answer = json.loads(reply.body)
        if kind == "wrong-shape":
            shapeless = (
                {k: v for k, v in answer.items() if k not in ("items", "data")} if isinstance(answer, dict) else {}
            )
            if shapeless == answer:  # nothing to take away (quota, a job): an answer of another endpoint
                shapeless = {"message": "ok"}
            return Reply(200, dict(reply.headers), json.dumps(shapeless).encode())
        if kind == "repeat-cursor" and isinstance(answer, dict) and "endCursor" in answer:
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(target).query))
            if query.get("startAfterCursor"):
                answer["endCursor"] = query["startAfterCursor"]
        elif kind == "foreign-link" and isinstance(answer, dict) and (answer.get("links") or {}).get("next"):
            answer["links"]["next"] = "https://attacker.example/rest/orgs/x/issues?starting_after=v1.e30="
        return Reply(200, dict(reply.headers), json.dumps(answer).encode())


def _error_reply(kind: str, retry_after: int) -> Reply:
    status = int(kind[:3])
    headers = {"content-type": "application/json"}
    if kind == "429":
        headers["retry-after"] = str(retry_after)
    if status == 502:
        return Reply(502, {"content-type": "text/html"}, b"<html><body><h1>502 Bad Gateway</h1></body></html>")
    message = {429: "Too many requests", 500: "Internal server error", 503: "Service unavailable"}[status]
    body = {"error": {"message": message, "details": None}}
    return Reply(status, headers, json.dumps(body).encode())
