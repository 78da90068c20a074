"""Frames as a Parquet dataset partitioned by org and UTC day: atomic, readable by DuckDB, streamed past memory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from socketlab import InvalidParameterError, QuotaExceededError, SocketClient, sandbox
from socketlab._schema import SEVERITY
from socketlab.dataset import backfill_to_dataset, read_dataset, write_dataset, written_days
from socketlab.sandbox import SocketSandbox


def test_partitions_by_org_and_utc_day(sock: SocketClient, tmp_path: Path) -> None:
    snaps = sock.snapshots(["acme-corp", "globex"], start="2026-03-01", end="2026-03-10")
    write_dataset(snaps, tmp_path / "snapshots", day_column="requested_at")
    files = sorted(
        p.relative_to(tmp_path / "snapshots").as_posix() for p in (tmp_path / "snapshots").rglob("*.parquet")
    )
    assert files[0] == "org=acme-corp/utc_date=2026-03-01/data.parquet"
    assert len(files) == 20  # one file a partition
    back = read_dataset(tmp_path / "snapshots")
    assert len(back) == len(snaps)
    assert set(back["id"]) == set(snaps["id"])
    assert str(back["status"].dtype) == "category" and back["status"].dtype == snaps["status"].dtype


def test_duckdb_reads_it_with_partition_pruning(sock: SocketClient, tmp_path: Path) -> None:
    alerts = sock.alerts("globex", start="2026-03-01", end="2026-03-07")
    write_dataset(alerts, tmp_path / "alerts", day_column="scanned_at")
    rows = duckdb.sql(
        f"select org, utc_date, count(*) as n from read_parquet('{tmp_path}/alerts/**/*.parquet', "
        "hive_partitioning = true) where utc_date >= '2026-03-05' group by all order by utc_date"
    ).fetchall()
    assert [str(r[1]) for r in rows] == ["2026-03-05", "2026-03-06", "2026-03-07"]  # DuckDB types the date
    expected = alerts[alerts["scanned_at"].dt.strftime("%Y-%m-%d") >= "2026-03-05"].shape[0]
    assert sum(r[2] for r in rows) == expected
    assert {r[0] for r in rows} == {"globex"}


def test_rewriting_days_replaces_only_those_partitions(sock: SocketClient, tmp_path: Path) -> None:
    write_dataset(sock.snapshots("globex", start="2026-03-01", end="2026-03-05"), tmp_path, day_column="requested_at")
    write_dataset(sock.snapshots("globex", start="2026-03-04", end="2026-03-06"), tmp_path, day_column="requested_at")
    back = read_dataset(tmp_path)
    assert sorted(back["utc_date"].unique()) == [f"2026-03-0{d}" for d in range(1, 7)]
    assert back["id"].is_unique


def test_partition_values_stay_text_and_schemas_are_merged(tmp_path: Path) -> None:
    """An org "007" stays "007"; a field that only a later write has is kept; a frame's own date is its own."""
    day = pd.Timestamp("2026-03-01T10:00Z")
    first = pd.DataFrame({"scanned_at": [day], "n": pd.array([1], dtype="Int64"), "date": ["mine"]})
    later = first.assign(scanned_at=day + pd.Timedelta(days=1), n=pd.array([2], dtype="Int64"), extra=["new"])
    write_dataset(first, tmp_path, day_column="scanned_at", org="007")
    write_dataset(later, tmp_path, day_column="scanned_at", org="007")
    back = read_dataset(tmp_path)
    assert back["org"].tolist() == ["007", "007"]
    assert back["utc_date"].tolist() == ["2026-03-01", "2026-03-02"]
    assert back["date"].tolist() == ["mine", "mine"]  # never replaced by a folder's value
    assert back["extra"].tolist()[1] == "new" and pd.isna(back["extra"].tolist()[0])
    assert str(back["n"].dtype) == "Int64"
    assert read_dataset(tmp_path, orgs=["nobody"]).empty
    assert len(read_dataset(tmp_path, start="2026-03-02")) == 1


def test_an_org_is_needed_and_days_are_needed(tmp_path: Path, sock: SocketClient) -> None:
    frame = sock.snapshots("globex", date="2026-03-01", range="-1d")
    frame.attrs.pop("org")
    with pytest.raises(ValueError, match="which org"):
        write_dataset(frame, tmp_path, day_column="requested_at")
    write_dataset(frame, tmp_path, day_column="requested_at", org="globex")
    undated = frame.assign(requested_at=pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]"))
    with pytest.raises(ValueError, match="have no requested_at"):
        write_dataset(undated, tmp_path, day_column="requested_at", org="globex")


_WRITER = """
import sys
import pandas as pd
from socketlab.dataset import write_dataset
root, rows = sys.argv[1], int(sys.argv[2])
days = pd.date_range("2026-03-01", periods=6, freq="D", tz="UTC").repeat(rows // 6)
n = 0
while True:  # rewrites every partition, forever, until killed
    n += 1
    frame = pd.DataFrame({"at": days, "version": n, "payload": ["x" * 200] * len(days)})
    write_dataset(frame, root, day_column="at", org="acme")
    print(n, flush=True)
"""


