"""Under faults, socketlab returns exactly the data the API holds, or a typed error; never half."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from socketlab import (
    ConfigurationError,
    PaginationError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    SnykClient,
    SocketClient,
    TransportError,
    UnexpectedResponseError,
    sandbox,
)
from socketlab.sandbox import SandboxToken, SnykSandbox, SocketSandbox
from socketlab.sandbox._bad_inputs import BAD_INPUTS, run_bad_input
from socketlab.sandbox._faults import ALL_FAULTS, Faults, Faulty
from socketlab.sandbox._soak import run_soak
from tests.conftest import FakeTime


@pytest.mark.parametrize("cache", [True, False], ids=["cache on (the default)", "cache off"])
def test_the_soak_loses_nothing(cache: bool) -> None:
    """Thousands of requests under every kind of fault: identical frames or typed errors only.

    With the cache on, every run is run again on the cache it filled, under new faults: no run
    fails because of an earlier one.
    """
    report = run_soak(runs=25, rate=0.15, seed=11, cache=cache)
    assert report.requests >= 1500
    assert report.faults_injected >= 250
    assert set(report.faults) == set(ALL_FAULTS)
    assert report.violations == []
    assert report.rows_lost == report.rows_duplicated == 0
    assert report.complete >= report.runs // 2
    assert set(report.typed_errors) <= {"PaginationError"}  # the server bugs; every transient fault was survived
    if cache:
        assert report.from_cache >= report.runs // 4  # re-runs of completed runs cost nothing


def _socket(app: Any, clock: FakeTime, **kwargs: Any) -> SocketClient:
    return SocketClient(token=sandbox.DEMO_TOKEN, transport=sandbox.transport(app), progress=False,
                        sleep=clock.sleep, clock=clock.monotonic, check_quota=False, **kwargs)  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "error", "message"),
    [
        ("reset", TransportError, "RemoteProtocolError after 5 attempt"),
        ("timeout", TransportError, "ReadTimeout after 5 attempt"),
        ("500", ServerError, "500 from GET"),
        ("502", ServerError, "502 Bad Gateway"),
        ("503", ServerError, "Service unavailable"),
        ("429", RateLimitError, "Too many requests"),
        ("429-no-retry-after", RateLimitError, "Too many requests"),
        ("truncated", UnexpectedResponseError, "not JSON"),
        ("invalid-json", UnexpectedResponseError, "not JSON"),
        ("empty", UnexpectedResponseError, "not JSON"),
        ("wrong-shape", UnexpectedResponseError, "missing required field `items`"),
    ],
)
@pytest.mark.parametrize("cache", [True, False], ids=["cache on", "cache off"])
def test_a_fault_that_never_clears_ends_in_its_typed_error(
    app: SocketSandbox, clock: FakeTime, kind: str, error: type[Exception], message: str, cache: bool
) -> None:
    """Every transient fault is retried over the network (a bad body is never stored to be
    replayed); if it persists, the error says what failed and which request it was."""
    faulty = Faulty(app, Faults(rate=1.0, kinds=(kind,)))
    with _socket(faulty, clock, cache=cache) as sock, pytest.raises(error, match=message) as info:
        sock.snapshots("globex", date="2026-03-01", range="-3d")
    assert faulty.requests == 5  # the first try and 4 retries
    if isinstance(info.value, UnexpectedResponseError | ServerError | RateLimitError):
        assert info.value.method == "GET"
        assert "/orgs/globex/historical/snapshots?" in (info.value.url or "")
        assert "/orgs/globex/historical/snapshots?" in str(info.value)


def test_a_transient_fault_is_survived_with_the_right_waits(app: SocketSandbox, clock: FakeTime) -> None:
    faulty = Faulty(app, Faults(rate=0.5, seed=3, kinds=("429",), retry_after=7))
    with _socket(faulty, clock) as sock:
        frame = sock.snapshots("acme-corp", date="2026-03-01", range="-30d", per_page=20)
    with _socket(app, clock, cache=False) as clean:
        reference = clean.snapshots("acme-corp", date="2026-03-01", range="-30d", per_page=20)
    pd.testing.assert_frame_equal(frame, reference)
    assert faulty.injected["429"] > 0
    assert clock.slept.count(7.0) == faulty.injected["429"]  # Retry-After honoured each time


def test_a_repeated_cursor_stops_with_the_rows_so_far(app: SocketSandbox, clock: FakeTime) -> None:
    faulty = Faulty(app, Faults(rate=1.0, kinds=("repeat-cursor",)))
    with _socket(faulty, clock) as sock, pytest.raises(PaginationError) as info:
        sock.snapshots("acme-corp", date="2026-03-01", range="-30d", per_page=20)
    partial = info.value.partial
    assert len(partial) == 40  # two pages arrived before the loop showed
    assert partial.attrs["complete"] is False
    assert info.value.resume_cursor is None  # a server bug: resuming would loop again


def test_a_foreign_next_link_stops_the_snyk_fetch(snyk_app: SnykSandbox, clock: FakeTime) -> None:
    faulty = Faulty(snyk_app, Faults(rate=1.0, kinds=("foreign-link",)))
    with SnykClient(token=snyk_app.token, transport=sandbox.transport(faulty), progress=False) as snyk:
        with pytest.raises(PaginationError, match="attacker.example") as info:
            snyk.issues(org_id=SnykSandbox.org_id("globex"), limit=10)
    # the page that carried the link is refused whole (so never cached); nothing arrived before it
    assert len(info.value.partial) == 0
    assert info.value.partial.attrs["complete"] is False
    assert snyk.requests_made == 1  # the token never went to the other host


def test_faults_over_real_loopback_http(app: SocketSandbox, clock: FakeTime) -> None:
    """Dropped connections and a server that stops answering, on a real socket."""
    faulty = Faulty(app, Faults(rate=0.3, seed=5, kinds=("reset", "timeout", "503")))
    with sandbox.serving(faulty) as root, _real(root, clock) as sock:  # type: ignore[arg-type]
        frame = sock.snapshots("globex", date="2026-03-01", range="-60d", per_page=10)
    with _socket(app, clock) as clean:
        reference = clean.snapshots("globex", date="2026-03-01", range="-60d", per_page=10)
    pd.testing.assert_frame_equal(frame, reference)
    assert faulty.injected["reset"] + faulty.injected["timeout"] > 0


def _real(root: str, clock: FakeTime) -> SocketClient:
    return SocketClient(token=sandbox.DEMO_TOKEN, base_url=root + "/v0", timeout=0.5, progress=False,
                        sleep=clock.sleep, clock=clock.monotonic, check_quota=False)  # fmt: skip


def test_a_fetch_stopped_by_the_quota_resumes_without_paying_twice(app: SocketSandbox, clock: FakeTime) -> None:
    """The error keeps the rows and the cursor; resuming fetches only the pages still missing."""
    app.add_token(SandboxToken("sktsec_resume_quota_000", max_quota=50))
    with _socket(app, clock) as clean:
        reference = clean.snapshots("acme-corp", date="2026-10-31", range="-364d", per_page=100)
    pages = reference.attrs["pages"]
    assert pages > 10
    with SocketClient(token="sktsec_resume_quota_000", transport=sandbox.transport(app), progress=False,
                      sleep=clock.sleep, clock=clock.monotonic, check_quota=False) as sock:  # fmt: skip
        with pytest.raises(QuotaExceededError) as info:
            sock.snapshots("acme-corp", date="2026-10-31", range="-364d", per_page=100)
        error = info.value
        assert error.pages_fetched == 5 and len(error.partial) == 500
        assert any("resume with start_after_cursor=" in note for note in error.__notes__)
        clock.sleep(error.retry_after or 0)  # the hour passes; the quota refills (to cover the rest)
        app.add_token(SandboxToken("sktsec_resume_quota_000", max_quota=1000))
        spent_before = sock.quota_spent
        rest = sock.snapshots("acme-corp", date="2026-10-31", range="-364d", per_page=100,
                              start_after_cursor=error.resume_cursor)  # fmt: skip
    assert sock.quota_spent - spent_before == 10 * (pages - 5)
    whole = pd.concat([error.partial, rest], ignore_index=True)
    pd.testing.assert_frame_equal(whole, reference, check_like=False)


@pytest.mark.parametrize(("name", "call"), BAD_INPUTS, ids=[n for n, _ in BAD_INPUTS])
def test_every_bad_input_is_refused_before_any_request(name: str, call: Any) -> None:
    error, sent = run_bad_input(call)
    assert error is not None, f"{name} was accepted"
    assert sent == 0, f"{name} sent {sent} request(s)"
    assert str(error)


def test_a_token_inside_the_url_is_refused(snyk_app: SnykSandbox) -> None:
    with SnykClient(token=snyk_app.token, transport=sandbox.transport(snyk_app)) as snyk:
        with pytest.raises(ConfigurationError, match="token appears in the request URL") as info:
            snyk.collection(
                "/orgs/{org_id}/targets", org_id=SnykSandbox.org_id("globex"), params={"key": snyk_app.token}
            )
    assert snyk_app.token not in str(info.value)
    assert snyk_app.requests == []


def test_the_soak_command_prints_the_figures(capsys: pytest.CaptureFixture[str]) -> None:
    from socketlab._cli import main

    assert main(["soak", "--runs", "2"]) == 0
    out = capsys.readouterr().out
    for figure in ("requests under faults:", "faults injected:", "rows lost: 0; rows duplicated: 0",
                   "bad inputs tried:", "requests they sent: 0"):  # fmt: skip
        assert figure in out
