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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from socketlab._params import AGGREGATION_FIELDS, ALERT_FILTERS, DEPENDENCY_FILTERS
from socketlab.sandbox._alerts import alert_values, count_groups, day_alerts, day_dependencies, last_successful, matches
from socketlab.sandbox._resolutions import resolutions_until
from socketlab.sandbox._story import DEMO_ORGS, DemoOrg, iso, repos_on, scheduled_snapshots, snapshot_record

__all__ = ["DEMO_TOKEN", "Reply", "SandboxToken", "SocketSandbox"]

DEMO_TOKEN = "sktsec_sandbox_demo_token_0123456789abcdef"
STATUSES = ("in-progress", "success", "failure", "timeout", "skipped")
SCOPES = frozenset(
    {
        "historical:snapshots-list",
        "historical:snapshots-start",
        "historical:alerts-list",
        "historical:alerts-trend",
        "historical:dependencies-trend",
        "alert-resolution:list",
    }
)


@dataclass(frozen=True)
class _Operation:
    """One operation of the spec: its scope and its cost in quota units."""

    name: str
    scope: str | None
    cost: int


# spec: what each operation "consumes" and which org token scope it "requires"
_OPERATIONS: dict[tuple[str, str], _Operation] = {
    ("GET", "snapshots"): _Operation("snapshots-list", "historical:snapshots-list", 10),
    ("POST", "snapshots"): _Operation("snapshots-start", "historical:snapshots-start", 10),
    ("GET", "alerts"): _Operation("alerts-list", "historical:alerts-list", 10),
    ("GET", "alerts/trend"): _Operation("alerts-trend", "historical:alerts-trend", 10),
    ("GET", "dependencies/trend"): _Operation("dependencies-trend", "historical:dependencies-trend", 10),
    ("GET", "alerts/resolutions"): _Operation("alert-resolutions", "alert-resolution:list", 1),
    ("GET", "/quota"): _Operation("quota", None, 0),
    ("GET", "/organizations"): _Operation("organizations", None, 1),
}


def _route(method: str, path: str) -> tuple[_Operation, str | None] | Reply | None:
    match = re.fullmatch(r"/orgs/([^/]+)/(?:historical/(snapshots|alerts|alerts/trend|dependencies/trend)|"
                         r"(alerts/resolutions))", path)  # fmt: skip
    key, slug = (match.group(2) or match.group(3), match.group(1)) if match else (path, None)
    if not any(k == key for _, k in _OPERATIONS):
        return None
    operation = _OPERATIONS.get((method, key))
    if operation is None:
        allowed = ", ".join(sorted(m for m, k in _OPERATIONS if k == key))
        return _error(405, f"Method {method} not allowed", None, allow=allowed)
    return operation, slug


