"""From API items to typed DataFrames: one dtype table per resource, one UTC rule.

Like pandas-gbq, the mapping from API type to pandas dtype lives in one place: counts are
nullable ``Int64``, timestamps ``datetime64[ns, UTC]``, enumerations categorical, text
``string``. Frames are built column by column, never row objects, and an empty result has
every column with its dtype. Fields the table does not know are kept, snake_cased.
"""

from __future__ import annotations

import io
import json
import operator
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from socketlab._params import SNAPSHOT_STATUSES

__all__ = [
    "ALERT_SCHEMA",
    "ALERT_SEVERITY_DTYPE",
    "COORDINATE_SCHEMA",
    "ISSUE_SCHEMA",
    "ORGANIZATION_SCHEMA",
    "PROBLEM_SCHEMA",
    "PROJECT_SCHEMA",
    "RESOURCE_SCHEMA",
    "SEVERITY_DTYPE",
    "SNAPSHOT_SCHEMA",
    "Column",
    "RawItems",
    "concat_frames",
    "explode_coordinates",
    "explode_problems",
    "json_text_columns",
    "resources_frame",
    "snake_case",
    "to_frame",
    "trend_frame",
    "utc_timestamp",
]

UTC_TIMESTAMP = "datetime64[ns, UTC]"


class RawItems(list):  # type: ignore[type-arg]
    """A page's items still as raw JSON, one ``msgspec.Raw`` each: framed straight into Arrow."""

    def item(self, index: int) -> Any:
        """One item decoded (for the rare look at a single item)."""
        return orjson.loads(bytes(self[index]))


@dataclass(frozen=True)
class Column:
    """One API field: its dotted path in an item, its column name, and its pandas dtype."""

    field: str  # "numLowAlerts", or a path into nested objects: "attributes.resolution.resolved_at"
    name: str
    dtype: str | pd.CategoricalDtype

    def get(self, item: Mapping[str, Any]) -> Any:
        value: Any = item
        for key in self.field.split("."):
            if not isinstance(value, Mapping):
                return None
            value = value.get(key)
        return value

    def values(self, items: Sequence[Mapping[str, Any]]) -> list[Any]:
        """This field of every item (None where absent): the hot loop of framing, kept flat."""
        if "." not in self.field:
            try:  # every item has the field (the usual case): itemgetter runs at C speed
                return list(map(operator.itemgetter(self.field), items))
            except (KeyError, TypeError):
                field = self.field
                return [item.get(field) for item in items]
        return [self.get(item) for item in items]


def snake_case(name: str) -> str:
    """``numIgnoredLowAlerts`` -> ``num_ignored_low_alerts``; ``filters.status`` -> ``filters_status``."""
    name = re.sub(r"[^0-9A-Za-z]+", "_", name)
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return name.strip("_").lower()


def _columns(dtypes: Mapping[str, str | pd.CategoricalDtype]) -> tuple[Column, ...]:
    return tuple(Column(field, snake_case(field), dtype) for field, dtype in dtypes.items())


# spec historicalSnapshotsList, 200 items (every field, in the spec's order)
SNAPSHOT_SCHEMA: tuple[Column, ...] = _columns(
    {
        "id": "string",
        "requestId": "string",
        "requestedBy": "string",
        "requestedAt": UTC_TIMESTAMP,
        "startedAt": UTC_TIMESTAMP,
        "finishedAt": UTC_TIMESTAMP,  # nullable: null while the job runs
        "durationMs": "Int64",
        "status": pd.CategoricalDtype(list(SNAPSHOT_STATUSES)),
        "numReposScanned": "Int64",
        "numSbomsScanned": "Int64",
        "numLowAlerts": "Int64",
        "numHighAlerts": "Int64",
        "numMediumAlerts": "Int64",
        "numCriticalAlerts": "Int64",
        "numIgnoredLowAlerts": "Int64",
        "numIgnoredHighAlerts": "Int64",
        "numIgnoredMediumAlerts": "Int64",
        "numIgnoredCriticalAlerts": "Int64",
    }
)


