"""SocketClient against the sandbox: real HTTP over loopback, and in process."""

from __future__ import annotations

import datetime as dt

import httpx
import pandas as pd
import pytest

from socketlab import (
    BadRequestError,
    ConfigurationError,
    ForbiddenError,
    InvalidParameterError,
    NotFoundError,
    QuotaExceededError,
    SnapshotTimeoutError,
    SocketClient,
    UnauthorizedError,
    sandbox,
)
from socketlab.sandbox import SandboxToken, SocketSandbox
from tests.conftest import TEST_TOKEN, FakeTime


def test_a_year_over_loopback_http(served: str, clock: FakeTime) -> None:
    """A year of acme-corp over a real loopback socket: every page followed, meta kept."""
    with SocketClient(token=TEST_TOKEN, base_url=served, progress=False) as sock:
        frame = sock.snapshots("acme-corp", date="2026-10-31", range="-364d")
        assert frame.attrs["meta"]["startDateInclusive"] == "2025-11-01"
        assert frame.attrs["meta"]["endDateInclusive"] == "2026-10-31"
        assert frame.attrs["meta"]["organizationId"] == "org_8c1f2a6b4e"
        assert frame.attrs["pages"] > 1
        days = frame["requested_at"].dt.strftime("%Y-%m-%d")
        assert days.min() == "2025-11-01"
        assert days.max() == "2026-10-31"
        assert frame["id"].is_unique
        assert frame["requested_at"].is_monotonic_increasing
        assert sock.quota_spent == 10 * frame.attrs["pages"]


def test_short_and_empty_intermediate_pages_are_followed(app: SocketSandbox, sock: SocketClient) -> None:
    """Days before the org existed make empty pages with a cursor; the client goes on."""
    pages = list(sock.snapshot_pages("acme-corp", date="2025-12-31", range="-364d"))
    sizes = [len(p["items"]) for p in pages]
    assert sizes[0] == 0
    assert pages[0]["endCursor"]
    assert sum(sizes) == len(sock.snapshots("acme-corp", date="2025-12-31", range="-364d"))
    assert pages[-1]["endCursor"] is None


def test_per_page_does_not_change_the_data(sock: SocketClient) -> None:
    """One big page or many small ones: the same frame."""
    big = sock.snapshots("globex", date="2026-03-31", range="-60d")
    small = sock.snapshots("globex", date="2026-03-31", range="-60d", per_page=7)
    assert small.attrs["pages"] > big.attrs["pages"]
    pd.testing.assert_frame_equal(big, small)


def test_range_after_the_date_and_latest(sock: SocketClient) -> None:
    """'Nd' is N days after date (not before!); 'latest' is the newest snapshot only."""
    after = sock.snapshots("globex", date="2026-03-01", range="10d")
    assert (after.attrs["meta"]["startDateInclusive"], after.attrs["meta"]["endDateInclusive"]) == (
        "2026-03-01",
        "2026-03-11",
    )
    assert after["requested_at"].min() >= pd.Timestamp("2026-03-01", tz="UTC")
    latest = sock.snapshots("acme-corp", range="latest")
    assert len(latest) == 1
    assert latest.loc[0, "requested_at"] <= pd.Timestamp("2026-11-01 12:00", tz="UTC")


def test_status_and_request_id_filters(sock: SocketClient) -> None:
    frame = sock.snapshots("acme-corp", date="2026-10-31", range="-364d", status=["failure", "timeout"])
    assert set(frame["status"].astype(str)) == {"failure", "timeout"}
    assert frame.attrs["meta"]["filters"]["status"] == ["failure", "timeout"]
    one = sock.snapshots("acme-corp", date="2026-10-31", range="-364d", request_id=str(frame.loc[0, "request_id"]))
    assert one["request_id"].tolist() == [frame.loc[0, "request_id"]]


def test_an_empty_result_is_a_typed_empty_frame(sock: SocketClient) -> None:
    empty = sock.snapshots("acme-corp", date="2024-01-01", range="-7d")
    assert len(empty) == 0
    assert str(empty["requested_at"].dtype) == "datetime64[ns, UTC]"
    assert isinstance(empty["status"].dtype, pd.CategoricalDtype)


def test_start_and_wait_for_an_on_demand_snapshot(sock: SocketClient, clock: FakeTime) -> None:
    """The job is in-progress at first, then succeeds; waiting polls with filters.requestId."""
    job = sock.start_snapshot("acme-corp")
    assert job.requested_by == "demo"  # the token's name
    assert job.requested_at == pd.Timestamp(clock.now)
    first = sock.snapshots("acme-corp", range="-1d", request_id=job.request_id)
    assert first["status"].astype(str).tolist() == ["in-progress"]
    assert first["finished_at"].isna().all()
    done = sock.wait_for_snapshot("acme-corp", job.request_id, poll_interval=2)
    assert done["status"] == "success"
    assert done["request_id"] == job.request_id
    assert done["num_repos_scanned"] > 0
    assert clock.slept == [2, 2]  # the job runs 3 s of sandbox time


