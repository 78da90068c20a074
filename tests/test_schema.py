"""One schema: one severity order everywhere, unknown values kept below the known ones, merges that keep dtypes."""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socketlab import DataWarning, analysis, sandbox
from socketlab._decoders import decode_trend
from socketlab._frames import FrameError, concat_frames, to_frame
from socketlab._schema import (
    ALERT_ACTION,
    ALERT_CATEGORY,
    ALERTS,
    COORDINATE_STATE,
    ENUMS,
    ISSUE_STATUS,
    ISSUE_TYPE,
    ISSUES,
    PROJECT_STATUS,
    PROJECTS,
    SEVERITY,
    SNAPSHOT_STATUS,
    SNAPSHOTS,
    Enum,
    Field,
    dtype_of,
    enum_for,
    snake_case,
)
from socketlab.sandbox import SocketSandbox
from socketlab.sandbox._socket import Reply


def _alert(severity: str | None, key: str = "k") -> dict[str, Any]:
    return {"scannedAt": "2026-03-01T12:00:00Z", "repoSlug": "r", "repoFullName": "o/r",
            "alert": {"key": key, "severityName": severity, "type": "cve"}}  # fmt: skip


def _issue(level: str | None, id: str = "i") -> dict[str, Any]:
    return {"id": id, "type": "issue", "attributes": {"effective_severity_level": level, "status": "open"}}


def test_one_severity_order_in_every_frame() -> None:
    """Socket alerts, Snyk issues, trends and the analysis all rank info < low < medium < high < critical."""
    alerts = to_frame([_alert(s) for s in ("low", "critical", "high")], ALERTS)
    issues = to_frame([_issue(s) for s in ("info", "critical", "medium")], ISSUES)
    points = b'[{"aggregationGroup": ["low"], "count": 3}, {"aggregationGroup": ["critical"], "count": 1}]'
    body = b'{"meta": {"aggregation": {"fields": ["alertSeverity"]}}, "items": [{"date": "2026-03-01", "dataPoints": '
    trend = decode_trend(200, {}, body + points + b"}]}")
    with sandbox.socket_client(progress=False) as sock:
        counts = analysis.alert_counts(sock.snapshots("acme-corp", date="2026-03-01", range="-3d"))
    for column in (alerts["alert_severity"], issues["effective_severity_level"], trend["alert_severity"],
                   counts["severity"]):  # fmt: skip
        assert column.dtype == SEVERITY.dtype()
        assert column.max() == "critical"
        assert "critical" in set(column[column >= "high"])
    assert list(SEVERITY.values) == ["info", "low", "medium", "high", "critical"]