def utc_timestamp(value: object) -> pd.Timestamp:
    """One UTC rule: aware values are converted to UTC, naive ones are taken as UTC."""
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    return stamp.tz_convert("UTC") if stamp.tzinfo is not None else stamp.tz_localize("UTC")


def _typed(values: list[Any], dtype: str | pd.CategoricalDtype) -> pd.Series:
    """One column, typed. The usual shapes take fast paths through NumPy and Arrow; anything
    else takes pandas' general (slower, stricter) path, which names what it cannot read."""
    if isinstance(dtype, pd.CategoricalDtype):
        # A value the API adds later must not turn into NaN: extend the categories instead.
        known = list(dtype.categories)
        extra = sorted({v for v in set(values) if v is not None and v not in known})
        return pd.Series(pd.Categorical(values, categories=known + extra, ordered=dtype.ordered))
    if dtype == "object":
        return pd.Series(values, dtype=object)
    try:
        fast = _fast(values, dtype)
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        fast = None
    if fast is not None:
        return fast
    if dtype == UTC_TIMESTAMP:
        if not set(map(type, values)) <= {str, type(None)}:
            raise ValueError("not an ISO 8601 string")
        return pd.Series(pd.to_datetime(values, utc=True, format="ISO8601"), dtype=UTC_TIMESTAMP)
    return pd.Series(values, dtype=dtype)


def _fast(values: list[Any], dtype: str) -> pd.Series | None:
    if dtype == "string":  # Arrow is pandas' string storage: build it there directly
        return pd.Series(pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string())))
    if dtype == UTC_TIMESTAMP:  # Arrow parses ISO 8601 (Z or offsets) and converts to UTC
        parsed = pc.cast(pa.array(values, type=pa.string()), pa.timestamp("ns", tz="UTC"))
        return pd.Series(parsed.to_pandas(), dtype=UTC_TIMESTAMP)
    if dtype == "Int64":
        array = np.array(values)
        if array.dtype == np.int64:  # only whole numbers, none missing
            return pd.Series(array, dtype="Int64")
    return None


_ARROW_TYPES = {"string": pa.string(), UTC_TIMESTAMP: pa.string(), "Int64": pa.int64(), "boolean": pa.bool_()}


def _from_raw(items: RawItems, schema: Sequence[Column]) -> pd.DataFrame | None:
    """Raw JSON items straight into Arrow (no Python dict per item), then typed columns.

    Flat schemas only; None when the items do not fit the schema's types, so the general path
    (which names the field it cannot read) takes over.
    """
    if not items or any("." in c.field for c in schema):
        return None
    fields = [(c.field, _ARROW_TYPES.get(c.dtype if isinstance(c.dtype, str) else "string")) for c in schema]
    if any(t is None for _, t in fields):
        return None
    options = pajson.ParseOptions(explicit_schema=pa.schema(fields), unexpected_field_behavior="infer")
    try:
        table = pajson.read_json(io.BytesIO(b"\n".join(items)), parse_options=options)
        data: dict[str, pd.Series] = {}
        for column in schema:
            arrow = table.column(column.field)
            if isinstance(column.dtype, pd.CategoricalDtype):
                data[column.name] = _typed(arrow.to_pylist(), column.dtype)
            elif column.dtype == "string":
                data[column.name] = pd.Series(
                    pd.arrays.ArrowStringArray(arrow.cast(pa.large_string()).combine_chunks())
                )
            elif column.dtype == UTC_TIMESTAMP:
                parsed = pc.cast(arrow, pa.timestamp("ns", tz="UTC"))
                data[column.name] = pd.Series(parsed.to_pandas(), dtype=UTC_TIMESTAMP)
            else:
                data[column.name] = arrow.to_pandas(
                    types_mapper={pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}.get
                )
    except (pa.ArrowException, ValueError, TypeError):
        return None
    known = {c.field for c in schema}
    for field in table.column_names:
        if field not in known:  # fields the API added later: kept, with plain Python values
            name = snake_case(field) if snake_case(field) not in data else field
            data[name] = pd.Series(table.column(field).to_pylist(), dtype=object)
    return pd.DataFrame(data, index=pd.RangeIndex(len(items)))


