"""The Snyk sandbox answers as Snyk's REST OpenAPI document and overview say."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator

from socketlab.sandbox import SnykSandbox
from socketlab.sandbox._snyk import _encode
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
        ("/orgs", f"/rest/orgs?{V}"),
        ("/orgs", f"/rest/orgs?{V}&limit=10&slug=globex"),
        ("/orgs", f"/rest/orgs?{V}&name=Acme&expand=member_role"),
        ("/orgs", f"/rest/orgs?{V}&group_id={SnykSandbox().group_id}&is_personal=false"),
    ],
)
def test_success_pages_conform(snyk_app: SnykSandbox, path: str, target: str) -> None:
    reply = snyk_app.handle("GET", target, AUTH)
    assert reply.status == 200, reply.body[:300]
    _validate(path, reply)
    served = reply.headers["snyk-version-served"]
    assert served in {"2024-01-23", "2024-05-31", "2024-02-28"}
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
        ("/rest/orgs?limit=10", 400, "version"),
        (f"/rest/orgs?{V}&group_id=acme", 400, "group_id"),
        (f"/rest/orgs?{V}&is_personal=yes", 400, "is_personal"),
        (f"/rest/orgs?{V}&slug=acme%20corp", 400, "slug"),
        (f"/rest/orgs?{V}&name={'x' * 101}", 400, "name"),
        (f"/rest/orgs?{V}&expand=members", 400, "expand"),
        (f"/rest/orgs?{V}&org_id={ACME}", 400, "org_id"),
        (f"/rest/orgs?{V}&limit=5", 400, "limit"),
        ("/rest/orgs?version=2022-01-01", 404, "version"),
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


def _orgs(app: SnykSandbox, query: str, auth: dict[str, str] = AUTH) -> list[dict[str, Any]]:
    reply = app.handle("GET", f"/rest/orgs?{V}&{query}", auth)
    assert reply.status == 200, reply.body[:300]
    data: list[dict[str, Any]] = reply.json()["data"]
    return data


def test_list_orgs_filters_as_the_spec_says(snyk_app: SnykSandbox) -> None:
    """listOrgs: slug matches exactly, name contains, group_id and is_personal select, expand adds the role."""
    assert [o["attributes"]["slug"] for o in _orgs(snyk_app, "")] == ["acme-corp", "globex"]
    assert [o["id"] for o in _orgs(snyk_app, "slug=globex")] == [SnykSandbox.org_id("globex")]
    assert _orgs(snyk_app, "slug=glob") == []  # exactly, not a prefix
    assert [o["attributes"]["name"] for o in _orgs(snyk_app, "name=Corp")] == ["Acme Corp"]  # contains
    assert len(_orgs(snyk_app, f"group_id={snyk_app.group_id}")) == 2
    assert _orgs(snyk_app, "group_id=00000000-0000-4000-8000-000000000000") == []
    assert _orgs(snyk_app, "is_personal=true") == []
    assert all("relationships" not in o for o in _orgs(snyk_app, ""))
    role = _orgs(snyk_app, "expand=member_role")[0]["relationships"]["member_role"]["data"]
    assert role["type"] == "org_role" and role["attributes"]["name"]


def test_list_orgs_shows_only_the_tokens_orgs(snyk_app: SnykSandbox) -> None:
    from socketlab.sandbox import SnykToken

    narrow = snyk_app.add_token(SnykToken("narrow-token-0000", orgs=frozenset({"globex"})))
    orgs = _orgs(snyk_app, "", {"Authorization": f"token {narrow.token}"})
    assert [o["attributes"]["slug"] for o in orgs] == ["globex"]


def test_list_orgs_pages_with_cursors_and_serves_its_own_versions(snyk_app: SnykSandbox) -> None:
    """The shared cursor paging and listOrgs' own x-snyk-api-releases (2024-02-28 is its newest GA)."""
    first = _orgs(snyk_app, "")
    reply = snyk_app.handle("GET", f"/rest/orgs?{V}", AUTH)
    assert reply.headers["snyk-version-served"] == "2024-02-28"
    assert "sunset" not in reply.headers
    assert "next" not in reply.json()["links"]  # two orgs fit in one page of ten
    after = snyk_app.handle("GET", f"/rest/orgs?{V}&starting_after={_encode(0)}", AUTH).json()
    assert [o["id"] for o in after["data"]] == [first[1]["id"]]
    assert "ending_before" in after["links"]["prev"]
    old = snyk_app.handle("GET", "/rest/orgs?version=2023-06-01", AUTH)
    assert old.headers["snyk-version-served"] == "2023-05-29"
    assert old.headers["deprecation"] == "2024-02-28T00:00:00Z"
    beta = snyk_app.handle("GET", "/rest/orgs?version=2023-01-01~beta", AUTH)
    assert beta.headers["snyk-version-served"] == "2022-12-15~beta"


# -- the Export API ----------------------------------------------------------------------------------


