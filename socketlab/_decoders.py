"""One pure decoder per API operation: ``(status, headers, body) -> result``, or a typed error.

A decoder checks everything about an answer: the status (``_responses``), the body's shape
and types, and where the next page is. So every malformed 2xx of every operation raises
UnexpectedResponseError from inside the client's retry loop (and is never cached), and no
other Python exception escapes for a bad body. Decoders know nothing of the request: the shell
names the method and URL on any error they raise.

    decode = socket_page_decoder(SNAPSHOTS)
    page = decode(200, headers, body)          # SocketPage(batch, meta, next_cursor, body)
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec
import orjson
import pandas as pd

from socketlab._errors import APIError, RateLimitError, UnexpectedResponseError
from socketlab._frames import Batch, framer, to_frame, trend_frame, utc_timestamp
from socketlab._pages import snyk_next_url, socket_next_cursor
from socketlab._responses import (
    check_snyk,
    check_socket,
    contract_error,
    error_class,
    parse_retry_after,
    request_id_of,
    snippet,
)
from socketlab._schema import EXPORT_ISSUES, EXPORT_JOB_STATUS, ORGANIZATIONS, Enum, Field, Resource

__all__ = [
    "Decoder",
    "ExportFile",
    "ExportJob",
    "ExportResults",
    "JobReceipt",
    "Quota",
    "SnykPage",
    "SocketPage",
    "decode_export_file",
    "decode_export_job",
    "decode_export_results",
    "decode_export_started",
    "decode_organizations",
    "decode_quota",
    "decode_snapshot_job",
    "decode_trend",
    "export_items",
    "snyk_page_decoder",
    "socket_page_decoder",
]

T = TypeVar("T")
Decoder = Callable[[int, Mapping[str, str], bytes], T]


def _structured(struct: type[T], status: int, headers: Mapping[str, str], body: bytes, what: str) -> T:
    """The body decoded and type-checked by msgspec; a contract error naming the field otherwise."""
    try:
        return msgspec.json.decode(body, type=struct)
    except msgspec.ValidationError as exc:  # JSON, but not the documented shape ("... - at `$.items`")
        raise contract_error(f"not {what}: {exc}", status, headers) from None
    except msgspec.DecodeError:
        raise contract_error(f"the body is not JSON: {snippet(body)!r}", status, headers) from None


def _told(headers: Mapping[str, str], rule: Callable[..., T], *args: Any) -> T:
    """A next-page rule applied; a contract error it raises names the answer's request id."""
    try:
        return rule(*args)
    except UnexpectedResponseError as exc:
        exc.request_id = exc.request_id or request_id_of(headers)
        raise


def _framed(frame: Callable[[], T], status: int, headers: Mapping[str, str], what: str) -> T:
    """Columns built from a body; a value its column cannot hold is a contract error naming the field."""
    try:
        return frame()
    except (ValueError, TypeError, KeyError, AttributeError) as exc:  # framing raises FrameError (a ValueError)
        raise contract_error(f"{what}: {exc}", status, headers) from None


# -- Socket lists (snapshots, alerts) ---------------------------------------------------------


class _SocketList(msgspec.Struct):
    items: list[msgspec.Raw]
    meta: dict[str, Any] = {}
    endCursor: Any = None  # checked by socket_next_cursor, which says what was wrong


@dataclass(frozen=True)
class _Page:
    """A decoded page: its items as typed columns, and the body as the API sent it."""

    batch: Batch
    body: bytes

    @property
    def rows(self) -> int:
        return self.batch.rows

    def json(self) -> dict[str, Any]:
        """The page as the API sent it."""
        page: dict[str, Any] = orjson.loads(self.body)
        return page


@dataclass(frozen=True)
class SocketPage(_Page):
    """One page of a Socket list: its items, the API's meta, the next cursor."""

    meta: dict[str, Any]
    next_cursor: str | None


def _socket_page(resource: Resource, status: int, headers: Mapping[str, str], body: bytes) -> SocketPage:
    check_socket(status, headers, body)
    page = _structured(_SocketList, status, headers, body, "a page of items")
    next_cursor = _told(headers, socket_next_cursor, page.endCursor)
    for key in ("startDateInclusive", "endDateInclusive"):  # backfills tile windows by these days
        day = page.meta.get(key)
        if day is not None and not _is_day(day):
            raise contract_error(f"meta.{key} is not a YYYY-MM-DD day: {day!r}", status, headers)
    batch = _framed(lambda: framer(resource).batch(page.items), status, headers, "the page's items")
    return SocketPage(batch=batch, body=body, meta=page.meta, next_cursor=next_cursor)


