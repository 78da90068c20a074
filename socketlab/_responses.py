"""Decode a response (status, headers, body) into data or the matching exception.

Pure functions in the manner of gidgethub's ``decipher_response``: no networking, so they are
tested with recorded bodies and hand-made awkward ones.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Callable, Mapping
from typing import Any

import msgspec
import orjson

from socketlab._errors import (
    APIError,
    BadRequestError,
    ErrorObject,
    ForbiddenError,
    NotFoundError,
    RateLimitError,
    ServerError,
    UnauthorizedError,
    UnexpectedResponseError,
)

__all__ = [
    "RawItems",
    "decode_snyk",
    "decode_socket",
    "decode_socket_page",
    "error_class",
    "parse_retry_after",
    "request_id_of",
]

_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    429: RateLimitError,
}
_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "snyk-request-id", "x-amzn-requestid")


def error_class(status: int) -> type[APIError]:
    """The exception class for an error status."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return ServerError
    return APIError


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def request_id_of(headers: Mapping[str, str]) -> str | None:
    """The server's id for this request, from the first request-id header present."""
    low = _lower(headers)
    return next((low[name] for name in _REQUEST_ID_HEADERS if low.get(name)), None)


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date (RFC 9110).

    None when absent or unreadable; a date in the past gives 0.
    """
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # an HTTP date is always GMT
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


def _snippet(body: bytes) -> str:
    text = body.decode("utf-8", "replace").strip()
    return text[:200] + ("…" if len(text) > 200 else "")


ErrorReader = Callable[[bytes, int], tuple[str, Any, tuple[ErrorObject, ...]]]


def _decode(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    method: str,
    url: str,
    now: dt.datetime | None,
    read_error: ErrorReader,
) -> Any:
    request_id = request_id_of(headers)
    if 200 <= status < 300:
        try:
            return orjson.loads(body)  # several times faster than json on big pages
        except ValueError:
            raise UnexpectedResponseError(
                f"the body is not JSON: {_snippet(body)!r}",
                status=status,
                method=method,
                url=url,
                request_id=request_id,
            ) from None
    message, details, errors = read_error(body, status)
    cls = error_class(status)
    kwargs: dict[str, Any] = {
        "status": status,
        "method": method,
        "url": url,
        "details": details,
        "request_id": request_id,
        "errors": errors,
    }
    if cls is RateLimitError:
        raise RateLimitError(message, retry_after=parse_retry_after(_lower(headers).get("retry-after"), now), **kwargs)
    raise cls(message, **kwargs)


def decode_socket(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    method: str,
    url: str,
    now: dt.datetime | None = None,
) -> Any:
    """The JSON of a 2xx Socket response, or raise the exception its status calls for.

    Socket errors are ``{"error": {"message": str, "details": object | null}}`` (spec
    components.responses); a body that is not that shape still raises the right class, with the
    start of the body as the message, so a proxy's HTML error page is not a crash.
    """
    return _decode(status, headers, body, method=method, url=url, now=now, read_error=_socket_error)


def decode_snyk(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    method: str,
    url: str,
    now: dt.datetime | None = None,
) -> Any:
    """The JSON of a 2xx Snyk response, or raise the exception its status calls for.

    Snyk errors are JSON:API ``{"jsonapi": ..., "errors": [...]}``; every error object is kept
    (status, code, title, detail, id, source.parameter/pointer). The overview's bare 401 body
    ``{"status": "401", "code": "Unauthorized"}`` and non-JSON bodies are tolerated.
    """
    return _decode(status, headers, body, method=method, url=url, now=now, read_error=_jsonapi_errors)


def _socket_error(body: bytes, status: int) -> tuple[str, Any, tuple[ErrorObject, ...]]:
    data = _json_or_none(body)
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return error["message"], error.get("details"), ()
    return _fallback_message(body, status), None, ()


def _jsonapi_errors(body: bytes, status: int) -> tuple[str, Any, tuple[ErrorObject, ...]]:
    data = _json_or_none(body)
    if isinstance(data, dict) and isinstance(data.get("errors"), list):
        objects = tuple(_error_object(e) for e in data["errors"] if isinstance(e, dict))
    elif isinstance(data, dict) and ("code" in data or "status" in data):  # the bare 401 of the overview
        objects = (_error_object(data),)
    else:
        return _fallback_message(body, status), None, ()
    texts = [o.detail or o.title or o.code or f"HTTP {status}" for o in objects[:3]]
    message = "; ".join(texts) or f"HTTP {status}"
    if len(objects) > 3:
        message += f" (and {len(objects) - 3} more)"
    return message, None, objects


def _error_object(raw: dict[str, Any]) -> ErrorObject:
    source: dict[str, Any] = raw["source"] if isinstance(raw.get("source"), dict) else {}

    def text(value: Any) -> str | None:
        return None if value is None else str(value)

    return ErrorObject(
        status=text(raw.get("status")),
        code=text(raw.get("code")),
        title=text(raw.get("title")),
        detail=text(raw.get("detail")),
        id=text(raw.get("id")),
        parameter=text(source.get("parameter")),
        pointer=text(source.get("pointer")),
    )


def _json_or_none(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except ValueError:
        return None


def _fallback_message(body: bytes, status: int) -> str:
    snippet = _snippet(body)
    if not snippet:
        return f"HTTP {status} with an empty body"
    return snippet if _json_or_none(body) is None else f"HTTP {status}: {snippet}"


class RawItems(list):  # type: ignore[type-arg]
    """A page's items still as raw JSON, one ``msgspec.Raw`` each: framed straight into Arrow."""

    def item(self, index: int) -> Any:
        """One item decoded (for the rare look at a single item)."""
        return orjson.loads(bytes(self[index]))


class _Page(msgspec.Struct):
    items: list[msgspec.Raw]
    meta: dict[str, Any] = {}
    endCursor: str | None = None


_PAGE = msgspec.json.Decoder(_Page)


def decode_socket_page(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    method: str,
    url: str,
    now: dt.datetime | None = None,
) -> Any:
    """A Socket list page ``{"meta", "items", "endCursor"}`` whose items stay raw JSON.

    Only the page's outline is parsed here (msgspec validates it: items a list, endCursor a
    string or null); the items go to the frame builder as raw bytes, never as Python dicts.
    Error statuses decode as in decode_socket.
    """
    if not 200 <= status < 300:
        return decode_socket(status, headers, body, method=method, url=url, now=now)
    try:
        page = _PAGE.decode(body)
    except msgspec.ValidationError as exc:  # JSON, but not the shape of a page
        raise UnexpectedResponseError(
            f"not a page of items: {exc}", status=status, method=method, url=url, request_id=request_id_of(headers)
        ) from None
    except msgspec.DecodeError:
        raise UnexpectedResponseError(
            f"the body is not JSON: {_snippet(body)!r}",
            status=status, method=method, url=url, request_id=request_id_of(headers),
        ) from None  # fmt: skip
    return {"meta": page.meta, "items": RawItems(page.items), "endCursor": page.endCursor}
