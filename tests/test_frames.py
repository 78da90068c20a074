"""The dtype table: every column typed, empty frames complete, unknown data kept."""

from __future__ import annotations

import warnings
from decimal import Decimal
from typing import Any

import orjson
import pandas as pd
import pyarrow as pa
import pytest

from socketlab import DataWarning, _frames
from socketlab._frames import (
    FrameError,
    Framer,
    RawItems,
    concat_frames,
    empty_frame,
    explode_coordinates,
    explode_problems,
    json_text_columns,
    snake_case,
    to_frame,
    trend_frame,
    utc_timestamp,
)
from socketlab._schema import (
    ALERT_ACTION,
    ALERTS,
    ISSUES,
    ORGANIZATIONS,
    RESOLUTIONS,
    RESOURCES,
    SEVERITY,
    SNAPSHOT_STATUS,
    SNAPSHOTS,
    Field,
    Resource,
)

ITEM = {
    "id": "s1",
    "requestId": "r1",
    "requestedBy": "socket-scheduler",
    "requestedAt": "2026-11-01T06:00:20.251Z",
    "startedAt": "2026-11-01T06:00:22.345+02:00",
    "finishedAt": None,
    "durationMs": 0,
    "status": "in-progress",
    "numReposScanned": 3,
    "numSbomsScanned": 9,
    "numLowAlerts": 5,
    "numHighAlerts": 2,
    "numMediumAlerts": 4,
    "numCriticalAlerts": 1,
    "numIgnoredLowAlerts": 1,
    "numIgnoredHighAlerts": 0,
    "numIgnoredMediumAlerts": 0,
    "numIgnoredCriticalAlerts": 0,
}
EXPECTED_COLUMNS = [
    "id",
    "request_id",
    "requested_by",
    "requested_at",
    "started_at",
    "finished_at",
    "duration_ms",
    "status",
    "num_repos_scanned",
    "num_sboms_scanned",
    "num_low_alerts",
    "num_high_alerts",
    "num_medium_alerts",
    "num_critical_alerts",
    "num_ignored_low_alerts",
    "num_ignored_high_alerts",
    "num_ignored_medium_alerts",
    "num_ignored_critical_alerts",
]


def test_every_item_field_is_a_snake_case_column() -> None:
    assert list(to_frame([ITEM], SNAPSHOTS).columns) == EXPECTED_COLUMNS


def test_dtypes() -> None:
    """UTC timestamps (finished_at nullable), Int64 counts, categorical status, string ids."""
    frame = to_frame(
        [ITEM, {**ITEM, "id": "s2", "finishedAt": "2026-11-01T06:10:00.000Z", "status": "success"}], SNAPSHOTS
    )
    assert str(frame["requested_at"].dtype) == "datetime64[ns, UTC]"
    assert frame["started_at"][0] == pd.Timestamp("2026-11-01T04:00:22.345Z")  # +02:00 converted
    assert frame["finished_at"].isna().tolist() == [True, False]
    assert all(str(frame[c].dtype) == "Int64" for c in EXPECTED_COLUMNS if c.startswith("num_") or c == "duration_ms")
    assert isinstance(frame["status"].dtype, pd.CategoricalDtype)
    assert list(frame["status"].cat.categories) == ["in-progress", "success", "failure", "timeout", "skipped"]
    assert str(frame["id"].dtype) == "string"


def test_an_empty_result_has_every_column_and_dtype() -> None:
    empty = to_frame([], SNAPSHOTS)
    full = to_frame([ITEM], SNAPSHOTS)
    assert len(empty) == 0
    pd.testing.assert_series_equal(empty.dtypes, full.dtypes)


def test_unknown_fields_are_kept_not_a_crash() -> None:
    """A field the API adds later is kept as a snake_case column."""
    frame = to_frame([{**ITEM, "numInfoAlerts": 7, "scanRegion": "eu"}], SNAPSHOTS)
    assert frame.loc[0, "num_info_alerts"] == 7
    assert frame.loc[0, "scan_region"] == "eu"