def to_frame(
    items: Sequence[Mapping[str, Any]], schema: Sequence[Column], *, extra_in: str | None = None
) -> pd.DataFrame:
    """A DataFrame with one row per item: the schema's columns first, then unknown fields.

    Unknown fields are looked for at the top of each item, or inside ``extra_in`` (JSON:API
    resources keep theirs in ``attributes``), and kept as snake_case object columns. Items
    still raw (RawItems, from a list page) take the Arrow path when the schema is flat.
    """
    if isinstance(items, RawItems):
        fast = _from_raw(items, schema)
        if fast is not None:
            return fast
        items = [orjson.loads(bytes(raw)) for raw in items]
    prefix = f"{extra_in}." if extra_in else ""
    known = {column.field for column in schema}
    covered = {column.field.split(".")[1 if extra_in else 0] for column in schema if column.field.startswith(prefix)}
    sources = [s for s in (item.get(extra_in) for item in items) if isinstance(s, Mapping)] if extra_in else items
    fields: set[str] = set().union(*sources)  # at C speed
    unknown = {f for f in fields if f not in covered and prefix + f not in known}
    first_seen = [f for source in sources for f in source if f in unknown] if unknown else []
    extra = dict.fromkeys(first_seen)
    data: dict[str, pd.Series] = {}
    for column in schema:
        values = column.values(items)
        try:
            data[column.name] = _typed(values, column.dtype)
        except (ValueError, TypeError) as exc:  # the API broke its contract: say where, never guess
            example = next((v for v in values if v is not None), None)
            raise ValueError(f"cannot read {column.field} as {column.dtype} (e.g. {example!r}): {exc}") from None
    for field in extra:
        name = snake_case(field)
        if name in data:  # a new field that snake_cases onto a known column keeps its own name
            name = field
        data[name] = pd.Series(Column(prefix + field, name, "object").values(items), dtype=object)
    return pd.DataFrame(data, index=pd.RangeIndex(len(items)))


def concat_frames(frames: Sequence[pd.DataFrame], schema: Sequence[Column]) -> pd.DataFrame:
    """Page frames into one, keeping every dtype (categories that differ by page are merged)."""
    if not frames:
        return to_frame([], schema)
    if len(frames) == 1:
        return frames[0]
    out = pd.concat(frames, ignore_index=True)
    for column in schema:
        if isinstance(column.dtype, pd.CategoricalDtype) and not isinstance(
            out[column.name].dtype, pd.CategoricalDtype
        ):
            out[column.name] = _typed(out[column.name].astype(object).where(out[column.name].notna(), None).tolist(),
                                      column.dtype)  # fmt: skip
    return out


# -- Snyk (JSON:API resources) ----------------------------------------------------------------

SEVERITY_DTYPE = pd.CategoricalDtype(["info", "low", "medium", "high", "critical"], ordered=True)


def json_text_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose lists and objects are JSON text: one plain value a cell, for files that
    want one (CSV, JSON lines) or one schema for every part (a Parquet dataset)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object and out[column].map(lambda v: isinstance(v, (list, dict))).any():
            out[column] = out[column].map(lambda v: json.dumps(v) if isinstance(v, (list, dict)) else v)
    return out


def _resource(attributes: Mapping[str, str | pd.CategoricalDtype], *, renames: Mapping[str, str] = {}) -> list[Column]:
    columns = [Column("id", "id", "string"), Column("type", "type", "string")]
    for path, dtype in attributes.items():
        name = renames.get(path, snake_case(path.replace(".", "_")))
        columns.append(Column(f"attributes.{path}", name, dtype))
    return columns


