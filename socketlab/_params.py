"""Validate arguments and build query strings, before anything touches the network.

Every function here is pure: it either returns the exact query values the API expects or raises
InvalidParameterError naming the argument. A request that would fail is never sent, so a typo
never spends quota.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from socketlab._errors import FutureDateWarning, InvalidParameterError
from socketlab._schema import (
    ALERT_ACTION,
    ALERT_ACTION_SOURCE_TYPE,
    ALERT_CATEGORY,
    ALERT_FIX_TYPE,
    BUSINESS_CRITICALITY,
    CVE_PATCH_STATUS,
    ENVIRONMENT,
    EXPORT_COLUMNS,
    ISSUE_STATUS,
    ISSUE_TYPE,
    LIFECYCLE,
    REACHABILITY_ANALYSIS_TYPE,
    REACHABILITY_TYPE,
    SCAN_ITEM_TYPE,
    SEVERITY,
    SNAPSHOT_STATUS,
    SOCKET_SEVERITY,
    TERMINAL_STATUSES,
)

__all__ = [
    "AGGREGATION_FIELDS",
    "ALERT_FILTERS",
    "DEFAULT_SNYK_VERSION",
    "DEPENDENCY_FILTERS",
    "ISSUE_STATUSES",
    "ISSUE_TYPES",
    "SEVERITY_LEVELS",
    "SNAPSHOT_STATUSES",
    "TERMINAL_STATUSES",
    "alerts_query",
    "alerts_trend_query",
    "backfill_span",
    "check_org_slug",
    "check_orgs",
    "check_path_segment",
    "check_uuid",
    "comma_list",
    "dependencies_trend_query",
    "export_body",
    "filter_query",
    "issues_query",
    "parse_range",
    "projects_query",
    "query_value",
    "resolutions_query",
    "snake_case_name",
    "snapshots_query",
    "snyk_limit",
    "snyk_version",
    "span_end",
    "to_date_string",
    "to_timestamp_string",
    "warn_if_future",
]

# spec historicalSnapshotsList, filters.status: the five allowed statuses (the schema's enumeration)
SNAPSHOT_STATUSES: tuple[str, ...] = SNAPSHOT_STATUS.values

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


def check_orgs(org: object, argument: str = "org") -> list[str]:
    """One org slug, or several (a list or tuple of slugs), as a list of checked slugs."""
    if isinstance(org, str):
        return [check_org_slug(org, argument)]
    if not isinstance(org, Sequence) or isinstance(org, bytes):
        raise InvalidParameterError(
            argument, f"expected an organization slug or a list of them, got {type(org).__name__}"
        )
    if not org:
        raise InvalidParameterError(argument, "no organization given")
    slugs = [check_org_slug(one, argument) for one in org]
    if len(set(slugs)) != len(slugs):
        raise InvalidParameterError(argument, "an organization is named twice")
    return slugs


def backfill_span(start: object, end: object, window_days: object) -> tuple[dt.date, dt.date]:
    """The inclusive UTC days of a backfill, checked with its window size (a positive int)."""
    first = dt.date.fromisoformat(to_date_string(start, "start"))
    last = dt.date.fromisoformat(to_date_string(end, "end"))
    if first > last:
        raise InvalidParameterError("start", f"{first} is after end {last}")
    if isinstance(window_days, bool) or not isinstance(window_days, int) or window_days < 1:
        raise InvalidParameterError("window_days", "expected a positive int")
    return first, last


def span_end(date: str | None, range: str | None, today: dt.date) -> dt.date:
    """The last UTC day a (date, range) query covers: ``date`` (default today), plus N for ``"Nd"``."""
    day = dt.date.fromisoformat(date) if date else today
    match = _RANGE.fullmatch(range or "-7d")
    if match and not match.group(1):
        day += dt.timedelta(days=int(match.group(2)))
    return day


def warn_if_future(date: str | None, range: str | None, *, today: dt.date | None = None, stacklevel: int = 2) -> None:
    """Warn (FutureDateWarning) when a checked query reaches past today, where no data exists yet."""
    today = today or dt.datetime.now(dt.UTC).date()
    end = span_end(date, range, today)
    if end > today:
        trap = " ('Nd' counts forward from date: '-Nd' is the N days before it)" if range and range[0] != "-" else ""
        warnings.warn(
            FutureDateWarning(f"the query reaches {end.isoformat()}, past today ({today.isoformat()} UTC): "
                              f"those days have no data yet{trap}"),
            stacklevel=stacklevel + 1,
        )  # fmt: skip


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
    # a dict is iterable too, but its keys are not the values someone meant to send
    if isinstance(value, bytes | Mapping) or not isinstance(value, Iterable):
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


# -- Snyk REST -------------------------------------------------------------------------------

# The GA date the client pins by default: the REST document's own x-snyk-api-version. Snyk serves
# each endpoint's newest version on or before it (listOrgIssues/listGroupIssues: 2024-01-23,
# listOrgProjects: 2024-05-31).
DEFAULT_SNYK_VERSION = "2024-10-15"
ISSUE_TYPES: tuple[str, ...] = ISSUE_TYPE.values
SEVERITY_LEVELS: tuple[str, ...] = SEVERITY.values
ISSUE_STATUSES: tuple[str, ...] = ISSUE_STATUS.values
SCAN_ITEM_TYPES: tuple[str, ...] = SCAN_ITEM_TYPE.values
_VERSION = re.compile(r"(\d{4}-\d{2}-\d{2})(?:~(beta|experimental))?")
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,199}")


def snyk_version(value: object, today: dt.date | None = None, argument: str = "version") -> str:
    """A Snyk API version: ``YYYY-MM-DD`` (GA), optionally ``~beta`` or ``~experimental``.

    The date must be a real day and not in the future (UTC): Snyk resolves a version to the
    newest release on or before it, and a future date would silently float.
    """
    if not isinstance(value, str):
        raise InvalidParameterError(argument, f"expected a str like '2024-10-15', got {type(value).__name__}")
    match = _VERSION.fullmatch(value)
    if not match:
        raise InvalidParameterError(
            argument, f"{value!r} is not a Snyk version: use YYYY-MM-DD, optionally with ~beta or ~experimental"
        )
    day = to_date_string(match.group(1), argument)
    today = today or dt.datetime.now(dt.UTC).date()
    if dt.date.fromisoformat(day) > today:
        raise InvalidParameterError(argument, f"{value!r} is in the future (today is {today.isoformat()} UTC)")
    return value


def check_uuid(value: object, argument: str) -> str:
    """A UUID as Snyk writes it (lower-case, hyphenated)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if not isinstance(value, str):
        raise InvalidParameterError(argument, f"expected a UUID str, got {type(value).__name__}")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InvalidParameterError(argument, f"{value!r} is not a UUID") from None