def test_an_unknown_status_is_kept_not_turned_into_nan(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new status value extends the categories instead of silently becoming missing, and says so."""
    monkeypatch.setattr(_frames, "_warned", set())  # once per process: as if none had been met before
    with pytest.warns(DataWarning, match="snapshots.status has a value socketlab does not know: 'cancelled'"):
        frame = to_frame([{**ITEM, "status": "cancelled"}, ITEM], SNAPSHOTS)
    assert frame["status"].tolist() == ["cancelled", "in-progress"]
    assert frame["status"].cat.categories.tolist() == ["cancelled", *SNAPSHOT_STATUS.values]


def test_each_unknown_value_is_reported_once_per_field(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once for 'paused' (met before), once for 'queued' (new here), and 'paused' again in another field."""
    monkeypatch.setattr(_frames, "_warned", set())
    with pytest.warns(DataWarning):
        to_frame([{**ITEM, "status": "paused"}], SNAPSHOTS)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        to_frame([{**ITEM, "status": "paused"}, {**ITEM, "status": "queued"}], SNAPSHOTS)
        to_frame([{"alert": {"key": "k", "severityName": "paused"}}], ALERTS)
    assert [str(w.message).split(";")[0] for w in caught] == [
        "snapshots.status has a value socketlab does not know: 'queued'",
        "alerts.alert_severity has a value socketlab does not know: 'paused'",
    ]


def test_missing_fields_become_missing_values() -> None:
    item = dict(ITEM)
    del item["numLowAlerts"]
    assert pd.isna(to_frame([item], SNAPSHOTS).loc[0, "num_low_alerts"])


def test_snake_case() -> None:
    assert snake_case("numIgnoredLowAlerts") == "num_ignored_low_alerts"
    assert snake_case("requestId") == "request_id"
    assert snake_case("filters.status") == "filters_status"
    assert snake_case("CVEId") == "cve_id"


# -- every kind of field, on both paths (msgspec structs, and plain values for unnameable keys) ------------

KINDS = Resource(
    "kinds",
    (Field("s", "s", "string"), Field("t", "t", "timestamp"), Field("i", "i", "int"), Field("f", "f", "float"),
     Field("b", "b", "bool"), Field("o", "o", "object"), Field("e", "e", SEVERITY), Field("n.x", "n_x", "int")),
)  # fmt: skip
FULL = {"s": "a", "t": "2026-01-01T01:00:00+01:00", "i": 1, "f": 1, "b": True, "o": [1], "e": "high", "n": {"x": 3}}
FULL_ROW = {"s": "a", "t": pd.Timestamp("2026-01-01", tz="UTC"), "i": 1, "f": 1.0, "b": True, "o": [1], "e": "high",
            "n_x": 3}  # fmt: skip
EMPTY_ROW = {"s": None, "t": pd.NaT, "i": None, "f": None, "b": None, "o": None, "e": None, "n_x": None}
KIND_DTYPES = {"s": "string", "t": "datetime64[ns, UTC]", "i": "Int64", "f": "Float64", "b": "boolean", "o": "object",
               "e": "category", "n_x": "Int64"}  # fmt: skip


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    plain = frame.astype(object).where(frame.notna(), None)
    return [{k: (pd.NaT if k == "t" and v is None else v) for k, v in row.items()} for row in plain.to_dict("records")]


@pytest.mark.parametrize("odd_key", [None, 'q"'], ids=["structs", "plain values"])
def test_every_kind_lands_in_its_typed_column(odd_key: str | None) -> None:
    """string, timestamp (UTC), int, float (an int is a float), bool, object, enumeration, nested: both paths alike."""
    extra = {} if odd_key is None else {odd_key: 1}
    framer = Framer(KINDS)
    frame = framer.frame([framer.batch([{**FULL, **extra}, {}])])
    assert {c: str(frame[c].dtype) for c in KIND_DTYPES} == KIND_DTYPES
    rows = _records(frame)
    assert [{k: r[k] for k in KIND_DTYPES} for r in rows] == [FULL_ROW, EMPTY_ROW]
    if odd_key is not None:
        assert [r["q"] for r in rows] == [1, None]  # the unnameable field kept, snake_case


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"f": True}, "f is not a valid float (e.g. True)"),
        ({"i": 1.5}, "i is not a valid int (e.g. 1.5)"),
        ({"i": False}, "i is not a valid int (e.g. False)"),
        ({"b": 1}, "b is not a valid bool (e.g. 1)"),
        ({"s": 5}, "s is not a valid string (e.g. 5)"),
        ({"t": "x"}, "t is not a valid timestamp: not an ISO 8601 timestamp"),
        ({"n": 5}, "n is int, not an object"),
        (5, "an item breaks the kinds contract: expected an object at $[1]"),
    ],
)
def test_the_plain_value_path_checks_what_the_structs_check(bad: object, message: str) -> None:
    """A page with a key msgspec cannot name is framed from plain values, with the same type checks, by name."""
    with pytest.raises(FrameError) as info:
        Framer(KINDS).batch([{'q"': 1}, bad])
    assert str(info.value) == message


