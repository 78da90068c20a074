"""The pure JSON:API pieces: next-link resolution, error decoding, Snyk parameters, flattening."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from socketlab import (
    BadRequestError,
    InvalidParameterError,
    PaginationError,
    RateLimitError,
    ServerError,
    UnauthorizedError,
    explode_coordinates,
    explode_problems,
)
from socketlab._decoders import snyk_page_decoder
from socketlab._frames import to_frame
from socketlab._pages import resolve_link
from socketlab._params import issues_query, projects_query, query_value, snyk_limit, snyk_version
from socketlab._responses import decode_snyk
from socketlab._schema import ISSUES, PROJECTS, RESOURCES

BASE = "https://api.snyk.io/rest"


def _next(page: dict[str, object]) -> str | None:
    """The next URL the collection decoder finds in a page."""
    return snyk_page_decoder(RESOURCES, BASE)(200, {}, json.dumps(page).encode()).next_url


WANT = "https://api.snyk.io/rest/orgs/abc/issues?version=2024-10-15&limit=10&starting_after=v1.eyJpIjo5fQ%3D%3D"
QUERY = "?version=2024-10-15&limit=10&starting_after=v1.eyJpIjo5fQ%3D%3D"


@pytest.mark.parametrize(
    "link",
    [
        f"/orgs/abc/issues{QUERY}",  # relative to the API root, as in the overview's example
        f"/rest/orgs/abc/issues{QUERY}",  # already prefixed
        f"https://api.snyk.io/rest/orgs/abc/issues{QUERY}",  # absolute
        {"href": f"/orgs/abc/issues{QUERY}"},  # a link object
        {"href": f"/rest/orgs/abc/issues{QUERY}", "meta": {}},
        f"orgs/abc/issues{QUERY}",  # relative without a slash
    ],
)
def test_every_next_link_shape_lands_on_the_same_url(link: object) -> None:
    """Never /rest/rest/..., never a lost /rest, and the query exactly as given."""
    assert _next({"data": [], "links": {"next": link}}) == WANT


@pytest.mark.parametrize(
    "page",
    [
        {"data": []},
        {"data": [], "links": {}},
        {"data": [], "links": {"next": None}},
        {"data": [], "links": {"next": ""}},
        {"data": [], "links": {"next": {"href": None}}},
    ],
)
def test_absent_or_null_next_ends(page: dict[str, object]) -> None:
    assert _next(page) is None


@pytest.mark.parametrize(
    "link", ["https://evil.example/rest/orgs", "//evil.example/rest/orgs", "http://api.snyk.io/rest/orgs"]
)
def test_a_next_link_to_another_host_or_scheme_is_refused(link: str) -> None:
    """Following it would send the token elsewhere (or in clear text)."""
    with pytest.raises(PaginationError, match="refusing to send the token"):
        resolve_link(link, BASE)


def test_an_api_root_without_a_path() -> None:
    assert resolve_link("/orgs/x?a=1", "http://127.0.0.1:8765") == "http://127.0.0.1:8765/orgs/x?a=1"


def test_a_path_that_merely_starts_like_the_root_is_not_mistaken_for_it() -> None:
    assert resolve_link("/restricted/x", BASE) == "https://api.snyk.io/rest/restricted/x"


@given(
    path=st.from_regex(r"/[a-z]{1,8}(/[a-z0-9-]{1,12}){0,3}", fullmatch=True),
    query=st.from_regex(r"(\?[a-z_]{1,10}=[A-Za-z0-9%.]{0,12})?", fullmatch=True),
)
def test_relative_and_prefixed_forms_always_agree(path: str, query: str) -> None:
    """Property: '/x' and '/rest/x' and the absolute URL resolve to the same place."""
    relative = resolve_link(path + query, BASE)
    assert relative == resolve_link("/rest" + path + query, BASE) == resolve_link(BASE + path + query, BASE)
    assert "/rest/rest/" not in relative
    assert relative.startswith(BASE + "/")


def _body(errors: list[dict[str, object]]) -> bytes:
    return json.dumps({"jsonapi": {"version": "1.0"}, "errors": errors}).encode()


def test_every_error_object_is_kept() -> None:
    body = _body(
        [
            {
                "id": "e1",
                "status": "400",
                "code": "SNYK-1",
                "title": "Bad",
                "detail": "Unknown query parameter 'x'",
                "source": {"parameter": "x"},
            },
            {"status": "400", "detail": "Invalid body", "source": {"pointer": "/data/attributes"}},
        ]
    )
    with pytest.raises(BadRequestError) as info:
        decode_snyk(400, {"snyk-request-id": "req-9"}, body)
    error = info.value
    assert error.request_id == "req-9"
    assert [(e.id, e.status, e.code, e.title, e.detail, e.parameter, e.pointer) for e in error.errors] == [
        ("e1", "400", "SNYK-1", "Bad", "Unknown query parameter 'x'", "x", None),
        (None, "400", None, None, "Invalid body", None, "/data/attributes"),
    ]
    assert error.message == "Unknown query parameter 'x'; Invalid body"


def test_the_overviews_bare_401_body_is_tolerated() -> None:
    with pytest.raises(UnauthorizedError) as info:
        decode_snyk(401, {}, b'{"status": "401", "code": "Unauthorized"}')
    assert info.value.message == "Unauthorized"
    assert info.value.errors[0].code == "Unauthorized"


def test_non_json_error_bodies_are_tolerated() -> None:
    with pytest.raises(ServerError, match="upstream connect error"):
        decode_snyk(503, {}, b"upstream connect error")


def test_many_errors_are_summarised() -> None:
    body = _body([{"status": "429", "detail": f"d{i}"} for i in range(5)])
    with pytest.raises(RateLimitError, match=r"d0; d1; d2 \(and 2 more\)"):
        decode_snyk(429, {}, body)


def test_versions() -> None:
    today = dt.date(2026, 11, 22)
    assert snyk_version("2024-10-15", today) == "2024-10-15"
    assert snyk_version("2024-10-15~beta", today) == "2024-10-15~beta"
    assert snyk_version("2024-10-15~experimental", today) == "2024-10-15~experimental"
    for bad in ("2024-13-01", "2024-10-15~wip", "2024-10-15~ga", "latest", "20241015", 20241015, "2026-11-23"):
        with pytest.raises(InvalidParameterError, match="^version: "):
            snyk_version(bad, today)


@pytest.mark.parametrize("value", [5, 105, 15, 0, True, "10"])
def test_limit_is_10_to_100_in_tens(value: object) -> None:
    with pytest.raises(InvalidParameterError, match="^limit: "):
        snyk_limit(value)


def test_issue_filters_as_snyk_expects_them() -> None:
    """Arrays comma-joined (httpx would repeat the key), booleans lower-case, times in UTC."""
    assert issues_query(
        status=["open", "resolved"],
        ignored=False,
        effective_severity_level=("critical", "high"),
        created_after=dt.datetime(2026, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        updated_before=dt.date(2026, 2, 1),
        type="package_vulnerability",
        scan_item_id="4A18D42F-0706-4AD0-B127-24078731FBED",
        scan_item_type="project",
    ) == {
        "status": "open,resolved",
        "ignored": "false",
        "effective_severity_level": "critical,high",
        "created_after": "2026-01-01T10:00:00Z",
        "updated_before": "2026-02-01T00:00:00Z",
        "type": "package_vulnerability",
        "scan_item.id": "4a18d42f-0706-4ad0-b127-24078731fbed",
        "scan_item.type": "project",
    }


def test_status_ignored_points_to_the_ignored_flag() -> None:
    with pytest.raises(InvalidParameterError, match="pass ignored=True"):
        issues_query(status="ignored")
    with pytest.raises(InvalidParameterError, match="pass ignored=True"):
        issues_query(status=["open", "ignored"])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"ignored": "true"},
        {"effective_severity_level": ["severe"]},
        {"type": "vuln"},
        {"scan_item_id": "nope", "scan_item_type": "project"},
        {"scan_item_type": "project"},
        {"created_after": "last week"},
    ],
)
def test_bad_issue_filters(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidParameterError):
        issues_query(**kwargs)


def test_project_filters() -> None:
    assert projects_query(
        names=["a", "b"],
        tags={"team": "web", "env": "prod"},
        latest_issue_counts=True,
        business_criticality=["high"],
        expand=["target"],
    ) == {
        "names": "a,b",
        "tags": "team:web,env:prod",
        "meta.latest_issue_counts": "true",
        "business_criticality": "high",
        "expand": "target",
    }
    with pytest.raises(InvalidParameterError, match="^tags: "):
        projects_query(tags=["no-colon"])
    with pytest.raises(InvalidParameterError, match="^lifecycle: "):
        projects_query(lifecycle=["prod"])


def test_generic_query_values() -> None:
    assert query_value(True, "x") == "true"
    assert query_value(["a", "b"], "x") == "a,b"
    assert query_value("", "x") == ""  # an empty string stays sendable
    assert query_value(dt.datetime(2026, 1, 1), "x") == "2026-01-01T00:00:00Z"


ISSUE = {
    "id": "11111111-1111-4111-8111-111111111111",
    "type": "issue",
    "attributes": {
        "key": "SNYK-JS-X-1",
        "title": "Bad",
        "type": "package_vulnerability",
        "status": "resolved",
        "effective_severity_level": "high",
        "ignored": True,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-02T00:00:00.5+02:00",
        "resolution": {"type": "fixed", "resolved_at": "2026-01-02T00:00:00Z"},
        "problems": [
            {"id": "CVE-2026-1", "source": "NVD", "type": "vulnerability"},
            {"id": "SNYK-JS-X-1", "source": "SNYK", "type": "vulnerability", "url": "https://x"},
        ],
        "coordinates": [
            {
                "reachability": "function",
                "state": "resolved",
                "is_upgradeable": True,
                "representations": [{"dependency": {"package_name": "x", "package_version": "1.0"}}],
            }
        ],
        "brand_new_attribute": 5,
    },
    "relationships": {
        "organization": {"data": {"type": "organization", "id": "org-1"}},
        "scan_item": {"data": {"type": "project", "id": "proj-1"}},
        "test_executions": {"data": [{"type": "custom-execution", "id": "t1"}]},
    },
}


def test_issue_frame_types() -> None:
    frame = to_frame([ISSUE], ISSUES)
    row = frame.iloc[0]
    assert (row["id"], row["type"], row["issue_type"], row["status"]) == (
        ISSUE["id"],
        "issue",
        "package_vulnerability",
        "resolved",
    )
    assert frame["effective_severity_level"].cat.ordered
    assert list(frame["effective_severity_level"].cat.categories) == ["info", "low", "medium", "high", "critical"]
    assert str(frame["ignored"].dtype) == "boolean"
    assert row["updated_at"] == pd.Timestamp("2026-01-01T22:00:00.5Z")
    assert row["resolution_resolved_at"] == pd.Timestamp("2026-01-02", tz="UTC")
    assert (row["organization_id"], row["scan_item_id"], row["scan_item_type"]) == ("org-1", "proj-1", "project")
    assert row["test_executions_ids"] == [{"type": "custom-execution", "id": "t1"}]
    assert pd.isna(row["ignore_id"])
    assert row["brand_new_attribute"] == 5  # unknown attributes are kept


def test_empty_frames_keep_every_column() -> None:
    """An empty collection still has every schema column, with its dtype, the derived ones last."""
    for schema in (ISSUES, PROJECTS):
        empty = to_frame([], schema)
        assert list(empty.columns) == [c.name for c in (*schema.fields, *schema.derived)]
        assert len(empty) == 0
    empty, full = to_frame([], ISSUES), to_frame([ISSUE], ISSUES)
    pd.testing.assert_series_equal(empty.dtypes, full.dtypes.drop("brand_new_attribute"))


def test_severity_ordering_allows_comparisons() -> None:
    frame = to_frame(
        [ISSUE, {**ISSUE, "attributes": {**ISSUE["attributes"], "effective_severity_level": "low"}}], ISSUES
    )  # type: ignore[dict-item]
    assert (frame["effective_severity_level"] >= "high").tolist() == [True, False]


def test_explode_problems_and_coordinates() -> None:
    issues = to_frame([ISSUE], ISSUES)
    problems = explode_problems(issues)
    assert problems[["issue_id", "id", "source"]].values.tolist() == [
        [ISSUE["id"], "CVE-2026-1", "NVD"],
        [ISSUE["id"], "SNYK-JS-X-1", "SNYK"],
    ]
    coordinates = explode_coordinates(issues)
    assert coordinates.loc[0, "package_name"] == "x"
    assert coordinates.loc[0, "reachability"] == "function"
    assert bool(coordinates.loc[0, "is_upgradeable"]) is True
    assert list(explode_problems(to_frame([], ISSUES)).columns)[:2] == ["issue_id", "id"]


def test_generic_collection_frames_infer_attributes_and_relationship_ids() -> None:
    target = {
        "id": "t1",
        "type": "target",
        "attributes": {"displayName": "acme/web", "isPrivate": True},
        "relationships": {"organization": {"data": {"id": "o1", "type": "org"}}},
    }
    frame = to_frame([target], RESOURCES)
    assert frame.loc[0, "display_name"] == "acme/web"
    assert frame.loc[0, "organization_id"] == "o1"
