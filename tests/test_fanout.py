"""The one fan-out: Ctrl-C or an error stops every thread before its next request, and keeps what arrived."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from socketlab import NotFoundError, SnykClient, SocketClient, sandbox
from socketlab._fanout import Cancel, Cancelled, run_concurrently
from socketlab.sandbox import SandboxToken, SnykSandbox, SnykToken, SocketSandbox
from socketlab.sandbox._socket import Reply

SPAN: dict[str, Any] = {"start": "2026-01-01", "end": "2026-06-30", "window_days": 7}


@pytest.fixture(autouse=True)
def ctrl_c_as_in_a_terminal() -> Iterator[None]:
    """Ctrl-C raises KeyboardInterrupt here and in the processes these tests start, as in a terminal or a
    kernel, even when pytest itself was started in the background (`pytest &`: a shell starts background
    jobs with SIGINT ignored, and child processes inherit that)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _join_workers() -> None:
    for thread in threading.enumerate():
        if thread.name.startswith("socketlab"):
            thread.join(timeout=30)


class Gate:
    """Answers like ``app``; after ``free`` requests, every request hangs until ``release`` is set.

    When ``hold`` requests hang at once, it presses Ctrl-C in the main thread (``interrupt``) or
    not: every worker is then inside a request, so none can start another on its own.
    """

    def __init__(self, app: Any, free: int, hold: int, interrupt: bool = True) -> None:
        self.app, self.free, self.hold, self.interrupt = app, free, hold, interrupt
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.started: list[str] = []
        self.hanging = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)

    def handle(self, method: str, target: str, headers: Any) -> Reply:
        with self.lock:
            self.started.append(target)
            held = len(self.started) > self.free
            if held:
                self.hanging += 1
                if self.hanging == self.hold and self.interrupt:  # Ctrl-C, delivered to the caller's thread
                    signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
        if held:
            assert self.release.wait(30), "the test never released the hanging requests"
        return self.app.handle(method, target, headers)


def test_ctrl_c_stops_a_backfill_at_once_and_keeps_what_arrived() -> None:
    app = SocketSandbox()
    gate = Gate(app, free=10, hold=4)
    with SocketClient(token=app.token, transport=sandbox.transport(gate), progress=False) as sock:
        with pytest.raises(KeyboardInterrupt) as info:
            sock.snapshots(["acme-corp", "globex"], max_workers=4, **SPAN)
        # control is back while four requests still hang: nobody waited for requests on the wire
        assert not gate.release.is_set()
        started = len(gate.started)
        assert started == 14
        gate.release.set()
        _join_workers()
    assert len(gate.started) == started  # the hanging requests ended; not one request started after Ctrl-C
    partial = info.value.partial  # type: ignore[attr-defined]
    assert isinstance(partial, pd.DataFrame) and partial.attrs["complete"] is False
    assert len(partial) > 0 and set(partial["org"]) <= {"acme-corp", "globex"}
    assert len(info.value.unfinished) > 0  # type: ignore[attr-defined]
    assert any("Running the same call again resumes" in note for note in info.value.__notes__)
    with SocketClient(token=app.token, transport=sandbox.transport(app), progress=False, cache=False) as clean:
        whole = clean.snapshots(["acme-corp", "globex"], **SPAN)
    assert set(partial["id"]) < set(whole["id"])  # a strict subset of the truth, no invented rows


def test_ctrl_c_in_a_single_fetch_keeps_the_pages_so_far() -> None:
    app = SocketSandbox()
    gate = Gate(app, free=3, hold=1)
    with SocketClient(token=app.token, transport=sandbox.transport(gate), progress=False, check_quota=False) as sock:
        with pytest.raises(KeyboardInterrupt) as info:  # the main thread itself hangs in the 4th request
            sock.snapshots("acme-corp", date="2026-06-30", range="-180d", per_page=40)
    partial = info.value.partial  # type: ignore[attr-defined]
    assert len(partial) == 3 * 40 and partial.attrs["complete"] is False
    assert info.value.resume_cursor  # type: ignore[attr-defined]


def test_an_error_in_one_window_stops_the_others_and_keeps_every_finished_window() -> None:
    """globex is not visible to this token: its first window fails after acme-corp's three finished."""
    app = SocketSandbox()
    app.add_token(SandboxToken("sktsec_acme_only_token", orgs=frozenset({"acme-corp"})))
    with SocketClient(token="sktsec_acme_only_token", transport=sandbox.transport(app), progress=False) as sock:
        with pytest.raises(NotFoundError) as info:
            sock.snapshots(["acme-corp", "globex"], start="2026-01-01", end="2026-01-21", window_days=7, max_workers=1)
    assert len(app.requests) == 4  # three windows of acme-corp, one of globex; the rest never started
    partial = info.value.partial
    assert set(partial["org"]) == {"acme-corp"} and partial.attrs["complete"] is False
    with SocketClient(token=app.token, transport=sandbox.transport(app), cache=False, progress=False) as clean:
        acme = clean.snapshots("acme-corp", start="2026-01-01", end="2026-01-21")
    assert partial["id"].tolist() == acme["id"].tolist()
    assert [org for org, _ in info.value.unfinished] == ["globex"] * 3