def test_the_plain_value_path_keeps_unknown_fields_page_after_page() -> None:
    """The same unnameable field keeps its column over pages; a name a typed column has gets _extra."""
    framer = Framer(SNAPSHOTS)
    pages = [framer.batch([{"id": "s1", 'num"low"alerts': 5, "numLowAlerts": 1}]),
             framer.batch([{"id": "s2", 'num"low"alerts': 6}, {"id": "s3"}]), framer.batch([{"id": "s4"}])]  # fmt: skip
    frame = framer.frame(pages)
    assert frame["id"].tolist() == ["s1", "s2", "s3", "s4"]
    assert frame["num_low_alerts"].tolist()[:1] == [1]
    assert frame["num_low_alerts_extra"].tolist() == [5, 6, None, None]


def test_a_generic_resource_reads_relationship_ids_on_both_paths() -> None:
    """A collection known only by id and type: attributes as they come, each relationship as <name>_id (its id or ids).

    Fixed: the plain-value path (a key msgspec cannot name) used to keep the whole relationship object."""
    item = {"id": "t", "type": "target", "attributes": {"nm": "x"},
            "relationships": {"org": {"data": {"id": "o1"}}, "many": {"data": [{"id": "a"}, 5, {"id": "b"}]},
                              "none": {"data": None}, "odd": 5}}  # fmt: skip
    for attributes in ({"nm": "x"}, {"nm": "x", 'a"b': 1}):
        framer = Framer(RESOURCES)
        row = framer.frame([framer.batch([{**item, "attributes": attributes}])]).iloc[0]
        assert (row["nm"], row["org_id"], row["many_id"], row["none_id"], row["odd_id"]) == ("x", "o1", ["a", "b"],
                                                                                              None, None)  # fmt: skip


def test_nested_objects_must_be_objects_on_the_plain_path() -> None:
    issue = {"id": "i", "type": "issue", "attributes": {'a"b': 1}}
    with pytest.raises(FrameError, match="^relationships.organization is int, not an object$"):
        Framer(ISSUES).batch([{**issue, "relationships": {"organization": 5}}])
    with pytest.raises(FrameError, match="^relationships.organization.data is str, not an object$"):
        Framer(ISSUES).batch([{**issue, "relationships": {"organization": {"data": "x"}}}])
    framer = Framer(ISSUES)
    row = framer.frame([framer.batch([{**issue, "attributes": {'a"b': 1, "key": "k"}}])]).iloc[0]
    assert (row["key"], row["a_b"]) == ("k", 1)
    assert pd.isna(row["organization_id"])


