"""Every public argument to its query key, checked against the specs; every limit from both sides;
every wrong type refused with the typed error naming the argument. Pure: no request is built."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socketlab import FutureDateWarning, InvalidParameterError
from socketlab._params import (
    alerts_query,
    alerts_trend_query,
    backfill_span,
    check_org_slug,
    check_orgs,
    check_path_segment,
    check_uuid,
    comma_list,
    dependencies_trend_query,
    export_body,
    issues_query,
    parse_range,
    projects_query,
    query_value,
    resolutions_query,
    snake_case_name,
    snapshots_query,
    snyk_limit,
    snyk_version,
    span_end,
    to_date_string,
    to_timestamp_string,
    warn_if_future,
)
from tests.conftest import SPECS

SOCKET = json.loads((SPECS / "socket-openapi.json").read_text())
SNYK = json.loads((SPECS / "snyk-rest-spec.json").read_text())
U = "4a18d42f-0706-4ad0-b127-24078731fbed"


def _socket_query_names(path: str) -> set[str]:
    return {p["name"] for p in SOCKET["paths"][path]["get"]["parameters"] if p["in"] == "query"}


def _snyk_query_names(path: str) -> set[str]:
    shared = SNYK["components"]["parameters"]
    params = [
        shared[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p for p in SNYK["paths"][path]["get"]["parameters"]
    ]
    return {p["name"] for p in params if p["in"] == "query"}


# -- query completeness: one table from every public argument to its query key ----------------------

# Socket historicalAlertsList / historicalAlertsTrend filters: the Python name, the spec's name, a value
# and how it is sent. Each also has a "_not_in" twin sent as "filters.<name>.notIn".
ALERT_FILTERS = {
    "alert_action": ("alertAction", ["ignore", "warn"], "ignore,warn"),
    "alert_action_source_type": ("alertActionSourceType", "triage", "triage"),
    "alert_category": ("alertCategory", "supplyChainRisk", "supplyChainRisk"),
    "alert_cve_id": ("alertCveId", ["CVE-2026-1", "CVE-2026-2"], "CVE-2026-1,CVE-2026-2"),
    "alert_cve_title": ("alertCveTitle", "Prototype pollution", "Prototype pollution"),
    "alert_cwe_id": ("alertCweId", "CWE-79", "CWE-79"),
    "alert_cwe_name": ("alertCweName", "XSS", "XSS"),
    "alert_epss": ("alertEPSS", "high", "high"),
    "alert_fix_type": ("alertFixType", ("upgrade", "remove"), "upgrade,remove"),
    "alert_kev": ("alertKEV", True, "true"),
    "alert_priority": ("alertPriority", "critical", "critical"),
    "alert_reachability_analysis_type": ("alertReachabilityAnalysisType", "full-scan", "full-scan"),
    "alert_reachability_type": ("alertReachabilityType", "reachable", "reachable"),
    "alert_severity": ("alertSeverity", ["critical", "high"], "critical,high"),
    "alert_type": ("alertType", "criticalCVE", "criticalCVE"),
    "artifact_name": ("artifactName", "lodash", "lodash"),
    "artifact_type": ("artifactType", "npm", "npm"),
    "branch": ("branch", "main", "main"),
    "cve_patch_status": ("cvePatchStatus", "patch_available", "patch_available"),
    "dependency_dead": ("dependencyDead", False, "false"),
    "dependency_dev": ("dependencyDev", True, "true"),
    "dependency_direct": ("dependencyDirect", False, "false"),
    "repo_full_name": ("repoFullName", "acme/web", "acme/web"),
    "repo_labels": ("repoLabels", "", ""),  # the empty string: repositories without labels (spec)
    "repo_slug": ("repoSlug", "web", "web"),
}
# historicalDependenciesTrend: no "filters." prefix, no .notIn twin
DEPENDENCY_FILTERS = {
    "repo_full_name": ("repoFullName", "acme/web", "acme/web"),
    "repo_slug": ("repoSlug", ["web", "api"], "web,api"),
    "repo_labels": ("repoLabels", "", ""),
    "artifact_type": ("artifactType", "pypi", "pypi"),
    "dependency_direct": ("dependencyDirect", True, "true"),
    "dependency_dev": ("dependencyDev", False, "false"),
    "dependency_dead": ("dependencyDead", True, "true"),
}
SNAPSHOT_ARGUMENTS = {
    "date": ("date", dt.date(2026, 11, 1), "2026-11-01"),
    "range": ("range", "-30d", "-30d"),
    "per_page": ("per_page", 500, "500"),
    "start_after_cursor": ("startAfterCursor", "c-9", "c-9"),
    "status": ("filters.status", ["success", "failure"], "success,failure"),
    "request_id": ("filters.requestId", ["r1", "r2"], "r1,r2"),
}
ISSUE_ARGUMENTS = {
    "type": ("type", "package_vulnerability", "package_vulnerability"),
    "status": ("status", "open", "open"),
    "ignored": ("ignored", True, "true"),
    "effective_severity_level": ("effective_severity_level", ["critical", "high"], "critical,high"),
    "created_after": ("created_after", dt.date(2026, 1, 1), "2026-01-01T00:00:00Z"),
    "created_before": ("created_before", dt.datetime(2026, 1, 2, 3, 4, 5), "2026-01-02T03:04:05Z"),
    "updated_after": ("updated_after", "2026-01-03T00:00:00+02:00", "2026-01-02T22:00:00Z"),
    "updated_before": ("updated_before", dt.datetime(2026, 1, 4, tzinfo=dt.UTC), "2026-01-04T00:00:00Z"),
    "scan_item_id": ("scan_item.id", uuid.UUID(U), U),
    "scan_item_type": ("scan_item.type", "environment", "environment"),
}
PROJECT_ARGUMENTS = {
    "target_id": ("target_id", [U, uuid.UUID(int=1)], f"{U},00000000-0000-0000-0000-000000000001"),
    "target_reference": ("target_reference", "main", "main"),
    "target_file": ("target_file", "package.json", "package.json"),
    "target_runtime": ("target_runtime", "node", "node"),
    "ids": ("ids", uuid.UUID(U), U),
    "names": ("names", ["web", "api"], "web,api"),
    "names_start_with": ("names_start_with", "acme/", "acme/"),
    "origins": ("origins", ["github", "cli"], "github,cli"),
    "types": ("types", ["npm", "pip"], "npm,pip"),
    "expand": ("expand", "target", "target"),
    "latest_issue_counts": ("meta.latest_issue_counts", True, "true"),
    "latest_dependency_total": ("meta.latest_dependency_total", False, "false"),
    "cli_monitored_before": ("cli_monitored_before", dt.date(2026, 2, 1), "2026-02-01T00:00:00Z"),
    "cli_monitored_after": ("cli_monitored_after", "2026-01-01", "2026-01-01T00:00:00Z"),
    "importing_user_public_id": ("importing_user_public_id", ["u1", "u2"], "u1,u2"),
    "tags": ("tags", {"team": "web", "env": "prod"}, "team:web,env:prod"),
    "business_criticality": ("business_criticality", ["critical", "low"], "critical,low"),
    "environment": ("environment", ("backend", "saas"), "backend,saas"),
    "lifecycle": ("lifecycle", "production", "production"),
}
PAGING = {"version", "starting_after", "ending_before", "limit"}  # set by the client, not by a filter argument


def _call(table: dict[str, tuple[str, object, str]]) -> tuple[dict[str, object], dict[str, str]]:
    arguments = {name: value for name, (_, value, _) in table.items()}
    return arguments, {key: sent for key, _, sent in table.values()}


def _filters(not_in: bool) -> tuple[dict[str, object], dict[str, str]]:
    arguments: dict[str, object] = {}
    expected: dict[str, str] = {}
    for name, (api, value, sent) in ALERT_FILTERS.items():
        arguments[name], expected[f"filters.{api}"] = value, sent
        if not_in:
            arguments[f"{name}_not_in"], expected[f"filters.{api}.notIn"] = value, sent
    return arguments, expected


def test_every_snapshots_argument_has_its_spec_key() -> None:
    """historicalSnapshotsList: each argument to its key, and every query parameter of the spec has an argument."""
    arguments, expected = _call(SNAPSHOT_ARGUMENTS)
    assert snapshots_query(**arguments) == expected
    assert set(expected) == _socket_query_names("/orgs/{org_slug}/historical/snapshots")


@pytest.mark.parametrize("not_in", [False, True])
def test_every_alert_filter_and_its_not_in_twin_has_its_spec_key(not_in: bool) -> None:
    """historicalAlertsList: filters.<name> for each filter, filters.<name>.notIn for its _not_in twin."""
    filters, expected = _filters(not_in)
    query = alerts_query(date="2026-10-31", range="-7d", per_page=10, start_after_cursor="c", filters=filters)
    paging = {"date": "2026-10-31", "range": "-7d", "per_page": "10", "startAfterCursor": "c"}
    assert query == {**paging, **expected}
    if not_in:
        assert set(query) == _socket_query_names("/orgs/{org_slug}/historical/alerts")


def test_every_alert_trend_argument_has_its_spec_key() -> None:
    """historicalAlertsTrend: the same filters (and twins), the dates and aggregation.fields."""
    filters, expected = _filters(not_in=True)
    query = alerts_trend_query(date="2026-10-31", range="-90d", group_by="alert_severity", filters=filters)
    assert query == {"date": "2026-10-31", "range": "-90d", "aggregation.fields": "alertSeverity", **expected}
    assert set(query) == _socket_query_names("/orgs/{org_slug}/historical/alerts/trend")


def test_every_dependencies_trend_filter_has_its_spec_key() -> None:
    """historicalDependenciesTrend: its filters carry no prefix and have no .notIn twin."""
    arguments, expected = _call(DEPENDENCY_FILTERS)
    query = dependencies_trend_query(date="2026-10-31", range="-30d", filters=arguments)
    assert query == {"date": "2026-10-31", "range": "-30d", **expected}
    assert set(query) == _socket_query_names("/orgs/{org_slug}/historical/dependencies/trend")
    with pytest.raises(InvalidParameterError, match="^repo_slug_not_in: is not a filter of this endpoint"):
        dependencies_trend_query(filters={"repo_slug_not_in": "web"})


@pytest.mark.parametrize("path", ["/orgs/{org_id}/issues", "/groups/{group_id}/issues"])
def test_every_issue_filter_has_its_spec_key(path: str) -> None:
    """listOrgIssues and listGroupIssues: each filter argument to its key; every filter of the spec has one."""
    arguments, expected = _call(ISSUE_ARGUMENTS)
    assert issues_query(**arguments) == expected
    assert set(expected) == _snyk_query_names(path) - PAGING


def test_every_project_filter_has_its_spec_key() -> None:
    """listOrgProjects: each filter argument to its key (meta_count, a count in place of projects, is not offered)."""
    arguments, expected = _call(PROJECT_ARGUMENTS)
    assert projects_query(**arguments) == expected
    assert set(expected) == _snyk_query_names("/orgs/{org_id}/projects") - PAGING - {"meta_count"}


@pytest.mark.parametrize(
    ("api", "python"),
    [("alertCveId", "alert_cve_id"), ("alertEPSS", "alert_epss"), ("alertKEV", "alert_kev"), ("branch", "branch"),
     ("repoLabels", "repo_labels"), ("alertReachabilityAnalysisType", "alert_reachability_analysis_type"),
     ("HTTPStatus", "http_status"), ("cve2Id", "cve2_id")],
)  # fmt: skip
def test_the_python_name_of_an_api_field(api: str, python: str) -> None:
    assert snake_case_name(api) == python


@pytest.mark.parametrize("name", ["severity", "alertSeverity", "alert_severity_notin", "dependency_dev_not_in_x"])
def test_an_unknown_filter_is_refused_listing_the_known_ones(name: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        alerts_query(filters={name: "high"})
    assert info.value.argument == name
    assert str(info.value).startswith(f"{name}: is not a filter of this endpoint; known filters: alert_action, ")
    assert ", alert_action_not_in, " in str(info.value)
    assert str(info.value).endswith(", repo_slug, repo_slug_not_in")


def test_a_filter_left_as_none_is_not_sent() -> None:
    assert alerts_query(filters={"alert_severity": None, "alert_kev_not_in": None}) == {"per_page": "10000"}
    assert dependencies_trend_query(filters={"repo_slug": None}) == {}


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"alert_kev": "true"}, "alert_kev: expected True or False, got str 'true'"),
        ({"dependency_dev_not_in": 1}, "dependency_dev_not_in: expected True or False, got int 1"),
        ({"alert_type": ""}, "alert_type: contains an empty value"),
        ({"alert_severity": "info"}, "alert_severity: 'info' is not allowed; choose from low, medium, high, critical"),
        ({"alert_action_not_in": ["error", "block"]},
         "alert_action_not_in: 'block' is not allowed; choose from error, warn, monitor, ignore"),
    ],
)  # fmt: skip
def test_filter_values_are_checked_by_kind(filters: dict[str, object], message: str) -> None:
    """Flags take a bool, enumerations their spec values; only repoLabels gives the empty string a meaning."""
    with pytest.raises(InvalidParameterError) as info:
        alerts_query(filters=filters)
    assert str(info.value) == message


@pytest.mark.parametrize("filters", [["alert_severity"], "alert_severity=high", 5, ("a", "b")])
def test_filters_must_be_a_mapping(filters: Any) -> None:
    """filters= is a dict of filter names to values: anything else is the typed error naming filters."""
    for build in (alerts_query, alerts_trend_query, dependencies_trend_query):
        with pytest.raises(InvalidParameterError) as info:
            build(filters=filters)
        assert str(info.value) == f"filters: expected a dict of filter names to values, got {type(filters).__name__}"


def test_group_by_takes_api_or_python_names_in_order_without_repeats() -> None:
    query = alerts_trend_query(group_by=("alertType", "alert_severity", "alert_type", "dependency_direct"))
    assert query == {"aggregation.fields": "alertType,alertSeverity,dependencyDirect"}
    with pytest.raises(InvalidParameterError) as info:
        alerts_trend_query(group_by=["alert_severity", "severity"])
    assert str(info.value).startswith("group_by: 'severity' is not allowed; choose from alertSeverity, repoSlug, ")
    with pytest.raises(InvalidParameterError, match=r"^group_by: expected str values, got int 5$"):
        alerts_trend_query(group_by=["alert_severity", 5])
    with pytest.raises(InvalidParameterError, match=r"^group_by: expected a str or a list of str, got int$"):
        alerts_trend_query(group_by=5)


def test_a_trend_takes_days_not_latest() -> None:
    assert alerts_trend_query(date=dt.date(2026, 3, 1), range="-007d") == {"date": "2026-03-01", "range": "-7d"}
    assert dependencies_trend_query(range="5d") == {"range": "5d"}
    for build in (alerts_trend_query, dependencies_trend_query):
        with pytest.raises(InvalidParameterError) as info:
            build(range="latest")
        assert str(info.value) == "range: 'latest' is not a trend range: use '-Nd' or 'Nd'"
        with pytest.raises(InvalidParameterError, match="^date: '2026-02-30' is not a real calendar date$"):
            build(date="2026-02-30")


# -- boundaries: both sides of every limit ---------------------------------------------------------------


@pytest.mark.parametrize(("per_page", "ok"), [(1, True), (10000, True), (0, False), (10001, False), (-1, False)])
def test_per_page_is_1_to_10000(per_page: int, ok: bool) -> None:
    for build in (snapshots_query, alerts_query):
        if ok:
            assert build(per_page=per_page)["per_page"] == str(per_page)
        else:
            with pytest.raises(InvalidParameterError) as info:
                build(per_page=per_page)
            assert str(info.value) == f"per_page: {per_page} is out of range: use 1 to 10000"


@pytest.mark.parametrize("value", [True, False, 1.0, 1.5, "100", None, b"1"])
def test_per_page_must_be_an_int(value: object) -> None:
    """bool is an int to Python, not to the API; a float or a str is refused, not rounded or parsed."""
    with pytest.raises(InvalidParameterError) as info:
        snapshots_query(per_page=value)
    assert str(info.value) == f"per_page: expected an int from 1 to 10000, got {type(value).__name__} {value!r}"


@pytest.mark.parametrize(("limit", "ok"), [(10, True), (100, True), (50, True), (5, False), (105, False),
                                           (15, False), (0, False), (110, False), (9, False)])  # fmt: skip
def test_the_snyk_limit_is_10_to_100_in_tens(limit: int, ok: bool) -> None:
    if ok:
        assert snyk_limit(limit) == limit
        return
    with pytest.raises(InvalidParameterError) as info:
        snyk_limit(limit)
    out_of_range = not 10 <= limit <= 100
    assert str(info.value) == (
        f"limit: {limit} is out of range: use 10 to 100" if out_of_range else f"limit: {limit} is not a multiple of 10"
    )


@pytest.mark.parametrize("value", [True, 10.0, "10", None])
def test_the_snyk_limit_must_be_an_int(value: object) -> None:
    with pytest.raises(InvalidParameterError) as info:
        snyk_limit(value)
    assert str(info.value) == f"limit: expected an int from 10 to 100, got {type(value).__name__} {value!r}"


def test_a_snyk_version_may_be_today_but_not_tomorrow() -> None:
    """A version is resolved to the newest release on or before it: today is fixed, tomorrow would float."""
    today = dt.date(2026, 11, 22)
    assert snyk_version("2026-11-22", today) == "2026-11-22"
    assert snyk_version("2026-11-22~beta", today) == "2026-11-22~beta"
    with pytest.raises(InvalidParameterError) as info:
        snyk_version("2026-11-23~experimental", today)
    assert str(info.value) == "version: '2026-11-23~experimental' is in the future (today is 2026-11-22 UTC)"


def test_a_snyk_version_without_today_given_is_checked_against_todays_utc_date() -> None:
    today = dt.datetime.now(dt.UTC).date()
    assert snyk_version(today.isoformat()) == today.isoformat()
    with pytest.raises(InvalidParameterError, match="is in the future"):
        snyk_version((today + dt.timedelta(days=2)).isoformat())


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (20241015, "expected a str like '2024-10-15', got int"),
        ("2024-10-15~wip",
         "'2024-10-15~wip' is not a Snyk version: use YYYY-MM-DD, optionally with ~beta or ~experimental"),
        ("2024-02-30", "'2024-02-30' is not a real calendar date"),
    ],
)  # fmt: skip
def test_a_malformed_snyk_version_is_named(value: object, message: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        snyk_version(value, dt.date(2026, 1, 1), argument="version")
    assert str(info.value) == f"version: {message}"


@pytest.mark.parametrize(("value", "expected"), [("-99999d", "-99999d"), ("99999d", "99999d"), ("-0d", "-0d"),
                                                 ("-00001d", "-1d"), ("0000d", "0d")])  # fmt: skip
def test_a_range_has_one_to_five_digits(value: str, expected: str) -> None:
    assert parse_range(value) == expected


@pytest.mark.parametrize("value", ["-100000d", "100000d", "-d", "d", "--1d", "-1D", " -1d", "-1d "])
def test_a_range_of_six_digits_or_none_is_refused(value: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        parse_range(value)
    assert str(info.value) == (
        f"range: {value!r} is not a range: use '-Nd' for N days before date, 'Nd' for N days after it, or 'latest'"
    )


def test_a_range_that_is_not_text_is_named_with_its_type() -> None:
    with pytest.raises(InvalidParameterError) as info:
        parse_range(30)
    assert str(info.value) == "range: expected a str such as '-30d', '30d' or 'latest', got int 30"


@pytest.mark.parametrize(("org", "ok"), [("a" * 100, True), ("a" * 101, False), ("a" + "." * 99, True), ("A9", True),
                                         ("9-._", True), ("-a", False), ("_a", False), ("a..b", False)])  # fmt: skip
def test_an_org_slug_is_at_most_100_characters(org: str, ok: bool) -> None:
    if ok and ".." not in org:
        assert check_org_slug(org) == org
        return
    with pytest.raises(InvalidParameterError) as info:
        check_org_slug(org, argument="orgs")
    assert str(info.value) == (
        f"orgs: {org!r} is not an organization slug: use letters, digits, '-', '_' or '.' only "
        "(it becomes part of the URL path)"
    )


@pytest.mark.parametrize(("org", "message"), [(None, "expected the organization slug as a str, got NoneType"),
                                              (b"acme", "expected the organization slug as a str, got bytes"),
                                              ("", "the organization slug is empty")])  # fmt: skip
def test_an_org_that_is_not_a_slug_is_named(org: object, message: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        check_org_slug(org)
    assert str(info.value) == f"org: {message}"


def test_one_org_or_several() -> None:
    assert check_orgs("acme") == ["acme"]
    assert check_orgs(["acme", "globex"]) == ["acme", "globex"]
    assert check_orgs(("globex",), argument="--org") == ["globex"]


@pytest.mark.parametrize(
    ("orgs", "message"),
    [
        (b"acme", "expected an organization slug or a list of them, got bytes"),
        ({"acme"}, "expected an organization slug or a list of them, got set"),
        (5, "expected an organization slug or a list of them, got int"),
        ([], "no organization given"),
        (["acme", "acme"], "an organization is named twice"),
        (["acme", 5], "expected the organization slug as a str, got int"),
        (["acme", "a/b"], "'a/b' is not an organization slug: use letters, digits, '-', '_' or '.' only "
                          "(it becomes part of the URL path)"),
    ],
)  # fmt: skip
def test_a_bad_list_of_orgs_is_named(orgs: object, message: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        check_orgs(orgs, argument="--org")
    assert (info.value.argument, str(info.value)) == ("--org", f"--org: {message}")


@pytest.mark.parametrize(("value", "ok"), [("a" * 200, True), ("a" * 201, False), ("a.b~c-d_e", True),
                                           ("..", False), ("a..b", False), ("a/b", False), ("a?b", False),
                                           ("a#b", False), ("a%2e", False), (".a", False), ("~a", False),
                                           ("", False), (5, False), (None, False), (b"a", False)])  # fmt: skip
def test_a_snyk_path_segment_is_plain_and_at_most_200_characters(value: object, ok: bool) -> None:
    """The '..' guard and its peers: a value that could climb or change the URL path is refused, never escaped."""
    if ok:
        assert check_path_segment(value, "org_id") == value
        return
    with pytest.raises(InvalidParameterError) as info:
        check_path_segment(value, "org_id")
    assert str(info.value) == (
        f"org_id: {value!r} cannot stand in a URL path: use letters, digits, '-', '_', '.' or '~'"
    )


def test_a_uuid_object_is_a_path_segment_and_an_id() -> None:
    assert check_path_segment(uuid.UUID(U.upper()), "org_id") == U
    assert check_uuid(uuid.UUID(U), "org_id") == U
    assert check_uuid(U.upper(), "org_id") == U
    assert check_uuid("{" + U + "}", "org_id") == U  # what uuid.UUID reads, written as Snyk writes it


@pytest.mark.parametrize(("value", "message"), [(5, "expected a UUID str, got int"),
                                                (uuid.UUID(U).bytes, "expected a UUID str, got bytes"),
                                                ("nope", "'nope' is not a UUID"),
                                                ("", "'' is not a UUID")])  # fmt: skip
def test_a_bad_uuid_is_named(value: object, message: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        check_uuid(value, "scan_item_id")
    assert str(info.value) == f"scan_item_id: {message}"


# -- dates, times and the future ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "range", "end"),
    [(None, None, "2026-11-25"), ("2026-11-01", None, "2026-11-01"), ("2026-11-01", "-30d", "2026-11-01"),
     ("2026-11-01", "30d", "2026-12-01"), ("2026-11-01", "0d", "2026-11-01"), (None, "3d", "2026-11-28"),
     ("2026-11-01", "latest", "2026-11-01")],
)  # fmt: skip
def test_the_last_day_a_query_covers(date: str | None, range: str | None, end: str) -> None:
    assert span_end(date, range, dt.date(2026, 11, 25)) == dt.date.fromisoformat(end)


def test_a_query_reaching_past_today_warns_and_names_the_forward_range_trap() -> None:
    today = dt.date(2026, 11, 25)
    with pytest.warns(FutureDateWarning) as caught:
        warn_if_future("2026-11-01", "30d", today=today)
    assert str(caught[0].message) == (
        "the query reaches 2026-12-01, past today (2026-11-25 UTC): those days have no data yet "
        "('Nd' counts forward from date: '-Nd' is the N days before it)"
    )
    with pytest.warns(FutureDateWarning) as caught:
        warn_if_future("2026-11-26", "-7d", today=today, stacklevel=0)
        warn_if_future("2026-11-26", "-7d", today=today, stacklevel=1)
    assert str(caught[0].message) == (
        "the query reaches 2026-11-26, past today (2026-11-25 UTC): those days have no data yet"
    )
    # stacklevel counts from the caller: 0 points at warn_if_future itself, 1 at the line that called it
    assert [Path(w.filename).name == "_params.py" for w in caught] == [True, False]


@pytest.mark.parametrize(("date", "range"), [("2026-11-25", "-7d"), ("2026-11-25", "0d"), ("2026-11-24", "1d"),
                                             (None, None), ("2026-11-25", None), (None, "latest")])  # fmt: skip
def test_a_query_ending_today_or_before_does_not_warn(date: str | None, range: str | None) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_if_future(date, range, today=dt.date(2026, 11, 25))


def test_without_a_today_the_future_is_measured_from_the_utc_date() -> None:
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).date().isoformat()
    with pytest.warns(FutureDateWarning):
        warn_if_future(tomorrow, None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(2026, 1, 2, 3, 4, 5, 6), "2026-01-02T03:04:05.000006Z"),
        (dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=-1))), "2026-01-02T04:04:05Z"),
        (dt.date(2026, 1, 2), "2026-01-02T00:00:00Z"),
        ("2026-01-02", "2026-01-02T00:00:00Z"),
        ("2026-01-02T03:04:05.5Z", "2026-01-02T03:04:05.500000Z"),
    ],
)
def test_times_are_sent_as_rfc_3339_utc(value: object, expected: str) -> None:
    assert to_timestamp_string(value, "created_after") == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("last week", "'last week' is not an ISO 8601 date or timestamp"),
        (5, "expected a datetime, a date or an ISO 8601 str, got int"),
        (None, "expected a datetime, a date or an ISO 8601 str, got NoneType"),
    ],
)
def test_a_bad_time_is_named(value: object, message: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        to_timestamp_string(value, "updated_before")
    assert str(info.value) == f"updated_before: {message}"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-1-5", "'2026-1-5' is not a date in YYYY-MM-DD format"),
        ("2026-02-29", "'2026-02-29' is not a real calendar date"),
        (20260105, "expected a YYYY-MM-DD string or a datetime.date, got int"),
    ],
)
def test_a_bad_date_is_named(value: object, message: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        to_date_string(value, "--date")
    assert str(info.value) == f"--date: {message}"


# -- lists and values -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (5, "expected a str or a list of str, got int"),
        (b"a,b", "expected a str or a list of str, got bytes"),
        ({"open": 1}, "expected a str or a list of str, got dict"),
        (None, "expected a str or a list of str, got NoneType"),
        ([], "is empty: pass None to leave the filter out"),
        ("", "contains an empty value"),
        (["a", ""], "contains an empty value"),
        (["a,b"], "'a,b' contains a comma, which the API reads as a separator"),
        (["a", 1.5], "expected str values, got float 1.5"),
        ([b"a"], "expected str values, got bytes b'a'"),
        ([uuid.UUID(int=0)], "expected str values, got UUID UUID('00000000-0000-0000-0000-000000000000')"),
    ],
)
def test_a_bad_list_is_named(value: object, message: str) -> None:
    """comma_list(5), bytes, a dict (whose keys would be sent), an empty list or value: the typed error."""
    with pytest.raises(InvalidParameterError) as info:
        comma_list(value, "request_id")
    assert (info.value.argument, str(info.value)) == ("request_id", f"request_id: {message}")


def test_a_list_keeps_its_order_and_drops_repeats() -> None:
    assert comma_list(("b", "a", "b", "c", "a"), "x") == "b,a,c"
    assert comma_list(iter(["x"]), "x") == "x"
    assert comma_list("success", "status", allowed=["success"]) == "success"


@pytest.mark.parametrize(
    ("value", "sent"),
    [(True, "true"), (False, "false"), ("", ""), ("a b", "a b"), (uuid.UUID(U), U), (5, "5"), (1.5, "1.5"),
     (dt.date(2026, 1, 2), "2026-01-02T00:00:00Z"), (dt.datetime(2026, 1, 2, 3), "2026-01-02T03:00:00Z"),
     (["a", True, 3, uuid.UUID(U)], f"a,true,3,{U}"), (("x",), "x")],
)  # fmt: skip
def test_any_query_value_as_snyk_wants_it(value: object, sent: str) -> None:
    assert query_value(value, "params") == sent


@pytest.mark.parametrize("value", [None, b"x", {"a": 1}, object(), [None]])
def test_a_query_value_that_cannot_be_sent_is_named(value: object) -> None:
    with pytest.raises(InvalidParameterError) as info:
        query_value(value, "origins")
    kind = "NoneType" if value == [None] else type(value).__name__
    assert str(info.value) == f"origins: cannot send a {kind} as a query value"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"type": "vuln"}, "type: 'vuln' is not allowed; choose from package_vulnerability, license, cloud, code, "
                           "custom, config"),
        ({"type": ["license"]}, "type: ['license'] is not allowed; choose from package_vulnerability, license, "
                                "cloud, code, custom, config"),
        ({"status": "ignored"}, "status: 'ignored' is not an issue status (open or resolved): ignoring is a flag, "
                                "pass ignored=True"),
        ({"status": ("open", "ignored")}, "status: 'ignored' is not an issue status (open or resolved): ignoring "
                                          "is a flag, pass ignored=True"),
        ({"status": "closed"}, "status: 'closed' is not allowed; choose from open, resolved"),
        ({"status": 5}, "status: expected a str or a list of str, got int"),
        ({"ignored": 1}, "ignored: expected True or False, got int 1"),
        ({"effective_severity_level": "severe"}, "effective_severity_level: 'severe' is not allowed; choose from "
                                                 "info, low, medium, high, critical"),
        ({"updated_after": "soon"}, "updated_after: 'soon' is not an ISO 8601 date or timestamp"),
        ({"created_before": 5}, "created_before: expected a datetime, a date or an ISO 8601 str, got int"),
        ({"scan_item_id": U}, "scan_item_id: scan_item_id and scan_item_type go together"),
        ({"scan_item_type": "project"}, "scan_item_id: scan_item_id and scan_item_type go together"),
        ({"scan_item_id": "nope", "scan_item_type": "project"}, "scan_item_id: 'nope' is not a UUID"),
        ({"scan_item_id": U, "scan_item_type": "repo"}, "scan_item_type: 'repo' is not allowed; choose from "
                                                        "project, environment"),
    ],
)  # fmt: skip
def test_a_bad_issue_filter_is_named(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        issues_query(**kwargs)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target_id": "nope"}, "target_id: 'nope' is not a UUID"),
        ({"target_id": [U, 5]}, "target_id: expected a UUID str, got int"),
        ({"target_id": 5}, "target_id: expected a str or a list of str, got int"),
        ({"ids": [U, "x"]}, "ids: 'x' is not a UUID"),
        ({"ids": b"x"}, "ids: expected a str or a list of str, got bytes"),
        ({"target_reference": 5}, "target_reference: expected a str, got int"),
        ({"target_file": ["a"]}, "target_file: expected a str, got list"),
        ({"target_runtime": None, "target_file": b"x"}, "target_file: expected a str, got bytes"),
        ({"names": 5}, "names: expected a str or a list of str, got int"),
        ({"names_start_with": [""]}, "names_start_with: contains an empty value"),
        ({"origins": {"github": 1}}, "origins: expected a str or a list of str, got dict"),
        ({"types": ["npm", 5]}, "types: expected str values, got int 5"),
        ({"importing_user_public_id": []}, "importing_user_public_id: is empty: pass None to leave the filter out"),
        ({"expand": "owner"}, "expand: 'owner' is not allowed; choose from target"),
        ({"latest_issue_counts": "yes"}, "latest_issue_counts: expected True or False, got str 'yes'"),
        ({"latest_dependency_total": 0}, "latest_dependency_total: expected True or False, got int 0"),
        ({"cli_monitored_before": "x"}, "cli_monitored_before: 'x' is not an ISO 8601 date or timestamp"),
        ({"cli_monitored_after": 1}, "cli_monitored_after: expected a datetime, a date or an ISO 8601 str, got int"),
        ({"tags": ["no-colon"]}, "tags: 'no-colon' is not key:value (spec pattern)"),
        ({"tags": ["k:v", "bad key:v"]}, "tags: 'bad key:v' is not key:value (spec pattern)"),
        ({"tags": {"team": None}}, "tags: expected str keys and values, got 'team': None"),
        ({"tags": {5: "web"}}, "tags: expected str keys and values, got 5: 'web'"),
        ({"tags": 5}, "tags: expected a str or a list of str, got int"),
        ({"business_criticality": "urgent"}, "business_criticality: 'urgent' is not allowed; choose from critical, "
                                             "high, medium, low"),
        ({"environment": ["backend", "cloud"]}, "environment: 'cloud' is not allowed; choose from frontend, backend, "
                                                "internal, external, mobile, saas, onprem, hosted, distributed"),
        ({"lifecycle": ["prod"]}, "lifecycle: 'prod' is not allowed; choose from production, development, sandbox"),
    ],
)  # fmt: skip
def test_a_bad_project_filter_is_named(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        projects_query(**kwargs)
    assert str(info.value) == message


def test_tags_take_the_specs_characters() -> None:
    """spec tags pattern: key [a-zA-Z0-9_-]+, value [:/?#@&+=%a-zA-Z0-9_.~-]+."""
    assert projects_query(tags=["a-b_C9:x/y?z#1@2&3+4=5%6.7~8-9:"]) == {"tags": "a-b_C9:x/y?z#1@2&3+4=5%6.7~8-9:"}
    assert projects_query(tags="k:v") == {"tags": "k:v"}


def test_unset_snyk_filters_send_nothing() -> None:
    assert issues_query() == {}
    assert projects_query() == {}
    assert issues_query(type=None, status=None, ignored=None) == {}


# -- properties with exact results ----------------------------------------------------------------------

words = st.text(alphabet=st.characters(codec="ascii", categories=["L", "N"]), min_size=1, max_size=6)


@given(st.lists(words, min_size=1, max_size=8))
def test_a_list_is_sent_as_its_distinct_values_in_order(values: list[str]) -> None:
    """Property: comma_list is exactly the values, first occurrences in order, joined by commas."""
    assert comma_list(values, "x") == ",".join(dict.fromkeys(values))


@given(sign=st.sampled_from(["", "-"]), days=st.integers(0, 99999), zeros=st.integers(0, 4))
def test_any_range_is_read_as_its_sign_and_days(sign: str, days: int, zeros: int) -> None:
    """Property: a range of up to five digits comes back with its sign and its number, leading zeros dropped."""
    text = f"{sign}{'0' * zeros}{days}d"
    if len(text.strip("-d")) > 5:
        with pytest.raises(InvalidParameterError, match="^range: "):
            parse_range(text)
    else:
        assert parse_range(text) == f"{sign}{days}d"


@given(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)))
def test_any_date_is_sent_as_its_iso_day(day: dt.date) -> None:
    """Property: a date, its ISO text and a naive datetime on it all give the same day."""
    assert to_date_string(day) == to_date_string(day.isoformat()) == day.isoformat()
    assert to_date_string(dt.datetime.combine(day, dt.time(23, 59))) == day.isoformat()


