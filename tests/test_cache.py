"""The HTTP cache: a repeated query costs nothing, and the cache never holds a token."""

from __future__ import annotations

import base64
import datetime as dt
import sqlite3
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from socketlab import SnykClient, SocketClient, sandbox
from socketlab._cache import cache_dir
from socketlab.sandbox import SandboxToken, SnykSandbox, SocketSandbox


@pytest.fixture
def cached(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("SOCKETLAB_CACHE", "1")
    monkeypatch.setenv("SOCKETLAB_CACHE_DIR", str(tmp_path))
    return tmp_path


def _client(app: SocketSandbox, token: str | None = None, **kwargs: object) -> SocketClient:
    return SocketClient(token=token or app.token, transport=sandbox.transport(app), progress=False, **kwargs)  # type: ignore[arg-type]


def test_a_repeated_query_costs_no_request_and_no_quota(cached: Path) -> None:
    app = SocketSandbox()
    with _client(app) as sock:
        first = sock.snapshots("acme-corp", date="2026-03-31", range="-90d", per_page=100)
        spent, sent = sock.quota_spent, len(app.requests)
        started = time.perf_counter()
        again = sock.snapshots("acme-corp", date="2026-03-31", range="-90d", per_page=100)
        elapsed = time.perf_counter() - started
    pd.testing.assert_frame_equal(first, again)
    assert len(app.requests) == sent  # nothing reached the API
    assert sock.quota_spent == spent
    assert sock.requests_made == sent
    assert elapsed >= 0  # the speed itself is measured by the benchmarks, not asserted here


def test_a_new_client_and_a_new_process_reuse_the_cache(cached: Path) -> None:
    app = SocketSandbox()
    with _client(app) as sock:
        sock.alerts("globex", date="2026-03-31", range="-10d")
    sent = len(app.requests)
    with _client(app) as fresh:  # a re-run notebook, a restarted kernel
        fresh.alerts("globex", date="2026-03-31", range="-10d")
        assert fresh.quota_spent == 0
    assert len(app.requests) == sent


def test_cache_false_bypasses_it(cached: Path) -> None:
    app = SocketSandbox()
    with _client(app) as sock:
        sock.snapshots("globex", date="2026-03-31", range="-5d")
        sock.snapshots("globex", date="2026-03-31", range="-5d", cache=False)
    assert len(app.requests) == 2
    with _client(app, cache=False) as off:
        off.snapshots("globex", date="2026-03-31", range="-5d")
    assert len(app.requests) == 3


def test_another_token_never_gets_a_cached_answer(cached: Path) -> None:
    """hishel keys on method and URL only: a wrong token would get a cached 200. Not here."""
    app = SocketSandbox()
    with _client(app) as sock:
        sock.snapshots("globex", date="2026-03-31", range="-5d")
    from socketlab import UnauthorizedError

    with _client(app, token="sktsec_not_a_valid_token_at_all") as wrong, pytest.raises(UnauthorizedError):
        wrong.snapshots("globex", date="2026-03-31", range="-5d")


def test_quota_and_running_jobs_are_never_cached(cached: Path) -> None:
    app = SocketSandbox()
    with _client(app) as sock:
        sock.quota()
        sock.quota()
        job = sock.start_snapshot("globex")
        sock.wait_for_snapshot("globex", job.request_id, poll_interval=1, timeout=30)
    assert [m for m, t in app.requests].count("GET") >= 3  # both quotas and every poll went out


def test_queries_reaching_today_expire_sooner(cached: Path) -> None:
    app = SocketSandbox()
    with _client(app, cache_ttl=3600, recent_ttl=60) as sock:
        ttl = sock._ttl  # the policy itself
        import httpx

        today = dt.datetime.now(dt.UTC).date()
        url = "https://x/v0/orgs/o/historical/snapshots"
        assert ttl("GET", httpx.URL(url, params={"date": "2026-01-31", "range": "-30d"})) == 3600
        assert ttl("GET", httpx.URL(url, params={"range": "-30d"})) == 60  # no date: today
        assert ttl("GET", httpx.URL(url, params={"date": "2026-01-31", "range": "latest"})) == 60
        assert (
            ttl("GET", httpx.URL(url, params={"date": (today - dt.timedelta(days=3)).isoformat(), "range": "5d"})) == 60
        )
        assert ttl("GET", httpx.URL("https://x/v0/quota")) is None
        assert ttl("POST", httpx.URL(url)) is None


def test_the_cache_file_holds_no_token(cached: Path) -> None:
    app = SocketSandbox()
    app.add_token(SandboxToken("sktsec_cache_secret_token_777"))
    with _client(app, token="sktsec_cache_secret_token_777", auth="basic") as sock:
        sock.snapshots("globex", date="2026-03-31", range="-20d")
    snyk_app = SnykSandbox()
    with SnykClient(token=snyk_app.token, transport=sandbox.transport(snyk_app), progress=False) as snyk:
        snyk.projects(SnykSandbox.org_id("globex"))
    files = list(cached.rglob("*"))
    assert any(f.suffix == ".sqlite" for f in files)
    needles = [b"sktsec_cache_secret_token_777", base64.b64encode(b"sktsec_cache_secret_token_777:"),
               snyk_app.token.encode(), b"authorization"]  # fmt: skip
    for path in files:
        if path.is_file():
            blob = path.read_bytes()
            for needle in needles:
                assert needle not in blob.lower() if needle == b"authorization" else needle not in blob
    with sqlite3.connect(next(f for f in files if f.suffix == ".sqlite")) as db:
        assert db.execute("select count(*) from entries").fetchone()[0] > 0


def test_the_cache_lives_in_the_user_cache_dir_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOCKETLAB_CACHE_DIR")
    assert "socketlab" in str(cache_dir())
    assert not str(cache_dir()).startswith(str(Path.cwd()))


def test_a_failed_long_fetch_resumes_from_cached_pages(cached: Path) -> None:
    """Quota runs out on page 4: the re-run reads pages 1-3 from the cache and asks only for the rest."""
    from socketlab import QuotaExceededError
    from socketlab.sandbox._socket import Reply

    app = SocketSandbox()

    class RunsOutOfQuota:  # the 4th and later snapshot pages: 429 with an hour's Retry-After
        def __init__(self) -> None:
            self.pages = 0
            self.broken = True

        def handle(self, method: str, target: str, headers: Any) -> Reply:
            if "/historical/snapshots" in target:
                self.pages += 1
                if self.broken and self.pages > 3:
                    body = b'{"error": {"message": "Quota exceeded", "details": null}}'
                    return Reply(429, {"content-type": "application/json", "retry-after": "3600"}, body)
            return app.handle(method, target, headers)

    flaky = RunsOutOfQuota()
    query = {"date": "2026-03-31", "range": "-90d", "per_page": 40}
    with SocketClient(token=app.token, transport=sandbox.transport(flaky), progress=False) as sock:  # type: ignore[arg-type]
        with pytest.raises(QuotaExceededError) as info:
            sock.snapshots("acme-corp", **query)  # type: ignore[arg-type]
        assert info.value.pages_fetched == 3
        flaky.broken, flaky.pages = False, 0  # the quota is back
        resumed = sock.snapshots("acme-corp", **query)  # type: ignore[arg-type]
    pages = -(-len(resumed) // 40)
    assert pages > 4
    assert flaky.pages == pages - 3  # only the pages that had not arrived went out
    with SocketClient(token=app.token, transport=sandbox.transport(app), progress=False, cache=False) as fresh:
        pd.testing.assert_frame_equal(resumed, fresh.snapshots("acme-corp", **query))  # type: ignore[arg-type]