def test_wait_times_out_with_a_specific_error(app: SocketSandbox, sock: SocketClient, clock: FakeTime) -> None:
    app.job_seconds = 3600
    job = sock.start_snapshot("acme-corp")
    with pytest.raises(SnapshotTimeoutError, match="did not finish within 30 s.*in-progress") as info:
        sock.wait_for_snapshot("acme-corp", job.request_id, timeout=30, poll_interval=10)
    assert info.value.last_status == "in-progress"
    assert sum(clock.slept) == 30


def test_basic_auth_with_the_token_as_user(app: SocketSandbox, served: str) -> None:
    """spec basicAuth: the token is the user field."""
    with SocketClient(token=TEST_TOKEN, base_url=served, auth="basic", progress=False) as sock:
        assert len(sock.snapshots("globex", date="2026-03-01", range="-2d")) == 3


def test_a_wrong_token_is_unauthorized(served: str) -> None:
    with SocketClient(token="sktsec_wrong", base_url=served, progress=False) as sock:
        with pytest.raises(UnauthorizedError, match="401 from GET .*Invalid API token") as info:
            sock.snapshots("globex")
        assert sock.quota_spent == 0
    assert info.value.details is None


def test_an_unknown_org_is_not_found(sock: SocketClient) -> None:
    with pytest.raises(NotFoundError, match="Organization not found"):
        sock.snapshots("no-such-org")


def test_forbidden_max_quota_is_never_retried(app: SocketSandbox, clock: FakeTime) -> None:
    """A token whose max_quota is below the cost gets 403, once: retrying cannot help."""
    app.add_token(SandboxToken("sktsec_tiny", max_quota=5))
    with sandbox.socket_client(app, token="sktsec_tiny", sleep=clock.sleep) as sock:
        with pytest.raises(ForbiddenError, match="Insufficient max_quota for API method"):
            sock.snapshots("globex")
        assert sock.requests_made == 1
        assert clock.slept == []


def test_a_missing_scope_is_forbidden(app: SocketSandbox) -> None:
    app.add_token(SandboxToken("sktsec_listonly", scopes=frozenset({"historical:snapshots-list"})))
    with sandbox.socket_client(app, token="sktsec_listonly") as sock:
        with pytest.raises(ForbiddenError, match="historical:snapshots-start"):
            sock.start_snapshot("globex")


def test_spent_quota_raises_with_the_wait_instead_of_sleeping_an_hour(app: SocketSandbox, clock: FakeTime) -> None:
    """429 with a Retry-After beyond max_retry_wait: QuotaExceededError carrying the wait."""
    app.add_token(SandboxToken("sktsec_small", max_quota=20))
    with sandbox.socket_client(app, token="sktsec_small", sleep=clock.sleep, clock=clock.monotonic) as sock:
        sock.snapshots("globex", range="-1d")
        sock.snapshots("globex", range="-1d", cache=False)  # a fresh answer: the cache would spend nothing
        with pytest.raises(QuotaExceededError) as info:
            sock.snapshots("globex", range="-1d", cache=False)
        assert info.value.retry_after == 3600  # the window refills at 13:00, an hour away
        assert clock.slept == []
        assert sock.quota_spent == 20
        assert sock.quota().remaining == 0


def test_a_short_retry_after_is_waited_out(app: SocketSandbox, clock: FakeTime) -> None:
    """429 with a Retry-After within max_retry_wait: sleep exactly that long, then succeed."""
    clock.now = dt.datetime(2026, 11, 1, 12, 59, 30, tzinfo=dt.UTC)
    app.add_token(SandboxToken("sktsec_small", max_quota=10))
    with sandbox.socket_client(app, token="sktsec_small", sleep=clock.sleep, clock=clock.monotonic) as sock:
        sock.snapshots("globex", range="-1d")
        frame = sock.snapshots("globex", range="-1d", cache=False)  # quota spent: wait 30 s for 13:00
        assert clock.slept == [30]
        assert len(frame) >= 1
        assert sock.quota_spent == 20


