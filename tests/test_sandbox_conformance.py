"""The sandbox answers exactly what the shared spec says: statuses, schemas, no extra fields."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS30Validator

from socketlab.sandbox import SandboxToken, SocketSandbox
from tests.conftest import SPECS, TEST_TOKEN

SNAPSHOTS_SPEC = yaml.safe_load((SPECS / "socket-org-snapshots.openapi.yml").read_text())
FULL_SPEC = json.loads((SPECS / "socket-openapi.json").read_text())
PATH = "/orgs/{org_slug}/historical/snapshots"
AUTH = {"Authorization": f"Bearer {TEST_TOKEN}"}


def _response_spec(spec: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    responses = spec["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method.upper()} {path} does not declare {status}"
    response = responses[str(status)]
    if "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].rpartition("/")[2]]
    return response


def _check(spec: dict[str, Any], path: str, method: str, reply: Any) -> None:
    response = _response_spec(spec, path, method, reply.status)
    # the schema's '#/components/...' refs resolve against the components carried inside it
    schema = {**response["content"]["application/json"]["schema"], "components": spec.get("components", {})}
    OAS30Validator(schema).validate(reply.json())
    assert reply.headers["content-type"] == "application/json"
    for header in response.get("headers", {}):
        assert header.lower() in reply.headers, f"{reply.status} lacks the {header} header"


@pytest.fixture
def app(clock: Any) -> SocketSandbox:
    sb = SocketSandbox(now=clock.utcnow)
    sb.add_token(SandboxToken(TEST_TOKEN))
    sb.add_token(SandboxToken("sktsec_tiny", max_quota=5))
    sb.add_token(SandboxToken("sktsec_spent", max_quota=10))
    sb.add_token(SandboxToken("sktsec_listonly", scopes=frozenset({"historical:snapshots-list"})))
    return sb


LIST_CASES = [
    ("/v0/orgs/acme-corp/historical/snapshots?date=2026-10-31&range=-30d", AUTH, 200),
    ("/v0/orgs/acme-corp/historical/snapshots?date=2025-01-31&range=-30d", AUTH, 200),  # empty
    ("/v0/orgs/acme-corp/historical/snapshots?range=latest&filters.status=failure", AUTH, 200),
    ("/v0/orgs/acme-corp/historical/snapshots?per_page=3&filters.requestId=x,y", AUTH, 200),
    ("/v0/orgs/acme-corp/historical/snapshots", {}, 401),
    ("/v0/orgs/acme-corp/historical/snapshots", {"Authorization": "Bearer sktsec_nope"}, 401),
    ("/v0/orgs/acme-corp/historical/snapshots", {"Authorization": "Bearer sktsec_tiny"}, 403),
    ("/v0/orgs/unknown-org/historical/snapshots", AUTH, 404),
    ("/v0/orgs/acme-corp/historical/snapshots?per_page=10001", AUTH, 400),
    ("/v0/orgs/acme-corp/historical/snapshots?date=2026-02-30", AUTH, 400),
    ("/v0/orgs/acme-corp/historical/snapshots?range=7", AUTH, 400),
    ("/v0/orgs/acme-corp/historical/snapshots?filters.status=done", AUTH, 400),
    ("/v0/orgs/acme-corp/historical/snapshots?startAfterCursor=%%%", AUTH, 400),
]


@pytest.mark.parametrize(("target", "headers", "status"), LIST_CASES)
def test_list_answers_conform(app: SocketSandbox, target: str, headers: dict[str, str], status: int) -> None:
    reply = app.handle("GET", target, headers)
    assert reply.status == status
    _check(SNAPSHOTS_SPEC, PATH, "get", reply)


def test_every_page_of_a_long_query_conforms(app: SocketSandbox) -> None:
    first = target = "/v0/orgs/acme-corp/historical/snapshots?date=2026-10-31&range=-400d&per_page=500"
    pages = 0
    while True:
        reply = app.handle("GET", target, AUTH)
        _check(SNAPSHOTS_SPEC, PATH, "get", reply)
        pages += 1
        cursor = reply.json()["endCursor"]
        if cursor is None:
            break
        target = f"{first}&startAfterCursor={cursor}"
    assert pages > 5


def test_429_conforms_and_carries_retry_after(app: SocketSandbox) -> None:
    spent = {"Authorization": "Bearer sktsec_spent"}
    assert app.handle("GET", "/v0/orgs/globex/historical/snapshots", spent).status == 200
    reply = app.handle("GET", "/v0/orgs/globex/historical/snapshots", spent)
    assert reply.status == 429
    assert int(reply.headers["retry-after"]) == 3600
    _check(SNAPSHOTS_SPEC, PATH, "get", reply)


@pytest.mark.parametrize(
    ("headers", "org", "status"),
    [
        (AUTH, "acme-corp", 200),
        ({}, "acme-corp", 401),
        ({"Authorization": "Bearer sktsec_listonly"}, "acme-corp", 403),
        (AUTH, "unknown-org", 404),
    ],
)
def test_start_answers_conform(app: SocketSandbox, headers: dict[str, str], org: str, status: int) -> None:
    reply = app.handle("POST", f"/v0/orgs/{org}/historical/snapshots", headers)
    assert reply.status == status
    _check(SNAPSHOTS_SPEC, PATH, "post", reply)


@pytest.mark.parametrize(("headers", "status"), [(AUTH, 200), ({}, 401)])
def test_quota_answers_conform_to_the_full_spec(app: SocketSandbox, headers: dict[str, str], status: int) -> None:
    reply = app.handle("GET", "/v0/quota", headers)
    assert reply.status == status
    _check(FULL_SPEC, "/quota", "get", reply)


def test_the_check_is_strict_about_extra_fields(app: SocketSandbox) -> None:
    """Guard: the schema check would catch a field the spec does not allow."""
    from jsonschema.exceptions import ValidationError

    reply = app.handle("GET", "/v0/orgs/globex/historical/snapshots?date=2026-03-01&range=-1d", AUTH)
    body = reply.json()
    body["items"][0]["extra"] = 1
    schema = _response_spec(SNAPSHOTS_SPEC, PATH, "get", 200)["content"]["application/json"]["schema"]
    with pytest.raises(ValidationError, match="Additional properties"):
        OAS30Validator(schema).validate(body)


def test_the_snapshots_spec_agrees_with_the_full_spec() -> None:
    """The operation the sandbox follows is the one in Socket's full official document."""
    assert FULL_SPEC["paths"][PATH] == SNAPSHOTS_SPEC["paths"][PATH]