@given(st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC) | st.none()))
def test_any_time_is_sent_as_utc_and_read_back_equal(moment: dt.datetime) -> None:
    """Property: the RFC 3339 text of a time reads back as the same instant (naive times are UTC)."""
    text = to_timestamp_string(moment, "t")
    assert text.endswith("Z")
    assert dt.datetime.fromisoformat(text) == moment.replace(tzinfo=dt.UTC)


@given(st.dictionaries(st.sampled_from(sorted(ALERT_FILTERS)), st.booleans() | st.none(), max_size=6))
def test_flag_filters_are_sent_as_true_or_false(flags: dict[str, bool | None]) -> None:
    """Property: every flag given as a bool is sent, lower-case; an enumerated or text filter refuses a bool."""
    bool_filters = {n for n, (_, v, _) in ALERT_FILTERS.items() if isinstance(v, bool)}
    sendable = {n: v for n, v in flags.items() if v is not None}
    if set(sendable) <= bool_filters:
        expected = {f"filters.{ALERT_FILTERS[n][0]}": str(v).lower() for n, v in sendable.items()}
        assert alerts_query(filters=flags) == {"per_page": "10000", **expected}
    else:
        with pytest.raises(InvalidParameterError):
            alerts_query(filters=flags)


@pytest.mark.parametrize("build", [snapshots_query, alerts_query])
def test_a_start_cursor_is_an_earlier_pages_text(build: Any) -> None:
    """An empty cursor starts at the beginning (nothing sent); anything but text is refused by name."""
    assert "startAfterCursor" not in build(start_after_cursor="")
    assert build(start_after_cursor="c-1")["startAfterCursor"] == "c-1"
    with pytest.raises(InvalidParameterError) as info:
        build(start_after_cursor=5)
    assert str(info.value) == "start_after_cursor: expected the endCursor str of an earlier page"


