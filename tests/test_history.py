"""The history store: dated captures in a Parquet dataset, read back as one frame."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from socketlab import analysis, history, sandbox


def test_capture_and_read_back(tmp_path: Path) -> None:
    store = history.HistoryStore(tmp_path)
    frame = pd.DataFrame({"id": ["a", "b"], "n": [1, 2], "tags": [["x"], {"k": "v"}]})
    store.capture("issues-x", frame, captured_at="2026-01-01T10:00:00Z")
    store.capture("issues-x", frame.iloc[:1], captured_at="2026-01-02")
    assert store.dates("issues-x") == ["2026-01-01", "2026-01-02"]
    back = store.read("issues-x")
    assert len(back) == 3
    assert str(back["captured_at"].dtype) == "datetime64[ns, UTC]"
    assert back["tags"].tolist()[:2] == ['["x"]', '{"k": "v"}']  # objects kept as JSON text
    assert len(store.read("issues-x", start="2026-01-02")) == 1
    assert (tmp_path / "issues-x" / "capture_date=2026-01-01" / "capture.parquet").exists()


def test_a_second_capture_on_the_same_day_replaces_the_first(tmp_path: Path) -> None:
    """Re-running a notebook cell must not double-count."""
    store = history.HistoryStore(tmp_path)
    store.capture("x", pd.DataFrame({"n": [1, 2, 3]}), captured_at="2026-01-01T08:00Z")
    store.capture("x", pd.DataFrame({"n": [4]}), captured_at="2026-01-01T20:00Z")
    assert store.read("x")["n"].tolist() == [4]


def test_an_unknown_name_reads_as_empty(tmp_path: Path) -> None:
    assert history.HistoryStore(tmp_path).read("nothing").empty


@pytest.mark.parametrize("name", ["../x", "a/b", "", ".hidden"])
def test_names_cannot_escape_the_store(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="capture name"):
        history.HistoryStore(tmp_path).capture(name, pd.DataFrame({"n": [1]}))


def test_the_root_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOCKETLAB_HISTORY_DIR", str(tmp_path / "h"))
    assert history.HistoryStore().root == tmp_path / "h"


def test_sandbox_history_has_a_year_of_weekly_captures(tmp_path: Path) -> None:
    store = history.HistoryStore(tmp_path)
    name = sandbox.seed_snyk_history(store, "globex", start="2025-11-01", end="2026-10-31")
    assert len(store.dates(name)) == 53
    share = analysis.snyk_ignored_share(store.read(name))
    overall = share[share["severity"] == "all"]["share"]
    assert overall.iloc[-1] > overall.iloc[0]  # the story: triage ignores more over the year


def test_snyk_issue_captures_on_the_sandbox_needs_no_store() -> None:
    """The sandbox client's own store holds the story's weekly captures (and today's); nothing leaks."""
    with sandbox.snyk_client(progress=False) as snyk:
        store = snyk.history_store
        assert isinstance(store, sandbox.DemoHistory)
        captures = history.snyk_issue_captures(
            snyk, sandbox.SnykSandbox.org_id("globex"), start="2026-09-01", end="2026-10-31"
        )
        folder = store.root
    assert captures["captured_at"].dt.strftime("%Y-%m-%d").nunique() == 9
    del snyk, store
    import gc

    gc.collect()
    assert not folder.exists()  # the demo store's temporary folder goes with it


def test_seeded_captures_are_typed_like_real_ones(tmp_path: Path) -> None:
    """Seeding frames the story's issues through the library's own framing: the same dtypes as a capture."""
    store = history.HistoryStore(tmp_path)
    name = sandbox.seed_snyk_history(store, "globex", start="2026-10-01", end="2026-10-31")
    seeded = store.read(name)
    with sandbox.snyk_client(progress=False) as snyk:
        real = snyk.issues(org_id=sandbox.SnykSandbox.org_id("globex"))[history.ISSUE_COLUMNS]
    pd.testing.assert_series_equal(seeded.dtypes.drop("captured_at"), real.dtypes)


def test_snyk_issue_captures_on_a_real_api_capture_today(tmp_path: Path) -> None:
    """Against a non-sandbox client (here the sandbox on loopback), today's issues are captured."""
    app = sandbox.SnykSandbox()
    store = history.HistoryStore(tmp_path)
    with sandbox.serving(app) as root:
        from socketlab import SnykClient

        with SnykClient(token=app.token, base_url=root + "/rest", progress=False) as snyk:
            assert snyk.history_store is None
            captures = history.snyk_issue_captures(snyk, app.org_id("globex"), store=store)
    assert store.dates(f"snyk-issues-{app.org_id('globex')}") == [pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d")]
    assert list(captures.columns) == ["captured_at", *history.ISSUE_COLUMNS]


_CAPTURER = """
import sys
import pandas as pd
from socketlab.history import HistoryStore
store, me = HistoryStore(sys.argv[1]), int(sys.argv[2])
n = 0
while True:  # recapture the same day, forever, until killed
    n += 1
    store.capture("issues", pd.DataFrame({"writer": me, "version": n, "payload": ["x" * 100] * 20000}),
                  captured_at="2026-03-01T12:00Z")
    print(n, flush=True)
"""


def _capturers(tmp_path: Path, count: int) -> list[subprocess.Popen[str]]:
    script = tmp_path / "capturer.py"
    script.write_text(textwrap.dedent(_CAPTURER))
    return [subprocess.Popen([sys.executable, str(script), str(tmp_path / "store"), str(me)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for me in range(count)]  # fmt: skip


def test_a_capture_killed_at_any_moment_leaves_the_day_whole(tmp_path: Path) -> None:
    store = history.HistoryStore(tmp_path / "store")
    for round_ in range(6):
        (writer,) = _capturers(tmp_path, 1)
        assert writer.stdout is not None
        writer.stdout.readline()
        time.sleep(0.03 + 0.07 * round_)
        os.kill(writer.pid, signal.SIGKILL)
        writer.communicate()
        capture = store.read("issues")
        assert len(capture) == 20000 and capture["version"].nunique() == 1  # one whole capture, never none


def test_processes_capturing_the_same_day_never_collide_and_a_reader_always_finds_it(tmp_path: Path) -> None:
    writers = _capturers(tmp_path, 3)
    store = history.HistoryStore(tmp_path / "store")
    deadline = time.monotonic() + 120
    while not store.dates("issues") and time.monotonic() < deadline:
        time.sleep(0.05)
    for _ in range(60):
        capture = store.read("issues")
        assert len(capture) == 20000  # found every time, and whole
        assert capture[["writer", "version"]].drop_duplicates().shape[0] == 1
    for writer in writers:
        assert writer.poll() is None  # none of them failed
        writer.kill()
        _, errors = writer.communicate()
        assert "Error" not in errors, errors
