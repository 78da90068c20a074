"""Today's captures, taken once a UTC day: what ``socketlab capture`` (a cron job) runs.

Snyk's REST issues and Socket's alert resolutions hold current state only: their history is
what a team captured day after day. ``take_captures`` captures each named source into the
history store unless today (UTC) already has its capture, so running it twice a day, or again
after a failure, takes only what is missing. Each source fails on its own: the others are
still taken, and the result says which failed and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from socketlab._errors import SocketlabError
from socketlab.history import ISSUE_COLUMNS, HistoryStore

__all__ = ["Capture", "CaptureSource", "snyk_issues_source", "socket_resolutions_source", "take_captures"]


@dataclass(frozen=True)
class CaptureSource:
    """One thing to capture: its name in the store, a label for messages, and how to fetch it."""

    name: str
    label: str
    fetch: Callable[[], pd.DataFrame]


@dataclass(frozen=True)
class Capture:
    """What happened to one source today: taken (rows), already there, or failed (error)."""

    name: str
    label: str
    day: str
    state: str  # "taken", "already", "failed"
    rows: int = 0
    error: str | None = None

    def line(self) -> str:
        if self.state == "taken":
            return f"captured {self.label} for {self.day}: {self.rows:,} rows ({self.name})"
        if self.state == "already":
            return f"already captured today ({self.day}): {self.label} ({self.name})"
        return f"FAILED to capture {self.label} for {self.day}: {self.error}"


def snyk_issues_source(fetch: Callable[[], pd.DataFrame], org_id: str) -> CaptureSource:
    """An org's Snyk issues, as history.snyk_issue_captures keeps them (the same series)."""
    return CaptureSource(f"snyk-issues-{org_id}", f"Snyk issues of org {org_id}", lambda: fetch()[ISSUE_COLUMNS])


def socket_resolutions_source(fetch: Callable[[], pd.DataFrame], org: str) -> CaptureSource:
    """A Socket org's alert resolutions (every column)."""
    return CaptureSource(f"socket-resolutions-{org}", f"Socket alert resolutions of {org}", fetch)


def take_captures(
    store: HistoryStore, sources: Sequence[CaptureSource], *, force: bool = False, now: dt.datetime | None = None
) -> list[Capture]:
    """Capture every source whose capture of today (UTC) is missing (all of them with ``force``)."""
    moment = now or dt.datetime.now(dt.UTC)
    day = moment.astimezone(dt.UTC).date().isoformat()
    results = []
    for source in sources:
        if not force and day in store.dates(source.name):
            results.append(Capture(source.name, source.label, day, "already"))
            continue
        try:
            frame = source.fetch()
        except SocketlabError as exc:  # this source failed; the others are still taken
            results.append(Capture(source.name, source.label, day, "failed", error=str(exc)))
            continue
        store.capture(source.name, frame, captured_at=moment)
        results.append(Capture(source.name, source.label, day, "taken", rows=len(frame)))
    return results
