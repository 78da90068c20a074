"""One pure decoder per operation: the data, or a typed error that says what was wrong.

Tier one (pure): recorded and hand-made bodies straight into each decoder. Tier two (shell):
the same bad bodies through the clients, where they are retried like any transient error and
surface as UnexpectedResponseError naming the request.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from socketlab import NotFoundError, SocketlabError, UnexpectedResponseError, sandbox
from socketlab._decoders import (
    decode_organizations,
    decode_quota,
    decode_snapshot_job,
    decode_trend,
    snyk_page_decoder,
    socket_page_decoder,
)
from socketlab._schema import ALERTS, ISSUES, SNAPSHOTS
from socketlab.sandbox import SnykSandbox, SocketSandbox
from socketlab.sandbox._socket import Reply

BASE = "https://api.snyk.io/rest"
DECODERS: dict[str, Callable[[int, Any, bytes], Any]] = {
    "snapshots page": socket_page_decoder(SNAPSHOTS),
    "alerts page": socket_page_decoder(ALERTS),
    "trend": decode_trend,
    "organizations": decode_organizations,
    "quota": decode_quota,
    "snapshot job": decode_snapshot_job,
    "snyk issues page": snyk_page_decoder(ISSUES, BASE),
}


def test_the_quota_answer() -> None:
    quota = decode_quota(200, {}, b'{"quota": 900, "maxQuota": 1000, "nextWindowRefresh": "2026-11-25T14:00:00Z"}')
    assert (quota.remaining, quota.max, str(quota.next_refresh)) == (900, 1000, "2026-11-25 14:00:00+00:00")
    assert decode_quota(200, {}, b'{"quota": 0, "maxQuota": 0, "nextWindowRefresh": null}').next_refresh is None


def test_the_snapshot_job_answer() -> None:
    body = b'{"requestId": "r-1", "requestedBy": "ci", "requestedAt": "2026-11-25T13:00:00.000Z"}'
    job = decode_snapshot_job(200, {}, body)
    assert (job.request_id, job.requested_by, str(job.requested_at)) == ("r-1", "ci", "2026-11-25 13:00:00+00:00")


def test_the_organizations_answer() -> None:
    body = {"organizations": {"o1": {"id": "o1", "slug": "acme", "name": "Acme", "plan": "team", "image": None}}}
    frame = decode_organizations(200, {}, json.dumps(body).encode())
    assert frame[["id", "slug"]].to_dict("records") == [{"id": "o1", "slug": "acme"}]


@pytest.mark.parametrize(
    ("decoder", "body", "says"),
    [
        ("quota", b'{"quota": "900", "maxQuota": 1000}', "Expected `int`, got `str` - at `$.quota`"),
        ("quota", b'{"quota": true, "maxQuota": 1000}', "at `$.quota`"),
        ("quota", b'{"maxQuota": 1000}', "missing required field `quota`"),
        ("quota", b'{"quota": 1, "maxQuota": 2, "nextWindowRefresh": "soon"}', "nextWindowRefresh is not a timestamp"),
        ("snapshot job", b'{"requestId": "r"}', "missing required field `requestedBy`"),
        ("snapshot job", b'{"requestId": "", "requestedBy": "x", "requestedAt": "2026-01-01"}', "empty requestId"),
        ("snapshot job", b'{"requestId": "r", "requestedBy": "x", "requestedAt": "x"}', "requestedAt"),
        ("organizations", b'{"organizations": [1, 2]}', "Expected `object`, got `array` - at `$.organizations`"),
        ("organizations", b'{"orgs": {}}', "missing required field `organizations`"),
        ("trend", b'{"meta": {}}', "missing required field `items`"),
        ("trend", b'{"items": [{"dataPoints": [{"count": 1}]}]}', "the trend"),
        ("trend", b'{"items": [5]}', "at `$.items[0]`"),
        ("snyk issues page", b'{"links": {}}', "missing required field `data`"),
        ("snyk issues page", b'{"data": [5]}', "Expected `object`, got `int` - at `$[0]`"),
        ("snyk issues page", b'{"data": [], "links": {"next": 5}}', "links.next is int"),
        ("snyk issues page", b'{"data": [], "links": {"next": {"href": 5}}}', "links.next is int"),
        ("alerts page", b'{"items": [5], "endCursor": null}', "the page's items"),
    ],
)
def test_a_body_that_breaks_the_contract_says_where(decoder: str, body: bytes, says: str) -> None:
    with pytest.raises(UnexpectedResponseError) as info:
        DECODERS[decoder](200, {"x-request-id": "req-3"}, body)
    assert says in info.value.message
    assert (info.value.status, info.value.request_id) == (200, "req-3")


@pytest.mark.parametrize("decoder", list(DECODERS))
@pytest.mark.parametrize("body", [b"", b"<html>502 Bad Gateway</html>", b'{"items": [', b"null", b"[]", b"7"])
def test_every_decoder_refuses_garbage_with_a_contract_error(decoder: str, body: bytes) -> None:
    with pytest.raises(UnexpectedResponseError):
        DECODERS[decoder](200, {}, body)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
keys = st.sampled_from(["items", "meta", "endCursor", "data", "links", "quota", "maxQuota", "organizations",
                        "requestId", "requestedBy", "requestedAt", "next", "date", "dataPoints"])  # fmt: skip


@given(decoder=st.sampled_from(list(DECODERS)), body=st.dictionaries(keys, json_values, max_size=5))
def test_any_json_object_gives_data_or_a_socketlab_error(decoder: str, body: dict[str, Any]) -> None:
    """Whatever object a 2xx carries, a decoder returns or raises a SocketlabError: never a raw exception."""
    with contextlib.suppress(SocketlabError):
        DECODERS[decoder](200, {}, json.dumps(body).encode())


# -- through the clients: retried, and named -------------------------------------------------------


class Garbles:
    """Answers like ``app`` but every answer to a path containing ``where`` is ``body`` (a 200)."""

    def __init__(self, app: Any, where: str, body: bytes) -> None:
        self.app, self.where, self.body = app, where, body
        self.hits = 0

    def __getattr__(self, name: str) -> Any:  # the wrapped app's token and the like
        return getattr(self.app, name)

    def handle(self, method: str, target: str, headers: Any) -> Reply:
        reply = self.app.handle(method, target, headers)
        if self.where in target.partition("?")[0]:
            self.hits += 1
            return Reply(200, {"content-type": "application/json", "x-request-id": "req-9"}, self.body)
        return reply


@pytest.mark.parametrize(
    ("where", "call", "body"),
    [
        ("/organizations", lambda s: s.organizations(), b'{"organizations": []}'),
        ("/quota", lambda s: s.quota(), b'{"quota": "lots"}'),
        ("/alerts/trend", lambda s: s.alerts_trend("globex", date="2026-03-01"), b'{"items": {}}'),
        ("/historical/snapshots", lambda s: s.snapshots("globex", date="2026-03-01"), b'{"items": 5}'),
        ("/historical/snapshots", lambda s: list(s.snapshot_pages("globex", date="2026-03-01")), b'{"items": 5}'),
        ("/historical/alerts", lambda s: list(s.alert_pages("globex", date="2026-03-01")), b"{}"),
    ],
)
def test_a_malformed_get_is_retried_then_named(where: str, call: Callable[[Any], Any], body: bytes) -> None:
    """Every operation alike: the same bad body gets the same retries, then an UnexpectedResponseError
    with the method, the URL and the request id (never a KeyError or a TypeError)."""
    app = Garbles(SocketSandbox(), where, body)
    with sandbox.socket_client(app, sleep=lambda s: None, progress=False) as sock:  # type: ignore[arg-type]
        with pytest.raises(UnexpectedResponseError) as info:
            call(sock)
    assert app.hits == 5  # the first try and 4 retries, whichever method was called
    assert info.value.method == "GET"
    assert where in (info.value.url or "")
    assert info.value.request_id == "req-9"


def test_a_malformed_post_is_not_retried() -> None:
    """A job answer that cannot be read is not asked again: a second POST would start a second job."""
    app = Garbles(SocketSandbox(), "/historical/snapshots", b'{"requestId": 5}')
    with sandbox.socket_client(app, sleep=lambda s: None) as sock:  # type: ignore[arg-type]
        with pytest.raises(UnexpectedResponseError, match="requestId") as info:
            sock.start_snapshot("globex")
    assert app.hits == 1
    assert info.value.method == "POST"


def test_a_snyk_page_without_data_is_retried_then_named() -> None:
    app = Garbles(SnykSandbox(), "/issues", b'{"jsonapi": {"version": "1.0"}, "links": {}}')
    with sandbox.snyk_client(app, sleep=lambda s: None, progress=False) as snyk:  # type: ignore[arg-type]
        with pytest.raises(UnexpectedResponseError, match="missing required field `data`") as info:
            snyk.issues(org_id=SnykSandbox.org_id("globex"))
    assert app.hits == 5
    assert "/issues?" in (info.value.url or "")
    assert isinstance(info.value.partial, pd.DataFrame) and info.value.partial.attrs["complete"] is False


# -- each decoder, exactly -----------------------------------------------------------------------------

SOCKET_ERROR = b'{"error": {"message": "no such org", "details": {"org": "nope"}}}'
SNYK_ERROR = b'{"jsonapi": {"version": "1.0"}, "errors": [{"status": "404", "detail": "Not found"}]}'


@pytest.mark.parametrize("decoder", list(DECODERS))
def test_every_decoder_raises_the_apis_error_with_its_request_id(decoder: str) -> None:
    """An error status is the typed error whatever the operation, with the API's message and the request id."""
    body = SNYK_ERROR if decoder.startswith("snyk") else SOCKET_ERROR
    with pytest.raises(NotFoundError) as info:
        DECODERS[decoder](404, {"X-Request-Id": "req-4"}, body)
    assert info.value.request_id == "req-4"
    assert info.value.message == ("Not found" if decoder.startswith("snyk") else "no such org")


