"""A spec-faithful emulator of Socket's org snapshots API and /quota, with no networking.

``SocketSandbox.handle(method, target, headers)`` answers one request as the spec says,
including the cases it warns about: pages shorter than ``per_page`` and empty intermediate
pages (the emulated backend scans a bounded number of day partitions per page), 401/403/404
bodies in the spec's error schema, and 429 with ``Retry-After`` once the token's hourly quota
is spent. Serving it (in process or on loopback) is ``_serve``'s business.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import random
import re
import threading
import urllib.parse
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from socketlab.sandbox._story import DEMO_ORGS, DemoOrg, iso, repos_on, scheduled_snapshots, snapshot_record

__all__ = ["DEMO_TOKEN", "Reply", "SandboxToken", "SocketSandbox"]

DEMO_TOKEN = "sktsec_sandbox_demo_token_0123456789abcdef"
STATUSES = ("in-progress", "success", "failure", "timeout", "skipped")
SCOPES = frozenset({"historical:snapshots-list", "historical:snapshots-start"})
COST = 10  # spec: each snapshots call "consumes 10 units of your quota"


@dataclass(frozen=True)
class Reply:
    """A sandbox answer: status, headers and body bytes."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class SandboxToken:
    """An org token the sandbox accepts, with its quota, scopes and organizations."""

    token: str
    max_quota: int = 10_000
    scopes: frozenset[str] = SCOPES
    orgs: frozenset[str] | None = None  # None: every demo org
    name: str = "api-token"


@dataclass
class _Job:
    org: str
    request_id: str
    requested_by: str
    requested_at: dt.datetime


class _Invalid(Exception):
    def __init__(self, parameter: str, message: str, value: str | None = None) -> None:
        self.parameter, self.message, self.value = parameter, message, value


def _error(status: int, message: str, details: dict[str, Any] | None = None, **headers: str) -> Reply:
    body = json.dumps({"error": {"message": message, "details": details}}).encode()
    return Reply(status, {"content-type": "application/json", **headers}, body)


def _ok(data: Any) -> Reply:
    return Reply(200, {"content-type": "application/json"}, json.dumps(data, separators=(",", ":")).encode())


