"""Validate arguments and build query strings, before anything touches the network.

Every function here is pure: it either returns the exact query values the API expects or raises
InvalidParameterError naming the argument. A request that would fail is never sent, so a typo
never spends quota.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from socketlab._errors import InvalidParameterError

__all__ = [
    "SNAPSHOT_STATUSES",
    "TERMINAL_STATUSES",
    "check_org_slug",
    "comma_list",
    "parse_range",
    "snapshots_query",
    "to_date_string",
]

# spec historicalSnapshotsList, filters.status: the five allowed statuses
SNAPSHOT_STATUSES: tuple[str, ...] = ("in-progress", "success", "failure", "timeout", "skipped")
TERMINAL_STATUSES: frozenset[str] = frozenset({"success", "failure", "timeout", "skipped"})

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RANGE = re.compile(r"(-?)(\d{1,5})d")
# Socket org slugs are URL path segments; anything that could change the path or the query
# (/, ?, #, %, whitespace, dot segments) is refused instead of being escaped into a surprise.
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def check_org_slug(org: object, argument: str = "org") -> str:
    """Return ``org`` if it is a plain organization slug that can stand in a URL path."""
    if not isinstance(org, str):
        raise InvalidParameterError(argument, f"expected the organization slug as a str, got {type(org).__name__}")
    if not org:
        raise InvalidParameterError(argument, "the organization slug is empty")
    if not _SLUG.fullmatch(org) or ".." in org:
        raise InvalidParameterError(
            argument,
            f"{org!r} is not an organization slug: use letters, digits, '-', '_' or '.' only "
            "(it becomes part of the URL path)",
        )
    return org


def to_date_string(value: object, argument: str = "date") -> str:
    """A calendar date as the API's ``YYYY-MM-DD`` (UTC).

    Accepts ``datetime.date``, ``datetime.datetime`` (aware ones are converted to UTC, naive
    ones are taken as UTC) and ``YYYY-MM-DD`` strings that name a real day.
    """
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        if not _DATE.fullmatch(value):
            raise InvalidParameterError(argument, f"{value!r} is not a date in YYYY-MM-DD format")
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise InvalidParameterError(argument, f"{value!r} is not a real calendar date") from None
    raise InvalidParameterError(
        argument, f"expected a YYYY-MM-DD string or a datetime.date, got {type(value).__name__}"
    )


def parse_range(value: object, argument: str = "range") -> str:
    """Validate a ``range``: ``"-Nd"`` (N days before ``date``), ``"Nd"`` (after!) or ``"latest"``.

    ``"30d"`` means the 30 days *after* ``date``, which is in the future for today's date; the
    official SDK's README uses it as if it meant "the last 30 days". We accept it, as the API
    does, and the docstring of every caller says so.
    """
    if not isinstance(value, str):
        raise InvalidParameterError(
            argument, f"expected a str such as '-30d', '30d' or 'latest', got {type(value).__name__} {value!r}"
        )
    if value == "latest":
        return value
    match = _RANGE.fullmatch(value)
    if not match:
        raise InvalidParameterError(
            argument,
            f"{value!r} is not a range: use '-Nd' for N days before date, 'Nd' for N days after it, or 'latest'",
        )
    sign, days = match.groups()
    return f"{sign}{int(days)}d"


def comma_list(value: object, argument: str, *, allowed: Iterable[str] | None = None) -> str:
    """Join a str or an iterable of str with commas, as the API's ``filters.*`` expect.

    Each value is checked: not empty, no comma of its own (it would split in two), and one of
    ``allowed`` when given. Duplicates are dropped, order kept.
    """
    values: list[Any] = [value] if isinstance(value, str) else _as_list(value, argument)
    if not values:
        raise InvalidParameterError(argument, "is empty: pass None to leave the filter out")
    allowed_set = None if allowed is None else tuple(allowed)
    out: list[str] = []
    for item in values:
        if not isinstance(item, str):
            raise InvalidParameterError(argument, f"expected str values, got {type(item).__name__} {item!r}")
        if not item:
            raise InvalidParameterError(argument, "contains an empty value")
        if "," in item:
            raise InvalidParameterError(argument, f"{item!r} contains a comma, which the API reads as a separator")
        if allowed_set is not None and item not in allowed_set:
            raise InvalidParameterError(argument, f"{item!r} is not allowed; choose from {', '.join(allowed_set)}")
        if item not in out:
            out.append(item)
    return ",".join(out)


def _as_list(value: object, argument: str) -> list[Any]:
    if isinstance(value, bytes) or not isinstance(value, Iterable):
        raise InvalidParameterError(argument, f"expected a str or a list of str, got {type(value).__name__}")
    return list(value)


def _check_int(value: object, argument: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidParameterError(
            argument, f"expected an int from {low} to {high}, got {type(value).__name__} {value!r}"
        )
    if not low <= value <= high:
        raise InvalidParameterError(argument, f"{value} is out of range: use {low} to {high}")
    return value


def snapshots_query(
    *,
    date: object = None,
    range: object = None,
    status: object = None,
    request_id: object = None,
    per_page: object = 10000,
    start_after_cursor: object = None,
) -> dict[str, str]:
    """The query of GET /orgs/{org_slug}/historical/snapshots (spec historicalSnapshotsList).

    Parameters left as None are not sent, so the API's defaults apply (date: today in UTC,
    range: -7d).
    """
    query: dict[str, str] = {}
    if date is not None:
        query["date"] = to_date_string(date)
    if range is not None:
        query["range"] = parse_range(range)
    query["per_page"] = str(_check_int(per_page, "per_page", 1, 10000))
    if start_after_cursor is not None:
        if not isinstance(start_after_cursor, str):
            raise InvalidParameterError("start_after_cursor", "expected the endCursor str of an earlier page")
        if start_after_cursor:
            query["startAfterCursor"] = start_after_cursor
    if status is not None:
        query["filters.status"] = comma_list(status, "status", allowed=SNAPSHOT_STATUSES)
    if request_id is not None:
        query["filters.requestId"] = comma_list(request_id, "request_id")
    return query