HISTORY = [
    ("alerts", "date=2026-03-20&range=-2d&per_page=500", 200),
    ("alerts", "range=latest&filters.alertSeverity=critical", 200),
    ("alerts", "date=2025-03-01&range=-30d", 200),
    ("alerts", "filters.alertSeverity=severe", 400),
    ("alerts", "filters.alertKEV=maybe", 400),
    ("alerts/trend", "date=2026-03-20&range=-7d&aggregation.fields=alertSeverity,alertType", 200),
    ("alerts/trend", "date=2026-03-20", 200),
    ("alerts/trend", "aggregation.fields=colour", 400),
    ("dependencies/trend", "date=2026-03-20&range=-3d&artifactType=npm", 200),
    ("dependencies/trend", "dependencyDirect=sometimes", 400),
]


@pytest.mark.parametrize(("path", "query", "status"), HISTORY)
def test_historical_family_conforms_to_the_full_spec(app: SocketSandbox, path: str, query: str, status: int) -> None:
    reply = app.handle("GET", f"/v0/orgs/acme-corp/historical/{path}?{query}", AUTH)
    assert reply.status == status, reply.body[:300]
    _check(FULL_SPEC, f"/orgs/{{org_slug}}/historical/{path}", "get", reply)


def test_organizations_and_unknown_orgs_conform(app: SocketSandbox) -> None:
    reply = app.handle("GET", "/v0/organizations", AUTH)
    assert reply.status == 200
    _check(FULL_SPEC, "/organizations", "get", reply)
    missing = app.handle("GET", "/v0/orgs/nope/historical/alerts", AUTH)
    assert missing.status == 404
    _check(FULL_SPEC, "/orgs/{org_slug}/historical/alerts", "get", missing)