@pytest.mark.parametrize(
    ("decoder", "body", "message"),
    [
        ("quota", b'{"quota": "900", "maxQuota": 1000}',
         "not a quota answer: Expected `int`, got `str` - at `$.quota`"),
        ("snapshot job", b'{"requestId": "r"}',
         "not a snapshot job answer: Object missing required field `requestedBy`"),
        ("snapshot job", b'{"requestId": "", "requestedBy": "x", "requestedAt": "2026-01-01"}',
         "the snapshot job answer has an empty requestId"),
        ("snapshot job", b'{"requestId": "r", "requestedBy": "x", "requestedAt": "x"}',
         "requestedAt is not a timestamp: 'x'"),
        ("organizations", b'{"orgs": {}}',
         "not an organizations answer: Object missing required field `organizations`"),
        ("organizations", b'{"organizations": {"o": {"id": 5}}}',
         "organizations: an item breaks the organizations contract: Expected `str | null`, got `int` - at `$[0].id`"),
        ("trend", b'{"meta": {}}', "not a trend answer: Object missing required field `items`"),
        ("trend", b'{"items": [{"date": "2026-01-01", "dataPoints": [{"count": "1"}]}]}',
         "the trend: count holds a value that is not a count: '1'"),
        ("trend", b'{"items": [{"dataPoints": []}]}', "the trend: 'date'"),
        ("snyk issues page", b'{"links": {}}', "not a JSON:API collection page: Object missing required field `data`"),
        ("snapshots page", b'{"items": 5}', "not a page of items: Expected `array`, got `int` - at `$.items`"),
        ("snapshots page", b'{"items": [{"id": 5}]}',
         "the page's items: an item breaks the snapshots contract: Expected `str | null`, got `int` - at `$[0].id`"),
        ("snyk issues page", b'{"data": [{"id": 5}]}',
         "the page's data: an item breaks the issues contract: Expected `str | null`, got `int` - at `$[0].id`"),
    ],
)  # fmt: skip
def test_a_contract_error_says_which_answer_and_what_was_wrong(decoder: str, body: bytes, message: str) -> None:
    with pytest.raises(UnexpectedResponseError) as info:
        DECODERS[decoder](200, {"x-request-id": "req-5"}, body)
    assert (info.value.message, info.value.status, info.value.request_id) == (message, 200, "req-5")


