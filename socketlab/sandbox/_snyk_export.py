"""Snyk's Export API in the sandbox: export jobs, their results, and the signed files they point to.

As Snyk's Export API page and the REST spec describe it (createExport / createGroupExport,
getExportJobStatus, getExport), with the shapes a client meets for real:

- POST .../export answers 202 with the export's id; at most ``EXPORTS_PER_HOUR`` (20) exports
  an hour per token, then 429 with Retry-After (the spec declares it on this 429 only);
- the job is PENDING, then STARTED, then FINISHED (or ERRORED) as the sandbox clock runs;
- the data is about two hours fresh: an export reads the issues as they stood at the last even
  UTC hour before it was created (Snyk refreshes the dataset about every two hours);
- a finished export's results are several CSV files (``EXPORT_FILE_ROWS`` rows each, a header
  in each), each ``{"url", "file_size", "row_count"}`` with a signed URL on another host (an
  S3-style presigned URL, valid ``url_expiration_seconds``, at most an hour): the file host
  wants no Authorization header (a request with one is refused with S3's XML error, as S3
  does with two auth mechanisms), refuses an expired or tampered signature with a 403, and
  keeps files three days.

Rows agree with the issues collection: one per issue introduced (created) in the filter's
window, with the issue's key as PROBLEM_ID, its project as PROJECT_PUBLIC_ID, its severity,
status (resolved, ignored or open) and dates as of the data's time.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import math
import random
import re
import urllib.parse
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from socketlab._schema import EXPORT_COLUMNS
from socketlab.sandbox._snyk_story import GROUP_ID, SNYK_ORGS, StoryIssue, all_projects, issues_until
from socketlab.sandbox._socket import Reply
from socketlab.sandbox._story import DEMO_ORGS

__all__ = [
    "EXPORTS_PER_HOUR",
    "EXPORT_FILE_ROWS",
    "EXPORT_RELEASES",
    "FILE_HOST",
    "FILE_PATH",
    "Export",
    "ExportFail",
    "Exports",
]

EXPORT_RELEASES = ("2024-10-15",)  # x-snyk-api-releases of createExport, getExportJobStatus, getExport
EXPORTS_PER_HOUR = 20  # the Export API page: "up to 20 export requests per hour"
EXPORT_FILE_ROWS = 1000
FILE_HOST = "snyk-exports.sandbox.invalid"  # the signed URLs' host, in process
FILE_PATH = "/snyk-export-files/"
RETENTION = dt.timedelta(days=3)  # "files will remain available ... for a period of three days"
_KEY = b"socketlab-sandbox-file-signing-key"


class ExportFail(Exception):
    """A JSON:API error answer of the export endpoints (status, detail, the body pointer at fault)."""

    def __init__(self, status: int, detail: str, pointer: str | None = None, **headers: str) -> None:
        self.status, self.detail, self.pointer, self.headers = status, detail, pointer, headers


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _moment(text: object, pointer: str) -> dt.datetime:
    if not isinstance(text, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z", text):
        raise ExportFail(400, f"Invalid date-time {text!r}: use YYYY-MM-DDTHH:MM:SSZ", pointer)
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class Export:
    """One export job and what it will hold."""

    id: str
    token: str
    scope: str  # "orgs/<id>" or "groups/<id>"
    slugs: tuple[str, ...]
    created: dt.datetime
    columns: tuple[str, ...]
    introduced: tuple[dt.datetime, dt.datetime] | None
    updated: tuple[dt.datetime, dt.datetime] | None
    expires: int
    fails: bool
    checks: int = 0  # status checks answered
    files: list[tuple[bytes, int]] | None = field(default=None, repr=False)  # written once, when first asked

    @property
    def data_time(self) -> dt.datetime:
        """The dataset refresh the export reads: the last even UTC hour at or before its creation."""
        start = self.created.replace(minute=0, second=0, microsecond=0)
        return start - dt.timedelta(hours=start.hour % 2)


class Exports:
    """The export jobs of a Snyk sandbox; ``seconds`` from request to FINISHED."""

    def __init__(self, *, seconds: float = 3.0, file_rows: int = EXPORT_FILE_ROWS, polls: int | None = None) -> None:
        self.seconds = seconds
        # a job also finishes after this many status checks (None: by the clock only), for a
        # sandbox whose clock stands still (a rehearsal recounting its data)
        self.polls = polls
        self.file_rows = file_rows
        self.jobs: dict[str, Export] = {}
        self.started: dict[str, deque[dt.datetime]] = {}  # token -> when its exports were started
        self.file_requests: list[tuple[str, dict[str, str]]] = []  # (target, headers) of every file request
        self.fail_next = False  # the next export ends ERRORED

    # -- POST .../export ----------------------------------------------------------------------

    def start(self, token: str, scope: str, slugs: tuple[str, ...], body: bytes, now: dt.datetime) -> Export:
        window = self.started.setdefault(token, deque())
        while window and window[0] <= now - dt.timedelta(hours=1):
            window.popleft()
        if len(window) >= EXPORTS_PER_HOUR:
            wait = max(1, math.ceil((window[0] + dt.timedelta(hours=1) - now).total_seconds()))
            raise ExportFail(
                429, f"Export limit reached: {EXPORTS_PER_HOUR} exports per hour", **{"retry-after": str(wait)}
            )
        attributes = _attributes(body)
        filters = attributes.get("filters") or {}
        if not isinstance(filters, dict):
            raise ExportFail(400, "filters must be an object", "/data/attributes/filters")
        windows: dict[str, tuple[dt.datetime, dt.datetime] | None] = {}
        for name in ("introduced", "updated"):
            value = filters.get(name)
            if value is None:
                windows[name] = None
                continue
            pointer = f"/data/attributes/filters/{name}"
            if not isinstance(value, dict) or set(value) - {"from", "to"}:
                raise ExportFail(400, f"{name} must be an object with from and to", pointer)
            first = _moment(value.get("from", "1970-01-01T00:00:00Z"), pointer + "/from")
            last = _moment(value.get("to", _iso(now)), pointer + "/to")
            if first > last:
                raise ExportFail(400, f"{name}.from is after {name}.to", pointer)
            windows[name] = (first, last)
        if windows["introduced"] is None and windows["updated"] is None:
            # the Export API page: "At least one date filter (introduced or updated) must be included"
            raise ExportFail(
                400, "At least one date filter (introduced or updated) is required", "/data/attributes/filters"
            )
        columns = attributes.get("columns")
        if columns is None:
            chosen = EXPORT_COLUMNS  # "If the Export API call does not define the specific columns ... all"
        else:
            if not isinstance(columns, list) or not columns:
                raise ExportFail(400, "columns must be a list of column names", "/data/attributes/columns")
            unknown = [c for c in columns if not isinstance(c, str) or c.upper() not in EXPORT_COLUMNS]
            if unknown:
                raise ExportFail(400, f"Unknown column {unknown[0]!r}", "/data/attributes/columns")
            chosen = tuple(dict.fromkeys(c.upper() for c in columns))
        expires = attributes.get("url_expiration_seconds", 3600)
        if isinstance(expires, bool) or not isinstance(expires, int) or not 0 <= expires <= 3600:
            raise ExportFail(400, "url_expiration_seconds must be 0 to 3600", "/data/attributes/url_expiration_seconds")
        export = Export(
            id=str(uuid.uuid4()), token=token, scope=scope, slugs=slugs, created=now, columns=tuple(chosen),
            introduced=windows["introduced"], updated=windows["updated"], expires=expires,
            fails=self.fail_next,
        )  # fmt: skip
        self.fail_next = False
        window.append(now)
        self.jobs[export.id] = export
        return export

    def find(self, export_id: str, scope: str, token: str) -> Export:
        export = self.jobs.get(export_id)
        if export is None or export.scope != scope or export.token != token:
            raise ExportFail(404, "Export not found")
        return export

    # -- state --------------------------------------------------------------------------------

    def status(self, export: Export, now: dt.datetime) -> str:
        elapsed = (now - export.created).total_seconds()
        done = elapsed >= self.seconds or (self.polls is not None and export.checks >= self.polls)
        if done:
            return "ERRORED" if export.fails else "FINISHED"
        return "PENDING" if elapsed < min(1.0, self.seconds / 3) and export.checks <= 1 else "STARTED"

    def job_body(self, export: Export, now: dt.datetime) -> dict[str, Any]:
        """getExportJobStatus's 200 body (the spec's attributes: created, formats, status)."""
        export.checks += 1
        return {
            "jsonapi": {"version": "1.0"},
            "data": {
                "id": export.id,
                "type": "resource",
                "attributes": {"created": _iso(export.created), "formats": ["csv"], "status": self.status(export, now)},
            },
            "links": {"self": f"/{export.scope}/export/{export.id}"},
        }

    def results_body(self, export: Export, now: dt.datetime, host: str) -> dict[str, Any]:
        """getExport's 200 body: the files as signed URLs once FINISHED (the spec knows no STARTED here)."""
        status = self.status(export, now)
        attributes: dict[str, Any] = {"created": _iso(export.created), "formats": ["csv"]}
        if export.introduced is not None:
            attributes["introduced_date_range"] = {"from": _iso(export.introduced[0]), "to": _iso(export.introduced[1])}
        if export.updated is not None:
            attributes["updated_date_range"] = {"from": _iso(export.updated[0]), "to": _iso(export.updated[1])}
        results: list[dict[str, Any]] = []
        rows = 0
        if status == "FINISHED":
            attributes["finished"] = _iso(export.created + dt.timedelta(seconds=self.seconds))
            for number, (content, count) in enumerate(self._files_of(export), start=1):
                url = self._sign(f"{FILE_PATH}{export.id}/part-{number:04d}.csv", now, export.expires, host)
                results.append({"url": url, "file_size": len(content), "row_count": count})
                rows += count
        attributes.update(status="PENDING" if status == "STARTED" else status, results=results, row_count=rows)
        return {
            "jsonapi": {"version": "1.0"},
            "data": {"id": export.id, "type": "resource", "attributes": attributes},
            "links": {"self": f"/{export.scope}/export/{export.id}"},
        }

    # -- the file host ------------------------------------------------------------------------

    def _sign(self, path: str, now: dt.datetime, expires: int, host: str) -> str:
        stamp = now.strftime("%Y%m%dT%H%M%SZ")
        signature = hmac.new(_KEY, f"{path}|{stamp}|{expires}".encode(), hashlib.sha256).hexdigest()
        query = urllib.parse.urlencode({
            "X-Amz-Algorithm": "AWS4-HMAC-SHA256", "X-Amz-Credential": "ASIASANDBOX/exports/s3/aws4_request",
            "X-Amz-Date": stamp, "X-Amz-Expires": str(expires), "X-Amz-SignedHeaders": "host",
            "X-Amz-Signature": signature,
        })  # fmt: skip
        return f"{_file_origin(host)}{path}?{query}"

    def serve_file(self, target: str, headers: dict[str, str], now: dt.datetime) -> Reply:
        """A GET of a signed file URL: the CSV, or S3's XML error."""
        self.file_requests.append((target, dict(headers)))
        parts = urllib.parse.urlsplit(target)
        query = dict(urllib.parse.parse_qsl(parts.query))
        if "authorization" in headers:
            return _s3_error(
                400, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
                "Signature query string parameter or the Authorization header should be specified",
            )  # fmt: skip
        match = re.fullmatch(re.escape(FILE_PATH) + r"([0-9a-f-]{36})/part-(\d{4})\.csv", parts.path)
        export = self.jobs.get(match.group(1)) if match else None
        if match is None or export is None:
            return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
        try:
            stamp = dt.datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
            expires = int(query["X-Amz-Expires"])
            expected = hmac.new(
                _KEY, f"{parts.path}|{query['X-Amz-Date']}|{expires}".encode(), hashlib.sha256
            ).hexdigest()
        except (KeyError, ValueError):
            return _s3_error(403, "AccessDenied", "Query-string authentication requires the X-Amz parameters.")
        if not hmac.compare_digest(expected, query.get("X-Amz-Signature", "")):
            return _s3_error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match.")
        if now > stamp + dt.timedelta(seconds=expires):
            return _s3_error(403, "AccessDenied", "Request has expired")
        if now > export.created + RETENTION:
            return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
        files = self._files_of(export)
        number = int(match.group(2))
        if not 1 <= number <= len(files):
            return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
        content = files[number - 1][0]
        return Reply(200, {"content-type": "text/csv", "etag": f'"{hashlib.md5(content).hexdigest()}"'}, content)

    # -- the data -----------------------------------------------------------------------------

    def _files_of(self, export: Export) -> list[tuple[bytes, int]]:
        """The export's CSV files and their rows: a header in each, EXPORT_FILE_ROWS rows at most."""
        if export.files is None:
            export.files = self._write(export)
        return export.files

    def _write(self, export: Export) -> list[tuple[bytes, int]]:
        rows = export_rows(export)
        chunks = [rows[i : i + self.file_rows] for i in range(0, len(rows), self.file_rows)] or [[]]
        files = []
        for chunk in chunks:
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(export.columns)
            for row in chunk:
                writer.writerow([row.get(column, "") for column in export.columns])
            files.append((out.getvalue().encode(), len(chunk)))
        return files


