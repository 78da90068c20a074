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
from socketlab._schema import ALERTS, ENUMS, ISSUES, SEVERITY, SNAPSHOT_STATUS, SNAPSHOTS, enum_for
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
