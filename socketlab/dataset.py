"""Frames as a Parquet dataset partitioned by org and UTC day: the path past one machine.

``write_dataset(frame, "data/snapshots", day_column="requested_at")`` writes hive-style folders
``org=<slug>/utc_date=<YYYY-MM-DD>/data.parquet`` that DuckDB, Spark, Polars and pyarrow all
read as one table, with ``org`` and ``utc_date`` as columns they can prune on::

    duckdb.sql("select org, utc_date, count(*) from read_parquet('data/snapshots/**/*.parquet',"
               " hive_partitioning = true) group by all")
    spark.read.parquet("data/snapshots")          # partition discovery does the rest

The partition columns live in the folder names only (``utc_date``, so a frame's own ``date``
column is never shadowed); each partition is one file, written whole to a hidden temporary
file and renamed over the old one, under a lock file, so a reader sees a day's old rows or its
new rows (never none, never both) and a writer killed at any moment leaves the dataset readable.
Writing the same days again replaces those partitions only.

For histories larger than memory, ``backfill_to_dataset`` streams a Socket backfill into a
dataset window by window (only the windows in flight held), and skips the days already
written when run again.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import filelock
import pandas as pd

from socketlab._errors import InvalidParameterError
from socketlab._frames import concat_frames, json_text_columns
from socketlab._params import alerts_query, backfill_span, check_orgs, snapshots_query, to_date_string
from socketlab._windows import Window, plan_windows
from socketlab.history import atomic_parquet

if TYPE_CHECKING:
    from socketlab._socket import SocketClient

__all__ = ["PARTITION_COLUMNS", "backfill_to_dataset", "read_dataset", "write_dataset", "written_days"]

PARTITION_COLUMNS = ("org", "utc_date")
_FILE = "data.parquet"


def _partition(root: Path, org: str, day: str) -> Path:
    return root / f"org={org}" / f"utc_date={day}" / _FILE


def _days(frame: pd.DataFrame, day_column: str) -> pd.Series:
    days: pd.Series = frame[day_column].dt.tz_convert("UTC").dt.strftime("%Y-%m-%d")
    return days


def write_dataset(
    frame: pd.DataFrame,
    root: str | os.PathLike[str],
    *,
    day_column: str,
    org: str | None = None,
) -> Path:
    """Write ``frame`` under ``root``, partitioned by org and by the UTC day of ``day_column``.

    The org comes from an ``org`` column, else ``org=``, else ``frame.attrs["org"]``.
    Partitions the frame touches are replaced, each atomically; the others are left as they are.
    """
    if day_column not in frame.columns:
        raise ValueError(f"{day_column!r} is not a column of the frame")
    if "utc_date" in frame.columns:
        raise ValueError("the frame has a 'utc_date' column, which the dataset's utc_date=... folders would shadow")
    out = json_text_columns(frame)
    if "org" not in out.columns:
        name = org or frame.attrs.get("org")
        if not isinstance(name, str) or not name:
            raise ValueError("which org? pass org= (or give the frame an 'org' column)")
        out.insert(0, "org", name)
    days = _days(out, day_column)
    if days.isna().any():
        raise ValueError(f"{int(days.isna().sum())} rows have no {day_column}: they belong to no day partition")
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    with filelock.FileLock(root / ".lock", timeout=300):
        for (org_name, day), rows in out.groupby([out["org"].astype(str), days], sort=True):
            path = _partition(root, str(org_name), str(day))
            atomic_parquet(rows.drop(columns="org").reset_index(drop=True), path)
    return root


def written_days(root: str | os.PathLike[str]) -> set[tuple[str, str]]:
    """The (org, UTC day) partitions a dataset holds."""
    return {
        (path.parent.parent.name.partition("=")[2], path.parent.name.partition("=")[2])
        for path in Path(root).glob(f"org=*/utc_date=*/{_FILE}")
    }


def read_dataset(
    root: str | os.PathLike[str],
    *,
    orgs: Sequence[str] | None = None,
    start: Any = None,
    end: Any = None,
) -> pd.DataFrame:
    """The dataset (or the partitions of ``orgs`` between the UTC days ``start`` and ``end``) as one frame.

    ``org`` and ``utc_date`` come from the folder names, as text (an org "007" stays "007"); the
    files' columns are merged (a field that only later files have is kept), and every dtype the
    files carry is kept (categories united).
    """
    first = to_date_string(start, "start") if start is not None else None
    last = to_date_string(end, "end") if end is not None else None
    parts = []
    for org, day in sorted(written_days(root)):
        if (orgs is not None and org not in orgs) or (first and day < first) or (last and day > last):
            continue
        part = pd.read_parquet(_partition(Path(root), org, day))
        part.insert(0, "utc_date", pd.Series([day] * len(part), dtype="string"))
        part.insert(0, "org", pd.Series([org] * len(part), dtype="string"))
        parts.append(part)
    if not parts:
        return pd.DataFrame({name: pd.Series(dtype="string") for name in PARTITION_COLUMNS})
    return concat_frames(parts)


def backfill_to_dataset(
    sock: SocketClient,
    what: Literal["snapshots", "alerts"],
    org: str | Sequence[str],
    *,
    start: str | dt.date,
    end: str | dt.date,
    root: str | os.PathLike[str],
    window_days: int = 7,
    max_workers: int = 8,
    overwrite: bool = False,
    progress: bool | None = None,
    cache: bool = True,
    **filters: Any,
) -> pd.DataFrame:
    """Backfill Socket ``snapshots`` or ``alerts`` of ``org`` (or several) from ``start`` to ``end``
    into the dataset at ``root``, one UTC day partition as each window arrives.

    Only the windows in flight (``max_workers`` of ``window_days`` days) are held: a year of a
    large org peaks at about a quarter of what fetching it into memory takes (benchmark 8).
    Days already in the dataset are skipped (``overwrite=True`` fetches them again), except
    today and later, which are still changing: so a failed or interrupted run is resumed by
    running it again. Every day asked gets a partition, an empty one when it had no
    rows, so a resumed run knows it was done. Returns one row per day: org, utc_date, rows, and
    whether it was ``fetched`` or ``skipped``.
    """
    from socketlab._socket import ALERT_LIST, SNAPSHOT_LIST

    kind = {"snapshots": SNAPSHOT_LIST, "alerts": ALERT_LIST}.get(what)
    if kind is None:
        raise InvalidParameterError("what", f"{what!r}: choose snapshots or alerts")
    orgs = check_orgs(org)
    first, last = backfill_span(start, end, window_days)
    query = snapshots_query(**filters) if what == "snapshots" else alerts_query(filters=filters)
    root = Path(root)
    today = dt.datetime.now(dt.UTC).date()
    done = set() if overwrite else {(o, d) for o, d in written_days(root) if d < today.isoformat()}
    span_days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    plan: dict[str, list[Window]] = {}
    summary: list[dict[str, Any]] = []
    for one in orgs:
        todo = [d for d in span_days if (one, d.isoformat()) not in done]
        summary += [{"org": one, "utc_date": d.isoformat(), "rows": None, "status": "skipped"}
                    for d in span_days if (one, d.isoformat()) in done]  # fmt: skip
        plan[one] = [w for run in _runs(todo) for w in plan_windows(run[0], run[1], window_days)]

    def sink(org_name: str, days: Window, frame: pd.DataFrame) -> None:
        out = json_text_columns(frame)
        stamps = _days(out, kind.day_column) if len(out) else pd.Series([], dtype=str)
        with filelock.FileLock(root / ".lock", timeout=300):
            day = days[0]
            while day <= days[1]:
                rows = out[(stamps == day.isoformat()).to_numpy()] if len(out) else out
                atomic_parquet(rows.reset_index(drop=True), _partition(root, org_name, day.isoformat()))
                summary.append({"org": org_name, "utc_date": day.isoformat(), "rows": len(rows), "status": "fetched"})
                day += dt.timedelta(days=1)

    root.mkdir(parents=True, exist_ok=True)
    if any(plan.values()):
        sock._backfill(orgs, kind, query, (first, last), window_days, max_workers, progress, cache, sink=sink,
                       plan=plan)  # fmt: skip
    result = pd.DataFrame(summary, columns=["org", "utc_date", "rows", "status"])
    result["rows"] = result["rows"].astype("Int64")
    return result.sort_values(["org", "utc_date"], ignore_index=True)


def _runs(days: list[dt.date]) -> list[Window]:
    """Consecutive days as (first, last) runs."""
    runs: list[Window] = []
    for day in days:
        if runs and runs[-1][1] + dt.timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs
