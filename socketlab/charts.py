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
from typing import Any

import altair as alt
import pandas as pd

from socketlab import analysis
from socketlab.display import in_kernel

__all__ = [
    "SEVERITY_COLORS",
    "STATUS_COLORS",
    "alert_churn_chart",
    "alert_totals_chart",
    "alert_trend",
    "coverage_chart",
    "dependencies_chart",
    "enable_offline",
    "ignored_share_chart",
    "job_health_chart",
    "project_risk_chart",
    "side_by_side",
    "snyk_backlog_chart",
    "snyk_ignored_share_chart",
    "socket_ignored_share_chart",
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