def test_raw_items_and_the_last_row() -> None:
    items = RawItems([b'{"id": "a"}', b'{"id": "b", "x": [1]}'])
    assert items.item(1) == {"id": "b", "x": [1]}
    batch = Framer(SNAPSHOTS).batch(items)
    assert (batch.rows, batch.last("id")) == (2, "b")
    assert Framer(SNAPSHOTS).batch([]).last("id") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2026-01-01T01:00:00+01:00", "2026-01-01 00:00:00+00:00"), ("2026-01-01T00:00:00", "2026-01-01 00:00:00+00:00"),
     ("2026-01-01T00:00:00Z", "2026-01-01 00:00:00+00:00"), ("2026-01-01", "2026-01-01 00:00:00+00:00")],
)  # fmt: skip
def test_one_utc_rule(value: str, expected: str) -> None:
    """Aware values are converted to UTC, naive ones taken as UTC."""
    stamp = utc_timestamp(value)
    assert (str(stamp), str(stamp.tz)) == (expected, "UTC")


def test_an_empty_frame_has_every_column_and_dtype() -> None:
    for resource in (SNAPSHOTS, ISSUES, KINDS):
        empty = empty_frame(resource)
        derived = [f.name for f in resource.derived]  # socketlab's own columns come last
        assert (list(empty.columns), len(empty)) == ([*resource.columns, *derived], 0)
        assert {c: str(t) for c, t in empty.dtypes.items()} == {c: str(t) for c, t in resource.dtypes().items()}


def test_lists_and_objects_become_json_text_and_nothing_else_changes() -> None:
    frame = pd.DataFrame({"o": [[1], {"a": 1}, None, "x"], "p": ["a", "b", None, "c"], "i": [1, 2, 3, 4]})
    text = json_text_columns(frame)
    assert [text["o"][i] for i in (0, 1, 3)] == ["[1]", '{"a": 1}', "x"] and pd.isna(text["o"][2])
    pd.testing.assert_frame_equal(text[["p", "i"]], frame[["p", "i"]])  # no lists or objects: untouched
    assert frame["o"].tolist() == [[1], {"a": 1}, None, "x"]  # a copy: the frame itself is unchanged


# -- merging -----------------------------------------------------------------------------------------------


def test_merging_no_frames_needs_the_resource() -> None:
    with pytest.raises(ValueError, match="^concat_frames of no frames needs the resource$"):
        concat_frames([])
    pd.testing.assert_frame_equal(concat_frames([], SNAPSHOTS), empty_frame(SNAPSHOTS))


def test_merging_one_frame_renumbers_it() -> None:
    frame = to_frame([ITEM], SNAPSHOTS).set_axis([7])
    assert concat_frames([frame]).index.tolist() == [0]


def test_merging_categories_no_enumeration_knows_keeps_them_in_order_met() -> None:
    """Columns of categories outside the schema: united in the order met, ordered if any part was."""
    a = pd.DataFrame({"x": pd.Categorical(["b"], categories=["b", "a"], ordered=True),
                      "n": pd.Series([1], dtype="Int64")})  # fmt: skip
    b = pd.DataFrame({"x": pd.Categorical(["c"], categories=["c"])})
    merged = concat_frames([a, b])
    assert merged["x"].dtype == pd.CategoricalDtype(["b", "a", "c"], ordered=True)
    assert merged["x"].tolist() == ["b", "c"]
    assert str(merged["n"].dtype) == "Int64" and merged["n"].tolist()[0] == 1 and merged["n"].isna().tolist()[1]
    unordered = concat_frames([b, pd.DataFrame({"x": pd.Categorical(["d"])})])
    assert unordered["x"].dtype == pd.CategoricalDtype(["c", "d"], ordered=False)


# -- trends ------------------------------------------------------------------------------------------------


