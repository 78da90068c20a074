"""A small history store: dated captures of any frame, kept in a local Parquet dataset.

Snyk's REST API holds current state only (an ignore has no timestamp), so "ignored over time"
needs captures taken over time. Each capture is one Parquet file,
``<root>/<name>/capture_date=YYYY-MM-DD/capture.parquet``; capturing twice on a UTC day
replaces that day's capture, so re-running a notebook cell never double-counts. ``read`` gives
every capture back as one frame with a ``captured_at`` column.

Crash-safe and safe beside other processes: a capture is written whole to a temporary file of
its own, then renamed over the day's file (an atomic replace), under a lock file that
serialises writers of the same name. A reader sees the old capture or the new one, never none
and never half of one; a writer killed at any moment leaves every capture readable (and at
worst a hidden temporary file, swept by the next capture).

The root is ``root=``, else SOCKETLAB_HISTORY_DIR, else the platform's user data directory.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import filelock
import pandas as pd
import platformdirs

from socketlab._frames import concat_frames, json_text_columns, utc_timestamp

if TYPE_CHECKING:
    from socketlab._snyk import SnykClient

__all__ = ["ISSUE_COLUMNS", "HistoryStore", "atomic_parquet", "snyk_issue_captures"]

# What the ignored-over-time analysis needs of a Snyk issues frame.
ISSUE_COLUMNS = ["id", "effective_severity_level", "status", "ignored", "created_at", "resolution_resolved_at"]
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_STALE = 3600.0  # a temporary file this old was left by a writer that died


@contextlib.contextmanager
def _swept(folder: Path, pattern: str) -> Iterator[None]:
    """Remove temporary files that dead writers left (never a live writer's: those are younger)."""
    now = time.time()
    for leftover in folder.glob(pattern):
        with contextlib.suppress(OSError):
            if now - leftover.stat().st_mtime > _STALE:
                leftover.unlink()
    yield


def atomic_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` all or nothing: a unique hidden temporary file, flushed, then renamed.

    Readers ignore hidden files (DuckDB's globs of ``*.parquet``, pyarrow and Spark alike), so the
    temporary file is never read, and the rename swaps the old file for the new one atomically.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temporary, "wb") as handle:
            frame.to_parquet(handle, index=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


class HistoryStore:
    """Dated captures of frames, by name, in a Parquet dataset on disk."""

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        default = os.environ.get("SOCKETLAB_HISTORY_DIR") or platformdirs.user_data_dir("socketlab") + "/history"
        self.root = Path(root if root is not None else default)

    def __repr__(self) -> str:
        return f"HistoryStore({str(self.root)!r})"

    def _dir(self, name: str) -> Path:
        if not isinstance(name, str) or not _NAME.fullmatch(name) or ".." in name:
            raise ValueError(f"capture name {name!r} must be letters, digits, '.', '_' or '-'")
        return self.root / name

    def capture(self, name: str, frame: pd.DataFrame, captured_at: object = None) -> Path:
        """Store ``frame`` as the capture of ``name`` for the UTC day of ``captured_at`` (now).

        Lists and objects are kept as JSON text (one schema for every capture); every other
        column keeps its dtype.
        """
        when = pd.Timestamp.now(tz="UTC") if captured_at is None else utc_timestamp(captured_at)
        folder = self._dir(name) / f"capture_date={when.strftime('%Y-%m-%d')}"
        out = json_text_columns(frame)
        out.insert(0, "captured_at", pd.Series([when] * len(out), index=out.index, dtype="datetime64[ns, UTC]"))
        path = folder / "capture.parquet"
        folder.mkdir(parents=True, exist_ok=True)
        with filelock.FileLock(self._dir(name) / ".lock", timeout=60), _swept(folder, ".capture.parquet.*.tmp"):
            atomic_parquet(out.reset_index(drop=True), path)
        return path

    def dates(self, name: str) -> list[str]:
        """The UTC days that have a capture of ``name``, oldest first."""
        folder = self._dir(name)
        return sorted(p.parent.name.partition("=")[2] for p in folder.glob("capture_date=*/capture.parquet"))

    def read(self, name: str, start: object = None, end: object = None) -> pd.DataFrame:
        """Every capture of ``name`` (between the UTC days ``start`` and ``end``) as one frame."""
        days = self.dates(name)
        if start is not None:
            days = [d for d in days if d >= utc_timestamp(start).strftime("%Y-%m-%d")]
        if end is not None:
            days = [d for d in days if d <= utc_timestamp(end).strftime("%Y-%m-%d")]
        parts = []
        for day in days:
            with contextlib.suppress(FileNotFoundError):  # (a capture is never removed; a store folder may be)
                parts.append(pd.read_parquet(self._dir(name) / f"capture_date={day}" / "capture.parquet"))
        if not parts:
            return pd.DataFrame({"captured_at": pd.Series(dtype="datetime64[ns, UTC]")})
        return concat_frames(parts)


def snyk_issue_captures(
    snyk: SnykClient,
    org_id: str,
    *,
    start: Any = None,
    end: Any = None,
    store: HistoryStore | None = None,
) -> pd.DataFrame:
    """Dated captures of an org's Snyk issues: capture today's, then read them all back.

    Today's issues (ISSUE_COLUMNS) are captured into ``store`` (else the client's
    ``history_store``, else the default HistoryStore) and every capture between ``start`` and
    ``end`` is returned: the series grows each day this runs. (A sandbox client's store comes
    with a year of the demo story's weekly captures.)
    """
    store = store or snyk.history_store or HistoryStore()
    name = f"snyk-issues-{org_id}"
    store.capture(name, snyk.issues(org_id=org_id)[ISSUE_COLUMNS])
    return store.read(name, start, end)
