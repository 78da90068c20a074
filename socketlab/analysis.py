"""Plain functions on socketlab's DataFrames: the numbers behind the charts.

Every function takes a client's frame and returns a tidy, small frame (one row per day and
series), so charts stay far below Altair's 5,000-row limit on years of data and each number can
be checked by hand. Days are UTC days, as Socket buckets its data.

The ignored share is defined once, here: ignored / (ignored + active), per severity and over
all severities; a day with no alerts has no share (NaN), not 0.

Remediation metrics (``alert_episodes``, ``time_to_remediate``, ``sla_status``,
``introduced_vs_fixed``, ``resolutions_by_reason``, ``cross_tool_packages``, ``prioritize``) read
Snyk issues, Snyk exports and Socket alert episodes alike: see socketlab._remediation.

Several orgs: a frame that holds more than one org (the ``org`` column of
``snapshots([...])``/``alerts([...])``, Snyk's ``organization_id``, or a Snyk export's
``org_public_id``, when it has several values) is analysed org by org: every function gives,
for each org, exactly what it gives for that org's rows alone, with the org column first. Orgs
are never pooled or picked silently; to pool them on purpose, drop the column first.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec

import pandas as pd

from socketlab import _remediation
from socketlab._frames import concat_frames, explode_coordinates, utc_timestamp
from socketlab._posture import PostureSummary, posture_summary
from socketlab._remediation import DEFAULT_SLA_DAYS, SLA_STATES, SNYK_ECOSYSTEMS, SlaPolicy
from socketlab._schema import SEVERITY

__all__ = [
    "DEFAULT_SLA_DAYS",
    "ORG_COLUMNS",
    "SEVERITIES",
    "SLA_STATES",
    "SNYK_ECOSYSTEMS",
    "PostureSummary",
    "SlaPolicy",
    "alert_churn",
    "alert_counts",
    "alert_episodes",
    "alert_totals",
    "cross_tool_packages",
    "daily_snapshots",
    "dependency_split",
    "ignored_share",
    "introduced_vs_fixed",
    "job_health",
    "open_backlog",
    "org_column",
    "posture_summary",
    "prioritize",
    "project_risk",
    "resolutions_by_reason",
    "sla_status",
    "snapshot_coverage",
    "snyk_ignored_share",
    "time_to_remediate",
    "top_alert_types",
    "top_packages",
    "week_over_week",
]

# The severities the analysis reports, worst first (display order; Socket has no "info"). Every
# severity column it returns has the schema's one dtype, ordered info < low < ... < critical.
SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low")
SEVERITY_ORDER = SEVERITY.dtype()
# share frames add "all" (every severity together): ranked below every severity, like an unknown
# value, so ``share[share.severity >= "high"]`` never picks it
SHARE_SEVERITY = pd.CategoricalDtype(["all", *SEVERITY.values], ordered=True)
STATE_ORDER = pd.CategoricalDtype(["active", "ignored"], ordered=True)
# the column that says whose each row is: Socket's multi-org frames, then Snyk's relationship id,
# then the org id of a Snyk export (a group's export holds every org of the group)
ORG_COLUMNS: tuple[str, ...] = ("org", "organization_id", "org_public_id")

P = ParamSpec("P")


def org_column(frame: pd.DataFrame) -> str | None:
    """The column telling ``frame``'s orgs apart when it holds more than one org, else None.

    A single org (or an org column with one value, as ``frame[frame.org == "x"]`` leaves) is
    analysed as before: the outputs of single-org frames do not change.
    """
    for column in ORG_COLUMNS:
        if column in frame.columns and frame[column].nunique(dropna=False) > 1:
            return column
    return None


def _per_org(
    func: Callable[Concatenate[pd.DataFrame, P], pd.DataFrame],
) -> Callable[Concatenate[pd.DataFrame, P], pd.DataFrame]:
    """Run ``func`` on each org's rows of a multi-org frame; stack the results, the org column first.

    Splitting first is what makes each org's numbers exactly its single-org numbers: the
    latest snapshot of a day, a week's last count, the top n, the span of days are all per org.
    """

    @functools.wraps(func)
    def per_org(frame: pd.DataFrame, /, *args: P.args, **kwargs: P.kwargs) -> pd.DataFrame:
        column = org_column(frame)
        if column is None:
            return func(frame, *args, **kwargs)
        parts = []
        for org, rows in frame.groupby(column, sort=False, dropna=False, observed=True):
            part = func(rows.drop(columns=column), *args, **kwargs)
            part.insert(0, column, [org] * len(part))
            parts.append(part)
        # an org with no rows in the result adds nothing (and concat warns about empty frames)
        kept = [part for part in parts if len(part)] or parts[:1]
        out = concat_frames(kept)
        out[column] = out[column].astype(frame[column].dtype)
        return out

    return per_org


def _day(values: pd.Series) -> pd.Series:
    """The UTC day (midnight UTC) of each timestamp."""
    day: pd.Series = values.dt.tz_convert("UTC").dt.floor("D")
    return day


@_per_org
def daily_snapshots(snapshots: pd.DataFrame) -> pd.DataFrame:
    """One snapshot per UTC day: the latest successful one of that day.

    Failed, timed-out, skipped and running jobs are not counts of the org's alerts, so they are
    left out; a day with no successful snapshot has no row (see job_health for those days).
    """
    ok = snapshots[snapshots["status"] == "success"]
    ok = ok.assign(day=_day(ok["requested_at"])).sort_values(["day", "requested_at"])
    daily = ok.groupby("day", sort=True).tail(1).reset_index(drop=True)
    return daily[["day", *[c for c in daily.columns if c != "day"]]]


@_per_org
def alert_counts(snapshots: pd.DataFrame) -> pd.DataFrame:
    """Alerts by day, severity and state (active or ignored), from each day's chosen snapshot.

    Columns: day, severity (ordered critical > high > medium > low), state, count.
    """
    daily = daily_snapshots(snapshots)
    parts = []
    for severity in SEVERITIES:
        for state, column in (("active", f"num_{severity}_alerts"), ("ignored", f"num_ignored_{severity}_alerts")):
            parts.append(
                pd.DataFrame({"day": daily["day"], "severity": severity, "state": state, "count": daily[column]})
            )
    if not parts or daily.empty:
        return pd.DataFrame(
            {
                "day": pd.Series(dtype="datetime64[ns, UTC]"),
                "severity": pd.Series(dtype=SEVERITY_ORDER),
                "state": pd.Series(dtype=STATE_ORDER),
                "count": pd.Series(dtype="Int64"),
            }
        )
    out = pd.concat(parts, ignore_index=True)
    out["severity"] = out["severity"].astype(SEVERITY_ORDER)
    out["state"] = out["state"].astype(STATE_ORDER)
    out["count"] = out["count"].astype("Int64")
    return out.sort_values(["day", "severity", "state"], ignore_index=True)


def _share(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """ignored / (ignored + active) per group of a frame with state and count columns."""
    wide = frame.pivot_table(index=keys, columns="state", values="count", aggfunc="sum", observed=True)
    wide = wide.reindex(columns=["active", "ignored"], fill_value=0).fillna(0)
    total = wide["active"] + wide["ignored"]
    out = wide.assign(total=total, share=(wide["ignored"] / total.where(total > 0)).astype("Float64"))
    return out.reset_index().rename_axis(columns=None)


def _with_overall(counts: pd.DataFrame, key: str) -> pd.DataFrame:
    overall = counts.groupby([key, "state"], observed=True)["count"].sum().reset_index()
    overall["severity"] = "all"
    both: pd.DataFrame = pd.concat([counts.astype({"severity": str}), overall], ignore_index=True)
    both["severity"] = both["severity"].astype(SHARE_SEVERITY)
    return both


@_per_org
def ignored_share(snapshots: pd.DataFrame) -> pd.DataFrame:
    """The share of ignored alerts per day, per severity and over all severities ("all").

    share = ignored / (ignored + active). Columns: day, severity, active, ignored, total, share.
    """
    counts = alert_counts(snapshots)
    frame = _share(_with_overall(counts, "day"), ["day", "severity"])
    return frame.sort_values(["day", "severity"], ignore_index=True)


@_per_org
def week_over_week(snapshots: pd.DataFrame) -> pd.DataFrame:
    """Alerts per ISO week (the week's last daily snapshot) and the change from the week before.

    Columns: week (Monday, UTC), severity, state, count, delta (NaN for the first week).
    """
    counts = alert_counts(snapshots)
    counts = counts.assign(week=counts["day"] - pd.to_timedelta(counts["day"].dt.day_of_week, unit="D"))
    weekly = (
        counts.sort_values("day")
        .groupby(["week", "severity", "state"], observed=True, as_index=False)
        .last()[["week", "severity", "state", "count"]]
    )
    weekly = weekly.sort_values(["severity", "state", "week"], ignore_index=True)
    weekly["delta"] = weekly.groupby(["severity", "state"], observed=True)["count"].diff()
    return weekly.sort_values(["week", "severity", "state"], ignore_index=True)


@_per_org
def job_health(snapshots: pd.DataFrame) -> pd.DataFrame:
    """Snapshot jobs per UTC day and status, with their median and longest duration (minutes).

    Days inside the frame's span that had no job at all get a row with status "none" and count
    0, so gaps show on a chart instead of being interpolated away.
    """
    jobs = snapshots.assign(
        day=_day(snapshots["requested_at"]), minutes=snapshots["duration_ms"].astype("Float64") / 60_000
    )
    grouped = jobs.groupby(["day", "status"], observed=True).agg(
        count=("id", "size"), median_minutes=("minutes", "median"), max_minutes=("minutes", "max")
    )
    out = grouped.reset_index()
    out["status"] = out["status"].astype(str)
    if not jobs.empty:
        span = pd.date_range(jobs["day"].min(), jobs["day"].max(), freq="D", tz="UTC")
        missing = span.difference(pd.DatetimeIndex(out["day"].unique()))
        if len(missing):
            gaps = pd.DataFrame({"day": missing, "status": "none", "count": 0})
            out = pd.concat([out, gaps], ignore_index=True)
    out["count"] = out["count"].astype("Int64")
    return out.sort_values(["day", "status"], ignore_index=True)


@_per_org
def open_backlog(issues: pd.DataFrame, start: Any = None, end: Any = None) -> pd.DataFrame:
    """Open Snyk issues at the end of each UTC day, by severity, from created_at and resolution.

    Snyk's REST issues hold current state only; an issue counts as open on a day if it was
    created by the end of that day and not resolved by then. Ignored issues are included (when
    they were ignored is not known: see snyk_ignored_share for dated captures). Columns: day,
    severity, open.
    """
    created = issues["created_at"]
    resolved = issues["resolution_resolved_at"]
    first = utc_timestamp(start).floor("D") if start is not None else _day(created).min()
    last = utc_timestamp(end).floor("D") if end is not None else pd.Timestamp.now(tz="UTC").floor("D")
    days = pd.date_range(first, last, freq="D", tz="UTC") if pd.notna(first) else pd.DatetimeIndex([], tz="UTC")
    rows = []
    for severity in SEVERITIES:
        mask = issues["effective_severity_level"].astype(str) == severity
        made = created[mask].sort_values().to_numpy()
        gone = resolved[mask].dropna().sort_values().to_numpy()
        ends = (days + pd.Timedelta(days=1)).to_numpy()
        opened = made.searchsorted(ends, side="left")  # created before the day ended
        closed = gone.searchsorted(ends, side="left")  # resolved before the day ended
        rows.append(pd.DataFrame({"day": days, "severity": severity, "open": opened - closed}))
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["day", "severity", "open"])
    out["severity"] = out["severity"].astype(SEVERITY_ORDER)
    out["open"] = out["open"].astype("Int64")
    return out.sort_values(["day", "severity"], ignore_index=True)


@_per_org
def snyk_ignored_share(captures: pd.DataFrame) -> pd.DataFrame:
    """Open Snyk issues, ignored versus not, per capture day and severity (and "all").

    ``captures`` is a HistoryStore read of issue frames (a ``captured_at`` column plus the
    issue columns). share = ignored / (ignored + active) among open issues. Columns: day,
    severity, active, ignored, total, share.
    """
    open_ = captures[captures["status"].astype(str) == "open"]
    severity = open_["effective_severity_level"].astype(str)
    frame = pd.DataFrame(
        {
            "day": _day(open_["captured_at"]),
            "severity": severity.where(severity.isin(SEVERITIES)),
            "state": open_["ignored"].map({True: "ignored", False: "active"}),
        }
    ).dropna()
    counts = frame.groupby(["day", "severity", "state"], as_index=False).size().rename(columns={"size": "count"})
    counts["severity"] = counts["severity"].astype(SEVERITY_ORDER)
    return _share(_with_overall(counts, "day"), ["day", "severity"]).sort_values(["day", "severity"], ignore_index=True)


@_per_org
def top_packages(issues: pd.DataFrame, n: int = 15) -> pd.DataFrame:
    """The packages behind the most open Snyk issues, by severity.

    Columns: package_name, severity, open; the ``n`` packages with the most open issues.
    """
    open_issues = issues[issues["status"].astype(str) == "open"]
    coordinates = explode_coordinates(open_issues)
    severity = open_issues.set_index("id")["effective_severity_level"].astype(str)
    frame = pd.DataFrame(
        {"package_name": coordinates["package_name"], "severity": coordinates["issue_id"].map(severity)}
    ).dropna()
    frame = frame.assign(one=1)
    counts: pd.DataFrame = frame.groupby(["package_name", "severity"])["one"].sum().reset_index(name="open")
    top = counts.groupby("package_name")["open"].sum().nlargest(n).index
    out = counts[counts["package_name"].isin(top)].copy()
    out["severity"] = out["severity"].astype(SEVERITY_ORDER)
    out["open"] = out["open"].astype("Int64")
    result: pd.DataFrame = out.sort_values(["package_name", "severity"], ignore_index=True)
    return result


@_per_org
def project_risk(projects: pd.DataFrame, n: int = 15) -> pd.DataFrame:
    """The projects with the most open critical and high issues (Snyk's latest_issue_counts).

    Needs ``projects(..., latest_issue_counts=True)``. Columns: name, severity, open.
    """
    counts = {s: projects[f"latest_issue_counts_{s}"].fillna(0).astype("int64") for s in SEVERITIES}
    ranked = projects.assign(_rank=counts["critical"] * 1_000_000 + counts["high"] * 1_000 + counts["medium"])
    top = ranked.nlargest(n, "_rank")
    long = pd.concat(
        [pd.DataFrame({"name": top["name"], "severity": s, "open": counts[s][top.index]}) for s in SEVERITIES],
        ignore_index=True,
    )
    long["severity"] = long["severity"].astype(SEVERITY_ORDER)
    long["open"] = long["open"].astype("Int64")
    return long


@_per_org
def alert_totals(trend: pd.DataFrame) -> pd.DataFrame:
    """Daily alert totals by severity from ``alerts_trend(..., group_by="alert_severity")``.

    Columns: day, severity (ordered), count, count_delta; a severity missing on a day with data
    counts 0.
    """
    if "alert_severity" not in trend.columns:
        raise ValueError("alert_totals needs alerts_trend(..., group_by='alert_severity')")
    days = trend["date"].drop_duplicates()
    grid = pd.MultiIndex.from_product([days, SEVERITIES], names=["day", "severity"])
    wide = trend.rename(columns={"date": "day", "alert_severity": "severity"}).set_index(["day", "severity"])
    out = wide[["count", "count_delta"]].reindex(grid, fill_value=0).reset_index()
    out["severity"] = out["severity"].astype(SEVERITY_ORDER)
    out[["count", "count_delta"]] = out[["count", "count_delta"]].astype("Int64")
    result: pd.DataFrame = out.sort_values(["day", "severity"], ignore_index=True)
    return result


@_per_org
def alert_churn(alerts: pd.DataFrame) -> pd.DataFrame:
    """Alerts added and resolved from one UTC day with data to the next, by severity.

    An alert is the same alert from day to day when its repository and key are. ``net`` (added
    minus resolved) equals the trend's count_delta. Columns: day, severity, added, resolved, net.
    """
    frame = pd.DataFrame(
        {
            "day": _day(alerts["scanned_at"]),
            "severity": alerts["alert_severity"].astype(str),
            "identity": alerts["repo_full_name"].astype(str) + "/" + alerts["alert_key"].astype(str),
        }
    )
    rows = []
    previous: dict[str, set[str]] = {}
    for day, group in frame.groupby("day", sort=True):
        today: dict[str, set[str]] = {str(s): set(g["identity"]) for s, g in group.groupby("severity")}
        for severity in SEVERITIES:
            now, before = today.get(severity, set()), previous.get(severity, set())
            added, resolved = len(now - before), len(before - now)
            rows.append(
                {"day": day, "severity": severity, "added": added, "resolved": resolved, "net": added - resolved}
            )
        previous = today
    out = pd.DataFrame(rows, columns=["day", "severity", "added", "resolved", "net"])
    out = out.iloc[len(SEVERITIES) :].reset_index(drop=True)  # the first day has nothing to compare with
    out["severity"] = out["severity"].astype(SEVERITY_ORDER)
    for column in ("added", "resolved", "net"):
        out[column] = out[column].astype("Int64")
    return out.sort_values(["day", "severity"], ignore_index=True)


@_per_org
def top_alert_types(trend: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The most frequent alert types on the trend's last day with data.

    From ``alerts_trend(..., group_by=["alert_type", "alert_severity"])`` (or ``"alert_type"``).
    Columns: alert_type, severity (when grouped by it), count.
    """
    last = trend[trend["date"] == trend["date"].max()]
    keys = ["alert_type"] + (["alert_severity"] if "alert_severity" in last.columns else [])
    counts = last.groupby(keys, as_index=False)["count"].sum()
    top = counts.groupby("alert_type")["count"].sum().nlargest(n).index
    out = counts[counts["alert_type"].isin(top)].rename(columns={"alert_severity": "severity"})
    if "severity" in out.columns:
        out["severity"] = out["severity"].astype(SEVERITY_ORDER)
    result: pd.DataFrame = out.reset_index(drop=True)
    return result


@_per_org
def dependency_split(dependencies: pd.DataFrame) -> pd.DataFrame:
    """Direct and indirect dependencies per day from ``dependencies_trend``: day, kind, count."""
    long = dependencies[["date", "count_direct", "count_indirect"]].melt(
        id_vars=["date"], var_name="kind", value_name="dependencies"
    )
    long["kind"] = long["kind"].str.removeprefix("count_")
    long = long.rename(columns={"date": "day", "dependencies": "count"})
    out: pd.DataFrame = long.sort_values(["day", "kind"], ignore_index=True)
    return out


@_per_org
def snapshot_coverage(snapshots: pd.DataFrame, start: Any = None, end: Any = None) -> pd.DataFrame:
    """Every UTC day of the span: whether it has a successful snapshot, and its jobs.

    Days without one are missing from every trend built on daily snapshots. Columns: day,
    covered (bool), jobs, failed (failure or timeout).
    """
    days = _day(snapshots["requested_at"])
    meta = snapshots.attrs.get("meta") or {}
    first = utc_timestamp(start or meta.get("startDateInclusive") or days.min()).floor("D")
    last = utc_timestamp(end or meta.get("endDateInclusive") or days.max()).floor("D")
    span = pd.date_range(first, last, freq="D")
    status = snapshots["status"].astype(str)
    jobs = days.value_counts()
    ok = days[status == "success"].value_counts()
    failed = days[status.isin(["failure", "timeout"])].value_counts()
    out = pd.DataFrame({"day": span})
    out["jobs"] = out["day"].map(jobs).fillna(0).astype("Int64")
    out["failed"] = out["day"].map(failed).fillna(0).astype("Int64")
    out["covered"] = out["day"].map(ok).fillna(0).gt(0)
    return out[["day", "covered", "jobs", "failed"]]


# -- remediation: episodes, time to remediate, SLA, introduced versus fixed, priorities ----------------
# (socketlab._remediation holds them; here each runs org by org, like every function above)

alert_episodes = _per_org(_remediation.alert_episodes)
time_to_remediate = _per_org(_remediation.time_to_remediate)
sla_status = _per_org(_remediation.sla_status)
introduced_vs_fixed = _per_org(_remediation.introduced_vs_fixed)
resolutions_by_reason = _per_org(_remediation.resolutions_by_reason)
prioritize = _per_org(_remediation.prioritize)
cross_tool_packages = _remediation.cross_tool_packages  # pairs of orgs: it splits both sides itself

# keep the severity dtype of Snyk frames importable from here for chart code
SNYK_SEVERITY = SEVERITY.dtype()