def _relationships(*names: str, many: Sequence[str] = ()) -> list[Column]:
    columns = [Column(f"relationships.{n}.data.id", f"{n}_id", "string") for n in names]
    columns += [Column(f"relationships.{n}.data", f"{n}_ids", "object") for n in many]
    return columns


# spec listOrgIssues / listGroupIssues, 200 data[]: every attribute; nested objects one level
# deep, lists of objects (coordinates, problems, classes, severities) kept as objects.
ISSUE_SCHEMA: tuple[Column, ...] = (
    *_resource(
        {
            "key": "string",
            "title": "string",
            "type": pd.CategoricalDtype(["package_vulnerability", "license", "cloud", "code", "custom", "config"]),
            "status": pd.CategoricalDtype(["open", "resolved"]),
            "effective_severity_level": SEVERITY_DTYPE,
            "ignored": "boolean",
            "created_at": UTC_TIMESTAMP,
            "updated_at": UTC_TIMESTAMP,
            "description": "string",
            "tool": "string",
            "key_asset": "string",
            "resolution.type": "string",
            "resolution.resolved_at": UTC_TIMESTAMP,
            "resolution.details": "string",
            "exploit_details.sources": "object",
            "exploit_details.maturity_levels": "object",
            "risk.factors": "object",
            "risk.score": "object",
            "coordinates": "object",
            "problems": "object",
            "classes": "object",
            "severities": "object",
        },
        renames={"type": "issue_type"},  # the resource's own "type" is "issue"
    ),
    *_relationships("organization", "scan_item", "ignore", many=("test_executions",)),
    Column("relationships.scan_item.data.type", "scan_item_type", "string"),
)

# spec listOrgProjects, 200 data[]: attributes, meta and relationship ids.
PROJECT_SCHEMA: tuple[Column, ...] = (
    *_resource(
        {
            "name": "string",
            "type": "string",
            "target_file": "string",
            "target_reference": "string",
            "target_runtime": "string",
            "origin": "string",
            "created": UTC_TIMESTAMP,
            "status": pd.CategoricalDtype(["active", "inactive"]),
            "read_only": "boolean",
            "business_criticality": "object",
            "environment": "object",
            "lifecycle": "object",
            "tags": "object",
            "settings": "object",
            "build_args": "object",
        },
        renames={"type": "project_type"},
    ),
    Column("meta.cli_monitored_at", "cli_monitored_at", UTC_TIMESTAMP),
    Column("meta.latest_issue_counts.critical", "latest_issue_counts_critical", "Int64"),
    Column("meta.latest_issue_counts.high", "latest_issue_counts_high", "Int64"),
    Column("meta.latest_issue_counts.medium", "latest_issue_counts_medium", "Int64"),
    Column("meta.latest_issue_counts.low", "latest_issue_counts_low", "Int64"),
    Column("meta.latest_issue_counts.updated_at", "latest_issue_counts_updated_at", UTC_TIMESTAMP),
    Column("meta.latest_dependency_total.total", "latest_dependency_total", "Int64"),
    Column("meta.latest_dependency_total.updated_at", "latest_dependency_total_updated_at", UTC_TIMESTAMP),
    *_relationships("organization", "target", "importer", "owner"),
)

# Any JSON:API resource, when no schema is known: id and type; attributes are inferred.
RESOURCE_SCHEMA: tuple[Column, ...] = (Column("id", "id", "string"), Column("type", "type", "string"))


def resources_frame(resources: Sequence[Mapping[str, Any]], schema: Sequence[Column]) -> pd.DataFrame:
    """JSON:API resources as a frame; attributes the schema lacks are kept (snake_case)."""
    frame = to_frame(resources, schema, extra_in="attributes")
    if schema is RESOURCE_SCHEMA:  # a generic collection: relationship ids too
        names = sorted({n for r in resources for n in (r.get("relationships") or {})})
        for name in names:
            frame[f"{snake_case(name)}_id"] = pd.Series([_relationship_ids(r, name) for r in resources], dtype=object)
    return frame