def check_path_segment(value: object, argument: str) -> str:
    """A value that may stand as one URL path segment: no '/', '?', '#', '%' or dot segments."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if not isinstance(value, str) or not _SEGMENT.fullmatch(value) or ".." in value:
        raise InvalidParameterError(
            argument, f"{value!r} cannot stand in a URL path: use letters, digits, '-', '_', '.' or '~'"
        )
    return value


def snyk_limit(value: object) -> int:
    """Page size: 10 to 100 in steps of 10 (spec components.parameters.Limit)."""
    limit = _check_int(value, "limit", 10, 100)
    if limit % 10:
        raise InvalidParameterError("limit", f"{limit} is not a multiple of 10")
    return limit


def to_timestamp_string(value: object, argument: str) -> str:
    """An RFC 3339 UTC timestamp from a datetime (naive: UTC), a date (midnight UTC) or a str."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise InvalidParameterError(argument, f"{value!r} is not an ISO 8601 date or timestamp") from None
    if isinstance(value, dt.datetime):
        value = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
        return value.strftime("%Y-%m-%dT%H:%M:%S") + (f".{value.microsecond:06d}" if value.microsecond else "") + "Z"
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00Z"
    raise InvalidParameterError(argument, f"expected a datetime, a date or an ISO 8601 str, got {type(value).__name__}")