def _is_day(value: object) -> bool:
    try:
        return isinstance(value, str) and dt.date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def socket_page_decoder(resource: Resource) -> Decoder[SocketPage]:
    """The decoder of a Socket list page of ``resource`` items (``{"meta", "items", "endCursor"}``)."""
    return functools.partial(_socket_page, resource)


# -- Socket single answers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Quota:
    """GET /quota: units left in this window, the window's maximum, and when it refills."""

    remaining: int
    max: int
    next_refresh: pd.Timestamp | None

    @property
    def used_fraction(self) -> float:
        return 0.0 if self.max == 0 else 1 - self.remaining / self.max


class _QuotaBody(msgspec.Struct):
    quota: int
    maxQuota: int
    nextWindowRefresh: str | None = None


def _timestamp(value: str, status: int, headers: Mapping[str, str], field: str) -> pd.Timestamp:
    try:
        return utc_timestamp(value)
    except (TypeError, ValueError):
        raise contract_error(f"{field} is not a timestamp: {value!r}", status, headers) from None


def decode_quota(status: int, headers: Mapping[str, str], body: bytes) -> Quota:
    """GET /quota (spec getQuota): ``{"quota", "maxQuota", "nextWindowRefresh"}``."""
    check_socket(status, headers, body)
    data = _structured(_QuotaBody, status, headers, body, "a quota answer")
    refresh = data.nextWindowRefresh
    return Quota(
        remaining=data.quota,
        max=data.maxQuota,
        next_refresh=None if not refresh else _timestamp(refresh, status, headers, "nextWindowRefresh"),
    )


@dataclass(frozen=True)
class JobReceipt:
    """What POST .../historical/snapshots answers: the new job's id, who asked, and when."""

    request_id: str
    requested_by: str
    requested_at: pd.Timestamp


class _JobBody(msgspec.Struct):
    requestId: str
    requestedBy: str
    requestedAt: str


def decode_snapshot_job(status: int, headers: Mapping[str, str], body: bytes) -> JobReceipt:
    """POST /orgs/{org_slug}/historical/snapshots (spec historicalSnapshotsStart)."""
    check_socket(status, headers, body)
    data = _structured(_JobBody, status, headers, body, "a snapshot job answer")
    if not data.requestId:
        raise contract_error("the snapshot job answer has an empty requestId", status, headers)
    return JobReceipt(data.requestId, data.requestedBy, _timestamp(data.requestedAt, status, headers, "requestedAt"))


class _Organizations(msgspec.Struct):
    organizations: dict[str, dict[str, Any]]


def decode_organizations(status: int, headers: Mapping[str, str], body: bytes) -> pd.DataFrame:
    """GET /organizations (spec getOrganizations): an object keyed by org id, one row each."""
    check_socket(status, headers, body)
    data = _structured(_Organizations, status, headers, body, "an organizations answer")
    return _framed(lambda: to_frame(list(data.organizations.values()), ORGANIZATIONS), status, headers, "organizations")


class _Trend(msgspec.Struct):
    items: list[dict[str, Any]]
    meta: dict[str, Any] = {}


def decode_trend(status: int, headers: Mapping[str, str], body: bytes) -> pd.DataFrame:
    """GET .../historical/alerts/trend and .../dependencies/trend: a long frame, one row per day and group."""
    check_socket(status, headers, body)
    data = _structured(_Trend, status, headers, body, "a trend answer")
    return _framed(lambda: trend_frame(data.items, data.meta), status, headers, "the trend")


# -- Snyk JSON:API collections ---------------------------------------------------------------


class _SnykList(msgspec.Struct):
    data: list[msgspec.Raw]
    links: Any = None  # checked by snyk_next_url


@dataclass(frozen=True)
class SnykPage(_Page):
    """One page of a JSON:API collection: its resources and the next link."""

    next_url: str | None


def _snyk_page(resource: Resource, base_url: str, status: int, headers: Mapping[str, str], body: bytes) -> SnykPage:
    check_snyk(status, headers, body)
    page = _structured(_SnykList, status, headers, body, "a JSON:API collection page")
    next_url = _told(headers, snyk_next_url, page.links, base_url)
    batch = _framed(lambda: framer(resource).batch(page.data), status, headers, "the page's data")
    return SnykPage(batch=batch, body=body, next_url=next_url)


def snyk_page_decoder(resource: Resource, base_url: str) -> Decoder[SnykPage]:
    """The decoder of a page of a Snyk collection of ``resource``; next links resolve against
    ``base_url`` (a link to another host is refused)."""
    return functools.partial(_snyk_page, resource, base_url)