def _organization(org: DemoOrg) -> dict[str, Any]:
    return {"id": org.id, "name": org.name, "image": None, "plan": org.plan, "slug": org.slug}


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

    def _spend(self, token: SandboxToken, now: dt.datetime, cost: int) -> None:
        start, _ = self._window(now)
        window, spent = self._spent.get(token.token, (start, 0))
        self._spent[token.token] = (start, (spent if window == start else 0) + cost)

    # -- dispatch -----------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes = b"") -> Reply:
        """Answer one request: ``target`` is the path and query as sent (percent-encoded); the
        Socket endpoints the sandbox serves take no request body."""
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
        route = _route(method, path[len(self.base_path) :])
        if route is None:
            return _error(404, "Not found")
        if isinstance(route, Reply):
            return route
        operation, slug = route
        token = self._authenticate(headers)
        if isinstance(token, Reply):
            return token
        if operation.cost and token.max_quota < operation.cost:
            return _error(
                403, "Insufficient max_quota for API method", {"maxQuota": token.max_quota, "cost": operation.cost}
            )
        if operation.scope and operation.scope not in token.scopes:
            scope = operation.scope
            return _error(
                403, f"Insufficient permissions: the token lacks the {scope} scope", {"requiredScopes": [scope]}
            )
        if self.remaining(token, now) < operation.cost:
            _, refresh = self._window(now)
            wait = max(1, int((refresh - now).total_seconds() + 0.999))
            return _error(
                429,
                "Insufficient quota for API route",
                {"quota": self.remaining(token, now), "cost": operation.cost},
                **{"retry-after": str(wait)},
            )
        self._spend(token, now, operation.cost)
        query = _query(parts.query)
        if operation.name == "quota":
            _, refresh = self._window(now)
            return _ok(
                {
                    "quota": max(0, self.remaining(token, now)),
                    "maxQuota": token.max_quota,
                    "nextWindowRefresh": iso(refresh),
                }
            )
        if operation.name == "organizations":
            visible = [o for o in self.orgs.values() if token.orgs is None or o.slug in token.orgs]
            return _ok({"organizations": {o.id: _organization(o) for o in visible}})
        org = self.orgs.get(slug or "")
        if org is None or (token.orgs is not None and org.slug not in token.orgs):
            return _error(404, "Organization not found")
        if operation.name == "snapshots-start":
            return self._start(org, token, now)
        if operation.name == "snapshots-list":
            return self._list(org, query, now)
        if operation.name == "alerts-list":
            return self._alerts(org, query, now)
        if operation.name == "alerts-trend":
            return self._alerts_trend(org, query, now)
        if operation.name == "alert-resolutions":
            return self._resolutions(org, query, now)
        return self._dependencies_trend(org, query, now)

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
            start, end = _span(day, range_)
            items, cursor = self._page(
                start, end, after, per_page,
                lambda d: [i for i in self._day(org, d, now) if keep(i)],
                lambda i: (i["requestedAt"], i["id"]),
            )  # fmt: skip
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
        start: dt.date,
        end: dt.date,
        after: tuple[str, str] | None,
        per_page: int,
        items_of: Callable[[dt.date], Sequence[dict[str, Any]]],
        key: Callable[[dict[str, Any]], tuple[str, str]],
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page: at most per_page items and at most scan_days day partitions scanned.

        Keys start with the item's UTC day, so a cursor (the last key) says where to resume.
        """
        out: list[dict[str, Any]] = []
        day = max(start, dt.date.fromisoformat(after[0][:10])) if after else start
        scanned = 0
        while day <= end:
            for item in items_of(day):
                if after and key(item) <= after:
                    continue
                if len(out) == per_page:
                    return out, _cursor(key(out[-1]))
                out.append(item)
            scanned += 1
            day += dt.timedelta(days=1)
            if scanned >= self.scan_days and day <= end:
                # the scan budget is spent: a short (maybe empty) page that is not the end
                return out, _cursor((f"{day - dt.timedelta(days=1)}T\uffff", ""))
        return out, None

    def _resolutions(self, org: DemoOrg, query: dict[str, str], now: dt.datetime) -> Reply:
        """spec getOrgAlertResolutions: active resolutions by created_at, cursor-paged, no meta."""
        direction = query.get("direction", "desc")
        if direction not in ("asc", "desc"):
            raise _Invalid("direction", "Invalid direction; expected asc or desc", direction)
        raw = query.get("per_page", "30")
        if not re.fullmatch(r"\d{1,4}", raw) or not 1 <= int(raw) <= 100:
            raise _Invalid("per_page", "per_page must be an integer from 1 to 100", raw)
        per_page = int(raw)
        after = _uncursor(query["startAfterCursor"]) if query.get("startAfterCursor") else None
        rows = resolutions_until(org.slug, now)
        if direction == "desc":
            rows = rows[::-1]
        if after is not None:
            ascending = direction == "asc"
            rows = [r for r in rows if ((r["created_at"], r["uuid"]) > after if ascending else
                                        (r["created_at"], r["uuid"]) < after)]  # fmt: skip
        page = rows[:per_page]
        cursor = _cursor((page[-1]["created_at"], page[-1]["uuid"])) if len(rows) > per_page else None
        return _ok({"items": page, "endCursor": cursor})

    # -- alerts and trends ---------------------------------------------------------------------

    def _filters(
        self, query: dict[str, str], table: Mapping[str, Any], prefix: str, not_in: bool
    ) -> tuple[list[tuple[str, bool, list[Any]]], dict[str, list[Any]]]:
        """The filters of a query, validated: (field, excluded, values) and meta.filters."""
        found: list[tuple[str, bool, list[Any]]] = []
        meta: dict[str, list[Any]] = {}
        for name, raw in query.items():
            if not name.startswith(prefix):
                continue
            field = name[len(prefix) :]
            excluded = not_in and field.endswith(".notIn")
            field = field.removesuffix(".notIn") if excluded else field
            if field not in table:
                continue  # Socket ignores parameters it does not know
            allowed = table[field]
            if allowed is bool:
                if raw not in ("true", "false"):
                    raise _Invalid(name, f"Invalid boolean {raw!r} for {name}", raw)
                values: list[Any] = [raw == "true"]
            else:
                values = [""] if raw == "" else _csv(raw)
                if isinstance(allowed, tuple):
                    for value in values:
                        if value not in allowed:
                            raise _Invalid(
                                name, f"Invalid value {value!r} for {name}; allowed: {', '.join(allowed)}", value
                            )
            found.append((field, excluded, values))
            meta[field + (".notIn" if excluded else "")] = values
        return found, meta

    def _alert_days(
        self, org: DemoOrg, filters: list[tuple[str, bool, list[Any]]], now: dt.datetime
    ) -> Callable[[dt.date], list[dict[str, Any]]]:
        def items_of(day: dt.date) -> list[dict[str, Any]]:
            if day > now.date() or (day == now.date() and (last_successful(org.slug, day) or {}).get(
                    "finishedAt", "9") > iso(now)):  # fmt: skip
                return []  # today's data exists once today's last snapshot has finished
            return [
                i for i in day_alerts(org.slug, day)
                if all(matches(alert_values(i, f), v) != excluded for f, excluded, v in filters)
            ]  # fmt: skip

        return items_of

    def _alerts(self, org: DemoOrg, query: dict[str, str], now: dt.datetime) -> Reply:
        day = _date(query.get("date"), now)
        range_ = query.get("range", "-7d")
        per_page = _per_page(query.get("per_page", "10000"))
        filters, meta_filters = self._filters(query, ALERT_FILTERS, "filters.", not_in=True)
        after = _uncursor(query["startAfterCursor"]) if query.get("startAfterCursor") else None
        items_of = self._alert_days(org, filters, now)
        latest = range_ == "latest"
        if latest:  # the latest alerts of each repository: the latest day that has any
            start = end = next((d for d in _days_back(day, org.created) if items_of(d)), day)
        else:
            start, end = _span(day, range_)
        items, cursor = self._page(
            start, end, after, per_page, items_of,
            lambda i: (f"{i['scannedAt'][:10]}T{i['repoSlug']}", i["alert"]["key"]),
        )  # fmt: skip
        meta = {
            "organizationId": org.id,
            "queryStartTimestamp": int(now.timestamp() * 1000),
            "startDateInclusive": start.isoformat(),
            "endDateInclusive": end.isoformat(),
            "includeLatestAlertsOnly": latest,
            "filters": meta_filters,
        }
        return _ok({"meta": meta, "items": items, "endCursor": cursor})

    def _trend(
        self,
        org: DemoOrg,
        query: dict[str, str],
        now: dt.datetime,
        counts_of: Callable[[dt.date], dict[tuple[Any, ...], dict[str, int]] | None],
        fields: list[str],
        meta_filters: dict[str, list[Any]],
    ) -> Reply:
        """A daily trend: counts per group and their change since the last day with data."""
        day = _date(query.get("date"), now)
        range_ = query.get("range", "-7d")
        if range_ == "latest":
            raise _Invalid("range", "Invalid range; trends take -Nd or Nd", range_)
        start, end = _span(day, range_)
        previous = None
        for back in range(1, 8):  # the last day with data before the range, for the first deltas
            previous = counts_of(start - dt.timedelta(days=back))
            if previous is not None:
                break
        items, groups = [], set()
        current = start
        while current <= end:
            counts = counts_of(current)
            points = []
            if counts is not None:
                before = previous or {}
                for group in sorted(set(counts) | set(before), key=repr):
                    now_counts = counts.get(group) or dict.fromkeys(next(iter((before or counts).values())), 0)
                    old = before.get(group) or dict.fromkeys(now_counts, 0)
                    point: dict[str, Any] = {"aggregationGroup": list(group)}
                    for name, value in now_counts.items():
                        point[name] = value
                        point[name + "Delta"] = value - old.get(name, 0)
                    points.append(_nest_by_severity(point))
                    groups.add(group)
                previous = counts
            midnight = dt.datetime.combine(current, dt.time(), dt.UTC)
            items.append({"date": current.isoformat(), "startOfDayTimestamp": int(midnight.timestamp() * 1000),
                          "dataPoints": points})  # fmt: skip
            current += dt.timedelta(days=1)
        meta = {
            "organizationId": org.id,
            "startDateInclusive": start.isoformat(),
            "endDateInclusive": end.isoformat(),
            "interval": "day",
            "aggregation": {"fields": fields, "groups": [list(g) for g in sorted(groups, key=repr)]},
            "filters": meta_filters,
        }
        return _ok({"meta": meta, "items": items})

    def _alerts_trend(self, org: DemoOrg, query: dict[str, str], now: dt.datetime) -> Reply:
        fields = _csv(query.get("aggregation.fields", ""))
        for name in fields:
            if name not in AGGREGATION_FIELDS:
                raise _Invalid("aggregation.fields", f"Invalid aggregation field {name!r}", name)
        filters, meta_filters = self._filters(query, ALERT_FILTERS, "filters.", not_in=True)
        items_of = self._alert_days(org, filters, now)

        def counts_of(day: dt.date) -> dict[tuple[Any, ...], dict[str, int]] | None:
            if last_successful(org.slug, day) is None or (day >= now.date()):
                return None
            return {g: {"count": n} for g, n in count_groups(items_of(day), fields).items()}

        return self._trend(org, query, now, counts_of, fields, meta_filters)

    def _dependencies_trend(self, org: DemoOrg, query: dict[str, str], now: dt.datetime) -> Reply:
        filters, meta_filters = self._filters(query, DEPENDENCY_FILTERS, "", not_in=False)
        alerts_of = self._alert_days(org, filters, now)

        def counts_of(day: dt.date) -> dict[tuple[Any, ...], dict[str, int]] | None:
            if last_successful(org.slug, day) is None or day >= now.date():
                return None
            rows = [r for r in day_dependencies(org.slug, day) if all(_row_matches(r, f, v) for f, _, v in filters)]
            counts = {
                "count": sum(r["count"] for r in rows),
                "countDirect": sum(r["count"] for r in rows if r["dependencyDirect"]),
                "countIndirect": sum(r["count"] for r in rows if not r["dependencyDirect"]),
            }
            for severity in ("low", "medium", "high", "critical"):
                hit = {(i["artifact"]["id"], i["dependency"]["direct"]) for i in alerts_of(day)
                       if i["alert"]["severityName"] == severity}  # fmt: skip
                counts[f"{severity}.count"] = len(hit)
                counts[f"{severity}.countDirect"] = sum(1 for _, direct in hit if direct)
                counts[f"{severity}.countIndirect"] = sum(1 for _, direct in hit if not direct)
            return {(): counts}

        return self._trend(org, query, now, counts_of, [], meta_filters)

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


def _row_matches(row: dict[str, Any], field: str, wanted: list[Any]) -> bool:
    values = (row["repoLabels"] or [""]) if field == "repoLabels" else [row[field]]
    return matches(values, wanted)


def _nest_by_severity(point: dict[str, Any]) -> dict[str, Any]:
    """'high.count' style keys become the spec's countsBySeverity object."""
    nested: dict[str, dict[str, int]] = {}
    for name in [n for n in point if "." in n]:
        severity, _, field = name.partition(".")
        nested.setdefault(severity, {})[field] = point.pop(name)
    if nested:
        point["countsBySeverity"] = nested
    return point


def _span(day: dt.date, range_: str) -> tuple[dt.date, dt.date]:
    """The inclusive UTC days a '-Nd' or 'Nd' range covers from ``day``."""
    m = re.fullmatch(r"(-?)(\d+)d", range_)
    if not m:
        raise _Invalid("range", "Invalid range; expected e.g. -7d or 7d", range_)
    days = dt.timedelta(days=int(m.group(2)))
    return (day - days, day) if m.group(1) else (day, day + days)


def _query(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in urllib.parse.parse_qsl(raw, keep_blank_values=True):
        if name in out:
            raise _Invalid(name, f"Query parameter {name} given more than once", value)
        out[name] = value
    return out


def _date(value: str | None, now: dt.datetime) -> dt.date:
    if value is None or value in ("", "CURRENT_DATE"):
        return now.date()  # spec: date defaults to CURRENT_DATE (UTC), the literal included
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
