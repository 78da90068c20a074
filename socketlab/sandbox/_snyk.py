"""A faithful emulator of the Snyk REST API's orgs, issues and projects collections, with no networking.

It answers as the REST overview and the OpenAPI document say, including what clients get
wrong: the ``version`` parameter (missing or malformed: JSON:API 400 naming it; resolved to the
newest release on or before it; ``snyk-version-*`` headers; ``Deprecation``/``Sunset`` on
superseded versions), 400 for unknown or repeated query parameters, the overview's bare 401
body, cursor pagination whose ``links.next`` comes in every shape real servers send (relative
to the API root, prefixed with ``/rest``, absolute, or an ``{"href"}`` object), and 429 once the
per-minute budget is spent, refusing until requests stop for a whole interval.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import email.utils
import heapq
import json
import re
import threading
import urllib.parse
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from socketlab._config import is_loopback
from socketlab.sandbox._snyk_export import EXPORT_RELEASES, FILE_PATH, ExportFail, Exports
from socketlab.sandbox._snyk_story import GROUP_ID, SNYK_ORGS, StoryIssue, issues_until, org_by_id, projects_at
from socketlab.sandbox._socket import Reply
from socketlab.sandbox._story import DEMO_ORGS

__all__ = ["LINK_STYLES", "SNYK_DEMO_TOKEN", "SnykSandbox", "SnykToken"]

SNYK_DEMO_TOKEN = "4d9a7c1e-6b2f-4e8a-9c3d-5f1e0a2b7c64"
LINK_STYLES = ("relative", "prefixed", "absolute", "object")
JSONAPI = {"version": "1.0"}
_VERSION = re.compile(r"(\d{4}-\d{2}-\d{2})(?:~(beta|experimental))?")
_STABILITY = {"ga": 0, "beta": 1, "experimental": 2}
_SUPPORT_DAYS = {"ga": 180, "beta": 90, "experimental": 0}

# x-snyk-api-releases of the four operations (specs/snyk-rest-spec.json)
_ORGS_RELEASES = ("2022-04-06~experimental", "2022-12-15~beta", "2023-05-29", "2024-02-28")
_ISSUES_RELEASES = ("2023-03-10~experimental", "2023-09-29~beta", "2024-01-23")
_PROJECTS_RELEASES = (
    "2021-06-04~beta", "2022-08-12~experimental", "2022-12-21~experimental", "2023-02-15",
    "2023-08-28", "2023-09-11", "2023-11-06", "2024-05-31",
)  # fmt: skip
_PROJECT_ENUMS: dict[str, tuple[str, ...]] = {
    "business_criticality": ("critical", "high", "medium", "low"),
    "environment": ("frontend", "backend", "internal", "external", "mobile", "saas", "onprem", "hosted", "distributed"),
    "lifecycle": ("production", "development", "sandbox"),
}
_PAGING = {"version", "limit", "starting_after", "ending_before"}
_ORG_FILTERS = {"group_id", "is_personal", "slug", "name", "expand"}  # listOrgs
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_ISSUE_FILTERS = {
    "scan_item.id", "scan_item.type", "type", "updated_before", "updated_after", "created_before",
    "created_after", "effective_severity_level", "status", "ignored",
}  # fmt: skip
_PROJECT_FILTERS = {
    "target_id", "target_reference", "target_file", "target_runtime", "meta_count", "ids", "names",
    "names_start_with", "origins", "types", "expand", "meta.latest_issue_counts",
    "meta.latest_dependency_total", "cli_monitored_before", "cli_monitored_after",
    "importing_user_public_id", "tags", "business_criticality", "environment", "lifecycle",
}  # fmt: skip


@dataclass(frozen=True)
class SnykToken:
    """A token the sandbox accepts and the orgs it may read (None: every demo org)."""

    token: str
    orgs: frozenset[str] | None = None


class _Fail(Exception):
    def __init__(
        self, status: int, detail: str, parameter: str | None = None, *, pointer: str | None = None, **headers: str
    ) -> None:
        self.status, self.detail, self.parameter, self.headers = status, detail, parameter, headers
        self.pointer = pointer


def _parse_version(text: str) -> tuple[dt.date, str]:
    match = _VERSION.fullmatch(text)
    if not match:
        raise ValueError(text)
    return dt.date.fromisoformat(match.group(1)), match.group(2) or "ga"


@dataclass
class SnykSandbox:
    """The Snyk REST API of the demo orgs, answered in memory.

    ``now`` is the sandbox clock (UTC); ``rate_limit`` requests per ``rate_window`` seconds per
    token before 429s; ``retry_after`` adds a Retry-After header to 429s; ``link_style`` fixes
    the shape of ``links.next`` (None: a different shape on each page, to exercise them all).
    ``export_seconds`` is how long an export job takes to finish (``_snyk_export``), or
    ``export_polls`` status checks, for a sandbox whose clock stands still;
    ``exports.fail_next = True`` makes the next export end ERRORED.
    """

    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    rate_limit: int = 540
    rate_window: float = 60.0
    retry_after: bool = False
    link_style: str | None = None
    export_seconds: float = 3.0
    export_polls: int | None = None
    base_path: str = "/rest"
    tokens: dict[str, SnykToken] = field(default_factory=lambda: {SNYK_DEMO_TOKEN: SnykToken(SNYK_DEMO_TOKEN)})

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._sent: dict[str, deque[float]] = {}
        self._blocked_until: dict[str, float] = {}
        self.requests: list[tuple[str, str]] = []
        self.refused = 0  # 429s answered
        self.exports = Exports(seconds=self.export_seconds, polls=self.export_polls)

    @property
    def token(self) -> str:
        return next(iter(self.tokens))

    def add_token(self, token: SnykToken) -> SnykToken:
        self.tokens[token.token] = token
        return token

    @property
    def group_id(self) -> str:
        return GROUP_ID

    @staticmethod
    def org_id(slug: str) -> str:
        """The Snyk org id of a demo org slug (acme-corp, globex)."""
        return SNYK_ORGS[slug]

    # -- dispatch -----------------------------------------------------------------------------

    def serves_file(self, target: str) -> bool:
        """Whether ``target`` is one of the export files' signed URLs (served without a token)."""
        return target.startswith(FILE_PATH)

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes = b"") -> Reply:
        with self._lock:
            low = {k.lower(): v for k, v in headers.items()}
            if self.serves_file(target):  # the file host: not the API (no token, no rate limit)
                if method != "GET":
                    return Reply(
                        405, {"content-type": "application/xml"}, b"<Error><Code>MethodNotAllowed</Code></Error>"
                    )
                return self.exports.serve_file(target, low, self.now())
            self.requests.append((method, target))
            try:
                try:
                    return self._handle(method, target, low, body)
                except ExportFail as failed:
                    raise _Fail(failed.status, failed.detail, pointer=failed.pointer, **failed.headers) from None
            except _Fail as fail:
                if fail.status == 401:  # the overview's bare body, not JSON:API
                    body = json.dumps({"status": "401", "code": "Unauthorized"}).encode()
                    return Reply(401, {"content-type": "application/json", **fail.headers}, body)
                error: dict[str, Any] = {"id": str(uuid.uuid4()), "status": str(fail.status), "detail": fail.detail}
                if fail.parameter:
                    error["source"] = {"parameter": fail.parameter}
                elif fail.pointer:
                    error["source"] = {"pointer": fail.pointer}
                return self._reply(fail.status, {"jsonapi": JSONAPI, "errors": [error]}, fail.headers)

    def _reply(self, status: int, data: Any, headers: Mapping[str, str] | None = None) -> Reply:
        body = json.dumps(data, separators=(",", ":")).encode()
        out = {"content-type": "application/vnd.api+json", "snyk-request-id": str(uuid.uuid4()), **(headers or {})}
        return Reply(status, out, body)

    def _handle(self, method: str, target: str, headers: dict[str, str], body: bytes = b"") -> Reply:
        now = self.now()
        token = self._authenticate(headers)
        self._throttle(token.token, now)
        parts = urllib.parse.urlsplit(target)
        path = parts.path
        if not path.startswith(self.base_path + "/"):
            raise _Fail(404, "Not Found")
        path = path[len(self.base_path) :]
        query = _query(parts.query)
        if re.fullmatch(r"/(orgs|groups)/[^/]+/(export|jobs/export/[^/]+|export/[^/]+)", path):
            return self._export(method, path, query, headers, body, token, now)
        if method != "GET":
            raise _Fail(405, f"Method {method} is not allowed here")
        releases: tuple[str, ...]
        if path == "/orgs":
            releases, filters, kind = _ORGS_RELEASES, _ORG_FILTERS, "orgs"
            scope = [s for s in SNYK_ORGS if token.orgs is None or s in token.orgs]
        elif match := re.fullmatch(r"/orgs/([^/]+)/issues", path):
            releases = _ISSUES_RELEASES
            filters, kind = _ISSUE_FILTERS, "issues"
            scope = [self._org(match.group(1), token)]
        elif match := re.fullmatch(r"/groups/([^/]+)/issues", path):
            releases, filters, kind = _ISSUES_RELEASES, _ISSUE_FILTERS, "issues"
            if match.group(1) != GROUP_ID:
                raise _Fail(404, "Group not found")
            scope = [s for s in SNYK_ORGS if token.orgs is None or s in token.orgs]
        elif match := re.fullmatch(r"/orgs/([^/]+)/projects", path):
            releases, filters, kind = _PROJECTS_RELEASES, _PROJECT_FILTERS, "projects"
            scope = [self._org(match.group(1), token)]
        else:
            raise _Fail(404, "Not Found")
        for name in query:
            if name not in _PAGING and name not in filters:
                raise _Fail(400, f"Unknown query parameter '{name}'", name)
        version_headers = self._version(query.get("version"), releases)
        limit = _limit(query.get("limit", "10"))
        # select cheaply over the whole collection; build full resources for the page only
        selected: list[Any]
        if kind == "orgs":
            selected = self._orgs(scope, query)
        elif kind == "issues":
            selected = self._issues(scope, query, now)
        else:
            selected = self._projects(scope[0], query, now)
        if query.get("meta_count") == "only":
            meta = {"count": len(selected)}
            return self._reply(200, {"jsonapi": JSONAPI, "links": {}, "meta": meta}, version_headers)
        start, chosen, before, after = _page(selected, query, limit)
        page = [_issue_at(item, now) if isinstance(item, StoryIssue) else item for item in chosen]
        links: dict[str, Any] = {"self": self._link(path, query, {}, "relative")}
        if after is not None:
            style = self.link_style or LINK_STYLES[(start // limit) % len(LINK_STYLES)]
            links["next"] = self._link(path, query, {"starting_after": after}, style, headers)
        if before is not None:
            links["prev"] = self._link(path, query, {"ending_before": before}, "relative")
        return self._reply(200, {"jsonapi": JSONAPI, "data": page, "links": links}, version_headers)

    # -- the Export API -------------------------------------------------------------------------

    def _export(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        body: bytes,
        token: SnykToken,
        now: dt.datetime,
    ) -> Reply:
        """createExport / createGroupExport, getExportJobStatus, getExport (see _snyk_export)."""
        match = re.fullmatch(r"/(orgs|groups)/([^/]+)/(export|jobs/export/([^/]+)|export/([^/]+))", path)
        assert match is not None
        kind, owner, what = match.group(1), match.group(2), match.group(3)
        allowed = "POST" if what == "export" else "GET"
        if method != allowed:
            raise _Fail(405, f"Method {method} is not allowed here", allow=allowed)
        for name in query:
            if name not in ("version", "include_deleted", "include_deactivated"):
                raise _Fail(400, f"Unknown query parameter '{name}'", name)
        version_headers = self._version(query.get("version"), EXPORT_RELEASES)
        if kind == "orgs":
            slugs: tuple[str, ...] = (self._org(owner, token),)
        else:
            if owner != GROUP_ID:
                raise _Fail(404, "Group not found")
            slugs = tuple(s for s in SNYK_ORGS if token.orgs is None or s in token.orgs)
        scope = f"{kind}/{owner}"
        if what == "export":
            export = self.exports.start(token.token, scope, slugs, body, now)
            document = {
                "jsonapi": JSONAPI,
                "data": {
                    "id": export.id, "type": "resource", "attributes": {"created": _iso(export.created)},
                    # the spec's example link (export/jobs/...) is not the status endpoint's path
                    "links": {"self": f"/{scope}/export/jobs/{export.id}"},
                },
            }  # fmt: skip
            status_path = f"{self.base_path}/{scope}/jobs/export/{export.id}"
            return self._reply(202, document, {**version_headers, "content-location": status_path})
        export_id = match.group(4) or match.group(5)
        export = self.exports.find(export_id, scope, token.token)
        location = {"content-location": f"{self.base_path}/{scope}/export/{export.id}"}
        if match.group(4):
            return self._reply(200, self.exports.job_body(export, now), {**version_headers, **location})
        host = headers.get("host", "api.snyk.io")
        return self._reply(200, self.exports.results_body(export, now, host), {**version_headers, **location})

    # -- pieces -------------------------------------------------------------------------------

    def _authenticate(self, headers: dict[str, str]) -> SnykToken:
        value = headers.get("authorization", "")
        scheme, _, secret = value.partition(" ")
        # the overview: "token" exactly (no capital), or "bearer" for Snyk Apps
        if scheme not in ("token", "bearer") or secret not in self.tokens:
            raise _Fail(401, "Unauthorized")
        return self.tokens[secret]

    def _throttle(self, token: str, now: dt.datetime) -> None:
        moment = now.timestamp()
        sent = self._sent.setdefault(token, deque())
        blocked = self._blocked_until.get(token, 0.0)
        while sent and sent[0] <= moment - self.rate_window:
            sent.popleft()
        if moment < blocked or len(sent) >= self.rate_limit:
            # "429 ... until requests stop for the duration of the rate-limiting interval"
            self._blocked_until[token] = moment + self.rate_window
            self.refused += 1
            extra = {"retry-after": str(int(self.rate_window))} if self.retry_after else {}
            raise _Fail(429, "Too many requests", **extra)
        sent.append(moment)

    def _org(self, org_id: str, token: SnykToken) -> str:
        org = org_by_id(org_id)
        if org is None or (token.orgs is not None and org.slug not in token.orgs):
            raise _Fail(404, "Org not found")
        return org.slug

    def _version(self, requested: str | None, releases: tuple[str, ...]) -> dict[str, str]:
        if requested is None:
            raise _Fail(400, "The version query parameter is required", "version")
        try:
            day, stability = _parse_version(requested)
        except ValueError:
            raise _Fail(400, f"Invalid version format '{requested}'", "version") from None
        candidates = [
            (d, s, text)
            for text in releases
            for d, s in [_parse_version(text)]
            if d <= day and _STABILITY[s] <= _STABILITY[stability]
        ]
        if not candidates:
            raise _Fail(404, f"No version of this endpoint matches '{requested}'", "version")
        served_day, served_stability, served = max(candidates)
        headers = {"snyk-version-requested": requested, "snyk-version-served": served}
        newer_ga = sorted(d for d, s in map(_parse_version, releases) if s == "ga" and d > served_day)
        if newer_ga:
            sunset = newer_ga[0] + dt.timedelta(days=_SUPPORT_DAYS[served_stability])
            headers["snyk-version-lifecycle-stage"] = "deprecated" if sunset > self.now().date() else "sunset"
            headers["deprecation"] = f"{newer_ga[0].isoformat()}T00:00:00Z"
            # the spec's Sunset is YYYY-MM-DD, the overview's an HTTP date: serve both shapes
            headers["sunset"] = (
                sunset.isoformat()
                if releases is _ISSUES_RELEASES
                else email.utils.format_datetime(dt.datetime.combine(sunset, dt.time(), dt.UTC), usegmt=True)
            )
        else:
            headers["snyk-version-lifecycle-stage"] = served_stability
        return headers

    def _orgs(self, scope: list[str], query: dict[str, str]) -> list[dict[str, Any]]:
        """listOrgs: the orgs the token can read, filtered as the spec's query parameters say."""
        group = query.get("group_id")
        if group is not None and not _UUID.fullmatch(group):  # schema: format uuid
            raise _Fail(400, f"Invalid uuid '{group}' for group_id", "group_id")
        personal = _boolean(query, "is_personal")
        slug, name = query.get("slug"), query.get("name")
        # schema: slug maxLength 100, pattern ^[\w.-]+$; name maxLength 100
        if slug is not None and (len(slug) > 100 or not re.fullmatch(r"[\w.-]+", slug)):
            raise _Fail(400, f"Invalid value '{slug}' for slug", "slug")
        if name is not None and len(name) > 100:
            raise _Fail(400, "name is longer than 100 characters", "name")
        expand = _enum_list(query, "expand", ("member_role",))
        out = []
        for org_slug in scope:
            org = DEMO_ORGS[org_slug]
            # every demo org sits in the demo group: none is personal
            if (group is not None and group.lower() != GROUP_ID) or personal is True:
                continue
            if slug is not None and slug != org.slug:  # "exactly matches"
                continue
            if name is not None and name not in org.name:  # "contains"
                continue
            created = _iso(dt.datetime.combine(org.created, dt.time(8), dt.UTC))
            resource: dict[str, Any] = {
                "type": "org",
                "id": SNYK_ORGS[org_slug],
                "attributes": {
                    "name": org.name, "slug": org.slug, "is_personal": False, "group_id": GROUP_ID,
                    "access_requests_enabled": False, "created_at": created, "updated_at": created,
                },
            }  # fmt: skip
            if expand:
                role = str(uuid.uuid5(uuid.NAMESPACE_URL, f"snyk-org-role:{org_slug}:admin"))
                resource["relationships"] = {
                    "member_role": {"data": {"type": "org_role", "id": role, "attributes": {"name": "Org Admin"}}}
                }
            out.append(resource)
        return out

    def _issues(self, scope: list[str], query: dict[str, str], now: dt.datetime) -> list[StoryIssue]:
        statuses = _enum_list(query, "status", ("open", "resolved"))
        levels = _enum_list(query, "effective_severity_level", ("info", "low", "medium", "high", "critical"))
        kind = query.get("type")
        if kind is not None and kind not in ("package_vulnerability", "license", "cloud", "code", "custom", "config"):
            raise _Fail(400, f"Invalid value '{kind}' for type", "type")
        ignored = _boolean(query, "ignored")
        bounds = {
            name: _timestamp(query, name)
            for name in ("created_before", "created_after", "updated_before", "updated_after")
        }
        scan_id, scan_type = query.get("scan_item.id"), query.get("scan_item.type")
        if (scan_id is None) != (scan_type is None):
            raise _Fail(400, "scan_item.id and scan_item.type must be given together", "scan_item.id")
        per_org = [issues_until(slug, now) for slug in scope]  # each already in (created, id) order
        story = per_org[0] if len(per_org) == 1 else list(heapq.merge(*per_org, key=_creation_order))
        check_updated = bounds["updated_after"] is not None or bounds["updated_before"] is not None
        out = []
        for issue in story:
            attributes = issue.resource["attributes"]
            if levels and attributes["effective_severity_level"] not in levels:
                continue
            if kind and attributes["type"] != kind:
                continue
            if scan_id is not None and (issue.project_id != scan_id or scan_type != "project"):
                continue
            if not _within(attributes["created_at"], bounds["created_after"], bounds["created_before"]):
                continue
            status, is_ignored, updated = _state(issue, now)
            if statuses and status not in statuses:
                continue
            if ignored is not None and is_ignored != ignored:
                continue
            if check_updated and not _within(_iso(updated), bounds["updated_after"], bounds["updated_before"]):
                continue
            out.append(issue)
        return out

    def _projects(self, slug: str, query: dict[str, str], now: dt.datetime) -> list[dict[str, Any]]:
        projects = projects_at(slug, now)
        want_counts = _boolean(query, "meta.latest_issue_counts")
        want_total = _boolean(query, "meta.latest_dependency_total")
        checks: list[Callable[..., bool]] = []
        lists = {name: _csv(query[name]) for name in ("ids", "target_id", "names", "names_start_with", "origins",
                 "types", "importing_user_public_id", "tags", "business_criticality", "environment",
                 "lifecycle") if name in query}  # fmt: skip
        for name in ("business_criticality", "environment", "lifecycle"):
            _enum_list(query, name, None)
        if "ids" in lists:
            checks.append(lambda p: p["id"] in lists["ids"])
        if "target_id" in lists:
            checks.append(lambda p: p["relationships"]["target"]["data"]["id"] in lists["target_id"])
        if "names" in lists:
            checks.append(lambda p: p["attributes"]["name"] in lists["names"])
        if "names_start_with" in lists:
            checks.append(lambda p: any(p["attributes"]["name"].startswith(x) for x in lists["names_start_with"]))
        if "origins" in lists:
            checks.append(lambda p: p["attributes"]["origin"] in lists["origins"])
        if "types" in lists:
            checks.append(lambda p: p["attributes"]["type"] in lists["types"])
        if "importing_user_public_id" in lists:
            checks.append(lambda p: p["relationships"]["importer"]["data"]["id"] in lists["importing_user_public_id"])
        if "tags" in lists:  # "match all the provided tags"
            checks.append(lambda p: set(lists["tags"]) <= {f"{t['key']}:{t['value']}" for t in p["attributes"]["tags"]})
        for name in ("business_criticality", "environment", "lifecycle"):
            if name in lists:
                checks.append(lambda p, n=name: set(lists[n]) <= set(p["attributes"][n]))
        for name in ("target_reference", "target_file", "target_runtime"):
            if name in query:
                checks.append(lambda p, n=name: p["attributes"].get(n) == query[n])
        for name in ("cli_monitored_before", "cli_monitored_after"):
            if name in query:
                _timestamp(query, name)
                checks.append(lambda p: False)  # the demo projects are imported, never CLI-monitored
        if "expand" in query:
            _enum_list(query, "expand", ("target",))
        out = []
        counted: dict[str, dict[str, int]] = {}
        for issue in issues_until(slug, now) if want_counts else []:
            status, is_ignored, _ = _state(issue, now)
            if status == "open" and not is_ignored:
                counts = counted.setdefault(issue.project_id, {"critical": 0, "high": 0, "medium": 0, "low": 0})
                counts[issue.resource["attributes"]["effective_severity_level"]] += 1
        for project in projects:
            if not all(check(project) for check in checks):
                continue
            resource = {k: v for k, v in project.items() if not k.startswith("_")}
            meta: dict[str, Any] = {}
            if want_counts:
                counts = counted.get(project["id"], {"critical": 0, "high": 0, "medium": 0, "low": 0})
                meta["latest_issue_counts"] = {**counts, "updated_at": _iso(now)}
            if want_total:
                meta["latest_dependency_total"] = {"total": 40 + len(project["id"]) * 3, "updated_at": _iso(now)}
            if meta:
                resource["meta"] = meta
            out.append(resource)
        return out

    def _link(
        self, path: str, query: dict[str, str], cursor: dict[str, str], style: str, headers: Mapping[str, str] = {}
    ) -> Any:
        params = {k: v for k, v in query.items() if k not in ("starting_after", "ending_before")}
        relative = f"{path}?{urllib.parse.urlencode({**params, **cursor})}"
        if style == "relative":
            return relative
        if style == "prefixed":
            return self.base_path + relative
        if style == "absolute":
            host = headers.get("host", "api.snyk.io")
            scheme = "http" if is_loopback(host.rpartition(":")[0] if ":" in host else host) else "https"
            return f"{scheme}://{host}{self.base_path}{relative}"
        return {"href": relative}


def _creation_order(issue: StoryIssue) -> tuple[dt.datetime, str]:
    return issue.created, issue.resource["id"]


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _state(issue: StoryIssue, now: dt.datetime) -> tuple[str, bool, dt.datetime]:
    """(status, ignored, updated) of an issue at ``now``."""
    ignored = issue.ignored is not None and issue.ignored <= now
    resolved = issue.resolved is not None and issue.resolved <= now
    updated = max([issue.created] + [t for t in (issue.ignored, issue.resolved) if t is not None and t <= now])
    return ("resolved" if resolved else "open"), ignored, updated


def _issue_at(issue: StoryIssue, now: dt.datetime) -> dict[str, Any]:
    """The issue's resource as it stands at ``now``: status, ignored, resolution, updated_at."""
    resource: dict[str, Any] = json.loads(json.dumps(issue.resource))
    attributes = resource["attributes"]
    updated = issue.created
    if issue.ignored is not None and issue.ignored <= now:
        attributes["ignored"] = True
        resource["relationships"]["ignore"] = {
            "data": {"type": "ignore", "id": str(uuid.uuid5(uuid.NAMESPACE_URL, resource["id"]))}
        }
        updated = max(updated, issue.ignored)
    if issue.resolved is not None and issue.resolved <= now:
        attributes["status"] = "resolved"
        attributes["resolution"] = {"type": "fixed", "resolved_at": _iso(issue.resolved)}
        for coordinate in attributes["coordinates"]:
            coordinate["state"] = "resolved"
            coordinate["last_resolved_at"] = _iso(issue.resolved)
        updated = max(updated, issue.resolved)
    else:
        for coordinate in attributes["coordinates"]:
            coordinate["state"] = "open"
    attributes["updated_at"] = _iso(updated)
    return resource


def _query(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in urllib.parse.parse_qsl(raw, keep_blank_values=True):
        if name in out:  # Snyk fails on repeated parameters (e.g. httpx's list encoding)
            raise _Fail(400, f"Query parameter '{name}' is repeated; send one comma-separated value", name)
        out[name] = value
    return out


def _csv(value: str) -> list[str]:
    return [v for v in value.split(",") if v]


def _enum_list(query: dict[str, str], name: str, allowed: tuple[str, ...] | None) -> list[str]:
    values = _csv(query.get(name, ""))
    allowed = (
        allowed
        or {
            "business_criticality": ("critical", "high", "medium", "low"),
            "environment": (
                "frontend",
                "backend",
                "internal",
                "external",
                "mobile",
                "saas",
                "onprem",
                "hosted",
                "distributed",
            ),
            "lifecycle": ("production", "development", "sandbox"),
        }[name]
    )
    for value in values:
        if value not in allowed:
            raise _Fail(400, f"Invalid value '{value}' for {name}", name)
    return values


def _boolean(query: dict[str, str], name: str) -> bool | None:
    value = query.get(name)
    if value is None:
        return None
    if value not in ("true", "false"):
        raise _Fail(400, f"Invalid boolean '{value}' for {name}", name)
    return value == "true"


def _timestamp(query: dict[str, str], name: str) -> str | None:
    value = query.get(name)
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _Fail(400, f"Invalid date-time '{value}' for {name}", name) from None
    return _iso(moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC))


def _within(stamp: str, after: str | None, before: str | None) -> bool:
    return (after is None or stamp > after) and (before is None or stamp < before)


def _limit(value: str) -> int:
    if not re.fullmatch(r"\d{1,4}", value) or not 10 <= int(value) <= 100 or int(value) % 10:
        raise _Fail(400, f"Invalid limit '{value}': use 10 to 100, in steps of 10", "limit")
    return int(value)


def _encode(index: int) -> str:
    return "v1." + base64.b64encode(json.dumps({"i": index}).encode()).decode()


def _decode(cursor: str, name: str) -> int:
    try:
        if not cursor.startswith("v1."):
            raise ValueError(cursor)
        position = json.loads(base64.b64decode(cursor[3:], validate=True))["i"]
        if not isinstance(position, int):
            raise ValueError(cursor)
        return position
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise _Fail(400, f"Invalid cursor '{cursor}'", name) from None


def _page(resources: list[Any], query: dict[str, str], limit: int) -> tuple[int, list[Any], str | None, str | None]:
    """One page in insertion order; cursors name the position of the page's edges."""
    if "starting_after" in query:
        start = _decode(query["starting_after"], "starting_after") + 1
        end = start + limit
    elif "ending_before" in query:
        end = _decode(query["ending_before"], "ending_before")
        start = max(0, end - limit)
    else:
        start, end = 0, limit
    page = resources[start:end]
    after = _encode(start + len(page) - 1) if page and start + len(page) < len(resources) else None
    before = _encode(start) if page and start > 0 else None
    return start, page, before, after
