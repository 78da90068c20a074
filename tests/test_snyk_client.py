"""SnykClient against the Snyk sandbox: real HTTP over loopback, and in process."""

from __future__ import annotations

import threading
import time
import urllib.parse
import warnings

import httpx
import pandas as pd
import pytest

from socketlab import (
    BadRequestError,
    ConfigurationError,
    InvalidParameterError,
    NotFoundError,
    PaginationError,
    SnykClient,
    SunsetWarning,
    UnauthorizedError,
    sandbox,
)
from socketlab._ratelimit import RateLimiter
from socketlab._responses import decode_snyk
from socketlab.sandbox import LINK_STYLES, SnykSandbox
from tests.conftest import SNYK_TEST_TOKEN, FakeTime

ACME = SnykSandbox.org_id("acme-corp")
GLOBEX = SnykSandbox.org_id("globex")


def _params(target: str) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(target).query, keep_blank_values=True)


def test_issues_over_loopback_http(snyk_served: str, snyk_app: SnykSandbox) -> None:
    """A real server, every page followed; each request carries version and limit once."""
    with SnykClient(token=SNYK_TEST_TOKEN, base_url=snyk_served, progress=False) as snyk:
        frame = snyk.issues(org_id=GLOBEX)
        assert frame.attrs["pages"] > 3
        assert len(frame) == frame["id"].nunique()
        assert frame.attrs["version_served"] == "2024-01-23"
        assert len(frame.attrs["request_ids"]) == frame.attrs["pages"]
        assert snyk.requests_made == frame.attrs["pages"]
    for _, target in snyk_app.requests:
        params = _params(target)
        assert params["version"] == ["2024-10-15"]
        assert params["limit"] == ["100"]
        assert all(len(v) == 1 for v in params.values())  # nothing repeated


@pytest.mark.parametrize("style", LINK_STYLES)
def test_each_next_link_shape_is_followed(snyk_app: SnykSandbox, snyk: SnykClient, style: str) -> None:
    """Relative, /rest-prefixed, absolute and {"href"} links all give the whole collection."""
    snyk_app.link_style = style
    frame = snyk.issues(org_id=GLOBEX, limit=50)
    snyk_app.link_style = None
    reference = snyk.issues(org_id=GLOBEX, limit=100)
    pd.testing.assert_frame_equal(frame, reference)
    assert all(t.startswith("/rest/orgs/") for _, t in snyk_app.requests)


def test_filters_reach_the_server_in_its_format(snyk_app: SnykSandbox, snyk: SnykClient) -> None:
    frame = snyk.issues(org_id=ACME, status="open", ignored=True, effective_severity_level=["low", "medium"])
    assert len(frame) > 0
    assert set(frame["status"].astype(str)) == {"open"}
    assert frame["ignored"].all()
    assert set(frame["effective_severity_level"].astype(str)) <= {"low", "medium"}
    params = _params(snyk_app.requests[0][1])
    assert params["effective_severity_level"] == ["low,medium"]
    assert params["ignored"] == ["true"]


def test_group_issues_cover_every_org(snyk_app: SnykSandbox, snyk: SnykClient) -> None:
    group = snyk.issues(group_id=snyk_app.group_id, effective_severity_level="critical")
    assert set(group["organization_id"]) == {ACME, GLOBEX}


def test_projects_with_issue_counts(snyk: SnykClient) -> None:
    projects = snyk.projects(ACME, latest_issue_counts=True, tags={"team": "web"})
    assert len(projects) > 0
    assert all(t == [{"key": "team", "value": "web"}] for t in projects["tags"])
    assert str(projects["latest_issue_counts_high"].dtype) == "Int64"
    assert projects["latest_issue_counts_low"].notna().all()


def test_any_collection_with_params(snyk_app: SnykSandbox, snyk: SnykClient) -> None:
    frame = snyk.collection(
        "/orgs/{org_id}/projects", org_id=ACME, params={"names_start_with": ["acme-corp/service-1"]}
    )
    assert len(frame) > 0
    assert frame["name"].str.startswith("acme-corp/service-1").all()
    assert "organization_id" in frame.columns


def test_an_unknown_query_parameter_is_a_typed_400(snyk: SnykClient) -> None:
    with pytest.raises(BadRequestError) as info:
        snyk.collection("/orgs/{org_id}/projects", org_id=ACME, params={"colour": "blue"})
    error = info.value
    assert error.errors[0].parameter == "colour"
    assert error.errors[0].detail == "Unknown query parameter 'colour'"
    assert error.errors[0].id
    assert error.request_id


