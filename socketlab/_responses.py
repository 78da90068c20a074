"""The rules every response follows: an error status becomes its typed exception, a 2xx body is JSON.

Pure functions in the manner of gidgethub's ``decipher_response``: they see a status, headers
and a body, never a request, so they raise errors without one (the client shell names the
method and URL before an error leaves it). The per-operation decoders in ``_decoders`` build on
these; tests feed them recorded bodies and hand-made awkward ones.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Callable, Mapping
from typing import Any

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
    "ErrorReader",
    "check_snyk",
    "check_socket",
    "contract_error",
    "decode_snyk",
    "decode_socket",
    "error_class",
    "json_body",
    "parse_retry_after",
    "request_id_of",
    "snippet",
]

_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    429: RateLimitError,
}
_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "snyk-request-id", "x-amzn-requestid")
SNIPPET_CHARS = 200  # how much of an unreadable body an error quotes


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

    None when absent or unreadable; a date in the past gives 0. A date with an offset other
    than GMT (which RFC 9110 forbids, but servers send) is honoured as written.
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
    if when.tzinfo is None:  # "-0000" (and a bare date) means UTC: an HTTP date is always GMT
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


def snippet(body: bytes) -> str:
    """The start of a body, for an error message about a body that could not be read."""
    text = body.decode("utf-8", "replace").strip()
    return text[:SNIPPET_CHARS] + ("…" if len(text) > SNIPPET_CHARS else "")


def contract_error(
    message: str, status: int, headers: Mapping[str, str], details: Any = None
) -> UnexpectedResponseError:
    """The error for a body that breaks the API's contract (the shell adds method and URL)."""
    return UnexpectedResponseError(message, status=status, details=details, request_id=request_id_of(headers))


def json_body(status: int, headers: Mapping[str, str], body: bytes) -> Any:
    """A 2xx body as JSON, or UnexpectedResponseError quoting its start."""
    try:
        return orjson.loads(body)  # several times faster than json on big pages
    except orjson.JSONDecodeError:
        raise contract_error(f"the body is not JSON: {snippet(body)!r}", status, headers) from None


ErrorReader = Callable[[bytes, int], tuple[str, Any, tuple[ErrorObject, ...]]]


def _check(status: int, headers: Mapping[str, str], body: bytes, now: dt.datetime | None, read: ErrorReader) -> None:
    if 200 <= status < 300:
        return
    message, details, errors = read(body, status)
    cls = error_class(status)
    kwargs: dict[str, Any] = {
        "status": status,
        "details": details,
        "request_id": request_id_of(headers),
        "errors": errors,
    }
    if cls is RateLimitError:
        raise RateLimitError(message, retry_after=parse_retry_after(_lower(headers).get("retry-after"), now), **kwargs)
    raise cls(message, **kwargs)


def check_socket(status: int, headers: Mapping[str, str], body: bytes, now: dt.datetime | None = None) -> None:
    """Return for a 2xx; raise the exception a Socket error status calls for.

    Socket errors are ``{"error": {"message": str, "details": object | null}}`` (spec
    components.responses); a body that is not that shape still raises the right class, with the
    start of the body as the message, so a proxy's HTML error page is not a crash.
    """
    _check(status, headers, body, now, _socket_error)


def check_snyk(status: int, headers: Mapping[str, str], body: bytes, now: dt.datetime | None = None) -> None:
    """Return for a 2xx; raise the exception a Snyk error status calls for.

    Snyk errors are JSON:API ``{"jsonapi": ..., "errors": [...]}``; every error object is kept
    (status, code, title, detail, id, source.parameter/pointer). The overview's bare 401 body
    ``{"status": "401", "code": "Unauthorized"}`` and non-JSON bodies are tolerated.
    """
    _check(status, headers, body, now, _jsonapi_errors)


def decode_socket(status: int, headers: Mapping[str, str], body: bytes, now: dt.datetime | None = None) -> Any:
    """Any Socket answer as JSON, or the typed exception (operations with a known shape have their own decoder)."""
    check_socket(status, headers, body, now)
    return json_body(status, headers, body)


def decode_snyk(status: int, headers: Mapping[str, str], body: bytes, now: dt.datetime | None = None) -> Any:
    """Any Snyk answer as JSON, or the typed exception (collections have their own decoder)."""
    check_snyk(status, headers, body, now)
    return json_body(status, headers, body)


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
    except orjson.JSONDecodeError:
        return None


def _fallback_message(body: bytes, status: int) -> str:
    text = snippet(body)
    if not text:
        return f"HTTP {status} with an empty body"
    return text if _json_or_none(body) is None else f"HTTP {status}: {text}"
