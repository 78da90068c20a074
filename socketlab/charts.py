"""Altair chart builders for socketlab's frames.

Each builder aggregates in pandas first (socketlab.analysis) and charts the small result, so a
year of data stays far below Altair's 5,000-row limit and every spec is small enough to test.
Time is UTC throughout: the x axes use ``utc`` time units, because Vega-Lite otherwise shows the
browser's local time. One severity colour scale serves every chart.

A frame of several orgs (see socketlab.analysis) gives one row of charts per org, each row that
org's chart alone, under one title and one colour legend.

Charts render with no network wherever a notebook runs: imported in a Jupyter kernel
(JupyterLab 4, Notebook 7, VS Code), this module calls ``enable_offline()``, which switches
Altair to its ``jupyter`` renderer in offline mode: each chart is an anywidget whose Vega
scripts come from vl-convert's bundle, never from a CDN (JupyterLab's own Vega renderer stops
at Vega-Lite 5). In a plain Python shell nothing changes: ``chart.save(...)`` and
``chart.to_dict()`` work as always. SOCKETLAB_CHART_RENDERER, when set, chooses the renderer
instead; ``socketlab report`` sets ``vegalite-json`` (registered here: the bare spec, under the
'+json' mimetype nbformat accepts) to get chart specs it renders offline itself.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd

from socketlab import analysis
from socketlab._errors import InvalidParameterError
from socketlab._posture import PostureSummary
from socketlab.display import in_kernel

__all__ = [
    "REASON_COLORS",
    "SEVERITY_COLORS",
    "SLA_COLORS",
    "STATUS_COLORS",
    "TOOL_COLORS",
    "alert_churn_chart",
    "alert_totals_chart",
    "alert_trend",
    "coverage_chart",
    "dependencies_chart",
    "enable_offline",
    "ignored_share_chart",
    "introduced_vs_fixed_chart",
    "job_health_chart",
    "posture_summary_chart",
    "project_risk_chart",
    "resolutions_chart",
    "side_by_side",
    "sla_chart",
    "snyk_backlog_chart",
    "snyk_ignored_share_chart",
    "socket_ignored_share_chart",
    "time_to_remediate_chart",
    "top_alert_types_chart",
    "top_packages_chart",
    "week_over_week_chart",
]

# One palette for severities everywhere: darkest is worst.
SEVERITY_COLORS: dict[str, str] = {"critical": "#7a0177", "high": "#d7301f", "medium": "#fc8d59", "low": "#fdcc8a"}
ALL_COLOR = "#252525"  # the "all severities" line of share charts
STATUS_COLORS: dict[str, str] = {
    "success": "#31a354",
    "failure": "#de2d26",
    "timeout": "#fd8d3c",
    "skipped": "#9e9ac8",
    "in-progress": "#3182bd",
    "none": "#000000",  # a day without any snapshot job
}
# the SLA states, as traffic lights; the two tools; the four reasons of Socket's alert resolutions
SLA_COLORS: dict[str, str] = {"within": "#74c476", "at_risk": "#fd8d3c", "breached": "#de2d26"}
TOOL_COLORS: dict[str, str] = {"Socket": "#5b3fd1", "Snyk": "#4c4a73"}
REASON_COLORS: dict[str, str] = {
    "false_positive": "#6baed6", "remediated": "#31a354", "tolerable_risk": "#fdae6b", "other": "#bdbdbd",
}  # fmt: skip
SHARE_DEFINITION = "ignored share = ignored / (ignored + active)"
DAY = alt.X("utcyearmonthdate(day):T", title="Day (UTC)", axis=alt.Axis(format="%b %Y"))
DAY_TOOLTIP = alt.Tooltip("utcyearmonthdate(day):T", title="Day (UTC)", format="%Y-%m-%d")


def _vegalite_json(spec: dict[str, Any], **_: Any) -> dict[str, Any]:
    """A renderer that outputs only the chart's spec, under the '+json' mimetype nbformat expects."""
    major = alt.SCHEMA_VERSION.split(".")[0]
    return {f"application/vnd.vegalite.{major}+json": spec, "text/plain": "<socketlab chart>"}