def test_one_org_is_named_by_the_argument_it_came_from() -> None:
    with pytest.raises(InvalidParameterError) as info:
        check_orgs("a/b")
    assert info.value.argument == "org"
    with pytest.raises(InvalidParameterError) as info:
        check_orgs("a/b", argument="--org")
    assert info.value.argument == "--org"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"target_id": []}, "target_id: is empty: pass None to leave the filter out"),
     ({"ids": ()}, "ids: is empty: pass None to leave the filter out")],
)  # fmt: skip
def test_an_empty_list_of_ids_is_named(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        projects_query(**kwargs)
    assert str(info.value) == message


def test_a_list_query_value_names_its_argument() -> None:
    with pytest.raises(InvalidParameterError) as info:
        query_value(["a", ""], "origins")
    assert str(info.value) == "origins: contains an empty value"


def test_a_group_that_is_not_text_is_named_not_looked_up() -> None:
    with pytest.raises(InvalidParameterError) as info:
        alerts_trend_query(group_by=[["alert_severity"]])
    assert str(info.value) == "group_by: expected str values, got list ['alert_severity']"


@pytest.fixture(params=[("EAST-14", 14), ("WEST+12", -12)], ids=["UTC+14", "UTC-12"])
def far_zone(request: pytest.FixtureRequest) -> Any:
    """The process's local time zone far east (UTC+14), then far west (UTC-12) of UTC: at any moment one
    of them is on another date than UTC, so a local date taken for the UTC date shows."""
    zone, hours = request.param  # POSIX TZ strings (no time zone database needed): the sign is west-positive
    before = os.environ.get("TZ")
    os.environ["TZ"] = zone
    time.tzset()
    assert time.localtime().tm_gmtoff == hours * 3600
    yield zone
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_today_is_the_utc_date_whatever_the_local_zone(far_zone: str) -> None:
    """A version or a query is checked against today's UTC date, never the machine's local date."""
    today = dt.datetime.now(dt.UTC).date()
    tomorrow = today + dt.timedelta(days=1)
    assert snyk_version(today.isoformat()) == today.isoformat()
    with pytest.raises(InvalidParameterError, match="is in the future"):
        snyk_version(tomorrow.isoformat())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_if_future(today.isoformat(), "-1d")
    with pytest.warns(FutureDateWarning):
        warn_if_future(tomorrow.isoformat(), "-1d")


def test_times_are_utc_whatever_the_local_zone(far_zone: str) -> None:
    """A naive time is taken as UTC and an aware one converted to UTC, not to the machine's zone."""
    assert to_timestamp_string(dt.datetime(2026, 1, 2, 3, 4, 5), "t") == "2026-01-02T03:04:05Z"
    aware = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert to_timestamp_string(aware, "t") == "2026-01-02T01:04:05Z"
    assert to_date_string(dt.datetime(2026, 1, 2, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-3)))) == "2026-01-03"


