"""Recorded conversations with the API, replayed offline (CI: record mode none).

Recorded from the in-process sandbox with the real API's base URL, so the same tests replay
what Socket would say. Re-record against the sandbox:

    uv run pytest tests/test_cassettes.py --record-mode=rewrite

or against the real API (your own org and token; the assertions hold for any org):

    SOCKETLAB_LIVE=1 SOCKET_API_TOKEN=... SOCKETLAB_TEST_ORG=your-org \\
        uv run pytest tests/test_cassettes.py --record-mode=rewrite

Tests marked ``sandbox_only`` need a situation only the sandbox can stage (a spent quota).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pandas as pd
import pytest

from socketlab import (
    DEFAULT_SOCKET_BASE_URL,
    SNAPSHOT_STATUSES,
    NotFoundError,
    QuotaExceededError,
    SocketClient,
    UnauthorizedError,
    sandbox,
)
from socketlab.sandbox import SandboxToken, SocketSandbox
from tests.conftest import LIVE, LIVE_ORG, TEST_TOKEN, FakeTime

pytestmark = pytest.mark.vcr
sandbox_only = pytest.mark.skipif(LIVE, reason="stages a situation only the sandbox can")
DATE = os.environ.get("SOCKETLAB_TEST_DATE", "2026-10-31")


def _client(app: SocketSandbox, clock: FakeTime, token: str = TEST_TOKEN, **kwargs: object) -> SocketClient:
    if LIVE:
        return SocketClient(progress=False, **kwargs)  # type: ignore[arg-type]
    return SocketClient(
        token=token,
        base_url=DEFAULT_SOCKET_BASE_URL,
        transport=sandbox.transport(app),
        sleep=clock.sleep,
        clock=clock.monotonic,
        progress=False,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture(autouse=True)
def replay_never_reaches_the_sandbox(app: SocketSandbox, request: pytest.FixtureRequest) -> Iterator[None]:
    """In replay (record mode none) every answer must come from the cassette."""
    yield
    if request.config.getoption("--record-mode") == "none":
        assert app.requests == []


@pytest.fixture
def sock(app: SocketSandbox, clock: FakeTime) -> Iterator[SocketClient]:
    with _client(app, clock) as client:
        yield client


def test_a_quarter_in_small_pages_equals_one_big_page(sock: SocketClient) -> None:
    """Pagination by endCursor gives the same typed frame whatever per_page is."""
    small = sock.snapshots(LIVE_ORG, date=DATE, range="-90d", per_page=50)
    big = sock.snapshots(LIVE_ORG, date=DATE, range="-90d")
    assert small.attrs["pages"] > 1
    pd.testing.assert_frame_equal(small, big)
    meta = big.attrs["meta"]
    assert meta["endDateInclusive"] == DATE
    start = pd.Timestamp(meta["startDateInclusive"], tz="UTC")
    end = pd.Timestamp(meta["endDateInclusive"], tz="UTC") + pd.Timedelta(days=1)
    assert big["requested_at"].between(start, end, inclusive="left").all()
    assert big["id"].is_unique
    assert set(big["status"].astype(str)) <= set(SNAPSHOT_STATUSES)
    assert str(big["finished_at"].dtype) == "datetime64[ns, UTC]"
    assert sock.quota_spent == 10 * (small.attrs["pages"] + big.attrs["pages"])


def test_status_filter(sock: SocketClient) -> None:
    frame = sock.snapshots(LIVE_ORG, date=DATE, range="-90d", status=["failure", "timeout", "skipped"])
    assert not frame["status"].isin(["success", "in-progress"]).any()
    assert frame.attrs["meta"]["filters"]["status"] == ["failure", "timeout", "skipped"]


def test_latest(sock: SocketClient) -> None:
    frame = sock.snapshots(LIVE_ORG, date=DATE, range="latest")
    assert len(frame) == 1


def test_basic_auth(app: SocketSandbox, clock: FakeTime) -> None:
    with _client(app, clock, auth="basic") as sock:
        assert len(sock.snapshots(LIVE_ORG, date=DATE, range="-3d")) > 0


def test_start_and_wait(sock: SocketClient) -> None:
    """An on-demand job is started, polled while in progress, and ends in a terminal status."""
    job = sock.start_snapshot(LIVE_ORG)
    done = sock.wait_for_snapshot(LIVE_ORG, job.request_id, timeout=900, poll_interval=2)
    assert done["request_id"] == job.request_id
    assert done["status"] in {"success", "failure", "timeout", "skipped"}


def test_quota(sock: SocketClient) -> None:
    quota = sock.quota()
    assert 0 <= quota.remaining <= quota.max
    assert sock.quota_spent == 0


def test_unknown_org(sock: SocketClient) -> None:
    with pytest.raises(NotFoundError):
        sock.snapshots("socketlab-no-such-org-4f2a")


def test_wrong_token(app: SocketSandbox, clock: FakeTime) -> None:
    with SocketClient(
        token="sktsec_invalid_token_for_tests",
        base_url=DEFAULT_SOCKET_BASE_URL,
        transport=None if LIVE else sandbox.transport(app),
        progress=False,
    ) as sock:
        with pytest.raises(UnauthorizedError):
            sock.snapshots(LIVE_ORG)


@sandbox_only
def test_spent_quota(app: SocketSandbox, clock: FakeTime) -> None:
    """A 429 whose Retry-After is an hour raises at once, carrying the wait (nobody sleeps)."""
    app.add_token(SandboxToken("sktsec_cassette_small_quota_0001", max_quota=10))
    with _client(app, clock, token="sktsec_cassette_small_quota_0001") as sock:
        first = sock.snapshots(LIVE_ORG, date=DATE, range="-1d")
        again = sock.snapshots(LIVE_ORG, date=DATE, range="-1d")  # the cache answers: no quota needed
        assert again.attrs["cached_pages"] == again.attrs["pages"] == first.attrs["pages"]
        with pytest.raises(QuotaExceededError) as info:
            sock.snapshots(LIVE_ORG, date=DATE, range="-1d", cache=False)
    assert info.value.retry_after == 3600
    assert clock.slept == []


def test_alerts_in_small_pages(sock: SocketClient) -> None:
    """The alerts list pages by endCursor like snapshots; filters reach the API as the spec says."""
    small = sock.alerts(LIVE_ORG, date=DATE, range="-3d", per_page=100, alert_severity=["critical", "high"])
    big = sock.alerts(LIVE_ORG, date=DATE, range="-3d", alert_severity=["critical", "high"])
    pd.testing.assert_frame_equal(small, big)
    assert set(big["alert_severity"].astype(str)) <= {"critical", "high"}
    assert str(big["scanned_at"].dtype) == "datetime64[ns, UTC]"


def test_alert_and_dependency_trends(sock: SocketClient) -> None:
    trend = sock.alerts_trend(LIVE_ORG, date=DATE, range="-14d", group_by=["alert_severity"])
    assert set(trend.columns) == {"date", "alert_severity", "count", "count_delta"}
    assert set(trend["alert_severity"]) <= {"low", "medium", "high", "critical"}
    deps = sock.dependencies_trend(LIVE_ORG, date=DATE, range="-14d")
    assert (deps["count"] == deps["count_direct"] + deps["count_indirect"]).all()


def test_organizations(sock: SocketClient) -> None:
    orgs = sock.organizations()
    assert LIVE_ORG in set(orgs["slug"])
    assert sock.quota_spent == 1


def test_alert_resolutions(sock: SocketClient) -> None:
    """Every page of the org's alert resolutions, typed: the spec's four reasons, UTC times, nulls kept."""
    small = sock.alert_resolutions(LIVE_ORG, per_page=10)
    assert small.attrs["pages"] >= 2 or LIVE
    assert small["uuid"].is_unique
    assert set(small["reason"].cat.categories) == {"false_positive", "remediated", "tolerable_risk", "other"}
    assert str(small["created_at"].dtype) == "datetime64[ns, UTC]"
    assert small["created_at"].is_monotonic_decreasing
