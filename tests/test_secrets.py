"""The token never shows: not in cassettes, reprs, logs, exceptions or CLI output."""

from __future__ import annotations

import base64
import logging
import traceback
from pathlib import Path

import pytest

from socketlab import SnykClient, SocketClient, UnauthorizedError, sandbox
from socketlab.sandbox import SandboxToken, SnykSandbox, SnykToken, SocketSandbox
from tests.conftest import CASSETTES, SNYK_TEST_TOKEN, TEST_TOKEN, FakeTime, LiveRun


def _forms(token: str) -> list[str]:
    """The token as it could leak: raw, and inside a Basic header (base64 of 'token:')."""
    basic = base64.b64encode(f"{token}:".encode()).decode()
    return [token, basic, basic.rstrip("=")]


def test_no_cassette_holds_a_token() -> None:
    """Scan every cassette for the test token, its Basic form and Socket's sktsec_ prefix."""
    files = list(Path(CASSETTES).rglob("*.yaml"))
    assert files, "no cassettes found"
    needles = [
        *_forms(TEST_TOKEN), *_forms(sandbox.DEMO_TOKEN), "sktsec_", "c2t0c2Vj",  # base64 of "sktsec"
        SNYK_TEST_TOKEN, sandbox.SNYK_DEMO_TOKEN, "token ", "bearer ",
    ]  # fmt: skip
    for path in files:
        text = path.read_text()
        for needle in needles:
            assert needle not in text, f"{path.name} contains {needle[:12]}…"
        assert "authorization" not in text.lower(), f"{path.name} kept an authorization header"


def test_the_cassette_scan_would_catch_a_leak(tmp_path: Path) -> None:
    """Guard for the scan: a recording made without our filters does contain the Basic form."""
    import vcr

    app = SocketSandbox()
    recorder = vcr.VCR(cassette_library_dir=str(tmp_path), record_mode="all")
    with recorder.use_cassette("leak.yaml"), sandbox.socket_client(app, auth="basic", progress=False) as sock:
        sock.quota()
    assert _forms(app.token)[1] in (tmp_path / "leak.yaml").read_text()


@pytest.mark.parametrize("auth", ["bearer", "basic"])
def test_repr_and_str_do_not_show_the_token(auth: str) -> None:
    sock = SocketClient(token=TEST_TOKEN, auth=auth)  # type: ignore[arg-type]
    for text in (repr(sock), str(sock), repr(sock._shell._http.auth), repr(vars(sock))):
        for form in _forms(TEST_TOKEN):
            assert form not in text


@pytest.mark.parametrize("auth", ["token", "bearer"])
def test_snyk_repr_does_not_show_the_token(auth: str) -> None:
    snyk = SnykClient(token=SNYK_TEST_TOKEN, auth=auth)  # type: ignore[arg-type]
    for text in (repr(snyk), str(snyk), repr(snyk._shell._http.auth), repr(vars(snyk))):
        assert SNYK_TEST_TOKEN not in text


def test_snyk_logs_and_errors_do_not_show_the_token(caplog: pytest.LogCaptureFixture, clock: FakeTime) -> None:
    app = SnykSandbox(now=clock.utcnow)
    with caplog.at_level(logging.DEBUG), sandbox.serving(app) as root:
        with SnykClient(token=app.token, base_url=root + "/rest", progress=False) as snyk:
            snyk.projects(SnykSandbox.org_id("globex"))
        with SnykClient(token="bad-" + app.token, base_url=root + "/rest", progress=False) as snyk:
            with pytest.raises(UnauthorizedError) as info:
                snyk.projects(SnykSandbox.org_id("globex"))
    text = "\n".join(f"{r.name} {r.getMessage()} {r.args}" for r in caplog.records)
    text += str(info.value) + "".join(traceback.format_exception(info.value)) + repr(vars(info.value))
    assert app.token not in text


