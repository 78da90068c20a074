"""Pure rules of the Socket client: what a call costs, how long its answer is kept, how a backfill is cut."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socketlab._policy import quota_cost, socket_cache_ttl, spends_quota
from socketlab._windows import covered_days, plan_windows, uncovered, window_query

TODAY = dt.date(2026, 11, 25)
D = dt.date


def _ttl(params: dict[str, str], method: str = "GET", path: str = "/orgs/o/historical/snapshots") -> float | None:
    return socket_cache_ttl(method, path, params, today=TODAY, cache_ttl=3600, recent_ttl=60)


@pytest.mark.parametrize(
    ("params", "ttl"),
    [
        ({"date": "2026-01-31", "range": "-30d"}, 3600),  # history: long
        ({"range": "-30d"}, 60),  # no date: today, still changing
        ({"date": "2026-11-25"}, 60),
        ({"date": "2026-11-24"}, 3600),  # yesterday is history
        ({"date": "2026-01-31", "range": "latest"}, 60),
        ({"date": "2026-11-22", "range": "3d"}, 60),  # "Nd" reaches forward, to today
        ({"date": "2026-11-21", "range": "3d"}, 3600),
        ({"date": "not a date"}, None),
    ],
)
def test_cache_lifetime(params: dict[str, str], ttl: float | None) -> None:
    assert _ttl(params) == ttl


def test_quota_posts_are_never_kept_and_organizations_are() -> None:
    assert _ttl({}, path="/quota") is None
    assert _ttl({"date": "2026-01-31"}, method="POST") is None
    assert _ttl({}, path="/organizations") == 3600


def test_resolutions_are_current_state_kept_briefly_whatever_the_query() -> None:
    for params in ({}, {"direction": "asc", "per_page": "100"}, {"date": "2026-01-31", "range": "-30d"}):
        assert _ttl(params, path="/orgs/o/alerts/resolutions") == 60


@pytest.mark.parametrize(
    ("path", "cost"),
    [
        ("/v0/orgs/o/historical/snapshots", 10),
        ("/v0/orgs/o/historical/alerts", 10),
        ("/v0/orgs/o/historical/alerts/trend", 10),
        ("/v0/orgs/o/historical/dependencies/trend", 10),
        ("/v0/organizations", 1),
        ("/v0/quota", 0),
        ("/v0/orgs/o/alerts/resolutions", 1),
    ],
)
def test_quota_costs_follow_the_spec(path: str, cost: int) -> None:
    assert quota_cost(path) == cost


@pytest.mark.parametrize(("status", "spent"), [(200, True), (400, True), (404, True), (401, False), (403, False),
                                               (429, False), (500, False), (503, False)])  # fmt: skip
def test_refusals_and_server_errors_spend_nothing(status: int, spent: bool) -> None:
    assert spends_quota(status) is spent


@given(first=st.dates(D(2020, 1, 1), D(2030, 1, 1)), length=st.integers(0, 800), days=st.integers(1, 60))
def test_windows_tile_the_span_exactly(first: dt.date, length: int, days: int) -> None:
    """Consecutive, non-overlapping, none longer than asked, covering every day once."""
    last = first + dt.timedelta(days=length)
    windows = plan_windows(first, last, days)
    assert windows[0][0] == first and windows[-1][1] == last
    for (_, end), (start, _) in itertools.pairwise(windows):
        assert start == end + dt.timedelta(days=1)
    assert all(0 <= (b - a).days < days for a, b in windows)


def test_a_window_is_asked_as_its_last_day_and_a_backward_range() -> None:
    assert window_query((D(2026, 1, 1), D(2026, 1, 31))) == ("2026-01-31", "-30d")
    assert window_query((D(2026, 1, 1), D(2026, 1, 1))) == ("2026-01-01", "-0d")


def test_days_an_answer_missed_are_asked_again() -> None:
    asked = (D(2026, 1, 1), D(2026, 1, 31))
    assert uncovered(asked, asked, 31) == []
    # a server whose "-30d" means 30 days, not 31: the first day is asked again
    assert uncovered(asked, (D(2026, 1, 2), D(2026, 1, 31)), 31) == [(D(2026, 1, 1), D(2026, 1, 1))]
    assert uncovered(asked, (D(2026, 1, 1), D(2026, 1, 20)), 7) == [
        (D(2026, 1, 21), D(2026, 1, 27)),
        (D(2026, 1, 28), D(2026, 1, 31)),
    ]


def test_the_covered_days_come_from_the_meta_or_default_to_the_days_asked() -> None:
    asked = (D(2026, 1, 1), D(2026, 1, 31))
    assert covered_days({"startDateInclusive": "2026-01-02", "endDateInclusive": "2026-01-30"}, asked) == (
        D(2026, 1, 2),
        D(2026, 1, 30),
    )
    assert covered_days({}, asked) == asked


def test_an_answer_that_missed_days_at_both_ends_asks_for_both() -> None:
    """The days before the covered ones and the days after them are both asked again, earliest first."""
    asked = (D(2026, 1, 1), D(2026, 1, 31))
    assert uncovered(asked, (D(2026, 1, 3), D(2026, 1, 29)), 31) == [
        (D(2026, 1, 1), D(2026, 1, 2)),
        (D(2026, 1, 30), D(2026, 1, 31)),
    ]


@pytest.mark.parametrize(
    "meta",
    [
        {"startDateInclusive": "", "endDateInclusive": ""},
        {"startDateInclusive": None, "endDateInclusive": None},
        {"startDateInclusive": 5, "endDateInclusive": ["2026-01-02"]},
    ],
)
def test_covered_days_the_meta_does_not_name_are_the_days_asked(meta: dict[str, object]) -> None:
    """An empty, null or non-text day in the meta says nothing: the days asked stand."""
    asked = (D(2026, 1, 1), D(2026, 1, 31))
    assert covered_days(meta, asked) == asked


@given(
    first=st.dates(D(2020, 1, 1), D(2030, 1, 1)),
    length=st.integers(0, 90),
    cut=st.tuples(st.integers(0, 90), st.integers(0, 90)),
    days=st.integers(1, 40),
)
def test_the_days_asked_again_are_exactly_the_days_missed(
    first: dt.date, length: int, cut: tuple[int, int], days: int
) -> None:
    """Property: uncovered() returns windows of at most ``days`` that hold each missed day once, and no other."""
    last = first + dt.timedelta(days=length)
    got_first = first + dt.timedelta(days=min(cut[0], length))
    got_last = max(got_first, last - dt.timedelta(days=min(cut[1], length)))
    windows = uncovered((first, last), (got_first, got_last), days)
    asked_again = [a + dt.timedelta(days=k) for a, b in windows for k in range((b - a).days + 1)]
    missed = [first + dt.timedelta(days=k) for k in range(length + 1)
              if not got_first <= first + dt.timedelta(days=k) <= got_last]  # fmt: skip
    assert asked_again == missed
    assert all(0 <= (b - a).days < days for a, b in windows)