def test_version_per_call_and_one_sunset_warning(snyk: SnykClient) -> None:
    """A superseded beta is served with Sunset/Deprecation: one warning per endpoint and version."""
    with pytest.warns(
        SunsetWarning, match=r"2023-09-29~beta .*deprecated since 2024-01-23.*stops being served on 2024-04-22"
    ) as caught:
        frame = snyk.issues(org_id=ACME, version="2023-10-01~beta")
        snyk.issues(org_id=ACME, version="2023-10-01~beta")
    assert len([w for w in caught if issubclass(w.category, SunsetWarning)]) == 1
    assert frame.attrs["pages"] > 1
    assert frame.attrs["version_served"] == "2023-09-29~beta"
    assert snyk.version_served["/orgs/{org_id}/issues"] == "2023-09-29~beta"
    with pytest.warns(SunsetWarning, match=r"projects version 2023-11-06 .*stops being served on 2024-11-27"):
        snyk.projects(ACME, version="2024-01-01")  # an HTTP-date Sunset


def test_the_current_version_gives_no_warning(snyk: SnykClient) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        snyk.projects(ACME)


def test_bad_input_sends_no_request(snyk_app: SnykSandbox, snyk: SnykClient) -> None:
    bad = [
        lambda: snyk.issues(org_id=ACME, status="ignored"),
        lambda: snyk.issues(org_id=ACME, limit=25),
        lambda: snyk.issues(org_id=ACME, version="2999-01-01"),
        lambda: snyk.issues(org_id="../admin"),
        lambda: snyk.issues(),
        lambda: snyk.issues(org_id=ACME, group_id=snyk_app.group_id),
        lambda: snyk.projects(ACME, colour="blue"),
        lambda: snyk.collection("/orgs/{org_id}/targets", org_id="a/b"),
        lambda: snyk.collection("/orgs/{org_id}/targets"),
        lambda: snyk.collection("/orgs/{org_id}/targets", org_id=ACME, params={"version": "2024-01-01"}),
    ]
    for call in bad:
        with pytest.raises(InvalidParameterError):
            call()
    assert snyk_app.requests == []


def test_auth_header_shapes(snyk_app: SnykSandbox) -> None:
    """'token KEY' for API keys, 'bearer TOKEN' for Snyk Apps; anything else is the bare 401."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        assert request.headers["accept"] == "application/vnd.api+json"
        reply = snyk_app.handle(request.method, request.url.raw_path.decode(), request.headers)
        return httpx.Response(reply.status, headers=reply.headers, content=reply.body)

    for auth in ("token", "bearer"):
        with SnykClient(
            token=SNYK_TEST_TOKEN,
            auth=auth,
            base_url=sandbox.SANDBOX_SNYK_URL,  # type: ignore[arg-type]
            transport=httpx.MockTransport(handler),
            progress=False,
        ) as snyk:
            snyk.projects(GLOBEX)
    assert seen == [f"token {SNYK_TEST_TOKEN}", f"bearer {SNYK_TEST_TOKEN}"]
    with sandbox.snyk_client(snyk_app, token="not-a-token") as snyk, pytest.raises(UnauthorizedError) as info:
        snyk.projects(GLOBEX)
    assert info.value.errors[0].code == "Unauthorized"


def test_unknown_org_is_not_found(snyk: SnykClient) -> None:
    with pytest.raises(NotFoundError, match="Org not found"):
        snyk.issues(org_id="00000000-0000-4000-8000-000000000000")


def test_https_only_except_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError, match="HTTPS only"):
        SnykClient(token="t", base_url="http://api.snyk.io/rest")
    assert SnykClient(token="t", base_url="http://localhost:8765/rest").base_url == "http://localhost:8765/rest"
    monkeypatch.delenv("SNYK_TOKEN", raising=False)
    with pytest.raises(ConfigurationError, match="SNYK_TOKEN"):
        SnykClient()
    monkeypatch.setenv("SNYK_TOKEN", "from-env")
    assert SnykClient().base_url == "https://api.snyk.io/rest"


def test_a_next_link_to_another_host_is_refused(snyk_app: SnykSandbox) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        evil = "https://evil.example/rest/orgs/x/issues?starting_after=a"
        return httpx.Response(200, json={"jsonapi": {"version": "1.0"}, "data": [], "links": {"next": evil}})

    with SnykClient(token="t", transport=httpx.MockTransport(handler), progress=False) as snyk:
        with pytest.raises(PaginationError, match="evil.example"):
            snyk.issues(org_id=ACME)
        assert snyk.requests_made == 1


def test_a_repeated_next_link_is_an_error_not_a_loop() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={
                "jsonapi": {"version": "1.0"},
                "data": [{"id": "1", "type": "issue"}],
                "links": {"next": "/orgs/x/issues?starting_after=same"},
            },
        )

    with SnykClient(token="t", transport=httpx.MockTransport(handler), progress=False) as snyk:
        with pytest.raises(PaginationError, match="a second time"):
            snyk.issues(org_id=ACME)
        assert snyk.requests_made == 2  # the first page, then the page that repeats its link


def test_the_limiter_keeps_bulk_fetches_under_the_budget(snyk_app: SnykSandbox, clock: FakeTime) -> None:
    """With the client's budget at the key's, the server never has to refuse."""
    snyk_app.rate_limit = 12
    with sandbox.snyk_client(
        snyk_app, token=SNYK_TEST_TOKEN, rate_limit=12, sleep=clock.sleep, clock=clock.monotonic, progress=False
    ) as snyk:
        frame = snyk.issues(org_id=ACME, limit=100)
    assert frame.attrs["pages"] == 40
    assert snyk_app.refused == 0
    assert snyk.limiter.waited > 0
    assert sum(clock.slept) >= 60 * 2


def test_a_429_pauses_for_the_interval_then_resumes(snyk_app: SnykSandbox, clock: FakeTime) -> None:
    """Another tool spent the key's budget: the sandbox refuses, the client stops a minute, then finishes."""
    snyk_app.rate_limit = 5
    with sandbox.snyk_client(
        snyk_app, token=SNYK_TEST_TOKEN, sleep=clock.sleep, clock=clock.monotonic, progress=False
    ) as snyk:
        frame = snyk.issues(org_id=GLOBEX, limit=50)
    assert snyk_app.refused >= 1
    assert 60.0 in clock.slept  # the interval, with no Retry-After
    assert frame["id"].is_unique
    assert frame.attrs["pages"] * 50 >= len(frame) > (frame.attrs["pages"] - 1) * 50


