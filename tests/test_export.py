"""Snyk's Export API: start, poll, fetch the signed files without the token, one typed frame."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from socketlab import (
    APIError,
    ExportFailedError,
    ExportLimitError,
    ExportTimeoutError,
    ForbiddenError,
    InvalidParameterError,
    SnykClient,
    UnexpectedResponseError,
    sandbox,
)
from socketlab._decoders import (
    decode_export_file,
)
from socketlab._schema import EXPORT_COLUMNS
from socketlab.sandbox import SnykSandbox, SnykToken
from tests.conftest import SNYK_TEST_TOKEN, SPECS, FakeTime

ACME = SnykSandbox.org_id("acme-corp")
WINDOW = ("2026-01-01", "2026-06-30")


# -- the client against the sandbox ----------------------------------------------------------------


@pytest.fixture
def exporter(snyk_app: SnykSandbox, clock: FakeTime) -> Iterator[SnykClient]:
    snyk_app.exports.file_rows = 150  # several files for a half-year window
    with sandbox.snyk_client(snyk_app, token=SNYK_TEST_TOKEN, sleep=clock.sleep, clock=clock.monotonic,
                             progress=False) as client:  # fmt: skip
        yield client


def test_an_export_agrees_with_the_issues_collection_over_loopback(
    snyk_app: SnykSandbox, snyk_served: str, clock: FakeTime
) -> None:
    """Real HTTP: start, poll (the fake clock runs), several files from another host, one typed frame
    whose rows are the issues introduced in the window, as the issues collection says."""
    snyk_app.exports.file_rows = 150
    with SnykClient(token=SNYK_TEST_TOKEN, base_url=snyk_served, sleep=clock.sleep, clock=clock.monotonic,
                    progress=False) as snyk:  # fmt: skip
        export = snyk.export_issues(org_id=ACME, introduced=WINDOW, poll_interval=1)
        issues = snyk.issues(org_id=ACME, created_after="2026-01-01", created_before="2026-07-01")
    assert export.attrs["files"] > 1 and len(export) == export.attrs["row_count"] > 300
    assert {h["host"].partition(":")[0] for _, h in snyk_app.exports.file_requests} == {"localhost"}
    assert snyk_served.startswith("http://127.0.0.1:")  # the API: another host than the files'
    by_key = issues.set_index(issues["key"].astype(str) + "/" + issues["scan_item_id"].astype(str))
    rows = export.set_index(export["problem_id"].astype(str) + "/" + export["project_public_id"].astype(str))
    assert sorted(rows.index) == sorted(by_key.index)
    joined = rows.join(by_key.add_suffix("_rest"))
    assert (joined["issue_severity"].astype(str) == joined["effective_severity_level_rest"].astype(str)).all()
    assert (joined["first_introduced"] == joined["created_at_rest"]).all()
    resolved = joined["status_rest"] == "resolved"
    assert (joined.loc[resolved, "issue_status"] == "resolved").all()
    assert (joined.loc[resolved, "last_resolved"] == joined.loc[resolved, "resolution_resolved_at_rest"]).all()
    assert (joined.loc[~resolved & joined["ignored_rest"], "issue_status"] == "ignored").all()
    assert (joined.loc[~resolved & ~joined["ignored_rest"], "issue_status"] == "open").all()
    assert list(export.columns[: len(EXPORT_COLUMNS)]) == [c.lower() for c in EXPORT_COLUMNS]


def test_the_token_never_reaches_the_file_host(exporter: SnykClient, snyk_app: SnykSandbox) -> None:
    frame = exporter.export_issues(org_id=ACME, introduced=WINDOW, columns=["problem_id", "ISSUE_SEVERITY"])
    assert list(frame.columns) == ["problem_id", "issue_severity"]  # the columns asked for, in their order
    assert len(snyk_app.exports.file_requests) == frame.attrs["files"] > 1
    for target, headers in snyk_app.exports.file_requests:
        assert "authorization" not in headers and headers["host"] == "snyk-exports.sandbox.invalid"
        assert SNYK_TEST_TOKEN not in target


def test_a_file_host_that_gets_the_token_refuses_it(snyk_app: SnykSandbox, clock: FakeTime) -> None:
    """Guard: the file host answers S3's 400 when an Authorization header comes along, as S3 does."""
    with sandbox.snyk_client(snyk_app, token=SNYK_TEST_TOKEN, sleep=clock.sleep, clock=clock.monotonic,
                             progress=False) as snyk:  # fmt: skip
        snyk.export_issues(org_id=ACME, introduced=WINDOW)
    target, _ = snyk_app.exports.file_requests[0]
    reply = snyk_app.handle("GET", target, {"Authorization": f"token {SNYK_TEST_TOKEN}"})
    assert reply.status == 400 and b"Only one auth mechanism allowed" in reply.body


