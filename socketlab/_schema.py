"""The one schema: every enumeration of both APIs, and each resource's table of fields and dtypes.

Like pandas-gbq's single type table, everything that knows an API value or a column's type
reads it here: argument checks (``_params``), framing (``_frames``), the analysis, the charts
and the sandbox. So there is one severity order, ``info < low < medium < high < critical``
(Socket's alerts have no ``info``; one dtype fits both APIs), and ``df.alert_severity >= "high"``
means the same thing in every frame socketlab makes.

A value an enumeration does not know is kept, never guessed: it sorts *below* every known level
of an ordered enumeration (so ``>= "high"`` never selects it and ``.max()`` never returns it),
and framing reports it once per field and value with a DataWarning.

Pandas dtypes, from the kind of each field:

    string     -> "string"                (Arrow-backed text)
    timestamp  -> "datetime64[ns, UTC]"    (ISO 8601 in the API; aware values converted, naive taken as UTC)
    int        -> "Int64"                  (nullable)
    float      -> "Float64"                (nullable)
    bool       -> "boolean"                (nullable)
    object     -> object                   (lists and objects, as Python values)
    an Enum    -> its CategoricalDtype     (ordered for severities)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import pandas as pd

__all__ = [
    "ALERTS",
    "ALERT_ACTION",
    "ALERT_ACTION_SOURCE_TYPE",
    "ALERT_CATEGORY",
    "ALERT_FIX_TYPE",
    "BUSINESS_CRITICALITY",
    "COORDINATES",
    "COORDINATE_REACHABILITY",
    "COORDINATE_STATE",
    "CVE_PATCH_STATUS",
    "ENUMS",
    "ENVIRONMENT",
    "EXPORT_COLUMNS",
    "EXPORT_ISSUES",
    "EXPORT_ISSUE_STATUS",
    "EXPORT_JOB_STATUS",
    "ISSUES",
    "ISSUE_STATUS",
    "ISSUE_TYPE",
    "LIFECYCLE",
    "ORGANIZATIONS",
    "PROBLEMS",
    "PROJECTS",
    "PROJECT_STATUS",
    "REACHABILITY_ANALYSIS_TYPE",
    "REACHABILITY_TYPE",
    "RESOLUTIONS",
    "RESOLUTION_REASON",
    "RESOURCES",
    "SCAN_ITEM_TYPE",
    "SEVERITY",
    "SNAPSHOTS",
    "SNAPSHOT_STATUS",
    "SOCKET_SEVERITY",
    "TERMINAL_STATUSES",
    "UTC_TIMESTAMP",
    "Enum",
    "Field",
    "Kind",
    "Resource",
    "dtype_of",
    "enum_for",
    "snake_case",
]

UTC_TIMESTAMP = "datetime64[ns, UTC]"
Kind = Literal["string", "timestamp", "int", "float", "bool", "object"]


@dataclass(frozen=True)
class Enum:
    """An enumeration of an API: its values, lowest first when ``ordered``."""

    name: str
    values: tuple[str, ...]
    ordered: bool = False

    def __contains__(self, value: object) -> bool:
        return value in self.values

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def dtype(self, unknown: Iterable[str] = ()) -> pd.CategoricalDtype:
        """The column dtype; values it does not know come first, below every known level."""
        extra = sorted({v for v in unknown if v not in self.values})
        return pd.CategoricalDtype([*extra, *self.values], ordered=self.ordered)


# -- enumerations ---------------------------------------------------------------------------------

# Snyk's effective_severity_level (spec: info, low, medium, high, critical); Socket's severityName
# (low to critical). One ordered scale for both.
SEVERITY = Enum("severity", ("info", "low", "medium", "high", "critical"), ordered=True)
# the values Socket's alert filters accept for severity-like fields (spec: alertSeverity, alertEPSS, ...)
SOCKET_SEVERITY = Enum("socket severity", ("low", "medium", "high", "critical"), ordered=True)
# spec historicalSnapshotsList, filters.status
SNAPSHOT_STATUS = Enum("snapshot status", ("in-progress", "success", "failure", "timeout", "skipped"))
TERMINAL_STATUSES: frozenset[str] = frozenset({"success", "failure", "timeout", "skipped"})
# spec historicalAlertsList: the filters' enumerations
ALERT_ACTION = Enum("alert action", ("error", "warn", "monitor", "ignore"))
ALERT_ACTION_SOURCE_TYPE = Enum(
    "alert action source type",
    ("resolution", "alert-policy", "fallback", "injected-alert", "org-policy", "reachability", "repo-label-policy",
     "socket-yml", "triage"),
)  # fmt: skip
ALERT_CATEGORY = Enum("alert category", ("supplyChainRisk", "maintenance", "quality", "license", "vulnerability"))
ALERT_FIX_TYPE = Enum("alert fix type", ("upgrade", "cve", "remove"))
REACHABILITY_TYPE = Enum(
    "reachability type",
    ("direct_dependency", "error", "maybe_reachable", "missing_support", "pending", "reachable",
     "undeterminable_reachability", "unknown", "unreachable"),
)  # fmt: skip
REACHABILITY_ANALYSIS_TYPE = Enum("reachability analysis type", ("full-scan", "precomputed"))
CVE_PATCH_STATUS = Enum("cve patch status", ("patch_unavailable", "patch_available", "patch_applied"))
# Snyk REST: listOrgIssues / listGroupIssues and listOrgProjects
ISSUE_TYPE = Enum("issue type", ("package_vulnerability", "license", "cloud", "code", "custom", "config"))
ISSUE_STATUS = Enum("issue status", ("open", "resolved"))
SCAN_ITEM_TYPE = Enum("scan item type", ("project", "environment"))
PROJECT_STATUS = Enum("project status", ("active", "inactive"))
COORDINATE_STATE = Enum("coordinate state", ("open", "resolved"))
COORDINATE_REACHABILITY = Enum("coordinate reachability", ("function", "package", "no-info", "not-applicable"))
BUSINESS_CRITICALITY = Enum("business criticality", ("critical", "high", "medium", "low"))
ENVIRONMENT = Enum(
    "environment",
    ("frontend", "backend", "internal", "external", "mobile", "saas", "onprem", "hosted", "distributed"),
)
LIFECYCLE = Enum("lifecycle", ("production", "development", "sandbox"))
# spec getOrgAlertResolutions, items[].reason: "One of: false_positive, remediated, tolerable_risk, other"
RESOLUTION_REASON = Enum("resolution reason", ("false_positive", "remediated", "tolerable_risk", "other"))
# Snyk's Export API: getExportJobStatus says PENDING, STARTED, FINISHED, ERRORED; Snyk's Export API page
# says ERROR for a failed export (both are failures to socketlab)
EXPORT_JOB_STATUS = Enum("export job status", ("PENDING", "STARTED", "FINISHED", "ERRORED", "ERROR"))
# the issues dataset's issue_status column: "whether the issue is open, resolved, or ignored"
EXPORT_ISSUE_STATUS = Enum("export issue status", ("open", "resolved", "ignored"))

ENUMS: tuple[Enum, ...] = (
    SEVERITY, SNAPSHOT_STATUS, ALERT_ACTION, ALERT_ACTION_SOURCE_TYPE, ALERT_CATEGORY, ALERT_FIX_TYPE,
    REACHABILITY_TYPE, REACHABILITY_ANALYSIS_TYPE, CVE_PATCH_STATUS, ISSUE_TYPE, ISSUE_STATUS, SCAN_ITEM_TYPE,
    PROJECT_STATUS, COORDINATE_STATE, COORDINATE_REACHABILITY, RESOLUTION_REASON, EXPORT_ISSUE_STATUS,
)  # fmt: skip


def enum_for(categories: Iterable[object]) -> Enum | None:
    """The enumeration a categorical column belongs to: the one whose values its categories hold
    (most of them), or None. Lets a merge rebuild the known order whatever unknowns it met."""
    present = set(categories)
    best: Enum | None = None
    for enum in ENUMS:
        if set(enum.values) <= present and (best is None or len(enum.values) > len(best.values)):
            best = enum
    return best


# -- resources --------------------------------------------------------------------------------------


def snake_case(name: str) -> str:
    """``numIgnoredLowAlerts`` -> ``num_ignored_low_alerts``; ``alert.severityName`` -> ``alert_severity_name``."""
    name = re.sub(r"[^0-9A-Za-z]+", "_", name)
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return name.strip("_").lower()


@dataclass(frozen=True)
class Field:
    """One API field: its dotted path in an item, its column name, and its kind (or enumeration)."""

    path: str  # "numLowAlerts", or a path into nested objects: "attributes.resolution.resolved_at"
    name: str
    kind: Kind | Enum

    @property
    def dtype(self) -> str | pd.CategoricalDtype:
        return dtype_of(self.kind)


def dtype_of(kind: Kind | Enum) -> str | pd.CategoricalDtype:
    """The pandas dtype of a field kind (see the module's table)."""
    if isinstance(kind, Enum):
        return kind.dtype()
    return {"string": "string", "timestamp": UTC_TIMESTAMP, "int": "Int64", "float": "Float64", "bool": "boolean",
            "object": "object"}[kind]  # fmt: skip


@dataclass(frozen=True)
class Resource:
    """A resource's fields in column order; where the API puts fields this table does not know.

    ``extra_in``: unknown fields are looked for at the top of each item (None) or inside that
    object (JSON:API resources keep theirs in ``attributes``); ``infer_attributes``: a resource
    known only by its id and type, whose attributes are all taken as they come.
    """

    name: str
    fields: tuple[Field, ...]
    extra_in: str | None = None
    infer_attributes: bool = False
    day: str | None = None  # the column whose UTC day a row belongs to (backfills, datasets)
    identity: tuple[str, ...] = ()  # the columns that tell rows apart
    # columns socketlab computes from a field the API sends (``path``: that field's column), after
    # the API's own columns; their names are reserved like the fields' (no unknown field takes them)
    derived: tuple[Field, ...] = ()
    columns: tuple[str, ...] = field(init=False)

    # pragma: no mutate start (runs only at import, before any test: tests/test_schema.py pins the tables)
    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(f.name for f in self.fields))

    # pragma: no mutate end

    def __iter__(self) -> Iterator[Field]:
        return iter(self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def dtypes(self) -> dict[str, str | pd.CategoricalDtype]:
        return {f.name: f.dtype for f in (*self.fields, *self.derived)}


# pragma: no mutate start (runs only at import, before any test: tests/test_schema.py pins the tables)
def _fields(kinds: dict[str, Any]) -> tuple[Field, ...]:
    return tuple(Field(path, snake_case(path), kind) for path, kind in kinds.items())


# pragma: no mutate end


# spec historicalSnapshotsList, 200 items (every field, in the spec's order)
SNAPSHOTS = Resource(
    "snapshots",
    _fields({
        "id": "string", "requestId": "string", "requestedBy": "string", "requestedAt": "timestamp",
        "startedAt": "timestamp", "finishedAt": "timestamp",  # null while the job runs
        "durationMs": "int", "status": SNAPSHOT_STATUS, "numReposScanned": "int", "numSbomsScanned": "int",
        "numLowAlerts": "int", "numHighAlerts": "int", "numMediumAlerts": "int", "numCriticalAlerts": "int",
        "numIgnoredLowAlerts": "int", "numIgnoredHighAlerts": "int", "numIgnoredMediumAlerts": "int",
        "numIgnoredCriticalAlerts": "int",
    }),
    day="requested_at",
    identity=("id",),
)  # fmt: skip

# spec historicalAlertsList, 200 items: artifact, alert and dependency flattened one level
ALERTS = Resource(
    "alerts",
    tuple(Field(path, name, cast(Any, kind)) for path, name, kind in (
        ("scannedAt", "scanned_at", "timestamp"), ("repoSlug", "repo_slug", "string"),
        ("repoFullName", "repo_full_name", "string"), ("repoId", "repo_id", "string"),
        ("repoLabels", "repo_labels", "object"), ("repoLabelIds", "repo_label_ids", "object"),
        ("branch", "branch", "string"), ("defaultBranch", "default_branch", "bool"),
        ("fullScanId", "full_scan_id", "string"),
        ("alert.key", "alert_key", "string"), ("alert.type", "alert_type", "string"),
        ("alert.severityName", "alert_severity", SEVERITY), ("alert.severity", "alert_severity_level", "int"),
        ("alert.action", "alert_action", ALERT_ACTION), ("alert.category", "alert_category", ALERT_CATEGORY),
        ("alert.file", "alert_file", "string"), ("alert.start", "alert_start", "int"),
        ("alert.end", "alert_end", "int"), ("alert.props", "alert_props", "object"),
        ("alert.fix.type", "alert_fix_type", "string"), ("alert.fix.description", "alert_fix_description", "string"),
        ("artifact.id", "artifact_id", "string"), ("artifact.type", "artifact_type", "string"),
        ("artifact.namespace", "artifact_namespace", "string"), ("artifact.name", "artifact_name", "string"),
        ("artifact.version", "artifact_version", "string"), ("artifact.license", "artifact_license", "string"),
        ("artifact.author", "artifact_author", "string"), ("artifact.size", "artifact_size", "int"),
        ("artifact.subpath", "artifact_subpath", "string"), ("artifact.qualifiers", "artifact_qualifiers", "object"),
        ("artifact.scores", "artifact_scores", "object"), ("artifact.capabilities", "artifact_capabilities", "object"),
        ("dependency.direct", "dependency_direct", "bool"), ("dependency.dev", "dependency_dev", "bool"),
        ("dependency.dead", "dependency_dead", "bool"),
        ("dependency.manifestFiles", "dependency_manifest_files", "object"),
        ("dependency.topLevelAncestors", "dependency_top_level_ancestors", "object"),
        ("dependency.dependencies", "dependency_dependencies", "object"),
    )),
    day="scanned_at",
    identity=("scanned_at", "repo_slug", "alert_key"),
    # exploitability of CVE alerts, read from alert.props as the spec's CVE alert types carry it
    # (SocketIssue criticalCVE/cve/mediumCVE/mildCVE props: epss {score, percentile} or null; kevs,
    # the CISA KEV catalog entries, or null): NA on alerts whose props have no such field
    derived=(
        Field("alert_props", "alert_epss_score", "float"),
        Field("alert_props", "alert_epss_percentile", "float"),
        Field("alert_props", "alert_kev", "bool"),
    ),
)  # fmt: skip

# spec getOrganizations: the organizations object, one row per id
ORGANIZATIONS = Resource(
    "organizations", _fields({"id": "string", "slug": "string", "name": "string", "plan": "string", "image": "string"})
)


# pragma: no mutate start (runs only at import, before any test: tests/test_schema.py pins the tables)
def _resource(attributes: dict[str, Kind | Enum], renames: dict[str, str] | None = None) -> list[Field]:
    fields = [Field("id", "id", "string"), Field("type", "type", "string")]
    for path, kind in attributes.items():
        name = (renames or {}).get(path, snake_case(path.replace(".", "_")))
        fields.append(Field(f"attributes.{path}", name, kind))
    return fields


def _relationships(*names: str, many: Sequence[str] = ()) -> list[Field]:
    fields = [Field(f"relationships.{n}.data.id", f"{n}_id", "string") for n in names]
    fields += [Field(f"relationships.{n}.data", f"{n}_ids", "object") for n in many]
    return fields


# pragma: no mutate end


# spec listOrgIssues / listGroupIssues, 200 data[]: every attribute; nested objects one level
# deep, lists of objects (coordinates, problems, classes, severities) kept as objects.
ISSUES = Resource(
    "issues",
    (
        *_resource(
            {
                "key": "string", "title": "string", "type": ISSUE_TYPE, "status": ISSUE_STATUS,
                "effective_severity_level": SEVERITY, "ignored": "bool", "created_at": "timestamp",
                "updated_at": "timestamp", "description": "string", "tool": "string", "key_asset": "string",
                "resolution.type": "string", "resolution.resolved_at": "timestamp", "resolution.details": "string",
                "exploit_details.sources": "object", "exploit_details.maturity_levels": "object",
                "risk.factors": "object", "risk.score": "object", "coordinates": "object", "problems": "object",
                "classes": "object", "severities": "object",
            },
            renames={"type": "issue_type"},  # the resource's own "type" is "issue"
        ),
        *_relationships("organization", "scan_item", "ignore", many=("test_executions",)),
        Field("relationships.scan_item.data.type", "scan_item_type", "string"),
    ),
    extra_in="attributes",
    identity=("id",),
    # exploit_details.sources naming CISA: the vulnerability is in CISA's Known Exploited
    # Vulnerabilities catalog (NA when the issue has no exploit details)
    derived=(Field("exploit_details_sources", "exploit_kev", "bool"),),
)  # fmt: skip

# spec listOrgProjects, 200 data[]: attributes, meta and relationship ids.
PROJECTS = Resource(
    "projects",
    (
        *_resource(
            {
                "name": "string", "type": "string", "target_file": "string", "target_reference": "string",
                "target_runtime": "string", "origin": "string", "created": "timestamp", "status": PROJECT_STATUS,
                "read_only": "bool", "business_criticality": "object", "environment": "object",
                "lifecycle": "object", "tags": "object", "settings": "object", "build_args": "object",
            },
            renames={"type": "project_type"},
        ),
        Field("meta.cli_monitored_at", "cli_monitored_at", "timestamp"),
        Field("meta.latest_issue_counts.critical", "latest_issue_counts_critical", "int"),
        Field("meta.latest_issue_counts.high", "latest_issue_counts_high", "int"),
        Field("meta.latest_issue_counts.medium", "latest_issue_counts_medium", "int"),
        Field("meta.latest_issue_counts.low", "latest_issue_counts_low", "int"),
        Field("meta.latest_issue_counts.updated_at", "latest_issue_counts_updated_at", "timestamp"),
        Field("meta.latest_dependency_total.total", "latest_dependency_total", "int"),
        Field("meta.latest_dependency_total.updated_at", "latest_dependency_total_updated_at", "timestamp"),
        *_relationships("organization", "target", "importer", "owner"),
    ),
    extra_in="attributes",
    identity=("id",),
)  # fmt: skip

# Any JSON:API resource, when no schema is known: id and type; attributes are taken as they come.
RESOURCES = Resource(
    "resources",
    (Field("id", "id", "string"), Field("type", "type", "string")),
    extra_in="attributes",
    infer_attributes=True,
    identity=("id",),
)

# explode_problems / explode_coordinates: one row per (issue, problem) and (issue, coordinate)
PROBLEMS = Resource(
    "problems",
    _fields({"issue_id": "string", "id": "string", "type": "string", "source": "string", "url": "string",
             "disclosed_at": "timestamp", "discovered_at": "timestamp", "updated_at": "timestamp"}),
)  # fmt: skip
COORDINATES = Resource(
    "coordinates",
    _fields({
        "issue_id": "string", "coordinate": "int", "state": COORDINATE_STATE, "reachability": COORDINATE_REACHABILITY,
        "package_name": "string", "package_version": "string", "is_fixable_manually": "bool",
        "is_fixable_snyk": "bool", "is_fixable_upstream": "bool", "is_patchable": "bool", "is_pinnable": "bool",
        "is_upgradeable": "bool", "created_at": "timestamp", "updated_at": "timestamp",
        "last_introduced_at": "timestamp", "last_resolved_at": "timestamp", "last_resolved_details": "string",
        "remedies": "object", "representations": "object",
    }),
)  # fmt: skip

# spec getOrgAlertResolutions, 200 items: every field, in the spec's order. Nullable fields stay
# null (a resolution not scoped to one repository has repo null, a system-made one resolved_by null).
RESOLUTIONS = Resource(
    "alert resolutions",
    _fields({
        "uuid": "string", "reason": RESOLUTION_REASON, "reason_text": "string", "comment": "string",
        "alert_type": "string", "repo": "string", "repo_label": "string", "artifact_type": "string",
        "artifact_namespace": "string", "artifact_name": "string", "artifact_version": "string",
        "resolved_by": "string", "created_at": "timestamp", "updated_at": "timestamp",
    }),
    day="created_at",
    identity=("uuid",),
)  # fmt: skip

# Snyk's Export API, the issues dataset: every documented column (the docs' "Available columns",
# the order Snyk lists them), as it names them in a request and in the CSV header. Its kind says
# how a CSV cell is read: timestamps (UTC; a cell without a zone is taken as UTC), numbers,
# true/false, severities and statuses in any case; CVE and CWE hold one id or several.
_EXPORT_KINDS: dict[str, Kind | Enum] = {
    "PROBLEM_ID": "string", "GROUP_PUBLIC_ID": "string", "GROUP_DISPLAY_NAME": "string", "ORG_PUBLIC_ID": "string",
    "ORG_SLUG": "string", "EPSS_SCORE": "float", "EPSS_PERCENTILE": "float", "ISSUE_SEVERITY": SEVERITY,
    "SCORE": "float", "NVD_SCORE": "float", "PROBLEM_TITLE": "string", "CVE": "object", "CWE": "object",
    "VULN_DB_URL": "string", "NVD_SEVERITY": SEVERITY, "PROJECT_NAME": "string", "PROJECT_URL": "string",
    "PROJECT_PUBLIC_ID": "string", "PROJECT_IS_MONITORED": "bool", "PROJECT_OWNER_USERNAME": "string",
    "PROJECT_ORIGIN": "string", "PROJECT_CRITICALITIES": "string", "PROJECT_ENVIRONMENTS": "string",
    "PROJECT_LIFECYCLES": "string", "PROJECT_TAGS": "string", "PROJECT_TARGET_DISPLAY_NAME": "string",
    "PROJECT_TARGET_REF": "string", "PROJECT_COLLECTIONS": "string", "EXPLOIT_MATURITY": "string",
    "COMPUTED_FIXABILITY": "string", "EXISTS_IN_DIRECT_DEPENDENCY": "bool", "FIRST_INTRODUCED": "timestamp",
    "LAST_INTRODUCED": "timestamp", "LAST_IGNORED": "timestamp", "LAST_RESOLVED": "timestamp",
    "PRODUCT_NAME": "string", "ISSUE_URL": "string", "ISSUE_STATUS": EXPORT_ISSUE_STATUS, "ISSUE_TYPE": "string",
    "ISSUE_SUB_TYPE": "string", "FIXED_IN_AVAILABLE": "bool", "FIXED_IN_VERSION": "string",
    "SEMVER_VULNERABLE_RANGE": "string", "INTRODUCTION_CATEGORY": "string",
    "VULNERABILITY_PUBLICATION_DATE": "timestamp", "PACKAGE_NAME_AND_VERSION": "string", "SNYK_CVSS_SCORE": "float",
    "SNYK_CVSS_VECTOR": "string", "REACHABILITY": "string", "GROUP_SLUG": "string", "ORG_DISPLAY_NAME": "string",
    "PROJECT_TYPE": "string", "PROJECT_TYPE_DISPLAY_NAME": "string", "PROJECT_TEST_FREQUENCY": "string",
    "PROJECT_TARGET_RUNTIME": "string", "PROJECT_IS_PRIVATE_TARGET": "bool", "PROJECT_TARGET_SOURCE_TYPE": "string",
    "PROJECT_TARGET_SOURCE_TYPE_DISPLAY_VALUE": "string", "PROJECT_TARGET_UPSTREAM_URL": "string",
    "PROJECT_TARGET_FILE": "string", "PROJECT_OWNER_EMAIL": "string", "ISSUE_DELETED_AT": "timestamp",
    "PROJECT_DELETED_AT": "timestamp", "GROUP_DELETED_AT": "timestamp", "COMMIT_ID": "string", "FILE_PATH": "string",
    "CODE_REGION": "string", "CODE_REGION_DISPLAY_VALUE": "string", "ASSET_FINDING_ID": "string",
    "ASSET_ID": "string", "PARENT_ASSET_ID": "string", "ASSET_NAME": "string", "PARENT_ASSET_NAME": "string",
    "ASSET_CLASS": "string", "ASSET_TYPE": "string", "ASSET_TAGS": "string", "REPOSITORY_FRESHNESS": "string",
    "ASSET_APPLICATION": "string", "ASSET_OWNER": "string", "ASSET_CATEGORY": "string",
    "ASSET_CATALOG_NAME": "string", "ASSET_LIFECYCLE": "string", "JIRA_ISSUES": "string",
    "HAS_JIRA_ISSUE_ASSIGNED": "bool", "LATEST_JIRA_ISSUE": "string", "UPDATED_AT": "timestamp",
    # not in the docs' list, but in the REST spec's own createExport example: a request naming them is valid
    "ISSUE_SEVERITY_RANK": "int", "AUTOFIXABLE": "bool",
}  # fmt: skip
EXPORT_COLUMNS: tuple[str, ...] = tuple(_EXPORT_KINDS)
EXPORT_ISSUES = Resource(
    "export issues",
    tuple(Field(column, column.lower(), kind) for column, kind in _EXPORT_KINDS.items()),
    day="first_introduced",
)
