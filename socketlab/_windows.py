"""Backfill planning: a span of UTC days cut into windows, and what an answer left uncovered.

Pure functions: the client fetches each window as one query (``date`` = the window's last day,
``range`` = ``-Nd``) and compares the days the answer's ``meta`` says it covered with the days
asked, so the windows tile the span whatever a range turns out to mean.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

__all__ = ["Window", "covered_days", "plan_windows", "uncovered", "window_query"]

Window = tuple[dt.date, dt.date]  # inclusive UTC days


def plan_windows(first: dt.date, last: dt.date, days: int) -> list[Window]:
    """``[first, last]`` as consecutive windows of at most ``days`` days, earliest first."""
    windows: list[Window] = []
    day = first
    while day <= last:
        top = min(last, day + dt.timedelta(days=days - 1))
        windows.append((day, top))
        day = top + dt.timedelta(days=1)
    return windows


def window_query(window: Window) -> tuple[str, str]:
    """The (date, range) of the query asking for ``window``: its last day, back to its first."""
    first, last = window
    return last.isoformat(), f"-{(last - first).days}d"


def covered_days(meta: Mapping[str, Any], asked: Window) -> Window:
    """The inclusive days an answer says it covered (``startDateInclusive``/``endDateInclusive``);
    the days asked where the answer does not say."""
    first, last = asked
    start, end = meta.get("startDateInclusive"), meta.get("endDateInclusive")
    return (
        dt.date.fromisoformat(start) if isinstance(start, str) and start else first,
        dt.date.fromisoformat(end) if isinstance(end, str) and end else last,
    )


def uncovered(asked: Window, covered: Window, days: int) -> list[Window]:
    """The windows to ask again for the days of ``asked`` that ``covered`` missed."""
    (first, last), (got_first, got_last) = asked, covered
    missed: list[Window] = []
    if got_first > first:
        missed += plan_windows(first, min(last, got_first - dt.timedelta(days=1)), days)
    if got_last < last:
        missed += plan_windows(max(first, got_last + dt.timedelta(days=1)), last, days)
    return missed
