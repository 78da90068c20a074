"""The shell's retry rules, driven through httpx's MockTransport seam with scripted answers."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest

from socketlab import APIError, QuotaExceededError, RateLimitError, ServerError, SocketClient, TransportError

PAGE = {
    "meta": {
        "organizationId": "o",
        "queryStartTimestamp": 0,
        "startDateInclusive": "2026-01-01",
        "endDateInclusive": "2026-01-01",
        "filters": {},
    },
    "items": [],
    "endCursor": None,
}
JOB = {"requestId": "r1", "requestedBy": "me", "requestedAt": "2026-01-01T00:00:00.000Z"}


def _error(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, headers=headers, json={"error": {"message": f"status {status}", "details": None}})


def _client(
    script: list[Callable[[httpx.Request], httpx.Response] | httpx.Response], slept: list[float], **kw: object
) -> tuple[SocketClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        step = script.pop(0)
        return step(request) if callable(step) else step

    sock = SocketClient(token="sktsec_t", transport=httpx.MockTransport(handler), sleep=slept.append, **kw)  # type: ignore[arg-type]
    return sock, seen


def _raise(exc: type[httpx.TransportError]) -> Callable[[httpx.Request], httpx.Response]:
    def step(request: httpx.Request) -> httpx.Response:
        raise exc("scripted", request=request)

    return step


def test_get_retries_5xx_with_backoff_then_succeeds() -> None:
    slept: list[float] = []
    sock, seen = _client([_error(503), _error(502), httpx.Response(200, json=PAGE)], slept)
    assert len(sock.snapshots("acme")) == 0
    assert len(seen) == 3
    assert len(slept) == 2
    assert 0 < slept[0] <= slept[1] + 0.5 + 1e-9  # exponential, jittered
    assert sock.quota_spent == 10  # only the answered 200 spent quota


def test_get_gives_up_after_the_attempts_allowed() -> None:
    slept: list[float] = []
    sock, seen = _client([_error(500)] * 3, slept, max_retries=2)
    with pytest.raises(ServerError, match="500 from GET"):
        sock.snapshots("acme")
    assert len(seen) == 3


@pytest.mark.parametrize("exc", [httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ConnectError])
def test_get_retries_connection_errors(exc: type[httpx.TransportError]) -> None:
    slept: list[float] = []
    sock, seen = _client([_raise(exc), httpx.Response(200, json=PAGE)], slept)
    sock.snapshots("acme")
    assert len(seen) == 2


def test_connection_errors_that_persist_become_a_transport_error() -> None:
    slept: list[float] = []
    sock, _ = _client([_raise(httpx.ReadTimeout)] * 5, slept)
    with pytest.raises(TransportError, match="ReadTimeout after 5 attempt"):
        sock.snapshots("acme")


def test_a_post_is_not_blindly_retried() -> None:
    """A 503 or a read timeout on POST may have started a job: retrying could start two."""
    for failure in (_error(503), _raise(httpx.ReadTimeout)):
        slept: list[float] = []
        sock, seen = _client([failure, httpx.Response(200, json=JOB)], slept)
        with pytest.raises((ServerError, TransportError)):
            sock.start_snapshot("acme")
        assert len(seen) == 1


def test_a_post_is_retried_when_it_never_reached_the_server() -> None:
    slept: list[float] = []
    sock, seen = _client([_raise(httpx.ConnectError), httpx.Response(200, json=JOB)], slept)
    assert sock.start_snapshot("acme").request_id == "r1"
    assert len(seen) == 2


def test_a_post_refused_with_429_waits_and_retries() -> None:
    """429 means the request was not processed, so even a POST may try again."""
    slept: list[float] = []
    sock, seen = _client([_error(429, {"Retry-After": "5"}), httpx.Response(200, json=JOB)], slept)
    sock.start_snapshot("acme")
    assert slept == [5.0]
    assert len(seen) == 2


def test_429_without_retry_after_backs_off_and_finally_raises() -> None:
    slept: list[float] = []
    sock, _ = _client([_error(429)] * 3, slept, max_retries=2)
    with pytest.raises(RateLimitError) as info:
        sock.snapshots("acme")
    assert type(info.value) is RateLimitError
    assert info.value.retry_after is None
    assert len(slept) == 2


def test_max_retry_wait_is_configurable() -> None:
    slept: list[float] = []
    sock, _ = _client([_error(429, {"Retry-After": "90"})], slept, max_retry_wait=30)
    with pytest.raises(QuotaExceededError, match="Retry-After 90 s is longer than max_retry_wait=30 s"):
        sock.snapshots("acme")
    assert slept == []


def test_retries_are_logged_without_the_token(caplog: pytest.LogCaptureFixture) -> None:
    slept: list[float] = []
    sock, _ = _client([_error(503), httpx.Response(200, json=PAGE)], slept)
    with caplog.at_level(logging.DEBUG):
        sock.snapshots("acme")
    assert any("HTTP 503 from GET https://api.socket.dev/v0/orgs/acme" in r.getMessage() for r in caplog.records)
    assert not any("sktsec_t" in r.getMessage() for r in caplog.records)


def test_redirects_are_not_followed() -> None:
    """A redirect could carry the Authorization header to another host."""
    slept: list[float] = []
    sock, seen = _client([httpx.Response(302, headers={"Location": "https://evil.test/"})], slept)
    with pytest.raises(APIError, match="302"):
        sock.snapshots("acme")
    assert len(seen) == 1