@pytest.mark.parametrize(
    ("meta", "bad"),
    [
        ({"startDateInclusive": "2026-13-01"}, "meta.startDateInclusive is not a YYYY-MM-DD day: '2026-13-01'"),
        ({"endDateInclusive": "20260105"}, "meta.endDateInclusive is not a YYYY-MM-DD day: '20260105'"),
        ({"startDateInclusive": 20260105}, "meta.startDateInclusive is not a YYYY-MM-DD day: 20260105"),
        ({"startDateInclusive": "2026-01-01", "endDateInclusive": "soon"},
         "meta.endDateInclusive is not a YYYY-MM-DD day: 'soon'"),
        ({"startDateInclusive": "2026-01-01", "endDateInclusive": "2026-01-31"}, None),
        ({"startDateInclusive": None}, None),
    ],
)  # fmt: skip
def test_the_days_a_page_says_it_covers_are_real_days(meta: dict[str, Any], bad: str | None) -> None:
    """Backfills tile windows by meta's days: a day that is not YYYY-MM-DD is the API's fault, named."""
    body = json.dumps({"items": [], "meta": meta, "endCursor": None}).encode()
    decode = DECODERS["snapshots page"]
    if bad is None:
        assert decode(200, {}, body).meta == meta
        return
    with pytest.raises(UnexpectedResponseError) as info:
        decode(200, {"x-request-id": "r"}, body)
    assert (info.value.message, info.value.status, info.value.request_id) == (bad, 200, "r")


