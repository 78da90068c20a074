"""Decoding Socket responses: data, or the typed exception with everything the API said."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from socketlab import (
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
from socketlab._responses import (
    check_snyk,
    contract_error,
    decode_snyk,
    decode_socket,
    error_class,
    json_body,
    parse_retry_after,
    request_id_of,
    snippet,
)

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


# -- every status, every header, every body shape, exactly ---------------------------------------------

NOW = dt.datetime(2026, 11, 1, 12, 0, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("status", "cls"),
    [(300, APIError), (304, APIError), (199, APIError), (402, APIError), (499, APIError), (500, ServerError),
     (599, ServerError), (400, BadRequestError), (429, RateLimitError)],
)  # fmt: skip
def test_only_a_2xx_is_data(status: int, cls: type[APIError]) -> None:
    """A 300 (or a 1xx) is not data: it raises, with the class its status calls for."""
    assert error_class(status) is cls
    for decode in (decode_socket, decode_snyk):
        with pytest.raises(APIError) as info:
            decode(status, {}, b'{"items": []}')
        assert type(info.value) is cls
        assert info.value.status == status


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_every_2xx_is_data(status: int) -> None:
    assert decode_socket(status, {}, b'{"a": 1}') == {"a": 1}
    assert decode_snyk(status, {}, b"[1]") == [1]
    assert check_snyk(status, {}, b"") is None


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"X-Request-Id": "a", "Snyk-Request-Id": "b"}, "a"),
        ({"request-id": "c", "snyk-request-id": "d"}, "c"),
        ({"SNYK-REQUEST-ID": "d", "x-amzn-RequestId": "e"}, "d"),
        ({"X-Amzn-RequestId": "e"}, "e"),
        ({"x-request-id": "", "snyk-request-id": "f"}, "f"),  # an empty header is no id
        ({"x-trace-id": "g"}, None),
        ({}, None),
    ],
)
def test_the_request_id_is_the_first_id_header_present(headers: dict[str, str], expected: str | None) -> None:
    assert request_id_of(headers) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Sun, 01 Nov 2026 12:30:00 -0000", 1800.0),  # -0000: UTC (RFC 5322)
        ("Sun, 01 Nov 2026 12:30:00 +0000", 1800.0),
        ("Sun, 01 Nov 2026 14:30:00 +0200", 1800.0),  # an offset RFC 9110 forbids, honoured as written
        ("Sun, 01 Nov 2026 07:30:00 -0500", 1800.0),
        ("Sun, 01 Nov 2026 12:30:00 UTC", 1800.0),
        ("Sun, 01 Nov 2026 12:00:10 GMT", 10.0),
        ("Sun, 01 Nov 2026 12:00:00 GMT", 0.0),
        ("  Sun, 01 Nov 2026 12:00:05 GMT  ", 5.0),
        ("1.5", 1.5),
        ("", None),
        ("Sun, 32 Nov 2026 12:00:00 GMT", None),
    ],
)
def test_retry_after_dates_with_any_offset(value: str, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_retry_after_is_measured_from_now_when_no_now_is_given() -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    wait = parse_retry_after(later.strftime("%a, %d %b %Y %H:%M:%S GMT"))
    assert wait is not None and 3500 < wait <= 3600
    assert parse_retry_after("Sat, 01 Jan 2000 00:00:00 GMT") == 0.0


def test_a_rate_limit_reads_retry_after_in_any_case_and_knows_its_request() -> None:
    with pytest.raises(RateLimitError) as info:
        decode_socket(429, {"RETRY-AFTER": "Sun, 01 Nov 2026 12:01:00 -0000", "X-Request-Id": "q"}, b"", now=NOW)
    assert (info.value.retry_after, info.value.request_id, info.value.message) == (
        60.0,
        "q",
        "HTTP 429 with an empty body",
    )
    with pytest.raises(RateLimitError) as info:
        decode_socket(429, {}, b"")
    assert info.value.retry_after is None


def test_a_snippet_is_the_first_200_characters_then_an_ellipsis() -> None:
    assert snippet(b"x" * 200) == "x" * 200
    assert snippet(b"x" * 201) == "x" * 200 + "…"
    assert snippet(b"  \n<html> \xff </html>\n ") == "<html> \ufffd </html>"  # stripped, undecodable bytes replaced
    assert snippet(b"") == ""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "HTTP 502 with an empty body"),
        (b"  \n ", "HTTP 502 with an empty body"),
        (b"<html>Bad Gateway</html>", "<html>Bad Gateway</html>"),
        (b"<p>" + b"y" * 300, "<p>" + "y" * 197 + "…"),
        (b'{"message": "other shape"}', 'HTTP 502: {"message": "other shape"}'),
        (b"[1,2]", "HTTP 502: [1,2]"),
        (b'{"error": "text"}', 'HTTP 502: {"error": "text"}'),
        (b'{"error": {"message": 5}}', 'HTTP 502: {"error": {"message": 5}}'),
        (b'{"error": {"details": "d"}}', 'HTTP 502: {"error": {"details": "d"}}'),
    ],
)
def test_a_socket_error_body_of_another_shape_is_quoted(body: bytes, message: str) -> None:
    """Empty: said so; not JSON: its start; JSON of another shape: the status, then its start. No details."""
    with pytest.raises(ServerError) as info:
        decode_socket(502, {}, body)
    assert (info.value.message, info.value.details, info.value.errors) == (message, None, ())


def test_a_socket_error_keeps_its_details_whatever_their_shape() -> None:
    with pytest.raises(BadRequestError) as info:
        decode_socket(400, {}, _error_body("bad range", ["range", 5]))
    assert (info.value.message, info.value.details, info.value.errors) == ("bad range", ["range", 5], ())
    with pytest.raises(NotFoundError) as info:
        decode_socket(404, {}, b'{"error": {"message": "no org"}}')
    assert (info.value.message, info.value.details) == ("no org", None)


def _snyk_errors(*errors: object) -> bytes:
    return json.dumps({"jsonapi": {"version": "1.0"}, "errors": list(errors)}).encode()


@pytest.mark.parametrize(
    ("errors", "message"),
    [
        ([{"detail": "d", "title": "t", "code": "c"}], "d"),
        ([{"title": "t", "code": "c"}], "t"),
        ([{"code": "c"}], "c"),
        ([{"status": "400"}], "HTTP 400"),
        ([], "HTTP 400"),
        (["not an object", {"detail": "d"}], "d"),
        ([{"detail": "a"}, {"detail": "b"}, {"detail": "c"}], "a; b; c"),
        ([{"detail": "a"}, {"detail": "b"}, {"detail": "c"}, {"detail": "d"}], "a; b; c (and 1 more)"),
        ([{"detail": str(i)} for i in range(12)], "0; 1; 2 (and 9 more)"),
    ],
)
def test_a_jsonapi_error_message_is_the_first_three_errors_and_a_count(errors: list[object], message: str) -> None:
    """Each error says its detail, else its title, else its code, else the status; more than three are counted."""
    with pytest.raises(BadRequestError) as info:
        decode_snyk(400, {}, _snyk_errors(*errors))
    assert info.value.message == message
    assert len(info.value.errors) == len([e for e in errors if isinstance(e, dict)])
    assert info.value.details is None


def test_every_field_of_a_jsonapi_error_is_kept_as_text() -> None:
    body = _snyk_errors(
        {"id": 7, "status": 400, "code": "SNYK-1", "title": "Bad", "detail": "no", "source": {"parameter": "limit"}},
        {"status": "400", "source": {"pointer": "/data", "parameter": None}},
        {"status": "400", "source": "limit"},  # a source that is no object says nothing
    )
    with pytest.raises(BadRequestError) as info:
        decode_snyk(400, {"snyk-request-id": "r-2"}, body)
    assert info.value.errors == (
        ErrorObject(status="400", code="SNYK-1", title="Bad", detail="no", id="7", parameter="limit"),
        ErrorObject(status="400", pointer="/data"),
        ErrorObject(status="400"),
    )
    assert (info.value.request_id, info.value.errors[0].parameter) == ("r-2", "limit")


@pytest.mark.parametrize(
    ("body", "message", "objects"),
    [
        (b'{"status": "401", "code": "Unauthorized"}', "Unauthorized", 1),
        (b'{"status": "401"}', "HTTP 401", 1),
        (b'{"code": "Unauthorized"}', "Unauthorized", 1),
        (b'{"message": "no"}', 'HTTP 401: {"message": "no"}', 0),
        (b'{"errors": "no"}', 'HTTP 401: {"errors": "no"}', 0),
        (b"[]", "HTTP 401: []", 0),
        (b"Unauthorized", "Unauthorized", 0),
        (b"", "HTTP 401 with an empty body", 0),
    ],
)
def test_a_snyk_error_body_of_another_shape(body: bytes, message: str, objects: int) -> None:
    """The overview's bare 401 is one error object; any other shape is quoted like Socket's."""
    with pytest.raises(UnauthorizedError) as info:
        decode_snyk(401, {}, body)
    assert (info.value.message, len(info.value.errors)) == (message, objects)


def test_a_body_that_is_not_json_names_its_start_and_request() -> None:
    with pytest.raises(UnexpectedResponseError) as info:
        json_body(200, {"x-request-id": "r-1"}, b"<html>" + b"z" * 300)
    error = info.value
    assert error.message == "the body is not JSON: " + repr("<html>" + "z" * 194 + "…")
    assert (error.status, error.request_id, error.details) == (200, "r-1", None)
    made = contract_error("bad page", 201, {"request-id": "r-3"}, details={"at": "$.items"})
    assert (made.message, made.status, made.request_id, made.details) == ("bad page", 201, "r-3", {"at": "$.items"})


@pytest.mark.parametrize("decode", [decode_socket, decode_snyk])
def test_a_2xx_that_is_not_json_keeps_its_status_and_a_429_its_clock(decode: object) -> None:
    with pytest.raises(UnexpectedResponseError) as info:
        decode(201, {}, b"<html>")  # type: ignore[operator]
    assert (info.value.status, info.value.message) == (201, "the body is not JSON: '<html>'")
    with pytest.raises(RateLimitError) as limited:
        decode(429, {"Retry-After": "Sun, 01 Nov 2026 12:00:30 GMT"}, b"", now=NOW)  # type: ignore[operator]
    assert limited.value.retry_after == 30.0
