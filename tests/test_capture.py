"""`socketlab capture`: today's captures into the history store, once a UTC day; real processes."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from socketlab import sandbox
from socketlab._capture import CaptureSource, take_captures
from socketlab._errors import NotFoundError
from socketlab.history import ISSUE_COLUMNS, HistoryStore
from socketlab.sandbox import SnykSandbox

ACME = SnykSandbox.org_id("acme-corp")


@pytest.fixture
def apis() -> Iterator[tuple[sandbox.Sandbox, dict[str, str]]]:
    """Both sandboxes on loopback, and the environment a cron job would have (tokens, API roots)."""
    app = sandbox.Sandbox()
    with sandbox.serving(app) as root:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SOCKET_", "SNYK_", "SOCKETLAB_HISTORY"))}
        env |= {"SOCKET_API_TOKEN": app.socket.token, "SOCKET_API_BASE_URL": root + "/v0",
                "SNYK_TOKEN": app.snyk.token, "SNYK_API_BASE_URL": root + "/rest"}  # fmt: skip
        yield app, env


def _capture(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "socketlab", "capture", *args], env=env, capture_output=True,
                          text=True, timeout=180, check=False)  # fmt: skip


def test_capture_is_idempotent_per_utc_day(apis: tuple[sandbox.Sandbox, dict[str, str]], tmp_path: Path) -> None:
    app, env = apis
    store = HistoryStore(tmp_path / "history")
    first = _capture(env, "--org", "acme-corp", "--history-dir", str(store.root))
    assert first.returncode == 0, first.stderr
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert f"captured Socket alert resolutions of acme-corp for {today}:" in first.stdout
    assert f"captured Snyk issues of org {ACME} for {today}:" in first.stdout  # found by name (GET /orgs)
    assert first.stderr == ""
    issues = store.read(f"snyk-issues-{ACME}")
    assert list(issues.columns) == ["captured_at", *ISSUE_COLUMNS] and len(issues) > 100
    assert len(store.read("socket-resolutions-acme-corp")) > 10
    files = sorted(p.stat().st_mtime_ns for p in store.root.rglob("*.parquet"))
    sent = (len(app.socket.requests), len(app.snyk.requests))

    again = _capture(env, "--org", "acme-corp", "--history-dir", str(store.root))
    assert again.returncode == 0
    assert again.stdout.count(f"already captured today ({today})") == 2
    assert sorted(p.stat().st_mtime_ns for p in store.root.rglob("*.parquet")) == files  # nothing rewritten
    assert len(app.socket.requests) == sent[0]  # no fetch for what today already has
    assert store.dates("socket-resolutions-acme-corp") == [today]

    forced = _capture(env, "--org", "acme-corp", "--history-dir", str(store.root), "--force", "--quiet")
    assert forced.returncode == 0 and forced.stdout == "" and forced.stderr == ""
    assert store.dates("socket-resolutions-acme-corp") == [today]


def test_one_failing_capture_exits_1_and_the_others_are_taken(
    apis: tuple[sandbox.Sandbox, dict[str, str]], tmp_path: Path
) -> None:
    _, env = apis
    unknown = "00000000-0000-4000-8000-000000000000"
    result = _capture(env, "--org", "acme-corp", "--snyk-org-id", unknown, "--snyk-org-id", ACME,
                      "--history-dir", str(tmp_path), "--quiet")  # fmt: skip
    assert result.returncode == 1  # cron mails it: something needs a look
    assert result.stdout == ""
    assert result.stderr.startswith(f"FAILED to capture Snyk issues of org {unknown} for ")
    assert "404" in result.stderr and env["SNYK_TOKEN"] not in result.stderr
    store = HistoryStore(tmp_path)
    assert len(store.dates("socket-resolutions-acme-corp")) == 1 and len(store.dates(f"snyk-issues-{ACME}")) == 1
    assert store.dates(f"snyk-issues-{unknown}") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "error: --org is required"),
        (["--org", "acme-corp", "--no-socket", "--no-snyk"], "error: --no-socket and --no-snyk leave nothing"),
        (["--org", "../etc"], "error: --org: '../etc' is not an organization slug"),
        (["--org", "acme-corp", "--snyk-org-id", "acme"], "error: --snyk-org-id: 'acme' is not a UUID"),
    ],
)
def test_command_mistakes_exit_2_before_any_request(
    apis: tuple[sandbox.Sandbox, dict[str, str]], tmp_path: Path, args: list[str], message: str
) -> None:
    app, env = apis
    result = _capture(env, *args, "--history-dir", str(tmp_path))
    assert result.returncode == 2 and result.stderr.startswith(message), result.stderr
    assert app.socket.requests == [] and app.snyk.requests == []
    assert list(tmp_path.iterdir()) == []


def test_a_missing_token_is_named(apis: tuple[sandbox.Sandbox, dict[str, str]], tmp_path: Path) -> None:
    _, env = apis
    result = _capture({k: v for k, v in env.items() if k != "SNYK_TOKEN"}, "--org", "acme-corp",
                      "--history-dir", str(tmp_path))  # fmt: skip
    assert result.returncode == 2 and "no Snyk API token: set SNYK_TOKEN" in result.stderr
    socket_only = _capture({k: v for k, v in env.items() if k != "SNYK_TOKEN"}, "--org", "acme-corp", "--no-snyk",
                           "--history-dir", str(tmp_path))  # fmt: skip
    assert socket_only.returncode == 0, socket_only.stderr


def test_take_captures_on_its_own(tmp_path: Path) -> None:
    """The library function: today is the UTC day of ``now``; a failing source is reported, not raised."""
    store = HistoryStore(tmp_path)
    calls: list[str] = []

    def good() -> pd.DataFrame:
        calls.append("good")
        return pd.DataFrame({"x": [1, 2]})

    def bad() -> pd.DataFrame:
        raise NotFoundError("no such org", status=404)

    late = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))  # 04:30 UTC, March 2nd
    sources = [CaptureSource("good", "good", good), CaptureSource("bad", "bad", bad)]
    results = take_captures(store, sources, now=late)
    assert [(r.state, r.day) for r in results] == [("taken", "2026-03-02"), ("failed", "2026-03-02")]
    assert take_captures(store, sources[:1], now=late)[0].state == "already" and calls == ["good"]
    assert store.dates("good") == ["2026-03-02"]