def _relationship_ids(resource: Mapping[str, Any], name: str) -> Any:
    data = ((resource.get("relationships") or {}).get(name) or {}).get("data")
    if isinstance(data, list):
        return [d.get("id") for d in data if isinstance(d, Mapping)]
    return data.get("id") if isinstance(data, Mapping) else None


def explode_problems(issues: pd.DataFrame) -> pd.DataFrame:
    """One row per (issue, problem): the CVE, CWE, Snyk vulnerability or rule ids behind issues."""
    rows = [
        {"issue_id": issue_id, **problem}
        for issue_id, problems in zip(issues["id"], issues["problems"], strict=True)
        for problem in (problems if isinstance(problems, list) else [])
    ]
    return to_frame(rows, PROBLEM_SCHEMA)


def explode_coordinates(issues: pd.DataFrame) -> pd.DataFrame:
    """One row per (issue, coordinate): fixability, reachability, state and the package."""
    rows: list[dict[str, Any]] = []
    for issue_id, coordinates in zip(issues["id"], issues["coordinates"], strict=True):
        for index, coordinate in enumerate(coordinates if isinstance(coordinates, list) else []):
            package: dict[str, Any] = {}
            for representation in coordinate.get("representations") or []:
                if isinstance(representation, Mapping) and isinstance(representation.get("dependency"), Mapping):
                    package = dict(representation["dependency"])
                    break
            rows.append({"issue_id": issue_id, "coordinate": index, **coordinate, **package})
    return to_frame(rows, COORDINATE_SCHEMA)


PROBLEM_SCHEMA: tuple[Column, ...] = _columns(
    {
        "issue_id": "string",
        "id": "string",
        "type": "string",
        "source": "string",
        "url": "string",
        "disclosed_at": UTC_TIMESTAMP,
        "discovered_at": UTC_TIMESTAMP,
        "updated_at": UTC_TIMESTAMP,
    }
)
COORDINATE_SCHEMA: tuple[Column, ...] = _columns(
    {
        "issue_id": "string",
        "coordinate": "Int64",
        "state": pd.CategoricalDtype(["open", "resolved"]),
        "reachability": pd.CategoricalDtype(["function", "package", "no-info", "not-applicable"]),
        "package_name": "string",
        "package_version": "string",
        "is_fixable_manually": "boolean",
        "is_fixable_snyk": "boolean",
        "is_fixable_upstream": "boolean",
        "is_patchable": "boolean",
        "is_pinnable": "boolean",
        "is_upgradeable": "boolean",
        "created_at": UTC_TIMESTAMP,
        "updated_at": UTC_TIMESTAMP,
        "last_introduced_at": UTC_TIMESTAMP,
        "last_resolved_at": UTC_TIMESTAMP,
        "last_resolved_details": "string",
        "remedies": "object",
        "representations": "object",
    }
)


# -- Socket historical alerts, trends and organizations ------------------------------------------

ALERT_SEVERITY_DTYPE = pd.CategoricalDtype(["low", "medium", "high", "critical"], ordered=True)