def query_value(value: object, argument: str) -> str:
    """One query value as Snyk expects it: lists comma-joined, booleans lower-case, UTC times.

    httpx would repeat the key for a list and write ``True``: Snyk wants ``a,b`` and ``true``.
    An empty string is kept: it can mean something to a filter.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return to_timestamp_string(value, argument)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, Iterable) and not isinstance(value, (bytes, dict)):
        return comma_list([query_value(v, argument) for v in value], argument)
    raise InvalidParameterError(argument, f"cannot send a {type(value).__name__} as a query value")


def _bool(value: object, argument: str) -> str:
    if not isinstance(value, bool):
        raise InvalidParameterError(argument, f"expected True or False, got {type(value).__name__} {value!r}")
    return "true" if value else "false"


def _one_of(value: object, argument: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise InvalidParameterError(argument, f"{value!r} is not allowed; choose from {', '.join(allowed)}")
    return value


def issues_query(
    *,
    type: object = None,
    status: object = None,
    ignored: object = None,
    effective_severity_level: object = None,
    created_after: object = None,
    created_before: object = None,
    updated_after: object = None,
    updated_before: object = None,
    scan_item_id: object = None,
    scan_item_type: object = None,
) -> dict[str, str]:
    """The filters of listOrgIssues / listGroupIssues as query values."""
    query: dict[str, str] = {}
    if type is not None:
        query["type"] = _one_of(type, "type", ISSUE_TYPES)
    if status is not None:
        statuses = [status] if isinstance(status, str) else status
        if isinstance(statuses, Iterable) and "ignored" in list(statuses):
            raise InvalidParameterError(
                "status",
                "'ignored' is not an issue status (open or resolved): ignoring is a flag, pass ignored=True",
            )
        query["status"] = comma_list(status, "status", allowed=ISSUE_STATUSES)
    if ignored is not None:
        query["ignored"] = _bool(ignored, "ignored")
    if effective_severity_level is not None:
        query["effective_severity_level"] = comma_list(
            effective_severity_level, "effective_severity_level", allowed=SEVERITY_LEVELS
        )
    for name, value in (
        ("created_after", created_after),
        ("created_before", created_before),
        ("updated_after", updated_after),
        ("updated_before", updated_before),
    ):
        if value is not None:
            query[name] = to_timestamp_string(value, name)
    if scan_item_id is not None:
        query["scan_item.id"] = check_uuid(scan_item_id, "scan_item_id")
    if scan_item_type is not None:
        query["scan_item.type"] = _one_of(scan_item_type, "scan_item_type", SCAN_ITEM_TYPES)
    if ("scan_item.id" in query) != ("scan_item.type" in query):
        raise InvalidParameterError("scan_item_id", "scan_item_id and scan_item_type go together")
    return query


def projects_query(
    *,
    target_id: object = None,
    target_reference: object = None,
    target_file: object = None,
    target_runtime: object = None,
    ids: object = None,
    names: object = None,
    names_start_with: object = None,
    origins: object = None,
    types: object = None,
    expand: object = None,
    latest_issue_counts: object = None,
    latest_dependency_total: object = None,
    cli_monitored_before: object = None,
    cli_monitored_after: object = None,
    importing_user_public_id: object = None,
    tags: object = None,
    business_criticality: object = None,
    environment: object = None,
    lifecycle: object = None,
) -> dict[str, str]:
    """The filters of listOrgProjects as query values."""
    query: dict[str, str] = {}
    if target_id is not None:
        ids_ = [target_id] if isinstance(target_id, str | uuid.UUID) else _as_list(target_id, "target_id")
        query["target_id"] = comma_list([check_uuid(v, "target_id") for v in ids_], "target_id")
    if ids is not None:
        ids_ = [ids] if isinstance(ids, str | uuid.UUID) else _as_list(ids, "ids")
        query["ids"] = comma_list([check_uuid(v, "ids") for v in ids_], "ids")
    for name, value in (("target_reference", target_reference), ("target_file", target_file),
                        ("target_runtime", target_runtime)):  # fmt: skip
        if value is not None:
            if not isinstance(value, str):
                raise InvalidParameterError(name, f"expected a str, got {type(value).__name__}")
            query[name] = value
    for name, value in (("names", names), ("names_start_with", names_start_with), ("origins", origins),
                        ("types", types), ("importing_user_public_id", importing_user_public_id)):  # fmt: skip
        if value is not None:
            query[name] = comma_list(value, name)
    if expand is not None:
        query["expand"] = comma_list(expand, "expand", allowed=("target",))
    if latest_issue_counts is not None:
        query["meta.latest_issue_counts"] = _bool(latest_issue_counts, "latest_issue_counts")
    if latest_dependency_total is not None:
        query["meta.latest_dependency_total"] = _bool(latest_dependency_total, "latest_dependency_total")
    for name, value in (("cli_monitored_before", cli_monitored_before), ("cli_monitored_after", cli_monitored_after)):
        if value is not None:
            query[name] = to_timestamp_string(value, name)
    if tags is not None:
        if isinstance(tags, dict):
            wrong = next(((k, v) for k, v in tags.items() if not (isinstance(k, str) and isinstance(v, str))), None)
            if wrong is not None:
                raise InvalidParameterError("tags", f"expected str keys and values, got {wrong[0]!r}: {wrong[1]!r}")
        pairs = [f"{k}:{v}" for k, v in tags.items()] if isinstance(tags, dict) else tags
        joined = comma_list(pairs, "tags")
        for tag in joined.split(","):
            if not re.fullmatch(r"[a-zA-Z0-9_-]+:[:/?#@&+=%a-zA-Z0-9_.~-]+", tag):
                raise InvalidParameterError("tags", f"{tag!r} is not key:value (spec pattern)")
        query["tags"] = joined
    for name, value, allowed in (
        ("business_criticality", business_criticality, BUSINESS_CRITICALITY.values),
        ("environment", environment, ENVIRONMENT.values),
        ("lifecycle", lifecycle, LIFECYCLE.values),
    ):
        if value is not None:
            query[name] = comma_list(value, name, allowed=allowed)
    return query


# -- Socket historical alerts and trends ---------------------------------------------------------

_SEVERITY_NAMES = SOCKET_SEVERITY.values
# spec historicalAlertsList / historicalAlertsTrend: every filters.* parameter (each also has a
# .notIn twin) and its allowed values: a tuple of values, bool for a flag, None for free text.
ALERT_FILTERS: dict[str, tuple[str, ...] | type[bool] | None] = {
    "alertAction": ALERT_ACTION.values,
    "alertActionSourceType": ALERT_ACTION_SOURCE_TYPE.values,
    "alertCategory": ALERT_CATEGORY.values,
    "alertCveId": None,
    "alertCveTitle": None,
    "alertCweId": None,
    "alertCweName": None,
    "alertEPSS": _SEVERITY_NAMES,
    "alertFixType": ALERT_FIX_TYPE.values,
    "alertKEV": bool,
    "alertPriority": _SEVERITY_NAMES,
    "alertReachabilityAnalysisType": REACHABILITY_ANALYSIS_TYPE.values,
    "alertReachabilityType": REACHABILITY_TYPE.values,
    "alertSeverity": _SEVERITY_NAMES,
    "alertType": None,
    "artifactName": None,
    "artifactType": None,
    "branch": None,
    "cvePatchStatus": CVE_PATCH_STATUS.values,
    "dependencyDead": bool,
    "dependencyDev": bool,
    "dependencyDirect": bool,
    "repoFullName": None,
    "repoLabels": None,
    "repoSlug": None,
}  # fmt: skip
# spec historicalAlertsTrend aggregation.fields: the allowed grouping fields
AGGREGATION_FIELDS: tuple[str, ...] = (
    "alertSeverity", "repoSlug", "repoFullName", "branch", "repoLabels", "alertType", "artifactType",
    "alertAction", "alertActionSourceType", "alertFixType", "alertCategory", "alertCveId", "alertCveTitle",
    "alertCweId", "alertCweName", "alertReachabilityType", "cvePatchStatus", "alertReachabilityAnalysisType",
    "alertPriority", "alertKEV", "alertEPSS", "dependencyDirect", "dependencyDev", "dependencyDead",
)  # fmt: skip
# spec historicalDependenciesTrend: its filters have no "filters." prefix and no .notIn twin
DEPENDENCY_FILTERS: dict[str, tuple[str, ...] | type[bool] | None] = {
    "repoFullName": None,
    "repoSlug": None,
    "repoLabels": None,
    "artifactType": None,
    "dependencyDirect": bool,
    "dependencyDev": bool,
    "dependencyDead": bool,
}
# repoLabels="" selects repositories with no labels (spec): the empty string stays sendable there
_EMPTY_MEANS_SOMETHING = {"repoLabels"}


def _python_names(table: Mapping[str, object], not_in: bool) -> dict[str, tuple[str, bool]]:
    names = {}
    for api in table:
        names[snake_case_name(api)] = (api, False)
        if not_in:
            names[snake_case_name(api) + "_not_in"] = (api, True)
    return names


def snake_case_name(api: str) -> str:
    """alertCveId -> alert_cve_id, alertEPSS -> alert_epss, alertKEV -> alert_kev."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", api)
    return name.lower()