def _cursor(key: tuple[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def _uncursor(text: str) -> tuple[str, str]:
    try:
        key = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _Invalid("startAfterCursor", "Invalid cursor", text) from None
    if not (isinstance(key, list) and len(key) == 2 and all(isinstance(k, str) for k in key)):
        raise _Invalid("startAfterCursor", "Invalid cursor", text)
    return key[0], key[1]


@dataclass
class SocketSandbox:
    """The Socket API of the demo organizations, answered in memory.

    ``now`` is the sandbox's clock (UTC); ``job_seconds`` how long an on-demand job takes from
    its request to its end;
    ``scan_days`` how many day partitions one page scans at most (why pages come short or
    empty); ``tokens`` the accepted tokens (default: DEMO_TOKEN with a 10,000-unit quota).
    """

    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    job_seconds: float = 3.0
    scan_days: int = 31
    tokens: dict[str, SandboxToken] = field(default_factory=lambda: {DEMO_TOKEN: SandboxToken(DEMO_TOKEN, name="demo")})
    base_path: str = "/v0"
    orgs: dict[str, DemoOrg] = field(default_factory=lambda: dict(DEMO_ORGS))

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, list[_Job]] = {}
        self._spent: dict[str, tuple[dt.datetime, int]] = {}  # token -> (window start, units)
        self.requests: list[tuple[str, str]] = []  # (method, target) of every request seen

    @property
    def token(self) -> str:
        """The demo token (the first accepted token)."""
        return next(iter(self.tokens))

    def add_token(self, token: SandboxToken) -> SandboxToken:
        self.tokens[token.token] = token
        return token

    # -- quota --------------------------------------------------------------------------------

    def _window(self, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        start = now.replace(minute=0, second=0, microsecond=0)
        return start, start + dt.timedelta(hours=1)

    def remaining(self, token: SandboxToken, now: dt.datetime) -> int:
        start, _ = self._window(now)
        window, spent = self._spent.get(token.token, (start, 0))
        return token.max_quota - (spent if window == start else 0)

    def _spend(self, token: SandboxToken, now: dt.datetime) -> None:
        start, _ = self._window(now)
        window, spent = self._spent.get(token.token, (start, 0))
        self._spent[token.token] = (start, (spent if window == start else 0) + COST)

    # -- dispatch -----------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Mapping[str, str]) -> Reply:
        """Answer one request: ``target`` is the path and query as sent (percent-encoded)."""
        with self._lock:
            self.requests.append((method, target))
            try:
                return self._handle(method, target, {k.lower(): v for k, v in headers.items()})
            except _Invalid as exc:
                return _error(400, exc.message, {"parameter": exc.parameter, "value": exc.value})

    def _handle(self, method: str, target: str, headers: dict[str, str]) -> Reply:
        now = self.now()
        parts = urllib.parse.urlsplit(target)
        path = urllib.parse.unquote(parts.path)
        if not path.startswith(self.base_path + "/"):
            return _error(404, "Not found")
        path = path[len(self.base_path) :]
        match = re.fullmatch(r"/orgs/([^/]+)/historical/snapshots", path)
        if path == "/quota":
            if method != "GET":
                return _error(405, f"Method {method} not allowed")
            token = self._authenticate(headers)
            if isinstance(token, Reply):
                return token
            _, refresh = self._window(now)
            return _ok(
                {
                    "quota": max(0, self.remaining(token, now)),
                    "maxQuota": token.max_quota,
                    "nextWindowRefresh": iso(refresh),
                }
            )
        if not match or method not in ("GET", "POST"):
            return _error(404 if not match else 405, "Not found" if not match else f"Method {method} not allowed")
        scope = "historical:snapshots-list" if method == "GET" else "historical:snapshots-start"
        token = self._authenticate(headers)
        if isinstance(token, Reply):
            return token
        if token.max_quota < COST:
            return _error(403, "Insufficient max_quota for API method", {"maxQuota": token.max_quota, "cost": COST})
        if scope not in token.scopes:
            return _error(
                403, f"Insufficient permissions: the token lacks the {scope} scope", {"requiredScopes": [scope]}
            )
        if self.remaining(token, now) < COST:
            _, refresh = self._window(now)
            wait = max(1, int((refresh - now).total_seconds() + 0.999))
            return _error(
                429,
                "Insufficient quota for API route",
                {"quota": self.remaining(token, now), "cost": COST},
                **{"retry-after": str(wait)},
            )
        org = self.orgs.get(match.group(1))
        self._spend(token, now)
        if org is None or (token.orgs is not None and org.slug not in token.orgs):
            return _error(404, "Organization not found")
        if method == "POST":
            return self._start(org, token, now)
        return self._list(org, _query(parts.query), now)

    def _authenticate(self, headers: dict[str, str]) -> SandboxToken | Reply:
        value = headers.get("authorization", "")
        scheme, _, credentials = value.partition(" ")
        secret: str | None = None
        if scheme.lower() == "bearer":
            secret = credentials.strip()
        elif scheme.lower() == "basic":
            try:
                secret = base64.b64decode(credentials.strip(), validate=True).decode().partition(":")[0]
            except (binascii.Error, UnicodeDecodeError):
                secret = None
        if not value:
            return _error(401, "Authorization header is required", None)
        token = self.tokens.get(secret or "")
        if token is None:
            return _error(401, "Invalid API token", None)
        return token

    # -- operations ---------------------------------------------------------------------------

    def _start(self, org: DemoOrg, token: SandboxToken, now: dt.datetime) -> Reply:
        job = _Job(org.slug, str(uuid.uuid4()), token.name, now)
        self._jobs.setdefault(org.slug, []).append(job)
        return _ok({"requestId": job.request_id, "requestedBy": job.requested_by, "requestedAt": iso(job.requested_at)})

    def _list(self, org: DemoOrg, query: dict[str, str], now: dt.datetime) -> Reply:
        # Socket ignores query parameters it does not know; so does the sandbox.
        day = _date(query.get("date"), now)
        range_ = query.get("range", "-7d")
        per_page = _per_page(query.get("per_page", "10000"))
        statuses = _csv(query.get("filters.status", ""))
        for status in statuses:
            if status not in STATUSES:
                raise _Invalid("filters.status", f"Invalid status {status!r}; allowed: {', '.join(STATUSES)}", status)
        request_ids = _csv(query.get("filters.requestId", ""))
        after = _uncursor(query["startAfterCursor"]) if query.get("startAfterCursor") else None

        def keep(item: dict[str, Any]) -> bool:
            return (not statuses or item["status"] in statuses) and (
                not request_ids or item["requestId"] in request_ids
            )

        if range_ == "latest":
            found = None
            for d in _days_back(day, org.created):
                found = next((i for i in reversed(self._day(org, d, now)) if keep(i)), None)
                if found:
                    break
            start = end = dt.date.fromisoformat(found["requestedAt"][:10]) if found else day
            items, cursor = ([found] if found else []), None
        else:
            m = re.fullmatch(r"(-?)(\d+)d", range_)
            if not m:
                raise _Invalid("range", "Invalid range; expected e.g. -7d, 7d or latest", range_)
            days = dt.timedelta(days=int(m.group(2)))
            start, end = (day - days, day) if m.group(1) else (day, day + days)
            items, cursor = self._page(org, start, end, after, per_page, keep, now)
        meta = {
            "organizationId": org.id,
            "queryStartTimestamp": int(now.timestamp() * 1000),
            "startDateInclusive": start.isoformat(),
            "endDateInclusive": end.isoformat(),
            "filters": {"status": statuses, "requestId": request_ids},
        }
        return _ok({"meta": meta, "items": items, "endCursor": cursor})

    def _page(
        self,
        org: DemoOrg,
        start: dt.date,
        end: dt.date,
        after: tuple[str, str] | None,
        per_page: int,
        keep: Callable[[dict[str, Any]], bool],
        now: dt.datetime,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page: at most per_page items and at most scan_days day partitions scanned."""
        out: list[dict[str, Any]] = []
        day = max(start, dt.date.fromisoformat(after[0][:10])) if after else start
        scanned = 0
        while day <= end:
            for item in self._day(org, day, now):
                key = (item["requestedAt"], item["id"])
                if (after and key <= after) or not keep(item):
                    continue
                if len(out) == per_page:
                    return out, _cursor((out[-1]["requestedAt"], out[-1]["id"]))
                out.append(item)
            scanned += 1
            day += dt.timedelta(days=1)
            if scanned >= self.scan_days and day <= end:
                # the scan budget is spent: a short (maybe empty) page that is not the end
                return out, _cursor((f"{day - dt.timedelta(days=1)}T24", ""))
        return out, None

    def _day(self, org: DemoOrg, day: dt.date, now: dt.datetime) -> list[dict[str, Any]]:
        """Every snapshot of ``day`` as it looks at ``now``, in (requestedAt, id) order."""
        if day > now.date():
            return []
        records = [dict(r) for r in scheduled_snapshots(org.slug, day)]
        for job in self._jobs.get(org.slug, []):
            if job.requested_at.date() == day:
                rng = random.Random(job.request_id)
                records.append(
                    snapshot_record(
                        org,
                        rng,
                        requested=job.requested_at,
                        requested_by=job.requested_by,
                        request_id=job.request_id,
                        status="success",
                        repos=repos_on(org, day),
                        start_delay_s=0.5,
                        duration_s=max(0.0, self.job_seconds - 0.5),
                    )
                )
        shown = []
        for record in records:
            if record["requestedAt"] > iso(now):
                continue  # not requested yet
            if record["finishedAt"] > iso(now):
                record.update(status="in-progress", finishedAt=None, durationMs=0)
                for name in list(record):
                    if name.startswith("num"):
                        record[name] = 0
            shown.append(record)
        return sorted(shown, key=lambda r: (r["requestedAt"], r["id"]))


def _query(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in urllib.parse.parse_qsl(raw, keep_blank_values=True):
        if name in out:
            raise _Invalid(name, f"Query parameter {name} given more than once", value)
        out[name] = value
    return out


def _date(value: str | None, now: dt.datetime) -> dt.date:
    if value is None or value == "":
        return now.date()  # spec: date defaults to CURRENT_DATE (UTC)
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _Invalid("date", "Invalid date; expected YYYY-MM-DD", value) from None


def _per_page(value: str) -> int:
    if not re.fullmatch(r"\d{1,6}", value) or not 1 <= int(value) <= 10000:
        raise _Invalid("per_page", "per_page must be an integer from 1 to 10000", value)
    return int(value)


def _csv(value: str) -> list[str]:
    return [v for v in value.split(",") if v]


def _days_back(day: dt.date, first: dt.date) -> Iterator[dt.date]:
    while day >= first:
        yield day
        day -= dt.timedelta(days=1)