# spec historicalAlertsList, 200 items: artifact, alert and dependency flattened one level
ALERT_SCHEMA: tuple[Column, ...] = tuple(
    Column(path, name, dtype)
    for path, name, dtype in (
        ("scannedAt", "scanned_at", UTC_TIMESTAMP),
        ("repoSlug", "repo_slug", "string"),
        ("repoFullName", "repo_full_name", "string"),
        ("repoId", "repo_id", "string"),
        ("repoLabels", "repo_labels", "object"),
        ("repoLabelIds", "repo_label_ids", "object"),
        ("branch", "branch", "string"),
        ("defaultBranch", "default_branch", "boolean"),
        ("fullScanId", "full_scan_id", "string"),
        ("alert.key", "alert_key", "string"),
        ("alert.type", "alert_type", "string"),
        ("alert.severityName", "alert_severity", ALERT_SEVERITY_DTYPE),
        ("alert.severity", "alert_severity_level", "Int64"),
        ("alert.action", "alert_action", pd.CategoricalDtype(["error", "warn", "monitor", "ignore"])),
        ("alert.category", "alert_category", pd.CategoricalDtype(
            ["supplyChainRisk", "maintenance", "quality", "license", "vulnerability"])),
        ("alert.file", "alert_file", "string"),
        ("alert.start", "alert_start", "Int64"),
        ("alert.end", "alert_end", "Int64"),
        ("alert.props", "alert_props", "object"),
        ("alert.fix.type", "alert_fix_type", "string"),
        ("alert.fix.description", "alert_fix_description", "string"),
        ("artifact.id", "artifact_id", "string"),
        ("artifact.type", "artifact_type", "string"),
        ("artifact.namespace", "artifact_namespace", "string"),
        ("artifact.name", "artifact_name", "string"),
        ("artifact.version", "artifact_version", "string"),
        ("artifact.license", "artifact_license", "string"),
        ("artifact.author", "artifact_author", "string"),
        ("artifact.size", "artifact_size", "Int64"),
        ("artifact.subpath", "artifact_subpath", "string"),
        ("artifact.qualifiers", "artifact_qualifiers", "object"),
        ("artifact.scores", "artifact_scores", "object"),
        ("artifact.capabilities", "artifact_capabilities", "object"),
        ("dependency.direct", "dependency_direct", "boolean"),
        ("dependency.dev", "dependency_dev", "boolean"),
        ("dependency.dead", "dependency_dead", "boolean"),
        ("dependency.manifestFiles", "dependency_manifest_files", "object"),
        ("dependency.topLevelAncestors", "dependency_top_level_ancestors", "object"),
        ("dependency.dependencies", "dependency_dependencies", "object"),
    )
)  # fmt: skip

# spec getOrganizations: the organizations object, one row per id
ORGANIZATION_SCHEMA: tuple[Column, ...] = _columns(
    {"id": "string", "slug": "string", "name": "string", "plan": "string", "image": "string"}
)

_TREND_COUNTS = ("count", "countDirect", "countIndirect")


def trend_frame(items: Sequence[Mapping[str, Any]], meta: Mapping[str, Any]) -> pd.DataFrame:
    """A trend answer (alerts or dependencies) as a long frame: one row per day and group.

    Columns: date (UTC midnight), one snake_case column per aggregation field, the counts and
    their deltas (``count``, ``count_delta``, and for dependencies the direct/indirect and
    per-severity counts). A day without data has no row.
    """
    fields = list((meta.get("aggregation") or {}).get("fields") or [])
    columns: dict[str, list[Any]] = {"date": []}
    columns.update({snake_case(f): [] for f in fields})
    rows: list[dict[str, Any]] = []
    for item in items:
        for point in item.get("dataPoints") or []:
            row: dict[str, Any] = {"date": item["date"]}
            row.update(zip((snake_case(f) for f in fields), point.get("aggregationGroup") or [], strict=False))
            for name, value in point.items():
                if name in ("aggregationGroup", "countsBySeverity"):
                    continue
                row[snake_case(name)] = value
            for severity, counts in (point.get("countsBySeverity") or {}).items():
                for name, value in counts.items():
                    row[f"{severity}_{snake_case(name)}"] = value
            rows.append(row)
    names = list(columns) + [n for r in rows for n in r if n not in columns]
    names = list(dict.fromkeys(names)) or ["date", "count", "count_delta"]
    if "count" not in names:
        names += ["count", "count_delta"]
    data: dict[str, pd.Series] = {}
    for name in names:
        values = [r.get(name) for r in rows]
        if name == "date":
            data[name] = pd.Series(pd.to_datetime([str(v) for v in values], utc=True), dtype=UTC_TIMESTAMP)
        elif name.startswith(("count", "low_", "medium_", "high_", "critical_")) and name not in columns:
            data[name] = pd.Series(values, dtype="Int64")
        else:
            data[name] = pd.Series(values, dtype=object)
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(rows)))
    frame.attrs.update(meta=dict(meta))
    return frame