def test_snyk_several_orgs_one_failing_keeps_the_others() -> None:
    """globex is not visible to this token: it fails after acme-corp finished, whose issues the error keeps."""
    app = SnykSandbox()
    app.add_token(SnykToken("1b2c3d4e-0000-4000-8000-000000000001", orgs=frozenset({"acme-corp"})))
    acme, globex = SnykSandbox.org_id("acme-corp"), SnykSandbox.org_id("globex")
    with SnykClient(token="1b2c3d4e-0000-4000-8000-000000000001", transport=sandbox.transport(app),
                    progress=False) as snyk:  # fmt: skip
        with pytest.raises(NotFoundError) as info:
            snyk.issues(org_id=[acme, globex, acme.replace("a", "b")], effective_severity_level="critical",
                        max_workers=1)  # fmt: skip
        sent = len(app.requests)
        alone = snyk.issues(org_id=acme, effective_severity_level="critical")
    assert sent == alone.attrs["pages"] + 1  # acme-corp's pages, globex's first; the third org never started
    partial = info.value.partial
    assert partial["id"].tolist() == alone["id"].tolist()
    assert partial.attrs["complete"] is False
    assert info.value.unfinished == [f"/orgs/{globex}/issues", f"/orgs/{acme.replace('a', 'b')}/issues"]


def test_a_stopped_run_never_lets_cancelled_reach_the_caller() -> None:
    """Cancelled is how a stopped task unwinds; what the caller sees is the error that stopped the run."""
    release = threading.Event()
    ran: list[int] = []

    def work(task: int, cancel: Cancel) -> int:
        cancel.check()  # as the shell does before every request
        ran.append(task)
        if task == 0:
            raise ValueError("task 0 failed")
        release.wait(5)
        cancel.check()  # after the run stopped: this raises Cancelled, which nobody sees
        return task

    seen: list[tuple[str, list[int]]] = []
    with pytest.raises(ValueError, match="task 0 failed"):
        run_concurrently([0, 1, 2, 3], work, max_workers=2,
                         fail=lambda error, done, left: seen.append((str(error), sorted(left))))  # fmt: skip
    release.set()
    _join_workers()
    assert seen == [("task 0 failed", [0, 1, 2, 3])]  # none finished
    assert 0 in ran and not {2, 3} & set(ran)  # 2 and 3 did no work: the failing thread stopped the run first


def test_a_cancel_flag_raises_cancelled_once_set() -> None:
    cancel = Cancel()
    cancel.check()
    cancel.set()
    with pytest.raises(Cancelled):
        cancel.check()
    with pytest.raises(Cancelled):
        cancel.wait(60)  # returns at once


def test_ctrl_c_in_a_real_process_over_loopback() -> None:
    """SIGINT to a real backfill against the sandbox on loopback: it stops, prints what it kept, and at
    most the requests already on the wire (one per worker) reach the server after it stopped."""
    app = SocketSandbox()
    arrivals: list[float] = []

    class Slow:  # a far-away API: every answer takes 50 ms
        def handle(self, method: str, target: str, headers: Any) -> Reply:
            arrivals.append(time.monotonic())
            time.sleep(0.05)
            return app.handle(method, target, headers)

    script = (
        "import sys, time\n"
        "import socketlab as sl\n"
        "sock = sl.SocketClient(progress=False)\n"
        "print('started', flush=True)\n"
        "try:\n"
        "    sock.snapshots(['acme-corp', 'globex'], start='2025-11-01', end='2026-10-31', window_days=3,\n"
        "                   max_workers=4)\n"
        "except KeyboardInterrupt as stop:\n"
        "    print('stopped', time.monotonic(), len(stop.partial), len(stop.unfinished), flush=True)\n"
        "    sys.exit(130)\n"
    )
    with sandbox.serving(sandbox.Sandbox(socket=Slow())) as root:  # type: ignore[arg-type]
        env = {**os.environ, "SOCKET_API_TOKEN": app.token, "SOCKET_API_BASE_URL": root + "/v0"}
        process = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "started"
        deadline = time.monotonic() + 60
        while len(arrivals) < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=60)
        time.sleep(0.3)  # anything still on the wire lands now
    assert process.returncode == 130
    _, stopped_at, kept, unfinished = out.split()
    assert int(kept) > 0 and int(unfinished) > 0
    after = [t for t in arrivals if t > float(stopped_at)]
    assert len(after) <= 4, after