def test_a_trend_frame_has_a_column_per_group_count_and_severity_count() -> None:
    meta = {"aggregation": {"fields": ["alertSeverity", "dependencyDirect", "repoSlug"]}, "x": 1}
    items = [
        {"date": "2026-03-01", "dataPoints": [
            {"aggregationGroup": ["high", True, "web"], "count": 3, "countDelta": -1,
             "countsBySeverity": {"high": {"count": 3, "countDelta": 2}}},
            {"aggregationGroup": ["critical", None, 7], "count": 1, "directCount": 1},
        ]},
        {"date": "2026-03-02", "dataPoints": None},
        {"date": "2026-03-03", "dataPoints": [{"aggregationGroup": ["low"], "count": None}]},
    ]  # fmt: skip
    frame = trend_frame(items, meta)
    assert list(frame.columns) == ["date", "alert_severity", "dependency_direct", "repo_slug", "count", "count_delta",
                                   "high_count", "high_count_delta", "direct_count"]  # fmt: skip
    assert _plain(frame) == [
        ["2026-03-01", "high", True, "web", 3, -1, 3, 2, None],
        ["2026-03-01", "critical", None, "7", 1, None, None, None, 1],
        ["2026-03-03", "low", None, None, None, None, None, None, None],
    ]
    assert [str(t) for t in frame.dtypes] == ["datetime64[ns, UTC]", "category", "boolean", "string", *["Int64"] * 5]
    assert frame["alert_severity"].dtype == SEVERITY.dtype()
    assert frame.index.tolist() == [0, 1, 2]
    assert frame.attrs["meta"] == meta and frame.attrs["meta"] is not meta


def _plain(frame: pd.DataFrame) -> list[list[object]]:
    rows = frame.astype(object).where(frame.notna(), None).values.tolist()
    return [[v.strftime("%Y-%m-%d") if isinstance(v, pd.Timestamp) else v for v in row] for row in rows]


def test_a_trend_without_data_or_groups_still_has_its_columns() -> None:
    frame = trend_frame([], {})
    assert (list(frame.columns), len(frame)) == (["date", "count", "count_delta"], 0)
    assert [str(t) for t in frame.dtypes] == ["datetime64[ns, UTC]", "Int64", "Int64"]
    grouped = trend_frame([], {"aggregation": {"fields": ["alertAction", "alertKEV"]}})
    assert list(grouped.columns) == ["date", "alert_action", "alert_kev", "count", "count_delta"]
    assert [str(t) for t in grouped.dtypes] == ["datetime64[ns, UTC]", "category", "boolean", "Int64", "Int64"]


@pytest.mark.parametrize("value", ["1", True, 1.5, [1]])
def test_a_trend_count_must_be_a_count(value: object) -> None:
    items = [{"date": "2026-03-01", "dataPoints": [{"count": 1}, {"count": 2, "directCount": value}]}]
    with pytest.raises(FrameError) as info:
        trend_frame(items, {})
    assert str(info.value) == f"direct_count holds a value that is not a count: {value!r}"


def test_an_unknown_trend_group_value_is_kept_below_the_known_ones_and_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_frames, "_warned", set())
    items = [{"date": "2026-03-01", "dataPoints": [{"aggregationGroup": ["block"], "count": 1},
                                                    {"aggregationGroup": ["warn"], "count": 2}]}]  # fmt: skip
    with pytest.warns(DataWarning) as caught:
        frame = trend_frame(items, {"aggregation": {"fields": ["alertAction"]}})
    assert [str(w.message) for w in caught] == [
        "alerts trend.alert_action has a value socketlab does not know: 'block'; its rows are kept, "
        "ranked below every known value"
    ]
    assert frame["alert_action"].tolist() == ["block", "warn"]
    assert frame["alert_action"].cat.categories.tolist() == ["block", *ALERT_ACTION.values]


# -- explode ------------------------------------------------------------------------------------------------