def test_a_redirect_from_the_file_host_is_not_followed(snyk_app: SnykSandbox, clock: FakeTime) -> None:
    asked: list[str] = []
    inner = sandbox.transport(snyk_app)

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url.host))
        if request.url.host == "snyk-exports.sandbox.invalid":
            return httpx.Response(302, headers={"location": "https://collector.example/steal"})
        return inner.handle_request(request)

    with SnykClient(token=SNYK_TEST_TOKEN, base_url=sandbox.SANDBOX_SNYK_URL, transport=httpx.MockTransport(handler),
                    sleep=clock.sleep, clock=clock.monotonic, progress=False) as snyk:  # fmt: skip
        with pytest.raises(APIError, match="redirect") as info:
            snyk.export_issues(org_id=ACME, introduced=WINDOW)
    assert "collector.example" not in asked
    assert info.value.status == 302 and info.value.export_id  # type: ignore[attr-defined]
    assert "X-Amz-Signature" not in str(info.value)  # the signed URL's query stays out of errors


def test_an_expired_link_is_a_typed_error(exporter: SnykClient, snyk_app: SnykSandbox, clock: FakeTime) -> None:
    exporter.export_issues(org_id=ACME, introduced=WINDOW)
    target, _ = snyk_app.exports.file_requests[0]
    clock.now += dt.timedelta(hours=2)  # the links live an hour
    from socketlab._decoders import decode_export_file as decode

    with pytest.raises(ForbiddenError, match="Request has expired"):
        exporter._shell.download("https://snyk-exports.sandbox.invalid" + target, decode)


def test_a_failed_export_is_a_typed_error(exporter: SnykClient, snyk_app: SnykSandbox) -> None:
    snyk_app.exports.fail_next = True
    with pytest.raises(ExportFailedError) as info:
        exporter.export_issues(org_id=ACME, introduced=WINDOW)
    assert info.value.status == "ERRORED" and info.value.export_id in snyk_app.exports.jobs


def test_a_slow_export_times_out_then_resumes_by_its_id(exporter: SnykClient, snyk_app: SnykSandbox,
                                                        clock: FakeTime) -> None:  # fmt: skip
    snyk_app.exports.seconds = 600
    with pytest.raises(ExportTimeoutError) as info:
        exporter.export_issues(org_id=ACME, introduced=WINDOW, timeout=60, poll_interval=20)
    assert info.value.last_status == "STARTED"
    posts = [m for m, _ in snyk_app.requests if m == "POST"]
    clock.now += dt.timedelta(minutes=10)
    frame = exporter.export_issues(org_id=ACME, export_id=info.value.export_id)
    assert frame.attrs["export_id"] == info.value.export_id and len(frame) > 0
    assert [m for m, _ in snyk_app.requests if m == "POST"] == posts  # no second export was started