def enable_offline() -> str:
    """Render Altair charts in Jupyter with no network: the offline ``jupyter`` renderer; returns its name.

    Needs anywidget (the ``notebooks`` extra); without it the renderer is left as it was and its
    name returned. Run on import in a kernel; call it again after switching renderers.
    """
    if importlib.util.find_spec("anywidget") is None:
        return str(alt.renderers.active)
    alt.renderers.enable("jupyter", offline=True)
    return "jupyter"


alt.renderers.register("vegalite-json", _vegalite_json)
if renderer := os.environ.get("SOCKETLAB_CHART_RENDERER"):
    alt.renderers.enable(renderer)
elif in_kernel():
    enable_offline()


def _severity_color(with_all: bool = False, title: str = "Severity") -> alt.Color:
    domain = [*analysis.SEVERITIES, *(["all"] if with_all else [])]
    colors = [SEVERITY_COLORS[s] for s in analysis.SEVERITIES] + ([ALL_COLOR] if with_all else [])
    return alt.Color("severity:N", title=title, scale=alt.Scale(domain=domain, range=colors), sort=domain)


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals as text and nullable numbers as floats, the shapes Vega-Lite reads."""
    out = frame.copy()
    for column in out.columns:
        dtype = out[column].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            out[column] = out[column].astype(str)
        elif pd.api.types.is_extension_array_dtype(dtype) and pd.api.types.is_numeric_dtype(dtype):
            out[column] = out[column].astype("float64")
    return out


# what each org column is called on a chart's rows
ORG_TITLES = {"org": "Socket org", "organization_id": "Snyk org id"}
AnyChart = alt.Chart | alt.LayerChart | alt.FacetChart | alt.VConcatChart | alt.HConcatChart


def _by_org(chart: alt.Chart | alt.LayerChart, data: pd.DataFrame, *, own_y: bool = False) -> AnyChart:
    """One row per org when ``data`` holds several (an org column from socketlab.analysis), else ``chart``.

    The title moves to the faceted chart, so it reads once above the rows. ``own_y`` gives each
    row its own y scale (ranked bars: each org's own packages or projects).
    """
    column = next((c for c in analysis.ORG_COLUMNS if c in data.columns), None)
    if column is None:
        return chart
    inner = chart.copy(deep=True)
    title, inner.title = inner.title, alt.Undefined
    for layer in inner.layer if isinstance(inner, alt.LayerChart) else ():
        if title is alt.Undefined:  # a layered chart's title sits on its first titled layer
            title = layer.title
        layer.title = alt.Undefined
    header = alt.Header(labelAngle=0, labelAlign="left", labelFontWeight="bold")
    order = [str(org) for org in data[column].unique()]  # the frame's order, not the alphabet's
    row = alt.Row(f"{column}:N", title=ORG_TITLES[column], header=header, sort=order)
    faceted = inner.facet(row=row, title=title)
    return faceted.resolve_scale(y="independent") if own_y else faceted


def alert_trend(snapshots: pd.DataFrame, title: str = "Socket alerts by severity") -> AnyChart:
    """Alerts by severity over time; solid lines are active alerts, dashed lines ignored ones.

    One point per UTC day: the day's latest successful snapshot (analysis.daily_snapshots).
    """
    data = _tidy(analysis.alert_counts(snapshots))
    chart = (
        alt.Chart(
            data,
            title=alt.Title(
                title, subtitle="solid: active, dashed: ignored; latest successful snapshot of each UTC day"
            ),
        )
        .mark_line(interpolate="step-after")
        .encode(
            x=DAY,
            y=alt.Y("count:Q", title="Alerts"),
            color=_severity_color(),
            strokeDash=alt.StrokeDash(
                "state:N", title="State", scale=alt.Scale(domain=["active", "ignored"], range=[[1, 0], [5, 3]])
            ),
            tooltip=[DAY_TOOLTIP, alt.Tooltip("severity:N"), alt.Tooltip("state:N"), alt.Tooltip("count:Q")],
        )
        .properties(width=640, height=260)
    )
    return _by_org(chart, data)


def ignored_share_chart(share: pd.DataFrame, title: str) -> AnyChart:
    """The ignored share over time per severity and over all severities, from a share frame.

    ``share`` has day, severity, active, ignored, share (analysis.ignored_share or
    analysis.snyk_ignored_share); share = ignored / (ignored + active).
    """
    data = _tidy(share.dropna(subset=["share"]))
    chart = (
        alt.Chart(data, title=alt.Title(title, subtitle=SHARE_DEFINITION))
        .mark_line(point=alt.OverlayMarkDef(size=12))
        .encode(
            x=DAY,
            y=alt.Y("share:Q", title="Ignored share", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            color=_severity_color(with_all=True),
            strokeWidth=alt.condition(alt.datum.severity == "all", alt.value(3), alt.value(1.5)),
            tooltip=[
                DAY_TOOLTIP,
                alt.Tooltip("severity:N"),
                alt.Tooltip("share:Q", format=".1%", title="Ignored share"),
                alt.Tooltip("ignored:Q"),
                alt.Tooltip("active:Q"),
            ],
        )
        .properties(width=420, height=260)
    )
    return _by_org(chart, data)


def socket_ignored_share_chart(snapshots: pd.DataFrame) -> AnyChart:
    """Socket: the ignored share of alerts over time (ignored / (ignored + active))."""
    return ignored_share_chart(analysis.ignored_share(snapshots), "Socket: ignored share of alerts")


def snyk_ignored_share_chart(captures: pd.DataFrame) -> AnyChart:
    """Snyk: the ignored share of open issues at each dated capture (ignored / (ignored + active))."""
    return ignored_share_chart(analysis.snyk_ignored_share(captures), "Snyk: ignored share of open issues")


def week_over_week_chart(snapshots: pd.DataFrame) -> AnyChart:
    """Active alerts added (+) or removed (-) from one week to the next, by severity."""
    weekly = analysis.week_over_week(snapshots)
    data = _tidy(weekly[(weekly["state"] == "active") & weekly["delta"].notna()])
    chart = (
        alt.Chart(data, title=alt.Title("Week over week change in active alerts", subtitle="ISO weeks, UTC"))
        .mark_bar()
        .encode(
            x=alt.X("utcyearmonthdate(week):T", title="Week (UTC)"),
            y=alt.Y("delta:Q", title="Change from the week before"),
            color=_severity_color(),
            tooltip=[
                alt.Tooltip("utcyearmonthdate(week):T", title="Week of", format="%Y-%m-%d"),
                alt.Tooltip("severity:N"),
                alt.Tooltip("count:Q", title="Active alerts"),
                alt.Tooltip("delta:Q", title="Change"),
            ],
        )
        .properties(width=640, height=220)
    )
    return _by_org(chart, data)


def job_health_chart(snapshots: pd.DataFrame) -> alt.VConcatChart:
    """Snapshot jobs per day by status (failures in red, days with no job in black) and their duration."""
    data = _tidy(analysis.job_health(snapshots))
    domain = list(STATUS_COLORS)
    color = alt.Color(
        "status:N", title="Status", scale=alt.Scale(domain=domain, range=list(STATUS_COLORS.values())), sort=domain
    )
    counts = (
        alt.Chart(data, title=alt.Title("Snapshot jobs per day", subtitle="a black tick marks a day without any job"))
        .mark_bar()
        .encode(
            x=DAY,
            y=alt.Y("count:Q", title="Jobs", stack="zero"),
            color=color,
            tooltip=[DAY_TOOLTIP, alt.Tooltip("status:N"), alt.Tooltip("count:Q", title="Jobs")],
        )
        .properties(width=640, height=160)
    )
    gaps = (
        alt.Chart(data).transform_filter(alt.datum.status == "none").mark_tick(color="black", thickness=2).encode(x=DAY)
    )
    durations = (
        alt.Chart(data, title="Job duration (median per day, minutes)")
        .transform_filter(alt.datum.status != "none")
        .mark_point(filled=True, size=18)
        .encode(
            x=DAY,
            y=alt.Y("median_minutes:Q", title="Minutes", scale=alt.Scale(type="symlog")),
            color=color,
            tooltip=[
                DAY_TOOLTIP,
                alt.Tooltip("status:N"),
                alt.Tooltip("median_minutes:Q", format=".1f", title="Median minutes"),
                alt.Tooltip("max_minutes:Q", format=".1f", title="Longest minutes"),
            ],
        )
        .properties(width=640, height=160)
    )
    return alt.vconcat(_by_org(counts + gaps, data), _by_org(durations, data)).resolve_scale(color="shared")


def snyk_backlog_chart(issues: pd.DataFrame, start: Any = None, end: Any = None) -> AnyChart:
    """Open Snyk issues at the end of each UTC day by severity (from created and resolved times)."""
    data = _tidy(analysis.open_backlog(issues, start, end))
    chart = (
        alt.Chart(
            data,
            title=alt.Title("Snyk: open issues by severity", subtitle="from created_at and resolution time; UTC days"),
        )
        .mark_area(interpolate="step-after")
        .encode(
            x=DAY,
            y=alt.Y("open:Q", title="Open issues", stack="zero"),
            color=_severity_color(),
            order=alt.Order("severity_rank:Q"),
            tooltip=[DAY_TOOLTIP, alt.Tooltip("severity:N"), alt.Tooltip("open:Q", title="Open issues")],
        )
        .transform_calculate(severity_rank=f"indexof({list(analysis.SEVERITIES)}, datum.severity)")
        .properties(width=640, height=260)
    )
    return _by_org(chart, data)


def _ranked_bars(
    data: pd.DataFrame, category: str, title: str, subtitle: str, label: str, x_title: str = "Open issues"
) -> AnyChart:
    chart = (
        alt.Chart(_tidy(data), title=alt.Title(title, subtitle=subtitle))
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", title=label, sort=alt.EncodingSortField("open", op="sum", order="descending")),
            x=alt.X("open:Q", title=x_title, stack="zero"),
            color=_severity_color(),
            order=alt.Order("severity_rank:Q"),
            tooltip=[alt.Tooltip(f"{category}:N", title=label), alt.Tooltip("severity:N"), alt.Tooltip("open:Q")],
        )
        .transform_calculate(severity_rank=f"indexof({list(analysis.SEVERITIES)}, datum.severity)")
        .properties(width=520, height=alt.Step(18))
    )
    return _by_org(chart, data, own_y=True)


def top_packages_chart(issues: pd.DataFrame, n: int = 15) -> AnyChart:
    """The packages behind the most open Snyk issues, stacked by severity."""
    return _ranked_bars(
        analysis.top_packages(issues, n), "package_name", f"Snyk: top {n} packages by open issues",
        "open issues, by severity", "Package",
    )  # fmt: skip


def project_risk_chart(projects: pd.DataFrame, n: int = 15) -> AnyChart:
    """The projects with the most open critical and high issues (latest_issue_counts)."""
    return _ranked_bars(
        analysis.project_risk(projects, n), "name", f"Snyk: {n} riskiest projects",
        "ranked by open critical, then high issues (latest scan)", "Project",
    )  # fmt: skip


def alert_totals_chart(trend: pd.DataFrame) -> AnyChart:
    """Daily critical/high/medium/low alert totals, stacked, from alerts_trend by severity."""
    data = _tidy(analysis.alert_totals(trend))
    chart = (
        alt.Chart(data, title=alt.Title("Daily alert totals by severity", subtitle="alerts trend; UTC days"))
        .mark_area(interpolate="step-after")
        .encode(
            x=DAY,
            y=alt.Y("count:Q", title="Alerts", stack="zero"),
            color=_severity_color(),
            order=alt.Order("severity_rank:Q"),
            tooltip=[DAY_TOOLTIP, alt.Tooltip("severity:N"), alt.Tooltip("count:Q", title="Alerts"),
                     alt.Tooltip("count_delta:Q", title="Change")],
        )
        .transform_calculate(severity_rank=f"indexof({list(analysis.SEVERITIES)}, datum.severity)")
        .properties(width=640, height=240)
    )  # fmt: skip
    return _by_org(chart, data)


def alert_churn_chart(alerts: pd.DataFrame) -> AnyChart:
    """Alerts added (above zero) and resolved (below zero) per week, by severity."""
    churn = analysis.alert_churn(alerts)
    churn["week"] = churn["day"] - pd.to_timedelta(churn["day"].dt.day_of_week, unit="D")
    orgs = [c for c in analysis.ORG_COLUMNS if c in churn.columns]  # several orgs: weeks per org
    keys = [*orgs, "week", "severity"]
    weekly = churn.groupby(keys, observed=True, sort=not orgs, as_index=False)[["added", "resolved"]].sum()
    long = pd.concat(
        [
            weekly.assign(change="added", alerts=weekly["added"]),
            weekly.assign(change="resolved", alerts=-weekly["resolved"]),
        ],
        ignore_index=True,
    )[[*keys, "change", "alerts"]]
    data = _tidy(long)
    chart = (
        alt.Chart(
            data,
            title=alt.Title("Alerts added versus resolved", subtitle="per ISO week (UTC); resolved below zero"),
        )
        .mark_bar(width=7)
        .encode(
            x=alt.X("utcyearmonthdate(week):T", title="Week (UTC)"),
            y=alt.Y("alerts:Q", title="Alerts added (+) / resolved (-)"),
            color=_severity_color(),
            tooltip=[alt.Tooltip("utcyearmonthdate(week):T", title="Week of", format="%Y-%m-%d"),
                     alt.Tooltip("severity:N"), alt.Tooltip("change:N"), alt.Tooltip("alerts:Q")],
        )
        .properties(width=640, height=240)
    )  # fmt: skip
    return _by_org(chart, data)


def top_alert_types_chart(trend: pd.DataFrame, n: int = 10) -> AnyChart:
    """The most frequent alert types on the last day, from alerts_trend by alert_type and severity."""
    data = analysis.top_alert_types(trend, n).rename(columns={"count": "open"})
    return _ranked_bars(
        data, "alert_type", f"Top {n} alert types", "alerts on the latest day, by severity", "Alert type", "Alerts"
    )


def dependencies_chart(dependencies: pd.DataFrame) -> AnyChart:
    """Direct versus indirect dependencies over time, from dependencies_trend."""
    data = _tidy(analysis.dependency_split(dependencies))
    chart = (
        alt.Chart(data, title=alt.Title("Dependencies: direct versus indirect", subtitle="UTC days"))
        .mark_area(interpolate="step-after", opacity=0.85)
        .encode(
            x=DAY,
            y=alt.Y("count:Q", title="Dependencies", stack="zero"),
            color=alt.Color("kind:N", title="Kind", scale=alt.Scale(domain=["direct", "indirect"],
                                                                     range=["#2171b5", "#9ecae1"])),
            tooltip=[DAY_TOOLTIP, alt.Tooltip("kind:N"), alt.Tooltip("count:Q", title="Dependencies")],
        )
        .properties(width=640, height=220)
    )  # fmt: skip
    return _by_org(chart, data)


def coverage_chart(snapshots: pd.DataFrame) -> AnyChart:
    """A calendar of UTC days: red where no snapshot succeeded (those days are missing from trends)."""
    data = _tidy(analysis.snapshot_coverage(snapshots))
    data["coverage"] = data["covered"].map({True: "successful snapshot", False: "no successful snapshot"})
    chart = (
        alt.Chart(
            data, title=alt.Title("Snapshot coverage", subtitle="each square a UTC day; red: no successful snapshot")
        )
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            x=alt.X("utcyearweek(day):O", title="Week", axis=alt.Axis(labels=False, ticks=False)),
            y=alt.Y("utcday(day):O", title=None),
            color=alt.Color("coverage:N", title=None, scale=alt.Scale(
                domain=["successful snapshot", "no successful snapshot"], range=["#c7e9c0", STATUS_COLORS["failure"]])),
            tooltip=[DAY_TOOLTIP, alt.Tooltip("coverage:N"), alt.Tooltip("jobs:Q"), alt.Tooltip("failed:Q")],
        )
        .properties(width=alt.Step(11), height=alt.Step(11))
    )  # fmt: skip
    return _by_org(chart, data)


def side_by_side(*charts: AnyChart, title: str | None = None) -> alt.HConcatChart:
    """Charts next to each other with one shared colour legend (e.g. Socket and Snyk)."""
    combined = alt.hconcat(*charts).resolve_scale(color="shared")
    return combined.properties(title=title) if title else combined


# -- remediation and SLA ------------------------------------------------------------------------------


def _tools(frames: Mapping[str, pd.DataFrame], what: str) -> list[tuple[str, pd.DataFrame]]:
    if not isinstance(frames, Mapping) or not frames:
        raise InvalidParameterError(
            "frames", f"expected {{tool: frame}}, e.g. {{'Socket': episodes, 'Snyk': issues}}, for {what}"
        )
    return [(str(tool), frame) for tool, frame in frames.items() if frame is not None]


def _tool_color(tools: list[str]) -> alt.Color:
    colors = [TOOL_COLORS.get(t, "#888888") for t in tools]
    return alt.Color("tool:N", title="Tool", scale=alt.Scale(domain=tools, range=colors), sort=tools)


_PERIODS = {"D": "day", "W": "ISO week", "M": "month", "Q": "quarter"}


def _bar_width(periods: pd.Series, width: int) -> float:
    """Bars about as wide as their period on a time axis ``width`` pixels wide."""
    count = max(1, periods.nunique())
    return float(max(2.0, min(40.0, width / count * 0.75)))


def time_to_remediate_chart(frames: Mapping[str, pd.DataFrame]) -> AnyChart:
    """Median days to remediate by severity, one bar per tool; a tick marks the 90th percentile.

    ``frames`` maps a tool to its items: ``{"Socket": alert_episodes(alerts), "Snyk": issues}``
    (or a Snyk export): analysis.time_to_remediate of each.
    """
    parts = []
    for tool, frame in _tools(frames, "time_to_remediate_chart"):
        ttr = analysis.time_to_remediate(frame)
        parts.append(ttr[ttr["severity"].astype(str).isin(analysis.SEVERITIES)].assign(tool=tool))
    data = _tidy(pd.concat(parts, ignore_index=True)) if parts else pd.DataFrame()
    tools = [t for t, _ in _tools(frames, "time_to_remediate_chart")]
    x = alt.X("severity:N", title="Severity", sort=list(analysis.SEVERITIES), axis=alt.Axis(labelAngle=0))
    tooltip = [alt.Tooltip("tool:N"), alt.Tooltip("severity:N"), alt.Tooltip("median_days:Q", format=".1f"),
               alt.Tooltip("mean_days:Q", format=".1f"), alt.Tooltip("p90_days:Q", format=".1f"),
               alt.Tooltip("resolved:Q"), alt.Tooltip("open:Q")]  # fmt: skip
    bars = alt.Chart(data).mark_bar().encode(
        x=x, xOffset=alt.XOffset("tool:N", sort=tools), y=alt.Y("median_days:Q", title="Days to remediate"),
        color=_tool_color(tools), tooltip=tooltip,
    )  # fmt: skip
    ticks = (
        alt.Chart(data)
        .mark_tick(color="#252525", thickness=2, size=14)
        .encode(x=x, xOffset=alt.XOffset("tool:N", sort=tools), y="p90_days:Q", tooltip=tooltip)
    )
    title = alt.Title("Time to remediate, by severity", subtitle="bars: median days; ticks: 90th percentile")
    return (bars + ticks).properties(width=420, height=240, title=title)


def sla_chart(
    frames: Mapping[str, pd.DataFrame], policy: Any = None, now: Any = None, warn_days: float = 7
) -> AnyChart:
    """Open items (ignored ones left out) by SLA state, per tool and severity (analysis.sla_status)."""
    parts = []
    for tool, frame in _tools(frames, "sla_chart"):
        states = analysis.sla_status(frame, policy=policy, now=now, warn_days=warn_days)
        open_ = states[(states["status"] == "open") & ~states["ignored"].fillna(False) & states["sla_state"].notna()]
        counts = open_.groupby(["severity", "sla_state"], observed=True).size().rename("items").reset_index()
        parts.append(counts[counts["severity"].astype(str).isin(analysis.SEVERITIES)].assign(tool=tool))
    data = _tidy(pd.concat(parts, ignore_index=True)) if parts else pd.DataFrame()
    states_domain = list(SLA_COLORS)
    return (
        alt.Chart(data, title=alt.Title("SLA of open items", subtitle=f"at risk: due within {warn_days:g} days"))
        .mark_bar()
        .encode(
            y=alt.Y("severity:N", title="Severity", sort=list(analysis.SEVERITIES)),
            x=alt.X("items:Q", title="Open items", stack="zero"),
            color=alt.Color("sla_state:N", title="SLA", sort=states_domain,
                            scale=alt.Scale(domain=states_domain, range=list(SLA_COLORS.values()))),
            order=alt.Order("state_rank:Q"),
            row=alt.Row("tool:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
            tooltip=[alt.Tooltip("tool:N"), alt.Tooltip("severity:N"), alt.Tooltip("sla_state:N", title="SLA"),
                     alt.Tooltip("items:Q")],
        )
        .transform_calculate(state_rank=f"indexof({states_domain}, datum.sla_state)")
        .properties(width=420, height=alt.Step(18))
    )  # fmt: skip


def introduced_vs_fixed_chart(frame: pd.DataFrame, freq: str = "W", title: str = "Introduced versus fixed") -> AnyChart:
    """Items introduced (above zero) and fixed (below zero) per period, by severity."""
    flows = analysis.introduced_vs_fixed(frame, freq)
    flows = flows[flows["severity"].astype(str).isin(analysis.SEVERITIES)]
    orgs = [c for c in analysis.ORG_COLUMNS if c in flows.columns]
    long = pd.concat(
        [
            flows.assign(change="introduced", items=flows["introduced"]),
            flows.assign(change="fixed", items=-flows["fixed"]),
        ],
        ignore_index=True,
    )[[*orgs, "period", "severity", "change", "items"]]
    data = _tidy(long)
    period = _PERIODS[freq]
    chart = (
        alt.Chart(data, title=alt.Title(title, subtitle=f"per {period} (UTC); fixed below zero"))
        .mark_bar(width=_bar_width(flows["period"], 640))
        .encode(
            x=alt.X("utcyearmonthdate(period):T", title=f"{period[0].upper()}{period[1:]} (UTC)"),
            y=alt.Y("items:Q", title="Introduced (+) / fixed (-)", stack="zero"),
            color=_severity_color(),
            order=alt.Order("severity_rank:Q"),
            tooltip=[alt.Tooltip("utcyearmonthdate(period):T", title="Period of", format="%Y-%m-%d"),
                     alt.Tooltip("severity:N"), alt.Tooltip("change:N"), alt.Tooltip("items:Q")],
        )
        .transform_calculate(severity_rank=f"indexof({list(analysis.SEVERITIES)}, datum.severity)")
        .properties(width=640, height=240)
    )  # fmt: skip
    return _by_org(chart, data)


def resolutions_chart(resolutions: pd.DataFrame, freq: str = "M") -> AnyChart:
    """Socket alert resolutions made per period, stacked by reason (analysis.resolutions_by_reason)."""
    data = _tidy(analysis.resolutions_by_reason(resolutions, freq))
    reasons = list(REASON_COLORS)
    period = _PERIODS[freq]
    chart = (
        alt.Chart(data, title=alt.Title("Resolutions by reason",
                                        subtitle=f"who ignored or resolved alerts, and why; per {period}"))
        .mark_bar(width=_bar_width(data["period"], 640))
        .encode(
            x=alt.X("utcyearmonthdate(period):T", title=f"{period[0].upper()}{period[1:]} (UTC)"),
            y=alt.Y("resolutions:Q", title="Resolutions made", stack="zero"),
            color=alt.Color("reason:N", title="Reason", sort=reasons,
                            scale=alt.Scale(domain=reasons, range=list(REASON_COLORS.values()))),
            tooltip=[alt.Tooltip("utcyearmonthdate(period):T", title="Period of", format="%Y-%m-%d"),
                     alt.Tooltip("reason:N"), alt.Tooltip("resolutions:Q"),
                     alt.Tooltip("share:Q", format=".0%", title="Share of the period")],
        )
        .properties(width=640, height=220)
    )  # fmt: skip
    return _by_org(chart, data)


# -- the posture summary ----------------------------------------------------------------------------

_TILE_COLORS = {
    "socket_open": SEVERITY_COLORS["high"], "snyk_open": SEVERITY_COLORS["high"],
    "socket_ttr": TOOL_COLORS["Socket"], "snyk_ttr": TOOL_COLORS["Snyk"], "sla": SLA_COLORS["breached"],
    "ignored": ALL_COLOR, "coverage": STATUS_COLORS["failure"],
}  # fmt: skip
TILE_WIDTH = 240


def _tile(row: pd.Series, trend: pd.DataFrame) -> alt.VConcatChart:
    """One tile: its title, headline value and detail as text, and a sparkline of its trend."""
    text = pd.DataFrame([{"title": row["title"], "value": row["value"], "detail": row["detail"]}])
    size = 22 if len(str(row["value"])) <= 14 else 16  # a long headline (two numbers) in smaller type
    base = alt.Chart(text).properties(width=TILE_WIDTH, height=64)
    words = alt.layer(
        base.mark_text(align="left", baseline="top", x=0, y=0, fontSize=12, color="#555555").encode(text="title:N"),
        base.mark_text(align="left", baseline="top", x=0, y=17, fontSize=size, fontWeight="bold",
                       color="#1d1d1f").encode(text="value:N"),
        base.mark_text(align="left", baseline="top", x=0, y=48, fontSize=10, color="#555555",
                       limit=TILE_WIDTH).encode(text="detail:N"),
    )  # fmt: skip
    color = _TILE_COLORS.get(str(row["tile"]), ALL_COLOR)
    if len(trend):
        spark = (
            alt.Chart(_tidy(trend))
            .mark_line(color=color, strokeWidth=1.5, interpolate="monotone",
                       point=alt.OverlayMarkDef(size=6, color=color))
            .encode(
                x=alt.X("utcyearmonthdate(day):T", axis=None),
                y=alt.Y("value:Q", axis=None, scale=alt.Scale(zero=False)),
                tooltip=[alt.Tooltip("utcyearmonthdate(day):T", title="Day (UTC)", format="%Y-%m-%d"),
                         alt.Tooltip("value:Q", format=",.2~f")],
            )
            .properties(width=TILE_WIDTH, height=36)
        )  # fmt: skip
    else:
        empty = pd.DataFrame([{"note": "no trend"}])
        spark = alt.Chart(empty).mark_text(align="left", x=0, y=18, fontSize=10, color="#999999").encode(
            text="note:N").properties(width=TILE_WIDTH, height=36)  # fmt: skip
    return alt.vconcat(words, spark, spacing=2)


def posture_summary_chart(summary: PostureSummary, per_row: int = 3) -> alt.VConcatChart:
    """The posture summary as a grid of tiles, each a headline number and a sparkline of its trend."""
    if not isinstance(summary, PostureSummary):
        raise InvalidParameterError("summary", "expected analysis.posture_summary(...)")
    tiles = [_tile(row, summary.trends[summary.trends["tile"] == row["tile"]]) for _, row in summary.tiles.iterrows()]
    rows = [alt.hconcat(*tiles[i : i + per_row], spacing=24) for i in range(0, len(tiles), per_row)]
    stamp = summary.now.strftime("%Y-%m-%d %H:%M UTC")
    title = alt.Title("Posture summary", subtitle=f"as of {stamp}; each line: the last days' trend", anchor="start")
    return alt.vconcat(*rows, spacing=18, title=title).configure_view(strokeWidth=0)
