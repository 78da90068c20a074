"""Decoding Socket responses: data, or the typed exception with everything the API said."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from socketlab import (
    APIError,
    BadRequestError,
    ForbiddenError,
    NotFoundError,
    RateLimitError,
    ServerError,
    UnauthorizedError,
    UnexpectedResponseError,
)
from socketlab._responses import decode_socket, parse_retry_after

URL = "https://api.socket.dev/v0/orgs/acme/historical/snapshots?per_page=10"


def _error_body(message: str, details: object = None) -> bytes:
    return json.dumps({"error": {"message": message, "details": details}}).encode()


def test_a_2xx_body_is_returned_as_json() -> None:
    assert decode_socket(200, {}, b'{"items": [], "endCursor": null}') == {
        "items": [],
        "endCursor": None,
    }


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, UnauthorizedError),
        (403, ForbiddenError),
        (404, NotFoundError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
        (418, APIError),
    ],
)
def test_error_statuses_map_to_their_class(status: int, cls: type[APIError]) -> None:
    """Each status of the spec's error responses raises its own class, with message and details."""
    with pytest.raises(cls) as info:
        decode_socket(status, {"X-Request-Id": "req-1"}, _error_body("nope", {"parameter": "per_page"}))
    error = info.value
    assert type(error) is cls
    assert (error.status, error.message, error.details, error.request_id) == (
        status,
        "nope",
        {"parameter": "per_page"},
        "req-1",
    )
    assert (error.method, error.url) == (None, None)  # a pure decoder sees no request: the shell names it
    assert str(error).startswith(f"{status}: nope")
    error.in_context("GET", URL)
    assert f"{status} from GET {URL}: nope" in str(error)


def test_forbidden_max_quota_keeps_the_api_message() -> None:
    """spec SocketForbidden: 'Insufficient max_quota for API method' reaches the user verbatim."""
    with pytest.raises(ForbiddenError, match="Insufficient max_quota for API method"):
        decode_socket(403, {}, _error_body("Insufficient max_quota for API method"))


def test_rate_limit_carries_retry_after_seconds() -> None:
    with pytest.raises(RateLimitError) as info:
        decode_socket(429, {"Retry-After": "42"}, _error_body("Insufficient quota for API route"))
    assert info.value.retry_after == 42.0


def test_rate_limit_with_an_http_date() -> None:
    """Retry-After may be an HTTP date (RFC 9110); it becomes seconds from now."""
    now = dt.datetime(2026, 11, 1, 12, 0, 0, tzinfo=dt.UTC)
    with pytest.raises(RateLimitError) as info:
        decode_socket(429, {"retry-after": "Sun, 01 Nov 2026 12:30:00 GMT"}, b"", now=now)
    assert info.value.retry_after == 1800.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 3 ", 3.0),
        ("0", 0.0),
        ("-5", 0.0),
        ("Sun, 01 Nov 2026 11:00:00 GMT", 0.0),
        ("soon", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    """Seconds, dates (past ones give 0) and junk (None: no advice)."""
    now = dt.datetime(2026, 11, 1, 12, 0, 0, tzinfo=dt.UTC)
    assert parse_retry_after(value, now) == expected


@pytest.mark.parametrize(
    "body", [b"<html><body>502 Bad Gateway</body></html>", b"", b'{"message": "other shape"}', b"[1,2]"]
)
def test_error_bodies_of_other_shapes_still_raise_the_right_class(body: bytes) -> None:
    """A proxy's HTML page or an empty body is not a crash: the class follows the status."""
    with pytest.raises(ServerError) as info:
        decode_socket(502, {}, body)
    assert info.value.message


def test_a_2xx_that_is_not_json_is_an_unexpected_response() -> None:
    with pytest.raises(UnexpectedResponseError, match="not JSON"):
        decode_socket(200, {}, b"<html>maintenance</html>")