def test_twenty_exports_an_hour_then_a_clear_error_before_any_request(
    exporter: SnykClient, snyk_app: SnykSandbox, clock: FakeTime
) -> None:
    snyk_app.export_seconds = snyk_app.exports.seconds = 0.5
    for _ in range(20):
        exporter.export_issues(org_id=ACME, introduced=("2026-06-01", "2026-06-02"), columns=["PROBLEM_ID"])
    sent = len(snyk_app.requests)
    with pytest.raises(ExportLimitError, match="20 exports an hour") as info:
        exporter.export_issues(org_id=ACME, introduced=WINDOW)
    assert len(snyk_app.requests) == sent
    assert 0 < (info.value.retry_after or 0) <= 3600
    # another client of the same token has its own count: Snyk's 429 then says so, typed the same way
    with sandbox.snyk_client(snyk_app, token=SNYK_TEST_TOKEN, sleep=clock.sleep, clock=clock.monotonic,
                             progress=False) as other:  # fmt: skip
        with pytest.raises(ExportLimitError, match="Snyk refused the export") as refused:
            other.export_issues(org_id=ACME, introduced=WINDOW)
    assert refused.value.retry_after and refused.value.retry_after > 60


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"org_id": ACME, "group_id": ACME, "introduced": WINDOW}, "org_id"),
        ({"introduced": WINDOW}, "org_id"),
        ({"org_id": "acme-corp", "introduced": WINDOW}, "org_id"),
        ({"org_id": ACME}, "introduced"),
        ({"org_id": ACME, "introduced": ("2026-02-01", "2026-01-01")}, "introduced"),
        ({"org_id": ACME, "introduced": "2026-01-01"}, "introduced"),
        ({"org_id": ACME, "introduced": WINDOW, "columns": ["SEVERITY_OF_DOOM"]}, "columns"),
        ({"org_id": ACME, "introduced": WINDOW, "poll_interval": 0}, "poll_interval"),
        ({"org_id": ACME, "introduced": WINDOW, "timeout": -1}, "timeout"),
        ({"org_id": ACME, "export_id": "not-an-id"}, "export_id"),
        ({"org_id": ACME, "introduced": WINDOW, "version": "2024-13-01"}, "version"),
    ],
)
def test_bad_arguments_are_refused_before_any_request(
    exporter: SnykClient, snyk_app: SnykSandbox, kwargs: dict[str, Any], argument: str
) -> None:
    with pytest.raises(InvalidParameterError) as info:
        exporter.export_issues(**kwargs)
    assert info.value.argument == argument
    assert snyk_app.requests == []


def test_a_group_export_holds_every_org(exporter: SnykClient, snyk_app: SnykSandbox) -> None:
    frame = exporter.export_issues(group_id=snyk_app.group_id, introduced=WINDOW, columns=["ORG_SLUG", "PROBLEM_ID"])
    assert set(frame["org_slug"]) == {"acme-corp", "globex"}


def test_a_garbled_file_keeps_what_came_before_it(snyk_app: SnykSandbox, clock: FakeTime) -> None:
    snyk_app.exports.file_rows = 150
    inner = sandbox.transport(snyk_app)

    def handler(request: httpx.Request) -> httpx.Response:
        answer = inner.handle_request(request)
        if request.url.path.endswith("part-0002.csv"):
            return httpx.Response(200, content=answer.read()[:-40])  # the file cut short, every time
        return answer

    with SnykClient(token=SNYK_TEST_TOKEN, base_url=sandbox.SANDBOX_SNYK_URL, transport=httpx.MockTransport(handler),
                    sleep=clock.sleep, clock=clock.monotonic, progress=False) as snyk:  # fmt: skip
        with pytest.raises(UnexpectedResponseError) as info:
            snyk.export_issues(org_id=ACME, introduced=WINDOW)
    partial = info.value.partial
    assert len(partial) == 150 and partial.attrs["complete"] is False
    assert info.value.export_id in snyk_app.exports.jobs  # type: ignore[attr-defined]


