"""Frames as a Parquet dataset partitioned by org and date, read back by DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from socketlab import SocketClient
from socketlab.dataset import read_dataset, write_dataset


def test_partitions_by_org_and_utc_day(sock: SocketClient, tmp_path: Path) -> None:
    snaps = sock.snapshots(["acme-corp", "globex"], start="2026-03-01", end="2026-03-10")
    write_dataset(snaps, tmp_path / "snapshots", day_column="requested_at")
    folders = sorted(p.relative_to(tmp_path / "snapshots").as_posix() for p in (tmp_path / "snapshots").glob("*/*"))
    assert folders[0] == "org=acme-corp/date=2026-03-01"
    assert len(folders) == 20
    back = read_dataset(tmp_path / "snapshots")
    assert len(back) == len(snaps)
    assert set(back["id"]) == set(snaps["id"])


def test_duckdb_reads_it_with_partition_pruning(sock: SocketClient, tmp_path: Path) -> None:
    alerts = sock.alerts("globex", start="2026-03-01", end="2026-03-07")
    write_dataset(alerts, tmp_path / "alerts", day_column="scanned_at")
    rows = duckdb.sql(
        f"select org, date, count(*) as n from read_parquet('{tmp_path}/alerts/**/*.parquet', hive_partitioning = true)"
        " where date >= '2026-03-05' group by all order by date"
    ).fetchall()
    assert [str(r[1]) for r in rows] == ["2026-03-05", "2026-03-06", "2026-03-07"]  # DuckDB types the date
    expected = alerts[alerts["scanned_at"].dt.strftime("%Y-%m-%d") >= "2026-03-05"].shape[0]
    assert sum(r[2] for r in rows) == expected
    assert {r[0] for r in rows} == {"globex"}


def test_rewriting_days_replaces_only_those_partitions(sock: SocketClient, tmp_path: Path) -> None:
    write_dataset(sock.snapshots("globex", start="2026-03-01", end="2026-03-05"), tmp_path, day_column="requested_at")
    write_dataset(sock.snapshots("globex", start="2026-03-04", end="2026-03-06"), tmp_path, day_column="requested_at")
    back = read_dataset(tmp_path)
    assert sorted(back["date"].astype(str).unique()) == [f"2026-03-0{d}" for d in range(1, 7)]
    assert back["id"].is_unique


def test_an_org_is_needed(tmp_path: Path, sock: SocketClient) -> None:
    frame = sock.snapshots("globex", date="2026-03-01", range="-1d")
    frame.attrs.pop("org")
    with pytest.raises(ValueError, match="which org"):
        write_dataset(frame, tmp_path, day_column="requested_at")
    write_dataset(frame, tmp_path, day_column="requested_at", org="globex")