@pytest.mark.parametrize(
    ("items", "resource", "column"),
    [
        ([_alert("urgent"), _alert("high"), _alert("low")], ALERTS, "alert_severity"),
        ([_issue("urgent"), _issue("high"), _issue("info")], ISSUES, "effective_severity_level"),
    ],
)
def test_an_unknown_severity_is_kept_below_every_known_level_and_reported(
    items: list[dict[str, Any]], resource: Any, column: str
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = to_frame(items, resource)
        to_frame(items, resource)  # the same value again: reported once
    reports = [str(w.message) for w in caught if issubclass(w.category, DataWarning)]
    assert len(reports) <= 1  # once per process: another test may have met it first
    assert all(f"{column} has a value socketlab does not know: 'urgent'" in r for r in reports)
    values = frame[column]
    assert values.tolist()[0] == "urgent"  # kept, not NaN
    assert values.max() == "high"
    assert values.min() == "urgent"
    assert "urgent" not in set(values[values >= "high"])
    assert values.cat.categories.tolist() == ["urgent", *SEVERITY.values]


def test_a_value_of_the_wrong_json_type_is_refused_by_name() -> None:
    """ "5" or true where the spec says integer, 5 where it says text: never coerced without a word."""
    base = {"id": "s", "status": "success"}
    cases = [({**base, "numLowAlerts": "5"}, "numLowAlerts"), ({**base, "numLowAlerts": True}, "numLowAlerts"),
             ({**base, "numLowAlerts": 5.5}, "numLowAlerts"), ({**base, "id": 5}, "id"),
             ({**base, "requestedAt": "soon"}, "requestedAt"), ({**base, "status": 3}, "status")]  # fmt: skip
    for item, field in cases:
        with pytest.raises(FrameError, match=field):
            to_frame([item], SNAPSHOTS)


def test_a_field_whose_name_collides_keeps_its_own_column() -> None:
    """num_low_alerts beside numLowAlerts: the typed column keeps its value, the API's extra is kept apart."""
    frame = to_frame([{"id": "s", "numLowAlerts": 3, "num_low_alerts": 99}], SNAPSHOTS)
    assert frame.loc[0, "num_low_alerts"] == 3
    assert frame.loc[0, "num_low_alerts_extra"] == 99
    issues = to_frame([{"id": "i", "type": "issue", "attributes": {"type": "license", "issueType": "new"}}], ISSUES)
    assert (issues.loc[0, "issue_type"], issues.loc[0, "issue_type_extra"]) == ("license", "new")


statuses = st.sampled_from([*SNAPSHOT_STATUS.values, "cancelled", "queued", None])
items = st.lists(
    st.builds(
        lambda n, status, extra: {"id": f"s{n}", "status": status, "numLowAlerts": n, **extra},
        st.integers(0, 10**6),
        statuses,
        st.sampled_from([{}, {"newField": 1}, {"other": {"a": [1]}}]),
    ),
    max_size=6,
)


@settings(max_examples=60)
@given(st.lists(items, min_size=1, max_size=5))
def test_merging_frames_equals_framing_everything_at_once(parts: list[list[dict[str, Any]]]) -> None:
    """Pages, windows, orgs, captures: however the rows were split, the merge is the frame of all of them,
    dtypes included (categories of the parts are united in the schema's order, unknown values first)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        frames = [to_frame(part, SNAPSHOTS) for part in parts]
        merged = concat_frames(frames, SNAPSHOTS)
        whole = to_frame(list(itertools.chain.from_iterable(parts)), SNAPSHOTS)
    pd.testing.assert_frame_equal(merged[whole.columns], whole, check_like=False)
    assert set(merged.columns) == set(whole.columns)
    unknown = sorted({i["status"] for p in parts for i in p} - {None, *SNAPSHOT_STATUS.values})
    assert merged["status"].cat.categories.tolist() == [*unknown, *SNAPSHOT_STATUS.values]


@settings(max_examples=40)
@given(st.lists(st.lists(st.sampled_from([*SEVERITY.values, "urgent", "unrated"]), max_size=5), min_size=2, max_size=4))
def test_merged_severities_stay_ordered(parts: list[list[str]]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        frames = [to_frame([_issue(level, f"{n}-{i}") for i, level in enumerate(part)], ISSUES)
                  for n, part in enumerate(parts)]  # fmt: skip
    merged = concat_frames(frames, ISSUES)
    column = merged["effective_severity_level"]
    assert column.dtype.ordered
    assert column.cat.categories.tolist()[-5:] == list(SEVERITY.values)
    known = [v for part in parts for v in part if v in SEVERITY.values]
    if known:
        assert column.max() == max(known, key=SEVERITY.values.index)


def test_every_enum_is_found_again_from_its_categories() -> None:
    for enum in ENUMS:
        found = enum_for(enum.dtype(["zzz"]).categories)
        assert found is not None and found.values == enum.values  # (issue status and coordinate state agree)


def test_a_row_without_a_day_is_kept_by_a_backfill_and_reported() -> None:
    """A window cannot place a row whose day is missing: it stays in the frame, and a DataWarning says so."""
    app = SocketSandbox()

    class Undated:
        def __getattr__(self, name: str) -> Any:
            return getattr(app, name)

        def handle(self, method: str, target: str, headers: Any) -> Reply:
            reply = app.handle(method, target, headers)
            body = reply.json()
            if body.get("items"):
                body["items"][0]["requestedAt"] = None
            import json

            return Reply(reply.status, reply.headers, json.dumps(body).encode())

    with sandbox.socket_client(Undated(), progress=False) as sock:  # type: ignore[arg-type]
        with pytest.warns(DataWarning, match="have no requested_at: they are kept"):
            frame = sock.snapshots("globex", start="2026-02-01", end="2026-02-28", window_days=7)
    assert frame["requested_at"].isna().sum() >= 4  # one a window, none lost


# -- the tables, exactly ------------------------------------------------------------------------------------

ISSUE_FIELDS = {
    "id": ("id", "string"), "type": ("type", "string"), "attributes.key": ("key", "string"),
    "attributes.title": ("title", "string"), "attributes.type": ("issue_type", "category"),
    "attributes.status": ("status", "category"), "attributes.effective_severity_level": ("effective_severity_level",
                                                                                       "category"),
    "attributes.ignored": ("ignored", "boolean"), "attributes.created_at": ("created_at", "datetime64[ns, UTC]"),
    "attributes.updated_at": ("updated_at", "datetime64[ns, UTC]"), "attributes.description": ("description", "string"),
    "attributes.tool": ("tool", "string"), "attributes.key_asset": ("key_asset", "string"),
    "attributes.resolution.type": ("resolution_type", "string"),
    "attributes.resolution.resolved_at": ("resolution_resolved_at", "datetime64[ns, UTC]"),
    "attributes.resolution.details": ("resolution_details", "string"),
    "attributes.exploit_details.sources": ("exploit_details_sources", "object"),
    "attributes.exploit_details.maturity_levels": ("exploit_details_maturity_levels", "object"),
    "attributes.risk.factors": ("risk_factors", "object"), "attributes.risk.score": ("risk_score", "object"),
    "attributes.coordinates": ("coordinates", "object"), "attributes.problems": ("problems", "object"),
    "attributes.classes": ("classes", "object"), "attributes.severities": ("severities", "object"),
    "relationships.organization.data.id": ("organization_id", "string"),
    "relationships.scan_item.data.id": ("scan_item_id", "string"),
    "relationships.ignore.data.id": ("ignore_id", "string"),
    "relationships.test_executions.data": ("test_executions_ids", "object"),
    "relationships.scan_item.data.type": ("scan_item_type", "string"),
}  # fmt: skip
PROJECT_FIELDS = {
    "id": ("id", "string"), "type": ("type", "string"), "attributes.name": ("name", "string"),
    "attributes.type": ("project_type", "string"), "attributes.target_file": ("target_file", "string"),
    "attributes.target_reference": ("target_reference", "string"),
    "attributes.target_runtime": ("target_runtime", "string"), "attributes.origin": ("origin", "string"),
    "attributes.created": ("created", "datetime64[ns, UTC]"), "attributes.status": ("status", "category"),
    "attributes.read_only": ("read_only", "boolean"),
    "attributes.business_criticality": ("business_criticality", "object"),
    "attributes.environment": ("environment", "object"), "attributes.lifecycle": ("lifecycle", "object"),
    "attributes.tags": ("tags", "object"), "attributes.settings": ("settings", "object"),
    "attributes.build_args": ("build_args", "object"),
    "meta.cli_monitored_at": ("cli_monitored_at", "datetime64[ns, UTC]"),
    "meta.latest_issue_counts.critical": ("latest_issue_counts_critical", "Int64"),
    "meta.latest_issue_counts.high": ("latest_issue_counts_high", "Int64"),
    "meta.latest_issue_counts.medium": ("latest_issue_counts_medium", "Int64"),
    "meta.latest_issue_counts.low": ("latest_issue_counts_low", "Int64"),
    "meta.latest_issue_counts.updated_at": ("latest_issue_counts_updated_at", "datetime64[ns, UTC]"),
    "meta.latest_dependency_total.total": ("latest_dependency_total", "Int64"),
    "meta.latest_dependency_total.updated_at": ("latest_dependency_total_updated_at", "datetime64[ns, UTC]"),
    "relationships.organization.data.id": ("organization_id", "string"),
    "relationships.target.data.id": ("target_id", "string"),
    "relationships.importer.data.id": ("importer_id", "string"),
    "relationships.owner.data.id": ("owner_id", "string"),
}  # fmt: skip


@pytest.mark.parametrize(("resource", "table"), [(ISSUES, ISSUE_FIELDS), (PROJECTS, PROJECT_FIELDS)])
def test_each_jsonapi_field_has_its_column_and_dtype(resource: Any, table: dict[str, tuple[str, str]]) -> None:
    """Attributes by their snake_case names (the attribute named type renamed), relationship ids as <name>_id."""
    assert [(f.path, f.name, str(f.dtype)) for f in resource] == [(p, n, d) for p, (n, d) in table.items()]
    assert resource.columns == tuple(n for n, _ in table.values())
    assert len(resource) == len(table) and list(resource) == list(resource.fields)
    derived = {f.name: str(f.dtype) for f in resource.derived}  # socketlab's own columns, after the API's
    assert {n: str(d) for n, d in resource.dtypes().items()} == {**dict(table.values()), **derived}
    assert resource.extra_in == "attributes" and resource.identity == ("id",)


def test_the_enumerated_columns_of_the_resources() -> None:
    kinds = {f.name: f.kind for r in (SNAPSHOTS, ALERTS, ISSUES, PROJECTS) for f in r if isinstance(f.kind, Enum)}
    assert kinds == {"status": PROJECT_STATUS, "alert_severity": SEVERITY, "alert_action": ALERT_ACTION,
                     "alert_category": ALERT_CATEGORY, "issue_type": ISSUE_TYPE,
                     "effective_severity_level": SEVERITY}  # fmt: skip
    assert dict.fromkeys(f.kind for f in SNAPSHOTS if f.name == "status") == {SNAPSHOT_STATUS: None}
    assert dict.fromkeys(f.kind for f in ISSUES if f.name == "status") == {ISSUE_STATUS: None}


@pytest.mark.parametrize(
    ("kind", "dtype"),
    [("string", "string"), ("timestamp", "datetime64[ns, UTC]"), ("int", "Int64"), ("float", "Float64"),
     ("bool", "boolean"), ("object", "object")],
)  # fmt: skip
def test_one_dtype_per_kind(kind: Any, dtype: str) -> None:
    assert dtype_of(kind) == dtype
    assert Field("a.b", "a_b", kind).dtype == dtype


def test_an_enumeration_and_its_dtype() -> None:
    """Its values in order; unknown values first and sorted (known ones given as unknown are not repeated)."""
    assert "high" in SEVERITY and "urgent" not in SEVERITY and list(SEVERITY) == list(SEVERITY.values)
    assert SEVERITY.dtype() == pd.CategoricalDtype(list(SEVERITY.values), ordered=True)
    assert SEVERITY.dtype(["zz", "high", "aa", "zz"]) == pd.CategoricalDtype(
        ["aa", "zz", *SEVERITY.values], ordered=True
    )
    assert SNAPSHOT_STATUS.dtype(["queued"]) == pd.CategoricalDtype(["queued", *SNAPSHOT_STATUS.values], ordered=False)
    assert dtype_of(SEVERITY) == SEVERITY.dtype()


def test_the_enumeration_of_some_categories() -> None:
    """The one whose values the categories hold, the largest when several do; None when none does."""
    assert enum_for(["x", *SEVERITY.values]) is SEVERITY
    assert enum_for(list(SEVERITY.values)) is SEVERITY  # exactly its values
    assert enum_for(["low", "medium", "high", "critical", "x"]) is None  # Socket's filter values are no column's
    assert enum_for(["open", "resolved", "x"]) is ISSUE_STATUS  # a tie: the first in ENUMS (coordinate state agrees)
    assert COORDINATE_STATE.values == ISSUE_STATUS.values
    assert enum_for(["low", "high"]) is None
    assert enum_for([]) is None


@pytest.mark.parametrize(
    ("name", "snake"),
    [("numIgnoredLowAlerts", "num_ignored_low_alerts"), ("alert.severityName", "alert_severity_name"),
     ("CVEId", "cve_id"), ("already_snake", "already_snake"), ("__x--y__", "x_y"), ("a1B", "a1_b"),
     ("HTTPServer2", "http_server2"), ("XrayX", "xray_x"), ("", "")],
)  # fmt: skip
def test_snake_case_names(name: str, snake: str) -> None:
    assert snake_case(name) == snake