def test_logs_show_no_token_and_socketlabs_no_signature(exporter: SnykClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        exporter.export_issues(org_id=ACME, introduced=WINDOW, columns=["PROBLEM_ID"])
    ours = "\n".join(f"{r.getMessage()} {r.args}" for r in caplog.records if r.name == "socketlab")
    everything = "\n".join(f"{r.name} {r.getMessage()} {r.args}" for r in caplog.records)
    assert "signed file URL, no token" in ours
    assert "X-Amz-Signature" not in ours  # (httpx's own INFO request log shows URLs whole, as for any request)
    assert SNYK_TEST_TOKEN not in everything


def test_the_spec_has_the_three_endpoints_the_client_uses() -> None:
    spec = json.loads((SPECS / "snyk-rest-spec.json").read_text())
    for scope in ("orgs/{org_id}", "groups/{group_id}"):
        assert "post" in spec["paths"][f"/{scope}/export"]
        assert "get" in spec["paths"][f"/{scope}/jobs/export/{{export_id}}"]
        assert "get" in spec["paths"][f"/{scope}/export/{{export_id}}"]


def test_an_export_in_progress_answers_the_spec_with_no_files(snyk_app: SnykSandbox, clock: FakeTime) -> None:
    """getExport before FINISHED: the spec's results status has no STARTED, so it says PENDING."""
    snyk_app.add_token(SnykToken("5a6b7c8d-0000-4000-8000-000000000009"))
    auth = {"Authorization": "token 5a6b7c8d-0000-4000-8000-000000000009"}
    window = {"from": "2026-01-01T00:00:00Z", "to": "2026-02-01T00:00:00Z"}
    attributes = {"dataset": "issues", "formats": ["csv"], "filters": {"introduced": window}}
    body = json.dumps({"data": {"type": "resource", "attributes": attributes}})
    start = snyk_app.handle("POST", f"/rest/orgs/{ACME}/export?version=2024-10-15", auth, body.encode())
    export_id = start.json()["data"]["id"]
    clock.now += dt.timedelta(seconds=2)
    results = snyk_app.handle("GET", f"/rest/orgs/{ACME}/export/{export_id}?version=2024-10-15", auth).json()
    assert results["data"]["attributes"]["status"] == "PENDING" and results["data"]["attributes"]["results"] == []


def test_a_sandbox_whose_clock_stands_still_finishes_exports_by_their_checks() -> None:
    """The live rehearsal freezes its clock to recount the data: export_polls lets its exports finish."""
    frozen = SnykSandbox(now=lambda: dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC), export_polls=2)
    slept: list[float] = []
    with sandbox.snyk_client(frozen, progress=False, sleep=slept.append) as snyk:
        frame = snyk.export_issues(org_id=ACME, introduced=WINDOW, columns=["PROBLEM_ID"], poll_interval=5)
    assert len(frame) > 0 and slept == [5]  # STARTED at the first check, FINISHED at the second


def test_a_refused_export_does_not_spend_the_hours_count(exporter: SnykClient, snyk_app: SnykSandbox) -> None:
    """A 404 (an org the token cannot read) started nothing: it does not count toward the 20 an hour."""
    from socketlab import NotFoundError

    with pytest.raises(NotFoundError):
        exporter.export_issues(org_id="00000000-0000-4000-8000-000000000000", introduced=WINDOW)
    assert len(exporter._exports_started) == 0
    exporter.export_issues(org_id=ACME, introduced=WINDOW, columns=["PROBLEM_ID"])
    assert len(exporter._exports_started) == 1


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://files.example.com/export.csv?X-Amz-Signature=abc", "must be https"),
        (f"https://files.example.com/export.csv?token={SNYK_TEST_TOKEN}", "token appears in a file URL"),
        ("ftp://files.example.com/export.csv", "must be https"),
    ],
)
def test_the_file_download_refuses_plain_http_and_urls_holding_the_token(
    exporter: SnykClient, snyk_app: SnykSandbox, url: str, message: str
) -> None:
    from socketlab import ConfigurationError

    with pytest.raises(ConfigurationError, match=message):
        exporter._shell.download(url, decode_export_file)
    assert snyk_app.exports.file_requests == []
