"""Where the socketlab command writes: output paths checked before any request, then the frame.

``check_output`` runs before a client is built: a ``--out`` into a missing or unwritable folder
would otherwise be found only after the quota for the data was spent. Files are written to a
temporary name beside the target and renamed into place, so a failed write never leaves half a
file under the name a script reads.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from socketlab._cli_args import CommandError
from socketlab._frames import json_text_columns

__all__ = ["FORMATS", "TABLE_COLUMNS", "check_output", "write_frame"]

FORMATS = ("table", "csv", "jsonl", "parquet")
# what the compact table shows of each kind of frame (the other formats keep every column);
# a kind missing here shows every column
TABLE_COLUMNS: dict[str, list[str]] = {
    "snapshots": ["requested_at", "status", "duration_ms", "num_repos_scanned", "num_critical_alerts",
                  "num_high_alerts", "num_medium_alerts", "num_low_alerts"],
    "alerts": ["scanned_at", "repo_slug", "alert_severity", "alert_type", "alert_action", "artifact_type",
               "artifact_name", "artifact_version"],
    "dependencies-trend": ["date", "count", "count_direct", "count_indirect", "critical_count", "high_count",
                           "medium_count", "low_count"],
    "issues": ["created_at", "effective_severity_level", "status", "ignored", "key", "title"],
    "projects": ["name", "project_type", "created", "latest_issue_counts_critical", "latest_issue_counts_high",
                 "latest_issue_counts_medium", "latest_issue_counts_low"],
}  # fmt: skip
# the column naming each row's org in a frame of several orgs (Socket; Snyk)
ORG_COLUMNS = ("org", "organization_id")


def check_output(out: str | None, fmt: str) -> None:
    """Refuse, before any request, an output the command could not write."""
    if fmt == "parquet" and not out:
        raise CommandError("--format parquet needs --out FILE (Parquet is binary, not for the terminal)")
    if out is None:
        return
    path = Path(out)
    if path.is_dir():
        raise CommandError(f"--out {out}: is a folder; give a file name, e.g. --out {path / 'data.csv'}")
    folder = path.parent
    if not folder.exists():
        raise CommandError(f"--out {out}: the folder {folder} does not exist (create it first)")
    if not folder.is_dir():
        raise CommandError(f"--out {out}: {folder} is not a folder")
    # try it for real: permission bits say nothing for root, a read-only mount or an ACL
    existed = path.exists()
    try:
        with open(path, "a"):
            pass
    except OSError as exc:
        raise CommandError(f"--out {out}: cannot write there ({exc.strerror or exc})") from None
    if not existed:
        path.unlink()


def _table_columns(frame: pd.DataFrame, kind: str | None) -> list[str]:
    columns = TABLE_COLUMNS.get(kind or "", list(frame.columns))
    shown = [c for c in columns if c in frame.columns]
    # a frame of several orgs says whose each row is
    org = [c for c in ORG_COLUMNS if c in frame.columns and c not in shown and frame[c].nunique() > 1]
    return org + shown


def write_frame(frame: pd.DataFrame, fmt: str, out: str | None, kind: str | None = None) -> None:
    """Write ``frame`` as a compact table, CSV, JSON lines or Parquet, to ``out`` or stdout."""
    if out is None:
        if fmt == "parquet":
            raise CommandError("--format parquet needs --out FILE")
        _write(frame, fmt, sys.stdout, kind)
        return
    target = Path(out)
    # beside the target, so the rename stays on one file system and is atomic
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it private; the file should not be
        stream: Any = os.fdopen(fd, "wb") if fmt == "parquet" else os.fdopen(fd, "w", newline="")
        with stream:
            _write(frame, fmt, stream, kind)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write(frame: pd.DataFrame, fmt: str, stream: Any, kind: str | None) -> None:
    if fmt == "table":
        text = frame[_table_columns(frame, kind)].to_string(index=False, max_rows=40) if len(frame) else "(no rows)"
        print(text, file=stream)
    elif fmt == "parquet":
        frame.to_parquet(stream, index=False)
    elif fmt == "csv":
        json_text_columns(frame).to_csv(stream, index=False, date_format="%Y-%m-%dT%H:%M:%S.%fZ")
    else:
        json_text_columns(frame).to_json(stream, orient="records", lines=True, date_format="iso", date_unit="ms")