def test_problems_and_coordinates_of_issues_without_them() -> None:
    """An issue without problems or coordinates (or with odd entries) adds no row; the others keep theirs."""
    issues = to_frame(
        [{"id": "i1", "type": "issue", "attributes": {"problems": [{"id": "CVE-1"}, "odd"], "coordinates": [
            "odd", {"state": "open", "representations": [5, {"dependency": "x"}, {"dependency": {"package_name": "p"}},
                                                         {"dependency": {"package_name": "q"}}]},
            {"state": "resolved"}]}},
         {"id": "i2", "type": "issue", "attributes": {}}],
        ISSUES,
    )  # fmt: skip
    problems = explode_problems(issues)
    assert problems[["issue_id", "id"]].values.tolist() == [["i1", "CVE-1"]]
    coordinates = explode_coordinates(issues)
    assert coordinates[["issue_id", "coordinate", "state", "package_name"]].astype(object).where(
        coordinates[["issue_id", "coordinate", "state", "package_name"]].notna(), None
    ).values.tolist() == [["i1", 1, "open", "p"], ["i1", 2, "resolved", None]]


# -- learning the fields the API adds -------------------------------------------------------------------------


def test_unknown_fields_are_learned_only_where_the_resource_keeps_them() -> None:
    """A JSON:API resource keeps new attributes; its links, meta and unknown relationships are plumbing."""
    framer = Framer(ISSUES)
    item = {"id": "i", "type": "issue", "links": {"self": "x"}, "meta": {"m": 1},
            "relationships": {"new_rel": {"data": {"id": "z"}}},
            "attributes": {"newField": 1, "new_field": 2}}  # fmt: skip
    frame = framer.frame([framer.batch([item])])
    extras = [c for c in frame.columns if c not in ISSUES.dtypes()]  # neither fields nor derived
    assert extras == ["new_field", "new_field_extra"]  # two new fields with one name: each keeps its own column
    assert frame.loc[0, extras].tolist() == [1, 2]


def test_an_unknown_field_never_takes_a_taken_name() -> None:
    """The typed column keeps its name; the API's look-alikes get _extra, _extra2; a nameless key is 'field'."""
    framer = Framer(SNAPSHOTS)
    frame = framer.frame([framer.batch([{"id": "s", "numLowAlerts": 1, "num_low_alerts": 2, "numLow_alerts": 3,
                                         "--": 4}])])  # fmt: skip
    extras = [c for c in frame.columns if c not in SNAPSHOTS.columns]
    assert extras == ["num_low_alerts_extra", "num_low_alerts_extra2", "field"]
    assert frame.loc[0, ["num_low_alerts", *extras]].tolist() == [1, 2, 3, 4]


def test_an_unknown_field_inside_a_known_object_is_named_by_its_path() -> None:
    framer = Framer(ALERTS)
    frame = framer.frame([framer.batch([{"alert": {"key": "k", "newThing": 1}, "artifact": {"deep": {"x": 1}}}])])
    extras = [c for c in frame.columns if c not in ALERTS.dtypes()]
    assert extras == ["alert_new_thing", "artifact_deep"]
    assert frame.loc[0, extras].tolist() == [1, {"x": 1}]


def test_a_resource_with_attributes_ignores_what_it_does_not_frame() -> None:
    """Outside its attributes (and a generic collection's relationships), a JSON:API item may hold anything."""
    resource = Resource("bare", (Field("id", "id", "string"),), extra_in="attributes")
    framer = Framer(resource)
    frame = framer.frame([framer.batch([{"id": "a", "relationships": 5, "links": [1]}])])
    assert frame.to_dict("records") == [{"id": "a"}]