def _file_origin(host: str) -> str:
    """The file host for an answer asked of ``host``: another host, reachable the same way.

    On loopback the other name of the same server (127.0.0.1 <-> localhost); in process (or as
    if it were api.snyk.io) a host of its own, as Snyk's files sit in cloud storage.
    """
    name, _, port = host.partition(":")
    if name in ("127.0.0.1", "localhost"):
        other = "localhost" if name == "127.0.0.1" else "127.0.0.1"
        return f"http://{other}{':' + port if port else ''}"
    return f"https://{FILE_HOST}"


def _s3_error(status: int, code: str, message: str) -> Reply:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{uuid.uuid4().hex[:16].upper()}"
        "</RequestId></Error>"
    )
    return Reply(status, {"content-type": "application/xml"}, body.encode())


def _attributes(body: bytes) -> dict[str, Any]:
    """The request body's data.attributes, checked as createExport's schema says."""
    try:
        document = json.loads(body or b"null")
    except ValueError:
        raise ExportFail(400, "The request body is not JSON", "/") from None
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("attributes"), dict) or "type" not in data:
        raise ExportFail(400, "The request body needs data with type and attributes", "/data")
    attributes: dict[str, Any] = data["attributes"]
    if attributes.get("dataset") != "issues":
        raise ExportFail(400, f"Unknown dataset {attributes.get('dataset')!r}: this sandbox exports issues",
                         "/data/attributes/dataset")  # fmt: skip
    if attributes.get("formats") != ["csv"]:
        raise ExportFail(400, 'formats must be ["csv"]', "/data/attributes/formats")
    return attributes