def test_logs_at_every_level_do_not_show_the_token(caplog: pytest.LogCaptureFixture, clock: FakeTime) -> None:
    app = SocketSandbox(now=clock.utcnow)
    with caplog.at_level(logging.DEBUG), sandbox.serving(app) as root:
        with SocketClient(token=app.token, base_url=root + "/v0", auth="basic", progress=False) as sock:
            sock.snapshots("globex", date="2026-03-01", range="-3d")
            sock.quota()
    assert caplog.records, "expected debug records from socketlab and httpx"
    text = "\n".join(f"{r.name} {r.getMessage()} {r.args}" for r in caplog.records)
    for form in _forms(app.token):
        assert form not in text


def test_exceptions_and_tracebacks_do_not_show_the_token(clock: FakeTime) -> None:
    app = SocketSandbox(now=clock.utcnow)
    wrong = "sktsec_wrong_token_0123456789"
    with sandbox.socket_client(app, token=wrong, auth="basic") as sock, pytest.raises(UnauthorizedError) as info:
        sock.snapshots("globex")
    text = str(info.value) + repr(info.value) + "".join(traceback.format_exception(info.value))
    text += repr(vars(info.value))
    for form in _forms(wrong):
        assert form not in text


def test_the_command_line_never_prints_a_token(tmp_path: Path) -> None:
    """Real processes over loopback: data, summaries, API errors and set-up errors hold no token."""
    import os
    import subprocess
    import sys

    app = sandbox.Sandbox()
    app.socket.add_token(SandboxToken(TEST_TOKEN, name="cli"))
    app.snyk.add_token(SnykToken(SNYK_TEST_TOKEN))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOCKET_", "SNYK_"))}
    outputs = []
    with sandbox.serving(app) as root:
        env |= {"SOCKET_API_BASE_URL": root + "/v0", "SNYK_API_BASE_URL": root + "/rest"}
        runs = [
            ({"SOCKET_API_TOKEN": TEST_TOKEN}, ["alerts", "--org", "globex", "--date", "2026-03-01", "--range", "-1d",
                                                "--auth", "basic", "--format", "jsonl"]),
            ({"SOCKET_API_TOKEN": TEST_TOKEN}, ["snapshots", "--org", "globex", "--start", "2026-01-01",
                                                "--end", "2026-03-01", "--format", "csv"]),
            ({"SOCKET_API_TOKEN": "sktsec_wrong_" + TEST_TOKEN}, ["organizations"]),  # 401
            ({"SOCKET_API_TOKEN": TEST_TOKEN}, ["snapshots", "--org", "globex",
                                                "--base-url", f"https://x:{TEST_TOKEN}@example.com/v0"]),
            ({"SNYK_TOKEN": SNYK_TEST_TOKEN}, ["issues", "--org-id", SnykSandbox.org_id("globex"), "--format", "csv"]),
            ({"SNYK_TOKEN": "0" + SNYK_TEST_TOKEN[1:]}, ["projects", "--org-id", SnykSandbox.org_id("globex")]),  # 401
        ]  # fmt: skip
        for extra, argv in runs:
            result = subprocess.run(
                [sys.executable, "-m", "socketlab", *argv, "--no-progress"],
                capture_output=True, text=True, env=env | extra, cwd=tmp_path, timeout=120, check=False,
            )  # fmt: skip
            outputs.append((argv[0], result.returncode, result.stdout + result.stderr))
    assert [code for _, code, _ in outputs] == [0, 0, 2, 2, 0, 2]
    for command, _, text in outputs:
        for secret in (*_forms(TEST_TOKEN), *_forms(SNYK_TEST_TOKEN), "sktsec_wrong", SNYK_TEST_TOKEN[1:]):
            assert secret not in text, command


def test_no_token_in_the_live_report_or_its_output(live_report: LiveRun) -> None:
    """The live rehearsal's pages, executed notebooks, charts, marker and terminal output hold no token."""
    tokens = [*_forms(live_report.app.socket.token), live_report.app.snyk.token]
    texts = [live_report.result.stdout, live_report.result.stderr]
    texts += [p.read_text() for p in live_report.out.rglob("*") if p.is_file() and p.suffix != ".png"]
    assert len(texts) > 10
    for text in texts:
        for token in tokens:
            assert token not in text