def test_a_snapshot_status_outside_the_five_is_named() -> None:
    with pytest.raises(InvalidParameterError) as info:
        snapshots_query(status=["success", "done"])
    assert str(info.value) == (
        "status: 'done' is not allowed; choose from in-progress, success, failure, timeout, skipped"
    )


# -- Socket alert resolutions ----------------------------------------------------------------------------------


def test_every_resolutions_argument_has_its_spec_key() -> None:
    """getOrgAlertResolutions: direction, per_page and startAfterCursor, and nothing the spec lacks."""
    query = resolutions_query(direction="asc", per_page=7, start_after_cursor="c1")
    assert query == {"direction": "asc", "per_page": "7", "startAfterCursor": "c1"}
    assert set(query) == _socket_query_names("/orgs/{org_slug}/alerts/resolutions")


def test_resolutions_ask_for_the_newest_first_100_a_page_by_default() -> None:
    assert resolutions_query() == {"direction": "desc", "per_page": "100"}
    assert resolutions_query(start_after_cursor=None) == resolutions_query(start_after_cursor="")  # no cursor: not sent


@pytest.mark.parametrize(("per_page", "ok"), [(0, False), (1, True), (100, True), (101, False)])
def test_resolutions_per_page_is_1_to_100(per_page: int, ok: bool) -> None:
    if ok:
        assert resolutions_query(per_page=per_page)["per_page"] == str(per_page)
    else:
        with pytest.raises(InvalidParameterError, match=rf"^per_page: {per_page} is out of range: use 1 to 100$"):
            resolutions_query(per_page=per_page)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"direction": "up"}, "direction: 'up' is not allowed; choose from asc, desc"),
        ({"direction": "ASC"}, "direction: 'ASC' is not allowed; choose from asc, desc"),
        ({"per_page": True}, "per_page: expected an int from 1 to 100, got bool True"),
        ({"per_page": "10"}, "per_page: expected an int from 1 to 100, got str '10'"),
        ({"start_after_cursor": 5}, "start_after_cursor: expected the endCursor str of an earlier page"),
    ],
)
def test_bad_resolutions_arguments_are_named(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        resolutions_query(**arguments)
    assert str(info.value) == message and info.value.argument == message.split(":")[0]


# -- Snyk's Export API -------------------------------------------------------------------------------------------

DAY = ("2026-01-01", "2026-01-01")
PAIR = "expected a (start, end) pair of days or timestamps"


def _attributes(**arguments: object) -> dict[str, Any]:
    body = export_body(**arguments)
    assert set(body) == {"data"} and body["data"]["type"] == "resource"
    attributes: dict[str, Any] = body["data"]["attributes"]
    return attributes


def _spec_export_attributes() -> tuple[set[str], set[str]]:
    """createExport's attribute names and filter names, from the spec."""

    def resolve(node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            found: Any = SNYK
            for part in node["$ref"].lstrip("#/").split("/"):
                found = found[part]
            node = found
        return node

    body = resolve(SNYK["paths"]["/orgs/{org_id}/export"]["post"]["requestBody"])
    schema = resolve(next(iter(body["content"].values()))["schema"])
    attributes = resolve(resolve(schema["properties"]["data"])["properties"]["attributes"])
    return set(attributes["properties"]), set(resolve(attributes["properties"]["filters"])["properties"])


def test_an_export_body_is_the_specs_issues_csv_request() -> None:
    attributes = _attributes(introduced=("2026-01-01", "2026-01-31"), updated=DAY, columns=["problem_id"])
    assert attributes == {
        "dataset": "issues",
        "formats": ["csv"],
        "filters": {
            "introduced": {"from": "2026-01-01T00:00:00Z", "to": "2026-01-31T23:59:59Z"},
            "updated": {"from": "2026-01-01T00:00:00Z", "to": "2026-01-01T23:59:59Z"},
        },
        "columns": ["PROBLEM_ID"],
        "url_expiration_seconds": 3600,
    }
    names, filters = _spec_export_attributes()
    assert set(attributes) <= names and set(attributes["filters"]) <= filters


def test_the_specs_own_example_columns_are_accepted() -> None:
    """createExport's example names ISSUE_SEVERITY_RANK and AUTOFIXABLE, which the docs' list lacks."""
    examples = [
        node["example"]["columns"]
        for node in _walk(SNYK["paths"]["/orgs/{org_id}/export"]["post"], SNYK["components"])
        if isinstance(node, dict) and isinstance(node.get("example"), dict) and "columns" in node["example"]
    ]
    assert examples and {"ISSUE_SEVERITY_RANK", "AUTOFIXABLE"} <= set(examples[0])
    for wanted in examples:
        assert _attributes(introduced=DAY, columns=wanted)["columns"] == wanted


def _walk(*nodes: Any) -> Iterator[Any]:
    for node in nodes:
        yield node
        yield from _walk(*(node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()))


@pytest.mark.parametrize(
    ("window", "sent"),
    [
        (("2026-01-01", "2026-01-31"), ("2026-01-01T00:00:00Z", "2026-01-31T23:59:59Z")),  # an end day: all of it
        ((dt.date(2026, 1, 1), dt.date(2026, 1, 31)), ("2026-01-01T00:00:00Z", "2026-01-31T23:59:59Z")),
        ((dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "2026-01-01"), ("2026-01-01T00:00:00Z", "2026-01-01T23:59:59Z")),
        (["2026-01-01T10:00:00.123+02:00", "2026-01-31T00:00:00Z"], ("2026-01-01T08:00:00Z", "2026-01-31T00:00:00Z")),
        (("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"), ("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")),
        (("2026-01-01T00:00:00.9Z", "2026-01-31T12:00:00.5+00:00"), ("2026-01-01T00:00:00Z", "2026-01-31T12:00:00Z")),
    ],
)
def test_an_export_window_is_sent_in_utc_to_the_second(window: object, sent: tuple[str, str]) -> None:
    assert _attributes(introduced=window)["filters"]["introduced"] == {"from": sent[0], "to": sent[1]}
    assert _attributes(updated=window)["filters"] == {"updated": {"from": sent[0], "to": sent[1]}}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "introduced: the Export API needs a date filter: introduced=(start, end)"),
        ({"introduced": "2026-01-01"}, f"introduced: {PAIR}, got '2026-01-01'"),
        ({"introduced": ("2026-01-01",)}, f"introduced: {PAIR}, got ('2026-01-01',)"),
        ({"updated": ("a", "b", "c")}, f"updated: {PAIR}, got ('a', 'b', 'c')"),
        ({"introduced": ("2026-01-01", "soon")}, "introduced: 'soon' is not an ISO 8601 date or timestamp"),
        ({"updated": (5, "2026-01-01")}, "updated: expected a datetime, a date or an ISO 8601 str, got int"),
        ({"introduced": ("2026-01-02", "2026-01-01")},
         "introduced: starts (2026-01-02T00:00:00Z) after it ends (2026-01-01T23:59:59Z)"),
        ({"updated": ("2026-01-01T00:00:01Z", "2026-01-01T00:00:00Z")},
         "updated: starts (2026-01-01T00:00:01Z) after it ends (2026-01-01T00:00:00Z)"),
        ({"introduced": DAY, "columns": b"CVE"}, "columns: expected column names, got bytes"),
        ({"introduced": DAY, "columns": {"CVE": 1}}, "columns: expected column names, got dict"),
        ({"introduced": DAY, "columns": 5}, "columns: expected column names, got int"),
        ({"introduced": DAY, "columns": []}, "columns: no column named (None gives every column)"),
        ({"introduced": DAY, "url_expiration_seconds": -1},
         "url_expiration_seconds: -1 is out of range: use 0 to 3600"),
        ({"introduced": DAY, "url_expiration_seconds": 3601},
         "url_expiration_seconds: 3601 is out of range: use 0 to 3600"),
    ],
)  # fmt: skip
def test_bad_export_arguments_are_named(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        export_body(**arguments)
    assert str(info.value) == message and info.value.argument == message.split(":")[0]


@pytest.mark.parametrize("column", ["SEVERITY_OF_DOOM", 5, None])
def test_an_unknown_export_column_is_named_with_the_known_ones(column: object) -> None:
    with pytest.raises(InvalidParameterError) as info:
        export_body(introduced=DAY, columns=["CVE", column])
    assert str(info.value).startswith(f"columns: {column!r} is not a column of the issues dataset; known: PROBLEM_ID, ")
    assert str(info.value).endswith(", UPDATED_AT, ISSUE_SEVERITY_RANK, AUTOFIXABLE")


def test_export_columns_in_any_case_once_each_in_order() -> None:
    assert _attributes(introduced=DAY, columns="cve")["columns"] == ["CVE"]
    assert _attributes(introduced=DAY, columns=("cwe", "CVE", "Cwe", "problem_id"))["columns"] == [
        "CWE", "CVE", "PROBLEM_ID",
    ]  # fmt: skip
    assert "columns" not in _attributes(introduced=DAY)  # None: every column, the API's default


@pytest.mark.parametrize("seconds", [0, 3600])
def test_a_signed_link_lives_0_to_3600_seconds(seconds: int) -> None:
    assert _attributes(introduced=DAY, url_expiration_seconds=seconds)["url_expiration_seconds"] == seconds


# -- a backfill's span ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [("2026-01-01", "2026-01-31"), ("2026-01-31", "2026-01-31"), (dt.date(2026, 1, 1), dt.date(2026, 2, 1))],
)
def test_a_backfill_spans_its_first_and_last_day(start: object, end: object) -> None:
    first, last = backfill_span(start, end, 1)
    assert (first, last) == (dt.date.fromisoformat(str(start)), dt.date.fromisoformat(str(end)))


@pytest.mark.parametrize(
    ("start", "end", "window_days", "message"),
    [
        ("2026-02-01", "2026-01-31", 7, "start: 2026-02-01 is after end 2026-01-31"),
        ("x", "2026-01-31", 7, "start: 'x' is not a date in YYYY-MM-DD format"),
        ("2026-01-01", "2026/01/31", 7, "end: '2026/01/31' is not a date in YYYY-MM-DD format"),
        ("2026-01-01", "2026-01-31", 0, "window_days: expected a positive int"),
        ("2026-01-01", "2026-01-31", -7, "window_days: expected a positive int"),
        ("2026-01-01", "2026-01-31", True, "window_days: expected a positive int"),
        ("2026-01-01", "2026-01-31", 7.0, "window_days: expected a positive int"),
        ("2026-01-01", "2026-01-31", "7", "window_days: expected a positive int"),
    ],
)
def test_a_bad_backfill_span_is_named(start: object, end: object, window_days: object, message: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        backfill_span(start, end, window_days)
    assert str(info.value) == message
