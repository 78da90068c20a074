"""Argument validation and query building: pure, and before any request."""

from __future__ import annotations

import datetime as dt

import pytest

from socketlab import InvalidParameterError
from socketlab._params import check_org_slug, comma_list, parse_range, snapshots_query, to_date_string


def test_full_query_uses_the_spec_names() -> None:
    """Every argument maps to its spec query parameter, lists comma-joined."""
    query = snapshots_query(
        date="2026-11-01",
        range="-30d",
        status=["success", "failure"],
        request_id=["a", "b"],
        per_page=500,
        start_after_cursor="abc",
    )
    assert query == {
        "date": "2026-11-01",
        "range": "-30d",
        "per_page": "500",
        "startAfterCursor": "abc",
        "filters.status": "success,failure",
        "filters.requestId": "a,b",
    }


def test_defaults_leave_the_api_defaults() -> None:
    """Unset arguments are not sent, so the API's own defaults (today, -7d) apply."""
    assert snapshots_query() == {"per_page": "10000"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-02-29", "2024-02-29"),
        (dt.date(2026, 1, 5), "2026-01-05"),
        (dt.datetime(2026, 1, 5, 23, 30), "2026-01-05"),  # naive: taken as UTC
        (dt.datetime(2026, 1, 5, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))), "2026-01-06"),
    ],
)
def test_dates_become_utc_days(value: object, expected: str) -> None:
    """Dates, datetimes (converted to UTC) and real YYYY-MM-DD strings are accepted."""
    assert to_date_string(value) == expected


@pytest.mark.parametrize("value", ["2023-02-29", "2026-13-01", "2026-1-5", "20260105", "yesterday", 20260105, None])
def test_impossible_or_malformed_dates_are_refused(value: object) -> None:
    """A date that is not a real calendar day in YYYY-MM-DD is refused, naming the argument."""
    with pytest.raises(InvalidParameterError, match="^date: "):
        to_date_string(value)


@pytest.mark.parametrize(
    ("value", "expected"), [("-30d", "-30d"), ("30d", "30d"), ("latest", "latest"), ("-007d", "-7d"), ("0d", "0d")]
)
def test_ranges(value: str, expected: str) -> None:
    """-Nd, Nd (N days after date, per the spec) and latest are the three forms."""
    assert parse_range(value) == expected


@pytest.mark.parametrize("value", ["30", "-30", "+30d", "30 d", "-30days", "Latest", "", -30, None])
def test_malformed_ranges_are_refused(value: object) -> None:
    """Anything else is refused before a request, with the forms spelled out."""
    with pytest.raises(InvalidParameterError, match="^range: "):
        parse_range(value)


@pytest.mark.parametrize("value", [0, 10001, -1, True, 1.5, "100"])
def test_per_page_out_of_range_or_not_int(value: object) -> None:
    """per_page must be an int from 1 to 10000 (spec minimum/maximum)."""
    with pytest.raises(InvalidParameterError, match="^per_page: "):
        snapshots_query(per_page=value)


def test_status_is_validated_against_the_five_statuses() -> None:
    """An unknown status names the allowed ones."""
    with pytest.raises(InvalidParameterError, match="'done' is not allowed; choose from in-progress, success"):
        snapshots_query(status=["success", "done"])


@pytest.mark.parametrize("value", [[], "", ["a,b"], [""], [1], b"success"])
def test_bad_filter_lists(value: object) -> None:
    """Empty lists, empty values, values with commas and non-str values are refused."""
    with pytest.raises(InvalidParameterError, match="^request_id: "):
        snapshots_query(request_id=value)


def test_single_strings_and_duplicates() -> None:
    """A single str is one value; duplicates are sent once."""
    assert comma_list("success", "status") == "success"
    assert comma_list(["a", "b", "a"], "request_id") == "a,b"


@pytest.mark.parametrize("org", ["acme-corp", "Acme_Corp.io", "a"])
def test_plain_slugs_pass(org: str) -> None:
    assert check_org_slug(org) == org


@pytest.mark.parametrize(
    "org", ["", "../admin", "a/b", "a?b=1", "a#x", "a%2Fb", " acme", "acme corp", "..", ".hidden", 42, None]
)
def test_slugs_that_would_change_the_url_are_refused(org: object) -> None:
    """Anything that could alter the URL path or query is refused, not escaped."""
    with pytest.raises(InvalidParameterError, match="^org: "):
        check_org_slug(org)