def test_a_writer_killed_at_any_moment_leaves_every_partition_readable(tmp_path: Path) -> None:
    """kill -9 mid-rewrite, again and again: each day holds one whole version, old or new, never a torn file."""
    script = tmp_path / "writer.py"
    script.write_text(textwrap.dedent(_WRITER))
    root = tmp_path / "data"
    for round_ in range(6):
        writer = subprocess.Popen([sys.executable, str(script), str(root), "60000"], stdout=subprocess.PIPE, text=True)
        assert writer.stdout is not None
        writer.stdout.readline()  # at least one full version exists
        time.sleep(0.05 + 0.09 * round_)  # then kill it somewhere inside a later rewrite
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
        back = read_dataset(root)  # every partition reads
        assert len(back) == 60000
        for _, day in back.groupby("utc_date"):
            assert day["version"].nunique() == 1  # a day is one write's rows, whole
        duckdb.sql(f"select count(*) from read_parquet('{root}/**/*.parquet', hive_partitioning = true)").fetchall()


def test_concurrent_writers_of_the_same_days_never_collide(tmp_path: Path) -> None:
    script = tmp_path / "writer.py"
    script.write_text(textwrap.dedent(_WRITER))
    writers = [subprocess.Popen([sys.executable, str(script), str(tmp_path / "d"), "6000"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(3)]  # fmt: skip
    deadline = time.monotonic() + 120
    while len(written_days(tmp_path / "d")) < 6 and time.monotonic() < deadline:
        time.sleep(0.05)
    for _ in range(40):  # a reader beside three writers always finds every day, whole
        back = read_dataset(tmp_path / "d")
        assert len(back) == 6000
        assert back.groupby("utc_date")["version"].nunique().max() == 1
    for writer in writers:
        assert writer.poll() is None  # still writing: none of them failed
        writer.kill()
        _, errors = writer.communicate()
        assert "Error" not in errors, errors


# -- streaming a backfill into a dataset ------------------------------------------------------------------


def test_a_streamed_backfill_equals_the_backfill_in_memory(sock: SocketClient, tmp_path: Path) -> None:
    summary = backfill_to_dataset(sock, "alerts", ["acme-corp", "globex"], start="2026-02-01", end="2026-03-15",
                                  root=tmp_path, alert_severity=["critical", "high"])  # fmt: skip
    assert set(summary["status"]) == {"fetched"} and len(summary) == 2 * 43
    back = read_dataset(tmp_path)
    whole = sock.alerts(["acme-corp", "globex"], start="2026-02-01", end="2026-03-15",
                        alert_severity=["critical", "high"])  # fmt: skip
    keys = ["org", "scanned_at", "repo_slug", "alert_key"]
    assert len(back) == len(whole) == int(summary["rows"].sum())
    mine = back.sort_values(keys, ignore_index=True)
    theirs = whole.sort_values(keys, ignore_index=True)
    assert mine["alert_key"].tolist() == theirs["alert_key"].tolist()
    assert mine["alert_severity"].dtype == SEVERITY.dtype()
    assert mine["repo_labels"].str.startswith("[").all()  # lists as JSON text: one schema for every file


def test_a_streamed_backfill_resumes_where_it_stopped(app: SocketSandbox, tmp_path: Path) -> None:
    """Quota runs out part-way: what was written stays; the next run asks only for the days missing."""
    app.add_token(sandbox.SandboxToken("sktsec_small_quota_for_streams", max_quota=200))
    token = "sktsec_small_quota_for_streams"
    with SocketClient(token=token, transport=sandbox.transport(app), progress=False, check_quota=False) as sock:
        with pytest.raises(QuotaExceededError):
            backfill_to_dataset(sock, "snapshots", "globex", start="2025-10-01", end="2026-03-31", root=tmp_path,
                                window_days=3, max_workers=2)  # fmt: skip
    written = written_days(tmp_path)
    assert 0 < len(written) < 182
    sent = len(app.requests)
    with SocketClient(token=app.token, transport=sandbox.transport(app), progress=False, cache=False) as fresh:
        summary = backfill_to_dataset(fresh, "snapshots", "globex", start="2025-10-01", end="2026-03-31",
                                      root=tmp_path, window_days=3)  # fmt: skip
        whole = fresh.snapshots("globex", start="2025-10-01", end="2026-03-31")
    assert (summary["status"] == "skipped").sum() == len(written)  # nothing written is asked again
    assert len(app.requests) - sent < 62 + 5  # only the missing days' windows (plus the check above)
    assert sorted(read_dataset(tmp_path)["id"]) == sorted(whole["id"])


def test_bad_streams_are_refused_before_any_request(sock: SocketClient, app: SocketSandbox, tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match="choose snapshots or alerts"):
        backfill_to_dataset(sock, "trends", "globex", start="2026-01-01", end="2026-01-02", root=tmp_path)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="after end"):
        backfill_to_dataset(sock, "alerts", "globex", start="2026-01-03", end="2026-01-02", root=tmp_path)
    with pytest.raises(InvalidParameterError):
        backfill_to_dataset(sock, "alerts", "globex", start="2026-01-01", end="2026-01-02", root=tmp_path,
                            alert_severity="severe")  # fmt: skip
    assert app.requests == []
