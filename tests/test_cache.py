"""The response cache: re-runs are free, only answers that decoded are kept, and it never holds a token."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import stat
import subprocess
import sys
import urllib.parse
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from socketlab import (
    CacheWarning,
    PaginationError,
    QuotaExceededError,
    SnykClient,
    SocketClient,
    UnauthorizedError,
    sandbox,
)
from socketlab._cache import ResponseCache, cache_dir
from socketlab.sandbox import SandboxToken, SnykSandbox, SocketSandbox
from socketlab.sandbox._socket import Reply
from tests.conftest import FakeTime

QUERY: dict[str, Any] = {"date": "2026-03-31", "range": "-90d", "per_page": 40}


def _client(app: Any, token: str | None = None, **kwargs: Any) -> SocketClient:
    return SocketClient(token=token or sandbox.DEMO_TOKEN, transport=sandbox.transport(app), progress=False, **kwargs)


def _snyk(app: Any, **kwargs: Any) -> SnykClient:
    return SnykClient(token=sandbox.SNYK_DEMO_TOKEN, transport=sandbox.transport(app), progress=False, **kwargs)


class OnceBad:
    """Answers like ``app``, except that the ``nth`` request to a path containing ``where`` gets ``bad``."""

    def __init__(self, app: Any, where: str, nth: int, bad: Reply) -> None:
        self.app, self.where, self.nth, self.bad = app, where, nth, bad
        self.seen = 0
        self.requests: list[str] = []

    def handle(self, method: str, target: str, headers: Any) -> Reply:
        self.requests.append(target)
        if self.where in target:
            self.seen += 1
            if self.seen == self.nth:
                return self.bad
        return self.app.handle(method, target, headers)


JSON = {"content-type": "application/json"}
BAD_BODIES = {
    "truncated": b'{"meta": {}, "items": [{"id": "x", "req',
    "html": b"<html><body>Service temporarily unavailable</body></html>",
    "empty": b"",
    "wrong shape": b'{"meta": {}, "endCursor": null}',
    "wrong type": b'{"meta": {}, "items": [{"id": 5}], "endCursor": null}',
}


def test_a_repeated_query_costs_no_request_and_no_quota() -> None:
    app = SocketSandbox()
    with _client(app) as sock:
        first = sock.snapshots("acme-corp", **QUERY)
        spent, sent = sock.quota_spent, len(app.requests)
        again = sock.snapshots("acme-corp", **QUERY)
    pd.testing.assert_frame_equal(first, again)
    assert len(app.requests) == sent  # nothing reached the API
    assert sock.quota_spent == spent
    assert sock.requests_made == sent
    assert first.attrs["cached_pages"] == 0
    assert again.attrs["cached_pages"] == again.attrs["pages"] == first.attrs["pages"] > 1


@pytest.mark.parametrize("kind", list(BAD_BODIES))
def test_a_bad_200_is_retried_over_the_network_and_never_stored(kind: str) -> None:
    """A garbled page is decoded before it could be stored: the retry asks the API, and the next run is clean."""
    app = SocketSandbox()
    with _client(app, cache=False) as clean:
        reference = clean.snapshots("acme-corp", **QUERY)
    bad = OnceBad(app, "/historical/snapshots", 3, Reply(200, JSON, BAD_BODIES[kind]))
    with _client(bad, sleep=lambda s: None, check_quota=False) as sock:
        frame = sock.snapshots("acme-corp", **QUERY)
        pages = frame.attrs["pages"]
        assert len(bad.requests) == pages + 1  # page 3 twice: the retry went to the network, not the cache
        rerun = sock.snapshots("acme-corp", **QUERY)
    pd.testing.assert_frame_equal(frame, reference)
    pd.testing.assert_frame_equal(rerun, reference)
    assert rerun.attrs["cached_pages"] == pages
    assert len(bad.requests) == pages + 1  # the re-run was answered wholly from the cache


def test_a_bad_snyk_page_is_never_stored() -> None:
    app = SnykSandbox()
    org = SnykSandbox.org_id("globex")
    bad = OnceBad(app, "/issues", 2, Reply(200, {"content-type": "application/vnd.api+json"}, b'{"links": {}}'))
    with _snyk(bad, sleep=lambda s: None) as snyk:
        first = snyk.issues(org_id=org, limit=50)
        sent = len(bad.requests)
        again = snyk.issues(org_id=org, limit=50)
    assert sent == first.attrs["pages"] + 1
    assert len(bad.requests) == sent
    assert again.attrs["cached_pages"] == first.attrs["pages"]
    pd.testing.assert_frame_equal(first, again)


def test_a_cached_answer_that_no_longer_decodes_is_evicted_and_asked_again(own_cache: Path) -> None:
    app = SocketSandbox()
    with _client(app) as sock:
        first = sock.snapshots("globex", date="2026-03-31", range="-5d")
    sent = len(app.requests)
    with sqlite3.connect(own_cache / "responses" / "responses.sqlite") as db:  # damaged on disk, or an older format
        db.execute("update answers set body = ?", (b'{"items": "no"}',))
    with _client(app) as sock:
        again = sock.snapshots("globex", date="2026-03-31", range="-5d")
        assert len(app.requests) == sent + 1 and again.attrs["cached_pages"] == 0
        third = sock.snapshots("globex", date="2026-03-31", range="-5d")
        assert len(app.requests) == sent + 1 and third.attrs["cached_pages"] == 1  # stored anew
    pd.testing.assert_frame_equal(first, again)


def test_a_looping_page_is_dropped_from_the_cache() -> None:
    """A page whose cursor repeats would make every later run loop: it is forgotten, so the next run asks."""
    app = SocketSandbox()

    class Loops:
        broken = True

        def handle(self, method: str, target: str, headers: Any) -> Reply:
            reply = app.handle(method, target, headers)
            if self.broken and "startAfterCursor" in target:  # the second page hands back its own cursor
                body = reply.json()
                body["endCursor"] = urllib.parse.unquote(target.partition("startAfterCursor=")[2].partition("&")[0])
                return Reply(200, JSON, json.dumps(body).encode())
            return reply

    loops = Loops()
    with _client(loops) as sock:
        with pytest.raises(PaginationError):
            sock.snapshots("acme-corp", **QUERY)
        loops.broken = False
        frame = sock.snapshots("acme-corp", **QUERY)
    with _client(app, cache=False) as clean:
        pd.testing.assert_frame_equal(frame, clean.snapshots("acme-corp", **QUERY))


def test_a_cache_hit_takes_no_rate_limit_slot(clock: FakeTime) -> None:
    """A cached 8-page re-fetch at 10 requests per 20 s waits for nothing."""
    app = SnykSandbox(now=clock.utcnow)
    org = SnykSandbox.org_id("globex")
    with _snyk(app, rate_limit=10, rate_window=20, sleep=clock.sleep, clock=clock.monotonic) as snyk:
        first = snyk.issues(org_id=org, limit=10, effective_severity_level=["critical", "high"])
        assert first.attrs["pages"] >= 8
        made, waited = snyk.requests_made, snyk.limiter.waited
        again = snyk.issues(org_id=org, limit=10, effective_severity_level=["critical", "high"])
        assert snyk.limiter.waited == waited  # not a moment at the gate
        assert snyk.requests_made == made
    pd.testing.assert_frame_equal(first, again)


def test_every_fetch_takes_cache_false_and_clear_cache_empties_it(own_cache: Path) -> None:
    app, snyk_app = SocketSandbox(), SnykSandbox()
    org = SnykSandbox.org_id("globex")
    with _client(app) as sock, _snyk(snyk_app) as snyk:
        sock.snapshots("globex", date="2026-03-31", range="-5d")
        sock.snapshots("globex", date="2026-03-31", range="-5d", cache=False)
        sock.alerts_trend("globex", date="2026-03-31", range="-5d")
        sock.alerts_trend("globex", date="2026-03-31", range="-5d", cache=False)
        snyk.projects(org)
        snyk.projects(org, cache=False)
        snyk.collection("/orgs/{org_id}/projects", org_id=org)  # the same request: its stored answer serves
        snyk.collection("/orgs/{org_id}/projects", org_id=org, cache=False)
        assert len(app.requests) == 4
        assert len(snyk_app.requests) == 3
        assert sock.clear_cache() >= 2
        sock.snapshots("globex", date="2026-03-31", range="-5d")
        assert len(app.requests) == 5
    with _client(app, cache=False) as off:
        off.snapshots("globex", date="2026-03-31", range="-5d")
    assert len(app.requests) == 6


def test_a_new_process_reuses_the_cache(own_cache: Path) -> None:
    """A restarted kernel asks nothing again: two real processes against the sandbox on loopback."""
    app = SocketSandbox()
    script = (
        "import socketlab as sl\n"
        "sock = sl.SocketClient(progress=False)\n"
        "frame = sock.alerts('globex', date='2026-03-31', range='-10d')\n"
        "print(len(frame), frame.attrs['cached_pages'], sock.quota_spent)\n"
    )
    with sandbox.serving(app) as root:
        env = {**os.environ, "SOCKET_API_TOKEN": app.token, "SOCKET_API_BASE_URL": root + "/v0",
               "SOCKETLAB_CACHE_DIR": str(own_cache)}  # fmt: skip
        outputs = [subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                                  check=True).stdout.split() for _ in range(2)]  # fmt: skip
    (rows, cached, spent), (rows_again, cached_again, spent_again) = outputs
    assert rows == rows_again and int(rows) > 0
    assert (cached, int(spent) > 0) == ("0", True)
    assert (cached_again, spent_again) == ("1", "0")
    assert len(app.requests) == 1


def test_another_token_or_scheme_never_gets_a_cached_answer() -> None:
    """The key holds a keyed fingerprint of the credentials: a wrong token never gets a cached 200."""
    app = SocketSandbox()
    with _client(app) as sock:
        sock.snapshots("globex", date="2026-03-31", range="-5d")
    with _client(app, token="sktsec_not_a_valid_token_at_all") as wrong, pytest.raises(UnauthorizedError):
        wrong.snapshots("globex", date="2026-03-31", range="-5d")
    with _client(app, auth="basic") as basic:
        basic.snapshots("globex", date="2026-03-31", range="-5d")
    assert len(app.requests) == 3


def test_quota_posts_and_job_polls_are_never_cached() -> None:
    app = SocketSandbox()
    with _client(app) as sock:
        sock.quota()
        sock.quota()
        job = sock.start_snapshot("globex")
        sock.wait_for_snapshot("globex", job.request_id, poll_interval=1, timeout=30)
    gets = [t for m, t in app.requests if m == "GET"]
    assert sum("/quota" in t for t in gets) == 2
    assert sum("filters.requestId" in t for t in gets) >= 2  # every poll went out


def test_the_cache_holds_no_token(own_cache: Path) -> None:
    app = SocketSandbox()
    app.add_token(SandboxToken("sktsec_cache_secret_token_777"))
    with _client(app, token="sktsec_cache_secret_token_777", auth="basic") as sock:
        sock.snapshots("globex", date="2026-03-31", range="-20d")
    snyk_app = SnykSandbox()
    with _snyk(snyk_app) as snyk:
        snyk.projects(SnykSandbox.org_id("globex"))
    files = [f for f in own_cache.rglob("*") if f.is_file()]
    assert {f.name for f in files} >= {"responses.sqlite", "key"}
    needles = [b"sktsec_cache_secret_token_777", base64.b64encode(b"sktsec_cache_secret_token_777:"),
               snyk_app.token.encode(), b"authorization"]  # fmt: skip
    for path in files:
        blob = path.read_bytes().lower()
        for needle in needles:
            assert needle.lower() not in blob, (path, needle)
    with sqlite3.connect(own_cache / "responses" / "responses.sqlite") as db:
        assert db.execute("select count(*) from answers").fetchone()[0] >= 2


def test_the_folder_is_private_whatever_the_umask(own_cache: Path) -> None:
    folder = own_cache / "responses"
    old = os.umask(0)  # the most permissive umask: nothing may rely on it
    try:
        with _client(SocketSandbox()) as sock:
            sock.snapshots("globex", date="2026-03-31", range="-5d")
            files = list(folder.iterdir())  # while open: the journal files exist too
            names = {"key", "responses.sqlite", "responses.sqlite-wal", "responses.sqlite-shm"}
            assert {f.name for f in files} == names
            for path in files:
                assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_keys_are_keyed_per_install(tmp_path: Path) -> None:
    """An HMAC under a random key kept in the folder: the same token gives other keys elsewhere,
    so a short token cannot be guessed offline with a fixed salt."""
    one, two = ResponseCache(tmp_path / "a"), ResponseCache(tmp_path / "b")
    key_one = one.key("token abc", "GET", "https://x/y")
    assert key_one is not None and key_one == one.key("token abc", "GET", "https://x/y")
    assert key_one != two.key("token abc", "GET", "https://x/y")
    assert key_one != one.key("token abd", "GET", "https://x/y")
    assert len((tmp_path / "a" / "responses" / "key").read_bytes()) == 32
    one.close()
    two.close()


def _fetch_warns_once(app: SocketSandbox) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with _client(app) as sock:
            sock.snapshots("globex", date="2026-03-31", range="-5d")
            sock.snapshots("globex", date="2026-03-31", range="-5d")
            sock.snapshots("globex", date="2026-03-31", range="-9d")
    return [w for w in caught if issubclass(w.category, CacheWarning)]


@pytest.mark.parametrize("where", ["a file in the way", "a read-only place"])
def test_an_unusable_cache_folder_warns_once_and_the_client_works_uncached(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, where: str
) -> None:
    if where == "a file in the way":
        (tmp_path / "file").write_text("not a folder")
        monkeypatch.setenv("SOCKETLAB_CACHE_DIR", str(tmp_path / "file"))
    else:  # even root cannot make folders in /proc (a read-only HOME behaves alike)
        monkeypatch.setenv("SOCKETLAB_CACHE_DIR", "/proc/socketlab-cache")
    app = SocketSandbox()
    caught = _fetch_warns_once(app)
    assert len(caught) == 1, [str(w.message) for w in caught]
    assert "going on without it" in str(caught[0].message)
    assert len(app.requests) == 3  # uncached, but working


@pytest.mark.parametrize("damage", ["garbage", "foreign schema", "our table, other columns"])
def test_a_corrupt_or_foreign_database_is_moved_aside(own_cache: Path, damage: str) -> None:
    folder = own_cache / "responses"
    folder.mkdir(mode=0o700)
    database = folder / "responses.sqlite"
    if damage == "garbage":
        database.write_bytes(os.urandom(4096))
    else:
        with sqlite3.connect(database) as db:
            db.execute(
                "create table entries (id integer)" if damage == "foreign schema" else "create table answers (k)"
            )
    app = SocketSandbox()
    caught = _fetch_warns_once(app)
    assert len(caught) == 1 and "moved it to" in str(caught[0].message)
    assert [p.name for p in folder.glob("responses.sqlite.corrupt-*")]  # kept, for whoever wants to look
    assert len(app.requests) == 2  # the new cache works: the repeated query was answered from it


def test_close_releases_every_connection(own_cache: Path) -> None:
    def open_files() -> list[str]:
        return [os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd") if _is_link(fd)]

    database = str(own_cache / "responses" / "responses.sqlite")
    sock = _client(SocketSandbox())
    sock.snapshots(["acme-corp", "globex"], start="2026-01-01", end="2026-03-31")  # threads used the cache
    assert any(f.startswith(database) for f in open_files())
    sock.close()
    assert not any(f.startswith(database) for f in open_files())


def _is_link(fd: str) -> bool:
    try:
        os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return False
    return True


def test_the_cache_lives_in_the_user_cache_dir_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOCKETLAB_CACHE_DIR")
    assert "socketlab" in str(cache_dir())
    assert not str(cache_dir()).startswith(str(Path.cwd()))


def test_a_failed_long_fetch_resumes_from_cached_pages() -> None:
    """Quota runs out on page 4: the re-run reads pages 1-3 from the cache and asks only for the rest."""
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
    with _client(flaky) as sock:
        with pytest.raises(QuotaExceededError) as info:
            sock.snapshots("acme-corp", **QUERY)
        assert info.value.pages_fetched == 3
        flaky.broken, flaky.pages = False, 0  # the quota is back
        resumed = sock.snapshots("acme-corp", **QUERY)
    assert resumed.attrs["cached_pages"] == 3  # partly from the cache, and it says so
    pages = resumed.attrs["pages"]
    assert pages > 4
    assert flaky.pages == pages - 3  # only the pages that had not arrived went out
    with _client(app, cache=False) as fresh:
        pd.testing.assert_frame_equal(resumed, fresh.snapshots("acme-corp", **QUERY))
