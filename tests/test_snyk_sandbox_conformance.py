"""The Snyk sandbox answers as Snyk's REST OpenAPI document and overview say."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator

from socketlab.sandbox import SnykSandbox
from tests.conftest import SNYK_TEST_TOKEN, SPECS

SPEC = json.loads((SPECS / "snyk-rest-spec.json").read_text())
AUTH = {"Authorization": f"token {SNYK_TEST_TOKEN}", "Host": "api.snyk.io"}
ACME = SnykSandbox.org_id("acme-corp")
V = "version=2024-10-15"


def _schema(path: str, status: int) -> dict[str, Any]:
    responses = SPEC["paths"][path]["get"]["responses"]
    response = responses.get(str(status)) or SPEC["components"]["responses"][str(status)]
    while "$ref" in response:
        response = SPEC["components"]["responses"][response["$ref"].rpartition("/")[2]]
    return response


def _validate(path: str, reply: Any) -> None:
    response = _schema(path, reply.status)
    # the schema's '#/components/...' refs resolve against the components carried inside it
    schema = {**response["content"]["application/vnd.api+json"]["schema"], "components": SPEC["components"]}
    OAS30Validator(schema).validate(reply.json())
    assert reply.headers["content-type"] == "application/vnd.api+json"
    assert reply.headers["snyk-request-id"]


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/orgs/{org_id}/issues", f"/rest/orgs/{ACME}/issues?{V}&limit=100"),
        ("/orgs/{org_id}/issues", f"/rest/orgs/{ACME}/issues?{V}&status=resolved&limit=10"),
        ("/orgs/{org_id}/issues", f"/rest/orgs/{ACME}/issues?{V}&ignored=true&effective_severity_level=low,medium"),
        ("/groups/{group_id}/issues", f"/rest/groups/{SnykSandbox().group_id}/issues?{V}&limit=20"),
        ("/orgs/{org_id}/projects", f"/rest/orgs/{ACME}/projects?{V}&limit=100&meta.latest_issue_counts=true"),
        ("/orgs/{org_id}/projects", f"/rest/orgs/{ACME}/projects?{V}&meta_count=only"),
    ],
)
def test_success_pages_conform(snyk_app: SnykSandbox, path: str, target: str) -> None:
    reply = snyk_app.handle("GET", target, AUTH)
    assert reply.status == 200, reply.body[:300]
    _validate(path, reply)
    served = reply.headers["snyk-version-served"]
    assert served in {"2024-01-23", "2024-05-31"}
    assert reply.headers["snyk-version-requested"] == "2024-10-15"
    assert reply.headers["snyk-version-lifecycle-stage"] == "ga"


def test_the_schema_check_is_strict(snyk_app: SnykSandbox) -> None:
    """Guard: an attribute the spec does not allow would be caught."""
    from jsonschema.exceptions import ValidationError

    reply = snyk_app.handle("GET", f"/rest/orgs/{ACME}/issues?{V}&limit=10", AUTH)
    body = reply.json()
    body["data"][0]["attributes"]["surprise"] = 1
    schema = _schema("/orgs/{org_id}/issues", 200)["content"]["application/vnd.api+json"]["schema"]
    with pytest.raises(ValidationError):
        OAS30Validator({**schema, "components": SPEC["components"]}).validate(body)


@pytest.mark.parametrize(
    ("target", "status", "parameter"),
    [
        (f"/rest/orgs/{ACME}/issues?limit=10", 400, "version"),
        (f"/rest/orgs/{ACME}/issues?version=15-10-2024", 400, "version"),
        (f"/rest/orgs/{ACME}/issues?{V}&colour=blue", 400, "colour"),
        (f"/rest/orgs/{ACME}/issues?{V}&status=open&status=resolved", 400, "status"),
        (f"/rest/orgs/{ACME}/issues?{V}&limit=15", 400, "limit"),
        (f"/rest/orgs/{ACME}/issues?{V}&status=ignored", 400, "status"),
        (f"/rest/orgs/{ACME}/issues?{V}&starting_after=garbage", 400, "starting_after"),
        (f"/rest/orgs/{ACME}/issues?version=2020-01-01", 404, "version"),
        ("/rest/orgs/00000000-0000-4000-8000-000000000000/projects?" + V, 404, None),
    ],
)
def test_errors_conform_and_name_the_parameter(
    snyk_app: SnykSandbox, target: str, status: int, parameter: str | None
) -> None:
    reply = snyk_app.handle("GET", target, AUTH)
    assert reply.status == status
    _validate("/orgs/{org_id}/projects", reply)  # the shared JSON:API error schema
    error = reply.json()["errors"][0]
    assert error["status"] == str(status)
    assert error["detail"]
    assert error["id"]
    assert error.get("source", {}).get("parameter") == parameter


@pytest.mark.parametrize("auth", [None, "Token " + SNYK_TEST_TOKEN, "token nope", "Bearer " + SNYK_TEST_TOKEN])
def test_401_is_the_overviews_body(snyk_app: SnykSandbox, auth: str | None) -> None:
    reply = snyk_app.handle("GET", f"/rest/orgs/{ACME}/issues?{V}", {"Authorization": auth} if auth else {})
    assert reply.status == 401
    assert reply.json() == {"status": "401", "code": "Unauthorized"}


def test_429_until_requests_stop_for_an_interval(snyk_app: SnykSandbox, clock: Any) -> None:
    """The overview: 429 for every request until requests stop for a whole interval."""
    import datetime as dt

    snyk_app.rate_limit = 2
    target = f"/rest/orgs/{ACME}/projects?{V}"
    assert [snyk_app.handle("GET", target, AUTH).status for _ in range(3)] == [200, 200, 429]
    clock.now += dt.timedelta(seconds=59)
    assert snyk_app.handle("GET", target, AUTH).status == 429  # still asking: still refused
    clock.now += dt.timedelta(seconds=59)
    assert snyk_app.handle("GET", target, AUTH).status == 429
    clock.now += dt.timedelta(seconds=61)
    reply = snyk_app.handle("GET", target, AUTH)
    assert reply.status == 200


def test_deprecated_versions_carry_sunset_and_deprecation(snyk_app: SnykSandbox) -> None:
    reply = snyk_app.handle("GET", f"/rest/orgs/{ACME}/issues?version=2023-10-01~beta", AUTH)
    assert reply.headers["snyk-version-served"] == "2023-09-29~beta"
    assert reply.headers["deprecation"] == "2024-01-23T00:00:00Z"
    assert reply.headers["sunset"] == "2024-04-22"
    assert reply.headers["snyk-version-lifecycle-stage"] == "sunset"
    projects = snyk_app.handle("GET", f"/rest/orgs/{ACME}/projects?version=2024-01-01", AUTH)
    assert projects.headers["sunset"] == "Wed, 27 Nov 2024 00:00:00 GMT"


def test_next_links_cycle_through_every_shape(snyk_app: SnykSandbox) -> None:
    shapes = []
    target = f"/rest/orgs/{ACME}/issues?{V}&limit=10"
    for _ in range(4):
        link = snyk_app.handle("GET", target, AUTH).json()["links"]["next"]
        shapes.append(link if isinstance(link, dict) else link.split("/orgs/")[0])
        href = link["href"] if isinstance(link, dict) else link
        target = "/rest" + href.split("/rest", 1)[-1] if "/rest/" in href else "/rest" + href
    assert shapes == ["", "/rest", "https://api.snyk.io/rest", shapes[3]]
    assert isinstance(shapes[3], dict)