# -- Snyk's Export API ----------------------------------------------------------------------------
#
# createExport / createGroupExport (POST .../export: 202 with the export's id), getExportJobStatus
# (GET .../jobs/export/{export_id}: its status), getExport (GET .../export/{export_id}: the result
# files, signed URLs on another host), and the files themselves (CSV, read without the token).


@dataclass(frozen=True)
class ExportJob:
    """An export as the Export API describes it: its id, status (None in the start answer) and creation time."""

    id: str
    status: str | None
    created: pd.Timestamp | None


class _ExportData(msgspec.Struct):
    id: str
    attributes: dict[str, Any] = {}


class _ExportBody(msgspec.Struct):
    data: _ExportData


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _export(status: int, headers: Mapping[str, str], body: bytes, what: str) -> tuple[_ExportData, pd.Timestamp | None]:
    check_snyk(status, headers, body)
    data = _structured(_ExportBody, status, headers, body, what).data
    if not _UUID.fullmatch(data.id):  # spec: data.id is a uuid; it goes into the next URLs' paths
        raise contract_error(f"{what}: data.id is not a uuid: {data.id!r}", status, headers)
    created = data.attributes.get("created")
    if created is not None and not isinstance(created, str):
        raise contract_error(f"{what}: data.attributes.created is not a timestamp: {created!r}", status, headers)
    return data, None if created is None else _timestamp(created, status, headers, "data.attributes.created")


def decode_export_started(status: int, headers: Mapping[str, str], body: bytes) -> ExportJob:
    """POST /orgs/{org_id}/export or /groups/{group_id}/export (spec createExport): 202, the export's id.

    The answer's ``links.self`` is not followed: the spec's own example points it at a path
    (``/export/jobs/...``) that is not the status endpoint (``/jobs/export/...``).
    """
    data, created = _export(status, headers, body, "an export start answer")
    return ExportJob(data.id, None, created)


def decode_export_job(status: int, headers: Mapping[str, str], body: bytes) -> ExportJob:
    """GET .../jobs/export/{export_id} (spec getExportJobStatus): PENDING, STARTED, FINISHED or ERRORED.

    Snyk's Export API page calls the failed state ERROR: both are taken as a failed export. A
    FINISHED answer may also carry the results (the docs say so): they are read from getExport,
    whose signed links are the fresh ones.
    """
    data, created = _export(status, headers, body, "an export status answer")
    state = data.attributes.get("status")
    if state not in EXPORT_JOB_STATUS:
        raise contract_error(f"the export status {state!r} is none of {', '.join(EXPORT_JOB_STATUS)}", status, headers)
    return ExportJob(data.id, str(state), created)


@dataclass(frozen=True)
class ExportFile:
    """One result file of a finished export: a signed URL (valid about an hour), its size and rows."""

    url: str
    file_size: int | None
    row_count: int | None

    def __repr__(self) -> str:  # the signature in the query is a credential for the file: never shown
        return f"ExportFile(url={redact_query(self.url)!r}, file_size={self.file_size}, row_count={self.row_count})"


@dataclass(frozen=True)
class ExportResults:
    """getExport: the export's status, its total rows and the files that hold them."""

    id: str
    status: str
    row_count: int
    files: tuple[ExportFile, ...]
    finished: pd.Timestamp | None


class _ResultFile(msgspec.Struct):
    url: str
    file_size: int | None = None
    row_count: int | None = None


class _ResultsAttributes(msgspec.Struct):
    status: str
    row_count: int
    results: list[_ResultFile] = []
    finished: str | None = None


class _ResultsData(msgspec.Struct):
    id: str
    attributes: _ResultsAttributes


class _ResultsBody(msgspec.Struct):
    data: _ResultsData


def redact_query(url: str) -> str:
    """A URL without its query: a signed URL's query is its credential (logs and errors show this)."""
    return url.split("?", 1)[0] + ("?…" if "?" in url else "")


def decode_export_results(status: int, headers: Mapping[str, str], body: bytes) -> ExportResults:
    """GET .../export/{export_id} (spec getExport): status, row_count and ``results``, one per file.

    Each result is ``{"url", "file_size", "row_count"}`` (what Snyk serves; the spec only says
    object): a large export comes in several files, each a signed URL on Snyk's file storage.
    """
    check_snyk(status, headers, body)
    data = _structured(_ResultsBody, status, headers, body, "export results").data
    attributes = data.attributes
    if attributes.status not in EXPORT_JOB_STATUS:
        raise contract_error(f"the export status {attributes.status!r} is unknown", status, headers)
    files = tuple(ExportFile(r.url, r.file_size, r.row_count) for r in attributes.results)
    for file in files:
        if not file.url.startswith(("https://", "http://")):
            raise contract_error(f"an export result URL is not absolute: {redact_query(file.url)!r}", status, headers)
    if attributes.status == "FINISHED":
        counted = [f.row_count for f in files]
        if all(n is not None for n in counted) and sum(n or 0 for n in counted) != attributes.row_count:
            raise contract_error(
                f"the export's files hold {sum(n or 0 for n in counted)} rows, its row_count says "
                f"{attributes.row_count}", status, headers,
            )  # fmt: skip
    finished = attributes.finished
    return ExportResults(
        data.id, attributes.status, attributes.row_count, files,
        None if finished is None else _timestamp(finished, status, headers, "data.attributes.finished"),
    )  # fmt: skip