@pytest.mark.parametrize("path", ["alerts", "alerts/trend", "dependencies/trend"])
def test_historical_errors_conform(app: SocketSandbox, path: str) -> None:
    spec_path = f"/orgs/{{org_slug}}/historical/{path}"
    target = f"/v0/orgs/acme-corp/historical/{path}"
    for headers, status in (({}, 401), ({"Authorization": "Bearer sktsec_tiny"}, 403)):
        reply = app.handle("GET", target, headers)
        assert reply.status == status
        _check(FULL_SPEC, spec_path, "get", reply)
    spent = {"Authorization": "Bearer sktsec_spent"}
    app.handle("GET", target, spent)
    reply = app.handle("GET", target, spent)
    assert reply.status == 429
    _check(FULL_SPEC, spec_path, "get", reply)


RESOLUTIONS_PATH = "/orgs/{org_slug}/alerts/resolutions"


@pytest.mark.parametrize(
    ("query", "headers", "status"),
    [
        ("", AUTH, 200),
        ("?per_page=5&direction=asc", AUTH, 200),
        ("?per_page=100", AUTH, 200),
        ("?direction=sideways", AUTH, 400),
        ("?per_page=101", AUTH, 400),
        ("?per_page=0", AUTH, 400),
        ("?startAfterCursor=%%%", AUTH, 400),
        ("", {}, 401),
        ("", {"Authorization": "Bearer sktsec_listonly"}, 403),  # no alert-resolution:list scope
    ],
)
def test_alert_resolutions_conform(app: SocketSandbox, query: str, headers: dict[str, str], status: int) -> None:
    reply = app.handle("GET", f"/v0/orgs/acme-corp/alerts/resolutions{query}", headers)
    assert reply.status == status, reply.body[:300]
    _check(FULL_SPEC, RESOLUTIONS_PATH, "get", reply)


def test_every_page_of_resolutions_conforms_and_unknown_orgs_are_404(app: SocketSandbox) -> None:
    first = target = "/v0/orgs/acme-corp/alerts/resolutions?per_page=4"
    seen: list[str] = []
    while True:
        reply = app.handle("GET", target, AUTH)
        _check(FULL_SPEC, RESOLUTIONS_PATH, "get", reply)
        seen += [item["uuid"] for item in reply.json()["items"]]
        cursor = reply.json()["endCursor"]
        if cursor is None:
            break
        target = f"{first}&startAfterCursor={cursor}"
    assert len(seen) == len(set(seen)) > 8
    missing = app.handle("GET", "/v0/orgs/nope/alerts/resolutions", AUTH)
    assert missing.status == 404
    _check(FULL_SPEC, RESOLUTIONS_PATH, "get", missing)


def test_resolutions_spend_one_quota_unit_and_answer_429_when_spent(app: SocketSandbox) -> None:
    app.add_token(SandboxToken("sktsec_two_units", max_quota=2))
    two = {"Authorization": "Bearer sktsec_two_units"}
    assert [app.handle("GET", "/v0/orgs/acme-corp/alerts/resolutions", two).status for _ in range(2)] == [200, 200]
    reply = app.handle("GET", "/v0/orgs/acme-corp/alerts/resolutions", two)
    assert reply.status == 429
    _check(FULL_SPEC, RESOLUTIONS_PATH, "get", reply)


def test_cve_alert_props_are_the_specs_cve_alert_props(app: SocketSandbox) -> None:
    """CVE alerts carry EPSS and KEV where Socket's CVE alert types put them (SocketIssue props)."""
    reply = app.handle("GET", "/v0/orgs/acme-corp/historical/alerts?date=2026-10-30&range=-0d", AUTH)
    variants = FULL_SPEC["components"]["schemas"]["SocketIssue"]["anyOf"]
    props_schema = {
        v["properties"]["type"]["enum"][0]: v["properties"]["value"]["allOf"][1]["properties"]["props"]
        for v in variants
        if v["properties"]["type"].get("enum", [""])[0] in ("criticalCVE", "cve", "mediumCVE", "mildCVE")
    }
    cves = [i for i in reply.json()["items"] if i["alert"]["type"] in props_schema]
    assert len(cves) > 10 and any(i["alert"]["props"]["kevs"] for i in cves)
    filter_fields = {"priority", "actionSourceType", "cvePatchStatus", "reachabilityType", "reachabilityAnalysisType"}
    for item in cves:
        # the spec's props, plus the fields the historical filters read (historical props are free-form)
        props = {k: v for k, v in item["alert"]["props"].items() if k not in filter_fields}
        schema = {**props_schema[item["alert"]["type"]], "components": FULL_SPEC["components"]}
        OAS30Validator(schema).validate(props)
