"""Clients for notebooks: the real API or the sandbox, said in a quiet note; readable tables; on-demand jobs."""

from __future__ import annotations

import pandas as pd
import pytest

import socketlab as sl
from socketlab import SnykClient, SocketClient, sandbox
from socketlab._config import SOCKET_TOKEN_ENV
from socketlab.sandbox import SnykSandbox, SocketSandbox
from tests.conftest import SNYK_TEST_TOKEN, TEST_TOKEN, FakeTime


@pytest.fixture
def no_tokens(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (*SOCKET_TOKEN_ENV, "SNYK_TOKEN", "SOCKETLAB_SANDBOX", "SOCKET_API_BASE_URL", "SNYK_API_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_without_tokens_the_sandbox_answers_and_a_note_says_so_on_stdout(
    no_tokens: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Outside a kernel the note is one plain line on stdout: information, never stderr."""
    with sl.socket_client_or_sandbox(progress=False) as sock, sl.snyk_client_or_sandbox(progress=False) as snyk:
        assert sock.base_url == sandbox.SANDBOX_SOCKET_URL and snyk.base_url == sandbox.SANDBOX_SNYK_URL
        assert sl.data_source(sock).sandbox and sl.data_source(snyk).sandbox
    out, err = capsys.readouterr()
    assert err == ""
    assert "Socket data: the offline sandbox — demo data, not a real organization (no Socket API token is set" in out
    assert "set SOCKET_API_TOKEN for your organization's data" in out
    assert "Snyk data: the offline sandbox" in out and "set SNYK_TOKEN" in out


def test_with_tokens_the_note_names_the_base_url_and_the_variable(
    no_tokens: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], served: str, snyk_served: str
) -> None:
    no_tokens.setenv("SOCKET_API_KEY", TEST_TOKEN)  # the second of Socket's names: the note says which
    no_tokens.setenv("SOCKET_API_BASE_URL", served)
    no_tokens.setenv("SNYK_TOKEN", SNYK_TEST_TOKEN)
    no_tokens.setenv("SNYK_API_BASE_URL", snyk_served)
    with sl.socket_client_or_sandbox(progress=False) as sock, sl.snyk_client_or_sandbox(progress=False) as snyk:
        assert sock.base_url == served and snyk.base_url == snyk_served
        assert len(sock.snapshots("globex", date="2026-03-01", range="-1d")) == 2  # the loopback server answers
        source = sl.data_source(snyk, token_from="SNYK_TOKEN")
        assert not source.sandbox and source.label == f"Snyk data: {snyk_served}"
    out = capsys.readouterr().out
    assert f"Socket data: {served} (token from SOCKET_API_KEY)." in out
    assert f"Snyk data: {snyk_served} (token from SNYK_TOKEN)." in out
    assert "sandbox" not in out


def test_sandbox_1_uses_the_sandbox_even_with_tokens(
    no_tokens: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    no_tokens.setenv("SOCKET_API_TOKEN", TEST_TOKEN)
    no_tokens.setenv("SOCKETLAB_SANDBOX", "1")
    with sl.socket_client_or_sandbox(progress=False) as sock:
        assert sl.data_source(sock).sandbox
    out = capsys.readouterr().out
    assert "(SOCKETLAB_SANDBOX=1)." in out and "set SOCKET_API_TOKEN" not in out  # the token is set already


def test_sandbox_0_never_falls_back_and_names_the_variable(no_tokens: pytest.MonkeyPatch) -> None:
    no_tokens.setenv("SOCKETLAB_SANDBOX", "0")
    with pytest.raises(sl.ConfigurationError, match=r"real Snyk API was asked for .*set SNYK_TOKEN$"):
        sl.snyk_client_or_sandbox()
    with pytest.raises(sl.ConfigurationError, match=r"set SOCKET_API_TOKEN \(or SOCKET_API_KEY, "):
        sl.socket_client_or_sandbox()


def test_sandbox_snyk_takes_only_snyk_from_the_sandbox(no_tokens: pytest.MonkeyPatch, served: str) -> None:
    no_tokens.setenv("SOCKETLAB_SANDBOX", "snyk")
    with pytest.raises(sl.ConfigurationError, match="SOCKET_API_TOKEN"):
        sl.socket_client_or_sandbox()  # Socket must be the real API
    no_tokens.setenv("SOCKET_API_TOKEN", TEST_TOKEN)
    no_tokens.setenv("SOCKET_API_BASE_URL", served)
    no_tokens.setenv("SNYK_TOKEN", SNYK_TEST_TOKEN)
    with sl.socket_client_or_sandbox(progress=False) as sock, sl.snyk_client_or_sandbox(progress=False) as snyk:
        assert not sl.data_source(sock).sandbox and sl.data_source(snyk).sandbox


def test_an_unknown_sandbox_setting_is_refused(no_tokens: pytest.MonkeyPatch) -> None:
    no_tokens.setenv("SOCKETLAB_SANDBOX", "yes-please")
    with pytest.raises(sl.ConfigurationError, match="SOCKETLAB_SANDBOX='yes-please' is not understood: use 1"):
        sl.socket_client_or_sandbox()


def test_readable_tables_show_dates_weeks_and_numbers() -> None:
    weeks = pd.DatetimeIndex(["2026-10-12", "2026-10-19"], tz="UTC", name="week")
    frame = pd.DataFrame(
        {"critical": pd.array([1200, 3], dtype="Int64"), "share": [0.1234, None], "minutes": [2.345, 10.0]},
        index=weeks,
    )
    html = sl.display.readable(frame, percent=["share"]).to_html()
    assert "week of" in html and "2026-10-19" in html and "00:00:00" not in html and "+00:00" not in html
    assert "1,200" in html and "12.3%" in html and "2.3" in html and "–" in html
    stamps = pd.DataFrame({"day": pd.to_datetime(["2026-10-19 13:45"], utc=True), "jobs": [4]})
    html = sl.display.readable(stamps).to_html()
    assert "day (UTC)" in html and "2026-10-19 13:45 UTC" in html
    assert ">0<" not in html  # a plain row index is hidden
    assert frame.equals(sl.display.readable(frame).data.set_axis(frame.index))  # the data is untouched


def test_the_sandbox_demo_starts_an_on_demand_job(
    app: SocketSandbox, sock: SocketClient, capsys: pytest.CaptureFixture[str]
) -> None:
    """start=None: on the sandbox the demo job runs (free, seconds)."""
    done = sl.on_demand_snapshot(sock, "globex", poll_interval=5, timeout=900)
    assert done is not None and done["status"] in sl.TERMINAL_STATUSES
    assert any(method == "POST" for method, _ in app.requests)
    assert "on-demand snapshot" in capsys.readouterr().out


def test_a_live_api_gets_no_job_unless_asked(
    app: SocketSandbox, served: str, clock: FakeTime, capsys: pytest.CaptureFixture[str]
) -> None:
    """start=None on a real API (here the sandbox on loopback, as if real): no POST, no quota spent on a job."""
    with SocketClient(
        token=TEST_TOKEN, base_url=served, progress=False, sleep=clock.sleep, clock=clock.monotonic
    ) as sock:
        assert sl.on_demand_snapshot(sock, "globex") is None
        assert sl.on_demand_snapshot(sock, "globex", start=False) is None
        assert not any(method == "POST" for method, _ in app.requests)
        assert "No on-demand snapshot job started" in capsys.readouterr().out
        done = sl.on_demand_snapshot(sock, "globex", start=True, poll_interval=5, timeout=900)
    assert done is not None
    assert [m for m, _ in app.requests].count("POST") == 1


def test_data_source_of_clients_made_by_hand(snyk_app: SnykSandbox, snyk_served: str) -> None:
    with SnykClient(token=SNYK_TEST_TOKEN, base_url=snyk_served, progress=False) as snyk:
        assert sl.data_source(snyk) == sl.DataSource("snyk", snyk_served, False)
    with sandbox.snyk_client(snyk_app, progress=False) as snyk:
        assert sl.data_source(snyk, token_from="SNYK_TOKEN").token_from is None  # the sandbox needs none