# the columns of the issues dataset, by the name in a CSV header
_EXPORT_FIELDS: dict[str, Field] = {f.path: f for f in EXPORT_ISSUES.fields}
_TRUE, _FALSE = {"true", "t", "yes", "1"}, {"false", "f", "no", "0"}


def _cell(value: str, f: Field | None) -> Any:
    """One CSV cell as the JSON value its column's kind wants (an empty cell is null)."""
    text = value.strip()
    if text == "":
        return None
    if f is None or f.kind in ("string", "timestamp"):
        return value
    if isinstance(f.kind, Enum):
        return text.lower()  # ISSUE_SEVERITY may come as "High": the schema's values are lower case
    if f.kind == "float":
        return float(text)
    if f.kind == "int":
        return int(text)
    if f.kind == "bool":
        low = text.lower()
        if low in _TRUE or low in _FALSE:
            return low in _TRUE
        raise ValueError(f"{text!r} is not true or false")
    # lists: CVE and CWE hold "one or several" ids: a JSON array, or ids separated by commas
    if text.startswith("["):  # JSON that opens with [ is a list, or is not JSON (a ValueError)
        return [str(v) for v in json.loads(text)]
    return [part.strip() for part in re.split(r"[,\s]+", text) if part.strip()]


def export_items(body: bytes) -> list[dict[str, Any]]:
    """An export file's CSV (a header row, then one row per issue) as JSON items, typed by column.

    Header names are matched case-insensitively to the documented columns; unknown columns are
    kept as text.
    """
    text = body.decode("utf-8-sig")  # a byte-order mark is not part of the first column's name
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        return []
    fields = [_EXPORT_FIELDS.get(name.strip().upper()) for name in header]
    names = [f.path if f is not None else name.strip() for f, name in zip(fields, header, strict=True)]
    items = []
    for number, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(header):
            raise ValueError(f"line {number} has {len(row)} cells, the header {len(header)}")
        item: dict[str, Any] = {}
        for name, f, value in zip(names, fields, row, strict=True):
            try:
                item[name] = _cell(value, f)
            except ValueError as exc:
                raise ValueError(f"line {number}, column {name}: {exc}") from None
        items.append(item)
    return items


def _storage_error(status: int, headers: Mapping[str, str], body: bytes) -> APIError:
    """An error answer of the file storage (S3-style XML: <Error><Code>..</Code><Message>..</Message>)."""
    text = body.decode("utf-8", "replace")
    code = re.search(r"<Code>([^<]*)</Code>", text)
    message = re.search(r"<Message>([^<]*)</Message>", text)
    said = ": ".join(m.group(1) for m in (code, message) if m) or snippet(body) or f"HTTP {status}"
    if 300 <= status < 400:
        said = f"the export file host answered with a redirect ({status}), which socketlab does not follow"
    kwargs: dict[str, Any] = {"status": status, "request_id": request_id_of(headers)}
    cls = error_class(status)
    if cls is RateLimitError:
        retry = parse_retry_after({k.lower(): v for k, v in headers.items()}.get("retry-after"))
        return RateLimitError(f"export file: {said}", retry_after=retry, **kwargs)
    return cls(f"export file: {said}", **kwargs)


def decode_export_file(status: int, headers: Mapping[str, str], body: bytes) -> Batch:
    """One downloaded export file: its CSV rows framed as the issues dataset (EXPORT_ISSUES).

    The file storage's own errors (an expired signature is a 403 with an XML body) become the
    matching typed error; a body that is not the CSV it should be is a contract error.
    """
    if not 200 <= status < 300:
        raise _storage_error(status, headers, body)
    try:
        items = export_items(body)
    except (ValueError, UnicodeDecodeError, csv.Error) as exc:
        raise contract_error(f"an export file is not the CSV it should be: {exc}", status, headers) from None
    return _framed(lambda: framer(EXPORT_ISSUES).batch(items), status, headers, "an export file")