def test_data_source_notes_and_scope_errors_do_not_show_the_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], served: str, snyk_served: str
) -> None:
    """The notes name the variable a token came from, never the token; nor do scope errors or reprs."""
    import socketlab as sl

    monkeypatch.delenv("SOCKETLAB_SANDBOX", raising=False)
    monkeypatch.setenv("SOCKET_API_TOKEN", TEST_TOKEN)
    monkeypatch.setenv("SOCKET_API_BASE_URL", served)
    monkeypatch.setenv("SNYK_TOKEN", SNYK_TEST_TOKEN)
    monkeypatch.setenv("SNYK_API_BASE_URL", snyk_served)
    with sl.socket_client_or_sandbox(progress=False) as sock, sl.snyk_client_or_sandbox(progress=False) as snyk:
        text = repr(sl.data_source(sock, token_from="SOCKET_API_TOKEN")) + repr(sl.data_source(snyk))
        with pytest.raises(sl.ConfigurationError) as info:
            sl.snyk_scope(snyk, "no-such-org")
        scope = sl.snyk_scope(snyk, "globex")
    text += capsys.readouterr().out + str(info.value) + "".join(traceback.format_exception(info.value)) + repr(scope)
    assert "SOCKET_API_TOKEN" in text and "SNYK_TOKEN" in text
    for token in (*_forms(TEST_TOKEN), SNYK_TEST_TOKEN):
        assert token not in text


def test_the_export_download_never_carries_the_token(caplog: pytest.LogCaptureFixture, clock: FakeTime) -> None:
    """Real HTTP on loopback: the export's files are fetched from their own host with no Authorization
    header; no log record, error or repr along the way holds the token (nor, in socketlab's own
    records and errors, a signed URL's signature)."""
    import datetime as dt

    from socketlab import ForbiddenError
    from socketlab._decoders import decode_export_file

    app = SnykSandbox(now=clock.utcnow)
    app.exports.file_rows = 100
    with caplog.at_level(logging.DEBUG), sandbox.serving(app) as root:
        with SnykClient(token=app.token, base_url=root + "/rest", sleep=clock.sleep, clock=clock.monotonic,
                        progress=False) as snyk:  # fmt: skip
            frame = snyk.export_issues(org_id=SnykSandbox.org_id("globex"), introduced=("2025-10-01", "2026-10-31"))
            target, _ = app.exports.file_requests[0]
            clock.now += dt.timedelta(hours=2)  # the signed links expire after an hour
            with pytest.raises(ForbiddenError) as info:
                snyk._shell.download(f"http://localhost:{root.rpartition(':')[2]}{target}", decode_export_file)
    assert frame.attrs["files"] > 1 and len(app.exports.file_requests) == frame.attrs["files"] + 1
    for _, headers in app.exports.file_requests:
        assert "authorization" not in headers and headers["host"].startswith("localhost:")
    everything = "\n".join(f"{r.name} {r.getMessage()} {r.args}" for r in caplog.records)
    ours = "\n".join(f"{r.getMessage()} {r.args}" for r in caplog.records if r.name == "socketlab")
    error = str(info.value) + "".join(traceback.format_exception(info.value)) + repr(vars(info.value))
    assert app.token not in everything + error + repr(frame.attrs) + repr(snyk)
    assert "X-Amz-Signature" not in ours + error


def test_resolutions_logs_do_not_show_the_token(caplog: pytest.LogCaptureFixture, clock: FakeTime) -> None:
    app = SocketSandbox(now=clock.utcnow)
    with caplog.at_level(logging.DEBUG), sandbox.serving(app) as root:
        with SocketClient(token=app.token, base_url=root + "/v0", auth="basic", progress=False) as sock:
            sock.alert_resolutions("acme-corp", per_page=20)
    text = "\n".join(f"{r.name} {r.getMessage()} {r.args}" for r in caplog.records)
    assert "alerts/resolutions" in text
    for form in _forms(app.token):
        assert form not in text