def test_retry_after_is_honoured_when_given(snyk_app: SnykSandbox, clock: FakeTime) -> None:
    snyk_app.rate_limit, snyk_app.retry_after, snyk_app.rate_window = 3, True, 20
    with sandbox.snyk_client(
        snyk_app, token=SNYK_TEST_TOKEN, sleep=clock.sleep, clock=clock.monotonic, progress=False
    ) as snyk:
        snyk.issues(org_id=GLOBEX, limit=100)
    assert 20.0 in clock.slept
    assert 60.0 not in clock.slept


def test_a_pause_holds_every_thread() -> None:
    """Real threads: after pause(), nobody passes the gate until it ends."""
    limiter = RateLimiter(1000)
    passed: list[float] = []
    limiter.pause(0.3)
    started = time.monotonic()
    threads = [threading.Thread(target=lambda: (limiter.acquire(), passed.append(time.monotonic()))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(passed) == 4
    assert min(passed) - started >= 0.29


def test_threads_share_one_budget() -> None:
    """Real threads: never more than the budget in any window."""
    limiter = RateLimiter(5, window=0.4)
    stamps: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(5):
            limiter.acquire()
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stamps.sort()
    assert len(stamps) == 15
    assert all(b - a >= 0.4 - 0.01 for a, b in zip(stamps, stamps[5:], strict=False))


def test_bodies_are_sent_as_jsonapi() -> None:
    """The overview: requests with data need Content-Type application/vnd.api+json."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"jsonapi": {"version": "1.0"}, "data": {"id": "1", "type": "x"}})

    with SnykClient(token="t", transport=httpx.MockTransport(handler)) as snyk:
        snyk._shell.call("POST", snyk._shell.url("/orgs/x/things"), decode_snyk, json={"data": {"type": "x"}})
    assert seen[0].headers["content-type"] == "application/vnd.api+json"
    assert seen[0].headers["accept"] == "application/vnd.api+json"


def test_the_limiter_never_spins_on_a_coarse_clock() -> None:
    """A window that is no whole number of clock ticks must still let time move on."""
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] = round(now[0] + seconds, 6)  # a clock with microsecond ticks

    limiter = RateLimiter(3, window=61.2, clock=lambda: now[0], sleep=sleep)
    for _ in range(10):
        limiter.acquire()
    assert 3 * 61.2 <= now[0] < 3 * 61.2 + 1