def test_a_missing_enumerated_group_is_missing_not_a_category() -> None:
    """A point without a value for an enumerated group has no value there (never the text 'None')."""
    meta = {"aggregation": {"fields": ["alertSeverity"]}}
    for points in ([{"aggregationGroup": [], "count": 1}], [{"aggregationGroup": [None], "count": 1},
                                                             {"aggregationGroup": ["low"], "count": 2}]):  # fmt: skip
        frame = trend_frame([{"date": "2026-03-01", "dataPoints": points}], meta)
        assert frame["alert_severity"].dtype == SEVERITY.dtype()
        assert frame["alert_severity"].isna().tolist()[0]
        assert frame["alert_severity"].tolist()[1:] == ["low"][: len(points) - 1]


def test_the_plain_value_path_edge_cases() -> None:
    """Two unnameable keys with one snake_case name keep two columns; a float field takes 1.5; a resource
    of objects only frames too."""
    framer = Framer(SNAPSHOTS)
    row = framer.frame([framer.batch([{"id": "s", 'a"b': 1, 'a""b': 2}])]).iloc[0]
    assert (row["a_b"], row["a_b_extra"]) == (1, 2)
    floats = Framer(Resource("floats", (Field("f", "f", "float"),)))
    assert floats.frame([floats.batch([{"f": 1.5, 'q"': 1}])]).astype(object).values.tolist() == [[1.5, 1]]
    objects = Framer(Resource("objects", (Field("o", "o", "object"),)))
    assert objects.frame([objects.batch([{"o": [1], 'q"': 1}])]).astype(object).values.tolist() == [[[1], 1]]


def test_items_given_as_python_values_json_cannot_carry_are_kept_as_text() -> None:
    """A Decimal (orjson refuses it) in an item handed in as Python values is kept, as its text."""
    frame = to_frame([{"id": "s", "amount": Decimal("1.50")}], SNAPSHOTS)
    assert (frame.loc[0, "id"], frame.loc[0, "amount"]) == ("s", "1.50")


@pytest.mark.parametrize(
    ("items", "got", "at"),
    [([b"null"], "null", 0), ([b'{"id": "s"}', b"null"], "null", 1), ([b"[]"], "array", 0), ([b"1"], "int", 0),
     ([None], "null", 0), (['"s"'], "str", 0)],
)  # fmt: skip
def test_an_item_that_is_not_an_object_is_refused_by_flat_resources_too(items: list[Any], got: str, at: int) -> None:
    """Arrow's JSON reader (the flat resources' fast path) crashes the process on a `null` line: items that
    are not objects never reach it, and the structs name what they are."""
    for resource in (SNAPSHOTS, ORGANIZATIONS, RESOLUTIONS):
        with pytest.raises(FrameError) as info:
            Framer(resource).batch(items)
        assert str(info.value) == (
            f"an item breaks the {resource.name} contract: Expected `object`, got `{got}` - at `$[{at}]`"
        )


def test_an_item_with_space_before_it_is_framed_all_the_same() -> None:
    frame = Framer(SNAPSHOTS).frame([Framer(SNAPSHOTS).batch([b' {"id": "s", "status": "success"}'])])
    assert frame[["id", "status"]].astype(object).values.tolist() == [["s", "success"]]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["2026-01-09T01:02:03Z", "2026-01-09T01:02:03.5+02:00"], ["2026-01-09 01:02:03", "2026-01-08 23:02:03.5"]),
        (["2026-01-09 00:00:00", None], ["2026-01-09", None]),  # no zone: UTC
        (["2026-01-09", "2026-01-09T01:02:03"], ["2026-01-09", "2026-01-09 01:02:03"]),  # a bare day, no zone
    ],
)
def test_timestamps_in_any_iso_form_are_utc(values: list[str | None], expected: list[str | None]) -> None:
    frame = to_frame([{"uuid": str(i), "created_at": v} for i, v in enumerate(values)], RESOLUTIONS)
    assert str(frame["created_at"].dtype) == "datetime64[ns, UTC]"
    want = [pd.NaT if e is None else pd.Timestamp(e, tz="UTC") for e in expected]
    assert all((pd.isna(a) and pd.isna(b)) or a == b for a, b in zip(frame["created_at"], want, strict=True))