def filter_query(
    filters: Mapping[str, object],
    table: Mapping[str, tuple[str, ...] | type[bool] | None],
    *,
    prefix: str,
    not_in: bool,
) -> dict[str, str]:
    """Python filter arguments (snake_case, ``_not_in`` for exclusions) as the API's query.

    Lists are comma-joined, booleans sent as ``true``/``false``, enumerated values checked
    against the spec's allowed values, and an empty string kept where it means something.
    """
    if not isinstance(filters, Mapping):
        raise InvalidParameterError(
            "filters", f"expected a dict of filter names to values, got {type(filters).__name__}"
        )
    names = _python_names(table, not_in)
    query: dict[str, str] = {}
    for name, value in filters.items():
        if name not in names:
            raise InvalidParameterError(
                name, f"is not a filter of this endpoint; known filters: {', '.join(sorted(names))}"
            )
        if value is None:
            continue
        api, excluded = names[name]
        allowed = table[api]
        key = prefix + api + (".notIn" if excluded else "")
        if allowed is bool:
            query[key] = _bool(value, name)
        elif value == "" and api in _EMPTY_MEANS_SOMETHING:
            query[key] = ""
        else:
            query[key] = comma_list(value, name, allowed=allowed if isinstance(allowed, tuple) else None)
    return query


