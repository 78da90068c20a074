"""Recorded Snyk conversations, replayed offline (record mode none in CI).

Recorded from the in-process Snyk sandbox with the real API's base URL. Re-record:

    uv run pytest tests/test_snyk_cassettes.py --record-mode=rewrite
    SOCKETLAB_LIVE=1 SNYK_TOKEN=... SOCKETLAB_TEST_SNYK_ORG=<org uuid> \\
        uv run pytest tests/test_snyk_cassettes.py --record-mode=rewrite    # the real API
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pandas as pd
import pytest

from socketlab import DEFAULT_SNYK_BASE_URL, SnykClient, UnauthorizedError, explode_problems, sandbox
from socketlab.sandbox import SnykSandbox
from tests.conftest import LIVE, SNYK_TEST_TOKEN, FakeTime

pytestmark = pytest.mark.vcr
ORG = os.environ.get("SOCKETLAB_TEST_SNYK_ORG", SnykSandbox.org_id("globex"))


def _client(app: SnykSandbox, clock: FakeTime, token: str = SNYK_TEST_TOKEN) -> SnykClient:
    if LIVE:
        return SnykClient(progress=False)
    return SnykClient(
        token=token, base_url=DEFAULT_SNYK_BASE_URL, transport=sandbox.transport(app),
        sleep=clock.sleep, clock=clock.monotonic, progress=False,
    )  # fmt: skip


@pytest.fixture(autouse=True)
def replay_never_reaches_the_sandbox(snyk_app: SnykSandbox, request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if request.config.getoption("--record-mode") == "none":
        assert snyk_app.requests == []


@pytest.fixture
def snyk(snyk_app: SnykSandbox, clock: FakeTime) -> Iterator[SnykClient]:
    with _client(snyk_app, clock) as client:
        yield client


def test_open_issues_in_pages(snyk: SnykClient) -> None:
    """Small pages through links.next give the same frame as big ones."""
    small = snyk.issues(org_id=ORG, status="open", limit=20)
    big = snyk.issues(org_id=ORG, status="open", limit=100)
    pd.testing.assert_frame_equal(small, big)
    assert small.attrs["pages"] > big.attrs["pages"]
    assert set(big["status"].astype(str)) <= {"open"}
    assert big["effective_severity_level"].cat.ordered
    assert str(big["created_at"].dtype) == "datetime64[ns, UTC]"
    assert big.attrs["version_served"]
    problems = explode_problems(big)
    assert set(problems["issue_id"]) <= set(big["id"])


def test_projects(snyk: SnykClient) -> None:
    projects = snyk.projects(ORG, latest_issue_counts=True)
    assert len(projects) > 0
    assert projects["id"].is_unique
    assert projects["organization_id"].eq(ORG).all()


def test_wrong_token(snyk_app: SnykSandbox, clock: FakeTime) -> None:
    with _client(snyk_app, clock, token="00000000-0000-4000-8000-00000000dead") as snyk:
        if LIVE:
            pytest.skip("needs the sandbox's token handling")
        with pytest.raises(UnauthorizedError):
            snyk.projects(ORG)


def test_export_issues(snyk: SnykClient) -> None:
    """Start an export, poll it, fetch its files (signed URLs on the file host, no token): one typed frame."""
    frame = snyk.export_issues(
        org_id=ORG, introduced=("2026-01-01", "2026-03-31"), poll_interval=1,
        columns=["PROBLEM_ID", "ISSUE_SEVERITY", "ISSUE_STATUS", "FIRST_INTRODUCED", "LAST_RESOLVED", "CVE"],
    )  # fmt: skip
    assert list(frame.columns) == ["problem_id", "issue_severity", "issue_status", "first_introduced",
                                   "last_resolved", "cve"]  # fmt: skip
    assert len(frame) == frame.attrs["row_count"] > 0
    assert frame["issue_severity"].cat.ordered
    assert str(frame["first_introduced"].dtype) == "datetime64[ns, UTC]"
    assert frame["first_introduced"].between(pd.Timestamp("2026-01-01", tz="UTC"),
                                             pd.Timestamp("2026-04-01", tz="UTC")).all()  # fmt: skip
    resolved = frame["issue_status"] == "resolved"
    assert frame.loc[resolved, "last_resolved"].notna().all()