def test_a_socket_page_holds_its_rows_meta_cursor_and_body() -> None:
    body = json.dumps({"items": [{"id": "s1", "status": "success"}, {"id": "s2"}], "meta": {"a": 1},
                       "endCursor": "c2"}).encode()  # fmt: skip
    page = socket_page_decoder(SNAPSHOTS)(200, {}, body)
    assert (page.rows, page.meta, page.next_cursor, page.body) == (2, {"a": 1}, "c2", body)
    assert page.json() == json.loads(body)
    assert page.batch.last("id") == "s2"


def test_a_snyk_page_holds_its_rows_next_link_and_body() -> None:
    body = json.dumps({"data": [{"id": "i1", "type": "issue"}], "links": {"next": "/orgs/o/issues?x=1"}}).encode()
    page = snyk_page_decoder(ISSUES, BASE + "/")(200, {}, body)
    assert (page.rows, page.next_url, page.body) == (1, "https://api.snyk.io/rest/orgs/o/issues?x=1", body)
    assert page.json() == json.loads(body)


def test_a_trend_answer_is_one_row_per_day_and_group() -> None:
    body = {
        "meta": {"aggregation": {"fields": ["alertSeverity"]}},
        "items": [{"date": "2026-03-01", "dataPoints": [{"aggregationGroup": ["high"], "count": 3, "countDelta": 1}]}],
    }
    frame = decode_trend(200, {}, json.dumps(body).encode())
    assert frame.astype(object).to_dict("records") == [
        {"date": pd.Timestamp("2026-03-01", tz="UTC"), "alert_severity": "high", "count": 3, "count_delta": 1}
    ]
    assert frame.attrs["meta"] == body["meta"]


def test_a_quota_of_zero_max_is_unused_and_a_quota_reports_its_use() -> None:
    assert decode_quota(200, {}, b'{"quota": 0, "maxQuota": 0}').used_fraction == 0.0
    assert decode_quota(200, {}, b'{"quota": 250, "maxQuota": 1000, "nextWindowRefresh": ""}').used_fraction == 0.75