def alerts_query(
    *,
    date: object = None,
    range: object = None,
    per_page: object = 10000,
    start_after_cursor: object = None,
    filters: Mapping[str, object] | None = None,
) -> dict[str, str]:
    """The query of GET /orgs/{org_slug}/historical/alerts (spec historicalAlertsList)."""
    query = snapshots_query(date=date, range=range, per_page=per_page, start_after_cursor=start_after_cursor)
    return {**query, **filter_query(filters or {}, ALERT_FILTERS, prefix="filters.", not_in=True)}


def _trend_dates(date: object, range: object) -> dict[str, str]:
    query: dict[str, str] = {}
    if date is not None:
        query["date"] = to_date_string(date)
    if range is not None:
        value = parse_range(range)
        if value == "latest":
            raise InvalidParameterError("range", "'latest' is not a trend range: use '-Nd' or 'Nd'")
        query["range"] = value
    return query


def alerts_trend_query(
    *,
    date: object = None,
    range: object = None,
    group_by: object = None,
    filters: Mapping[str, object] | None = None,
) -> dict[str, str]:
    """The query of GET .../historical/alerts/trend (spec historicalAlertsTrend).

    ``group_by`` takes the API's field names or their snake_case forms (``alert_severity``).
    """
    query = _trend_dates(date, range)
    if group_by is not None:
        by_snake = {snake_case_name(f): f for f in AGGREGATION_FIELDS}
        fields = [group_by] if isinstance(group_by, str) else _as_list(group_by, "group_by")
        api_fields = [by_snake.get(f, f) if isinstance(f, str) else f for f in fields]
        query["aggregation.fields"] = comma_list(api_fields, "group_by", allowed=AGGREGATION_FIELDS)
    return {**query, **filter_query(filters or {}, ALERT_FILTERS, prefix="filters.", not_in=True)}