def _operation_schema(path: str, method: str, status: int) -> dict[str, Any]:
    responses = SPEC["paths"][path][method]["responses"]
    response = responses.get(str(status)) or SPEC["components"]["responses"][str(status)]
    while "$ref" in response:
        response = SPEC["components"]["responses"][response["$ref"].rpartition("/")[2]]
    return {**response["content"]["application/vnd.api+json"]["schema"], "components": SPEC["components"]}


def _export_body(**attributes: Any) -> bytes:
    base = {"dataset": "issues", "formats": ["csv"],
            "filters": {"introduced": {"from": "2026-01-01T00:00:00Z", "to": "2026-03-31T23:59:59Z"}}}  # fmt: skip
    return json.dumps({"data": {"type": "resource", "attributes": {**base, **attributes}}}).encode()


@pytest.mark.parametrize("scope", ["orgs/{org_id}", "groups/{group_id}"])
def test_an_export_answers_each_step_as_the_spec_says(snyk_app: SnykSandbox, clock: Any, scope: str) -> None:
    """createExport 202, getExportJobStatus 200 while it runs and once FINISHED, getExport 200 with the files."""
    import datetime as dt

    owner = ACME if scope.startswith("orgs") else snyk_app.group_id
    root = f"/rest/{scope.split('/')[0]}/{owner}"
    start = snyk_app.handle("POST", f"{root}/export?{V}", AUTH, _export_body(columns=["PROBLEM_ID", "CVE"]))
    assert start.status == 202, start.body[:300]
    OAS30Validator(_operation_schema(f"/{scope}/export", "post", 202)).validate(start.json())
    export_id = start.json()["data"]["id"]
    assert start.headers["content-location"] == f"{root}/jobs/export/{export_id}"
    statuses = []
    for _ in range(5):
        job = snyk_app.handle("GET", f"{root}/jobs/export/{export_id}?{V}", AUTH)
        assert job.status == 200
        OAS30Validator(_operation_schema(f"/{scope}/jobs/export/{{export_id}}", "get", 200)).validate(job.json())
        statuses.append(job.json()["data"]["attributes"]["status"])
        clock.now += dt.timedelta(seconds=1)
    assert statuses[0] == "PENDING" and "STARTED" in statuses and statuses[-1] == "FINISHED"
    results = snyk_app.handle("GET", f"{root}/export/{export_id}?{V}", AUTH)
    OAS30Validator(_operation_schema(f"/{scope}/export/{{export_id}}", "get", 200)).validate(results.json())
    attributes = results.json()["data"]["attributes"]
    assert attributes["status"] == "FINISHED" and attributes["row_count"] > 0
    assert sum(r["row_count"] for r in attributes["results"]) == attributes["row_count"]
    assert all(r["url"].startswith("https://snyk-exports.sandbox.invalid/") for r in attributes["results"])


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        (b"not json", "/"),
        (
            json.dumps(
                {"data": {"type": "resource", "attributes": {"dataset": "issues", "formats": ["csv"]}}}
            ).encode(),
            "/data/attributes/filters",
        ),
        (_export_body(dataset="projects"), "/data/attributes/dataset"),
        (_export_body(formats=["json"]), "/data/attributes/formats"),
        (_export_body(columns=["NO_SUCH_COLUMN"]), "/data/attributes/columns"),
        (_export_body(url_expiration_seconds=7200), "/data/attributes/url_expiration_seconds"),
        (_export_body(filters={"introduced": {"from": "January"}}), "/data/attributes/filters/introduced/from"),
    ],
)
def test_a_bad_export_request_is_a_400_pointing_at_the_field(snyk_app: SnykSandbox, body: bytes, pointer: str) -> None:
    reply = snyk_app.handle("POST", f"/rest/orgs/{ACME}/export?{V}", AUTH, body)
    assert reply.status == 400
    OAS30Validator(_operation_schema("/orgs/{org_id}/export", "post", 400)).validate(reply.json())
    assert reply.json()["errors"][0]["source"] == {"pointer": pointer}


def test_the_21st_export_of_the_hour_is_a_429_with_retry_after(snyk_app: SnykSandbox) -> None:
    for _ in range(20):
        assert snyk_app.handle("POST", f"/rest/orgs/{ACME}/export?{V}", AUTH, _export_body()).status == 202
    reply = snyk_app.handle("POST", f"/rest/orgs/{ACME}/export?{V}", AUTH, _export_body())
    assert reply.status == 429 and 0 < int(reply.headers["retry-after"]) <= 3600
    OAS30Validator(_operation_schema("/orgs/{org_id}/export", "post", 429)).validate(reply.json())


def test_unknown_exports_and_wrong_methods(snyk_app: SnykSandbox) -> None:
    missing = snyk_app.handle("GET", f"/rest/orgs/{ACME}/jobs/export/00000000-0000-4000-8000-000000000000?{V}", AUTH)
    assert missing.status == 404
    OAS30Validator(_operation_schema("/orgs/{org_id}/jobs/export/{export_id}", "get", 404)).validate(missing.json())
    assert snyk_app.handle("GET", f"/rest/orgs/{ACME}/export?{V}", AUTH).status == 405
    assert snyk_app.handle("POST", f"/rest/orgs/{ACME}/export", AUTH, _export_body()).status == 400  # no version