@pytest.mark.parametrize("value", ["soon", "2026-13-01", "2026-01-09T25:00:00Z"])
def test_a_timestamp_that_is_not_iso_8601_is_named(value: str) -> None:
    with pytest.raises(FrameError) as info:
        to_frame([{"uuid": "u", "created_at": "2026-01-09T00:00:00Z"}, {"uuid": "v", "created_at": value}], RESOLUTIONS)
    assert str(info.value) == f"created_at is not a valid timestamp (e.g. {value!r}): not an ISO 8601 timestamp"


# -- the flat resources' fast path (Arrow's JSON reader) ------------------------------------------------------


def _struct_path(items: list[bytes], resource: Resource) -> pa.Table:
    framer = Framer(resource)
    framer._flat = False  # the struct path alone, to compare with
    return framer.batch(items).table


@pytest.mark.parametrize(
    "items",
    [
        [orjson.dumps(ITEM), orjson.dumps({**ITEM, "id": "s2", "finishedAt": "2026-11-01T07:00:00Z"})],
        [orjson.dumps(ITEM, option=orjson.OPT_INDENT_2)],  # an item over several lines: read serially
        [orjson.dumps({"id": "s3"})],  # fields missing: nulls
    ],
)
def test_the_fast_path_reads_flat_items_exactly_as_the_structs_do(items: list[bytes]) -> None:
    fast = Framer(SNAPSHOTS)._flat_batch(items)
    assert fast is not None and fast.rows == len(items) and fast.objects == {}
    assert fast.table.equals(_struct_path(items, SNAPSHOTS))
    assert fast.table.column_names == [f.name for f in SNAPSHOTS.fields]
    assert fast.table.schema.field("requested_at").type == pa.timestamp("ns", tz="UTC")


@pytest.mark.parametrize(
    "item",
    [{**ITEM, "newField": 1}, {**ITEM, "numLowAlerts": "5"}, {**ITEM, "requestedAt": "soon"}],
)
def test_the_fast_path_leaves_new_fields_and_wrong_types_to_the_structs(item: dict[str, Any]) -> None:
    """None: the struct path takes the page over, keeps the new field or names what is wrong."""
    assert Framer(SNAPSHOTS)._flat_batch([orjson.dumps(item)]) is None


def test_only_flat_resources_take_the_fast_path() -> None:
    assert Framer(SNAPSHOTS)._flat and Framer(ORGANIZATIONS)._flat and Framer(RESOLUTIONS)._flat
    assert not Framer(ALERTS)._flat and not Framer(ISSUES)._flat


@pytest.mark.parametrize("resource", [SNAPSHOTS, ALERTS])
def test_items_that_are_not_json_are_a_frame_error(resource: Resource) -> None:
    """Whatever the decoder meets first (an unknown field, or the break itself)."""
    with pytest.raises(FrameError) as info:
        Framer(resource).batch([b'{"alert": '])
    assert str(info.value) == "the items are not JSON: JSON is malformed: invalid character (byte 11)"


@pytest.mark.parametrize(
    ("resource", "item", "path"),
    [
        (SNAPSHOTS, {"id": "s", "requestedBy": "\ud800"}, "requestedBy"),
        (ALERTS, {"alert": {"key": "\ud800"}}, "alert.key"),
    ],
)
def test_text_json_cannot_carry_is_named(resource: Resource, item: dict[str, Any], path: str) -> None:
    """A lone surrogate (Python text no JSON encoder writes) in items given as Python values."""
    with pytest.raises(FrameError) as info:
        to_frame([item], resource)
    assert str(info.value) == (
        f"{path} is not a valid string: 'utf-8' codec can't encode character '\\ud800' in position 0: "
        "surrogates not allowed"
    )