def dependencies_trend_query(
    *, date: object = None, range: object = None, filters: Mapping[str, object] | None = None
) -> dict[str, str]:
    """The query of GET .../historical/dependencies/trend: its filters have no ``filters.`` prefix."""
    return {
        **_trend_dates(date, range),
        **filter_query(filters or {}, DEPENDENCY_FILTERS, prefix="", not_in=False),
    }


# -- Socket alert resolutions ------------------------------------------------------------------------


def resolutions_query(
    *, direction: object = "desc", per_page: object = 100, start_after_cursor: object = None
) -> dict[str, str]:
    """The query of GET /orgs/{org_slug}/alerts/resolutions (spec getOrgAlertResolutions).

    ``direction`` sorts by created_at ("asc" or "desc", the API's default); ``per_page`` is 1 to
    100 (the API's default is 30: socketlab asks for 100, fewer pages for the same quota).
    """
    query = {
        "direction": _one_of(direction, "direction", ("asc", "desc")),
        "per_page": str(_check_int(per_page, "per_page", 1, 100)),
    }
    if start_after_cursor is not None:
        if not isinstance(start_after_cursor, str):
            raise InvalidParameterError("start_after_cursor", "expected the endCursor str of an earlier page")
        if start_after_cursor:
            query["startAfterCursor"] = start_after_cursor
    return query


# -- Snyk's Export API ----------------------------------------------------------------------------------


def _export_window(value: object, argument: str) -> dict[str, str]:
    """A (start, end) pair as the Export API's {"from", "to"} (YYYY-MM-DDTHH:MM:SSZ, UTC); a day
    as ``end`` means the whole of that day."""
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise InvalidParameterError(argument, f"expected a (start, end) pair of days or timestamps, got {value!r}")
    start, end = value
    if isinstance(end, dt.date) and not isinstance(end, dt.datetime):
        end = dt.datetime.combine(end, dt.time(23, 59, 59))
    elif isinstance(end, str) and _DATE.fullmatch(end):
        end = f"{end}T23:59:59"
    first = to_timestamp_string(start, argument).split(".")[0].rstrip("Z") + "Z"
    last = to_timestamp_string(end, argument).split(".")[0].rstrip("Z") + "Z"
    if first > last:
        raise InvalidParameterError(argument, f"starts ({first}) after it ends ({last})")
    return {"from": first, "to": last}


def export_body(
    *,
    introduced: object = None,
    updated: object = None,
    columns: object = None,
    url_expiration_seconds: object = 3600,
) -> dict[str, Any]:
    """The JSON:API body of POST .../export (spec createExport): the issues dataset, as CSV.

    Snyk's Export API page: at least one date filter (``introduced`` or ``updated``) is
    required; ``columns`` are any of the documented issues columns (case-insensitive; None: every
    column, the API's default); ``url_expiration_seconds`` is 0 to 3600 (spec maximum).
    """
    filters: dict[str, Any] = {}
    if introduced is not None:
        filters["introduced"] = _export_window(introduced, "introduced")
    if updated is not None:
        filters["updated"] = _export_window(updated, "updated")
    if not filters:
        raise InvalidParameterError("introduced", "the Export API needs a date filter: introduced=(start, end)")
    attributes: dict[str, Any] = {"dataset": "issues", "formats": ["csv"], "filters": filters}
    if columns is not None:
        names = [columns] if isinstance(columns, str) else columns
        if not isinstance(names, Iterable) or isinstance(names, bytes | Mapping):
            raise InvalidParameterError("columns", f"expected column names, got {type(columns).__name__}")
        chosen = []
        for name in names:
            if not isinstance(name, str) or name.upper() not in EXPORT_COLUMNS:
                raise InvalidParameterError(
                    "columns", f"{name!r} is not a column of the issues dataset; known: {', '.join(EXPORT_COLUMNS)}"
                )
            chosen.append(name.upper())
        if not chosen:
            raise InvalidParameterError("columns", "no column named (None gives every column)")
        attributes["columns"] = list(dict.fromkeys(chosen))
    attributes["url_expiration_seconds"] = _check_int(url_expiration_seconds, "url_expiration_seconds", 0, 3600)
    return {"data": {"type": "resource", "attributes": attributes}}
