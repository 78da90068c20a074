"""A small history store: dated captures of any frame, kept in a local Parquet dataset.

Snyk's REST API holds current state only (an ignore has no timestamp), so "ignored over time"
needs captures taken over time. Each capture is one Parquet file under
``<root>/<name>/capture_date=YYYY-MM-DD/``; capturing twice on a UTC day replaces that day's
capture, so re-running a notebook cell never double-counts. ``read`` gives every capture back
as one frame with a ``captured_at`` column.

The root is ``root=``, else SOCKETLAB_HISTORY_DIR, else the platform's user data directory.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import platformdirs

from socketlab._frames import utc_timestamp

if TYPE_CHECKING:
    from socketlab._snyk import SnykClient

__all__ = ["ISSUE_COLUMNS", "HistoryStore", "snyk_issue_captures"]

# What the ignored-over-time analysis needs of a Snyk issues frame.
ISSUE_COLUMNS = ["id", "effective_severity_level", "status", "ignored", "created_at", "resolution_resolved_at"]
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


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
        """Store ``frame`` as the capture of ``name`` for the UTC day of ``captured_at`` (now)."""
        when = pd.Timestamp.now(tz="UTC") if captured_at is None else pd.Timestamp(captured_at)  # type: ignore[arg-type]
        when = when.tz_localize("UTC") if when.tzinfo is None else when.tz_convert("UTC")
        folder = self._dir(name) / f"capture_date={when.strftime('%Y-%m-%d')}"
        folder.mkdir(parents=True, exist_ok=True)
        out = frame.copy()
        for column in out.columns:  # lists and objects as JSON text: one schema for every capture
            if out[column].dtype == object and out[column].map(lambda v: isinstance(v, (list, dict))).any():
                out[column] = out[column].map(lambda v: json.dumps(v) if isinstance(v, (list, dict)) else v)
        out.insert(0, "captured_at", pd.Series([when] * len(out), dtype="datetime64[ns, UTC]"))
        for old in folder.glob("*.parquet"):
            old.unlink()
        path = folder / "capture.parquet"
        tmp = folder / ".capture.parquet.tmp"
        out.to_parquet(tmp, index=False)
        tmp.replace(path)  # a reader never sees half a capture
        return path

    def dates(self, name: str) -> list[str]:
        """The UTC days that have a capture of ``name``, oldest first."""
        folder = self._dir(name)
        return sorted(p.name.partition("=")[2] for p in folder.glob("capture_date=*") if any(p.glob("*.parquet")))

    def read(self, name: str, start: object = None, end: object = None) -> pd.DataFrame:
        """Every capture of ``name`` (between the UTC days ``start`` and ``end``) as one frame."""
        days = self.dates(name)
        if start is not None:
            days = [d for d in days if d >= pd.Timestamp(start).strftime("%Y-%m-%d")]  # type: ignore[arg-type]
        if end is not None:
            days = [d for d in days if d <= pd.Timestamp(end).strftime("%Y-%m-%d")]  # type: ignore[arg-type]
        if not days:
            return pd.DataFrame({"captured_at": pd.Series(dtype="datetime64[ns, UTC]")})
        parts = [pd.read_parquet(self._dir(name) / f"capture_date={d}" / "capture.parquet") for d in days]
        return pd.concat(parts, ignore_index=True)


def snyk_issue_captures(
    snyk: SnykClient,
    org_id: str,
    *,
    start: Any = None,
    end: Any = None,
    store: HistoryStore | None = None,
    every_days: int = 7,
) -> pd.DataFrame:
    """Dated captures of an org's Snyk issues: capture today's, then read them all back.

    On the real API, today's issues (ISSUE_COLUMNS) are captured into ``store`` (the default
    HistoryStore) and every capture between ``start`` and ``end`` is returned: the series grows
    each day this runs. On the offline sandbox, a temporary store is seeded from the sandbox's
    story every ``every_days`` days instead, so the demo has a year of history at once.
    """
    from socketlab import sandbox

    name = f"snyk-issues-{org_id}"
    if snyk.base_url == sandbox.SANDBOX_SNYK_URL:
        import tempfile

        slug = next(s for s in sandbox.DEMO_ORGS if sandbox.SnykSandbox.org_id(s) == org_id)
        demo = HistoryStore(tempfile.mkdtemp(prefix="socketlab-history-"))
        last = pd.Timestamp.now(tz="UTC").floor("D") if end is None else utc_timestamp(end)
        first = last - pd.Timedelta(days=365) if start is None else utc_timestamp(start)
        sandbox.seed_snyk_history(demo, slug, start=first, end=last, every_days=every_days)
        return demo.read(name)
    store = store or HistoryStore()
    store.capture(name, snyk.issues(org_id=org_id)[ISSUE_COLUMNS])
    return store.read(name, start, end)
