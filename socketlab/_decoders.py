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

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec
import orjson
import pandas as pd

from socketlab._errors import UnexpectedResponseError
from socketlab._frames import Batch, framer, to_frame, trend_frame, utc_timestamp
from socketlab._pages import snyk_next_url, socket_next_cursor
from socketlab._responses import check_snyk, check_socket, contract_error, request_id_of, snippet
from socketlab._schema import ORGANIZATIONS, Resource

__all__ = [
    "Decoder",
    "JobReceipt",
    "Quota",
    "SnykPage",
    "SocketPage",
    "decode_organizations",
    "decode_quota",
    "decode_snapshot_job",
    "decode_trend",
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
class SocketPage:
    """One page of a Socket list: its items as typed columns, the API's meta, the next cursor."""

    batch: Batch
    meta: dict[str, Any]
    next_cursor: str | None
    body: bytes

    @property
    def rows(self) -> int:
        return self.batch.rows

    def json(self) -> dict[str, Any]:
        """The page as the API sent it."""
        page: dict[str, Any] = orjson.loads(self.body)
        return page


def _socket_page(resource: Resource, status: int, headers: Mapping[str, str], body: bytes) -> SocketPage:
    check_socket(status, headers, body)
    page = _structured(_SocketList, status, headers, body, "a page of items")
    next_cursor = _told(headers, socket_next_cursor, page.endCursor)
    for key in ("startDateInclusive", "endDateInclusive"):  # backfills tile windows by these days
        day = page.meta.get(key)
        if day is not None and not _is_day(day):
            raise contract_error(f"meta.{key} is not a YYYY-MM-DD day: {day!r}", status, headers)
    batch = _framed(lambda: framer(resource).batch(page.items), status, headers, "the page's items")
    return SocketPage(batch, page.meta, next_cursor, body)


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
class SnykPage:
    """One page of a JSON:API collection: its resources as typed columns and the next link."""

    batch: Batch
    next_url: str | None
    body: bytes

    @property
    def rows(self) -> int:
        return self.batch.rows

    def json(self) -> dict[str, Any]:
        """The page as the API sent it."""
        page: dict[str, Any] = orjson.loads(self.body)
        return page


def _snyk_page(resource: Resource, base_url: str, status: int, headers: Mapping[str, str], body: bytes) -> SnykPage:
    check_snyk(status, headers, body)
    page = _structured(_SnykList, status, headers, body, "a JSON:API collection page")
    next_url = _told(headers, snyk_next_url, page.links, base_url)
    batch = _framed(lambda: framer(resource).batch(page.data), status, headers, "the page's data")
    return SnykPage(batch, next_url, body)


def snyk_page_decoder(resource: Resource, base_url: str) -> Decoder[SnykPage]:
    """The decoder of a page of a Snyk collection of ``resource``; next links resolve against
    ``base_url`` (a link to another host is refused)."""
    return functools.partial(_snyk_page, resource, base_url)