def test_quota_is_free_and_reports_the_window(app: SocketSandbox, sock: SocketClient) -> None:
    quota = sock.quota()
    assert (quota.remaining, quota.max) == (10_000, 10_000)
    assert quota.next_refresh == pd.Timestamp("2026-11-01 13:00", tz="UTC")
    sock.snapshots("globex", range="-1d")
    assert sock.quota().remaining == 10_000 - 10
    assert sock.quota_spent == 10  # /quota cost nothing


def test_the_server_rejects_what_the_client_would_have_caught(served: str) -> None:
    """The sandbox validates too (400 with the spec's error body) for clients that don't."""
    response = httpx.get(
        f"{served}/orgs/globex/historical/snapshots",
        params={"per_page": "0"},
        headers={"Authorization": f"Bearer {TEST_TOKEN}"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "message": "per_page must be an integer from 1 to 10000",
            "details": {"parameter": "per_page", "value": "0"},
        }
    }


def test_an_invalid_cursor_is_a_bad_request(sock: SocketClient) -> None:
    with pytest.raises(BadRequestError, match="Invalid cursor"):
        sock.snapshots("globex", start_after_cursor="not-a-cursor")


def test_bad_arguments_send_no_request(app: SocketSandbox, sock: SocketClient) -> None:
    """Validation happens before the network: no request, no quota."""
    for kwargs in ({"range": "30"}, {"date": "2026-02-30"}, {"per_page": 0}, {"status": "ignored"}):
        with pytest.raises(InvalidParameterError):
            sock.snapshots("globex", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError):
        sock.snapshots("../admin")
    assert app.requests == []
    assert sock.quota_spent == 0


def test_the_token_comes_from_socket_tools_environment_names(
    monkeypatch: pytest.MonkeyPatch, app: SocketSandbox
) -> None:
    """The first of Socket's own variable names that is set wins."""
    for name in (
        "SOCKET_API_TOKEN",
        "SOCKET_API_KEY",
        "SOCKET_CLI_API_TOKEN",
        "SOCKET_CLI_API_KEY",
        "SOCKET_SECURITY_API_TOKEN",
        "SOCKET_SECURITY_API_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigurationError, match="no Socket API token.*SOCKET_API_TOKEN"):
        SocketClient()
    monkeypatch.setenv("SOCKET_SECURITY_API_KEY", "sktsec_wrong")
    monkeypatch.setenv("SOCKET_CLI_API_KEY", TEST_TOKEN)
    with SocketClient(base_url=sandbox.SANDBOX_SOCKET_URL, transport=sandbox.transport(app)) as sock:
        assert len(sock.snapshots("globex", date="2026-03-01", range="-1d")) == 2


def test_base_url_from_the_environment_and_https_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCKET_API_BASE_URL", "https://socket.example.test/v0/")
    assert SocketClient(token="t").base_url == "https://socket.example.test/v0"
    with pytest.raises(ConfigurationError, match="plain http"):
        SocketClient(token="t", base_url="http://api.socket.dev/v0")
    with pytest.raises(ConfigurationError, match="user info"):
        SocketClient(token="t", base_url="https://sktsec_x@api.socket.dev/v0")
    with pytest.raises(ConfigurationError, match="query"):
        SocketClient(token="t", base_url="https://api.socket.dev/v0?token=sktsec_x")
    assert SocketClient(token="t", base_url="http://[::1]:8765/v0").base_url == "http://[::1]:8765/v0"


def test_progress_bar_only_for_multi_page_fetches_by_default(
    sock: SocketClient, capsys: pytest.CaptureFixture[str]
) -> None:
    """Automatic mode: a one-page query stays quiet; a multi-page one shows pages and rows."""
    sock.progress = None
    sock.snapshots("globex", date="2026-03-01", range="-3d")
    assert capsys.readouterr().err == ""
    frame = sock.snapshots("globex", date="2026-03-01", range="-30d", per_page=10)
    err = capsys.readouterr().err
    assert "globex snapshots" in err
    assert f"rows={len(frame)}" in err
    sock.snapshots("globex", date="2026-03-01", range="-30d", per_page=10, progress=False)
    assert capsys.readouterr().err == ""
    sock.snapshots("globex", date="2026-03-01", range="-3d", progress=True)
    assert "globex snapshots" in capsys.readouterr().err


def test_many_small_pages_frame_like_one_big_page(sock: SocketClient) -> None:
    """Each page is framed as it arrives; stacked, the pages equal the one-page answer, dtypes and all."""
    whole = sock.snapshots("acme-corp", date="2026-03-31", range="-60d")
    paged = sock.snapshots("acme-corp", date="2026-03-31", range="-60d", per_page=25)
    assert whole.attrs["pages"] <= 2 < paged.attrs["pages"]
    pd.testing.assert_frame_equal(paged, whole)