def _within(moment: dt.datetime, window: tuple[dt.datetime, dt.datetime] | None) -> bool:
    return window is None or window[0] <= moment <= window[1]


def export_rows(export: Export) -> list[dict[str, str]]:
    """Every row of the export: the issues of its orgs introduced (or updated) in its windows,
    as they stood at the data's time."""
    now = export.data_time
    rows = []
    for slug in export.slugs:
        projects = {p["id"]: p for p in all_projects(slug)}
        for issue in issues_until(slug, now):
            resolved = issue.resolved if issue.resolved is not None and issue.resolved <= now else None
            ignored = issue.ignored if issue.ignored is not None and issue.ignored <= now else None
            updated = max([issue.created, *(t for t in (resolved, ignored) if t is not None)])
            if not (_within(issue.created, export.introduced) and _within(updated, export.updated)):
                continue
            rows.append(_row(issue, slug, projects[issue.project_id], resolved, ignored, updated))
    return rows


def _row(
    issue: StoryIssue,
    slug: str,
    project: dict[str, Any],
    resolved: dt.datetime | None,
    ignored: dt.datetime | None,
    updated: dt.datetime,
) -> dict[str, str]:
    attributes = issue.resource["attributes"]
    org = DEMO_ORGS[slug]
    rng = random.Random(f"snyk-export:{issue.resource['id']}")
    score = rng.uniform(0.0004, 0.2) if attributes["effective_severity_level"] in ("critical", "high") else rng.uniform(
        0.0001, 0.02)  # fmt: skip
    cve = next((p["id"] for p in attributes["problems"] if p["source"] == "NVD"), "")
    package = attributes["coordinates"][0]["representations"][0]["dependency"]
    kev = "CISA" in (attributes.get("exploit_details") or {}).get("sources", [])
    severity = attributes["effective_severity_level"]
    project_attributes = project["attributes"]
    return {
        "PROBLEM_ID": attributes["key"],
        "GROUP_PUBLIC_ID": GROUP_ID, "GROUP_DISPLAY_NAME": "Demo group", "GROUP_SLUG": "demo-group",
        "ORG_PUBLIC_ID": SNYK_ORGS[slug], "ORG_SLUG": slug, "ORG_DISPLAY_NAME": org.name,
        "EPSS_SCORE": f"{score:.5f}", "EPSS_PERCENTILE": f"{min(0.999, 0.4 + score * 3):.5f}",
        "ISSUE_SEVERITY": severity, "SCORE": str(attributes["risk"]["score"]["value"]),
        "NVD_SCORE": f"{attributes['severities'][0]['score']:.1f}", "NVD_SEVERITY": severity,
        "PROBLEM_TITLE": attributes["title"], "CVE": cve,
        "CWE": ",".join(c["id"] for c in attributes["classes"]),
        "VULN_DB_URL": f"https://security.snyk.io/vuln/{attributes['key']}",
        "PROJECT_NAME": project_attributes["name"], "PROJECT_PUBLIC_ID": project["id"],
        "PROJECT_URL": f"https://app.snyk.io/org/{slug}/project/{project['id']}",
        "PROJECT_IS_MONITORED": "true", "PROJECT_ORIGIN": project_attributes["origin"],
        "PROJECT_CRITICALITIES": ",".join(project_attributes["business_criticality"]),
        "PROJECT_ENVIRONMENTS": ",".join(project_attributes["environment"]),
        "PROJECT_LIFECYCLES": ",".join(project_attributes["lifecycle"]),
        "PROJECT_TAGS": ",".join(f"{t['key']}:{t['value']}" for t in project_attributes["tags"]),
        "PROJECT_TARGET_REF": project_attributes["target_reference"],
        "PROJECT_TYPE": project_attributes["type"], "PROJECT_TARGET_FILE": project_attributes["target_file"],
        "EXPLOIT_MATURITY": "Mature" if kev else "No Known Exploit",
        "COMPUTED_FIXABILITY": "Fixable" if attributes["coordinates"][0]["is_upgradeable"] else "No Fix Supported",
        "EXISTS_IN_DIRECT_DEPENDENCY": "true" if rng.random() < 0.4 else "false",
        "FIRST_INTRODUCED": _iso(issue.created), "LAST_INTRODUCED": _iso(issue.created),
        "LAST_IGNORED": _iso(ignored) if ignored else "", "LAST_RESOLVED": _iso(resolved) if resolved else "",
        "PRODUCT_NAME": "Snyk Open Source",
        "ISSUE_URL": f"https://app.snyk.io/org/{slug}/project/{project['id']}#issue-{attributes['key']}",
        "ISSUE_STATUS": "resolved" if resolved else "ignored" if ignored else "open",
        "ISSUE_TYPE": "Vulnerability", "ISSUE_SUB_TYPE": "vuln",
        "PACKAGE_NAME_AND_VERSION": f"{package['package_name']}@{package['package_version']}",
        "FIXED_IN_AVAILABLE": "true" if attributes["coordinates"][0]["is_upgradeable"] else "false",
        "REACHABILITY": attributes["coordinates"][0]["reachability"],
        "UPDATED_AT": _iso(updated),
    }  # fmt: skip
