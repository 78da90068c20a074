"""The posture summary and the remediation charts: their numbers, their specs, and that they render."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
import vl_convert as vlc

from socketlab import InvalidParameterError, analysis, charts, sandbox
from socketlab.sandbox import SnykSandbox, SocketSandbox
from tests.conftest import chart_units

NOW = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
AS_OF = "2026-10-31T23:00:00Z"


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    with (
        sandbox.socket_client(SocketSandbox(now=lambda: NOW), progress=False) as sock,
        sandbox.snyk_client(SnykSandbox(now=lambda: NOW), progress=False) as snyk,
    ):
        alerts = sock.alerts("globex", date="2026-10-31", range="-200d")
        return {
            "snapshots": sock.snapshots("globex", date="2026-10-31", range="-200d"),
            "episodes": analysis.alert_episodes(alerts),
            "resolutions": sock.alert_resolutions("globex"),
            "issues": snyk.issues(org_id=SnykSandbox.org_id("globex")),
        }


def _renders(chart: Any) -> str:
    svg: str = vlc.vegalite_to_svg(chart.to_dict())
    assert svg.startswith("<svg") and svg.count("<path") + svg.count("<text") > 20
    return svg


# -- the summary's numbers --------------------------------------------------------------------------


def test_the_tiles_say_what_the_analysis_functions_say(data: dict[str, pd.DataFrame]) -> None:
    summary = analysis.posture_summary(**data, now=AS_OF)
    tiles = summary.tiles.set_index("tile")
    assert list(tiles.index) == list(analysis.posture_summary.__globals__["TILES"])
    # open critical + high now: the latest daily snapshot's active counts
    counts = analysis.alert_counts(data["snapshots"])
    last = counts[counts["day"] == counts["day"].max()]
    expected = int(last[(last["state"] == "active") & last["severity"].isin(["critical", "high"])]["count"].sum())
    assert tiles.loc["socket_open", "value"] == f"{expected:,}"
    # median days to remediate: analysis.time_to_remediate's
    ttr = analysis.time_to_remediate(data["issues"]).set_index("severity")
    assert f"critical {ttr.loc['critical', 'median_days']:.1f}"[:12] in tiles.loc["snyk_ttr", "value"]
    # SLA: open, not ignored items breached / at risk, by sla_status
    states = pd.concat([analysis.sla_status(data[k], now=AS_OF) for k in ("episodes", "issues")])
    open_ = states[(states["status"] == "open") & ~states["ignored"].fillna(False)]
    breached = int((open_["sla_state"] == "breached").sum())
    at_risk = int((open_["sla_state"] == "at_risk").sum())
    assert tiles.loc["sla", "value"] == f"{breached:,} breached · {at_risk:,} at risk"
    # the ignored share of the latest day, and the top reasons of the resolutions
    share = analysis.ignored_share(data["snapshots"])
    overall = share[share["severity"] == "all"].dropna(subset=["share"]).iloc[-1]["share"]
    assert tiles.loc["ignored", "value"] == f"{overall:.0%}"
    top = data["resolutions"]["reason"].astype(str).value_counts().index[0].replace("_", " ")
    assert tiles.loc["ignored", "detail"].startswith(f"top reasons: {top} ")
    # days without a successful snapshot: snapshot_coverage's
    coverage = analysis.snapshot_coverage(data["snapshots"], start="2026-10-02", end="2026-10-31")
    assert tiles.loc["coverage", "value"] == f"{int((~coverage['covered']).sum())} of 30"
    # a trend for every tile with something to show (globex resolved no critical or high alert lately)
    assert set(summary.trends["tile"]) == set(tiles.index) - {"socket_ttr"}
    assert summary.trends["day"].min() >= pd.Timestamp("2026-08-01", tz="UTC")  # the last 90 days


def test_a_summary_without_snyk_says_so_and_refuses_several_orgs(data: dict[str, pd.DataFrame]) -> None:
    summary = analysis.posture_summary(snapshots=data["snapshots"], episodes=data["episodes"], now=AS_OF)
    tiles = summary.tiles.set_index("tile")
    assert tiles.loc["snyk_open", "value"] == "no data" and tiles.loc["snyk_ttr", "value"] == "no data"
    assert tiles.loc["sla", "detail"].startswith("Socket, not ignored")
    both = pd.concat([data["snapshots"].assign(org="a"), data["snapshots"].assign(org="b")], ignore_index=True)
    with pytest.raises(InvalidParameterError, match="several orgs"):
        analysis.posture_summary(snapshots=both)
    with pytest.raises(InvalidParameterError, match="days"):
        analysis.posture_summary(snapshots=data["snapshots"], days=0)


# -- the charts ------------------------------------------------------------------------------------


def test_the_posture_chart_is_a_grid_of_tiles_with_sparklines(data: dict[str, pd.DataFrame]) -> None:
    summary = analysis.posture_summary(**data, now=AS_OF)
    chart = charts.posture_summary_chart(summary)
    spec = chart.to_dict()
    assert spec["title"]["text"] == "Posture summary" and "2026-10-31 23:00 UTC" in spec["title"]["subtitle"]
    assert [len(row["hconcat"]) for row in spec["vconcat"]] == [3, 3, 1]  # three a row: it fits a notebook
    units = chart_units(spec)
    lines = [u for u in units if (u["mark"] if isinstance(u["mark"], str) else u["mark"]["type"]) == "line"]
    assert len(lines) == summary.trends["tile"].nunique()  # one sparkline a tile with a trend, else a note
    assert "no trend" in {str(r.get("note")) for rows in spec["datasets"].values() for r in rows}
    assert all(u["encoding"]["x"]["axis"] is None for u in lines)
    shown = {row.get("value") for rows in spec["datasets"].values() for row in rows if "title" in row}
    assert shown == set(summary.tiles["value"])
    svg = _renders(chart)
    assert "Posture summary" in svg and summary.tiles.iloc[0]["value"] in svg
    with pytest.raises(InvalidParameterError):
        charts.posture_summary_chart(summary.tiles)  # type: ignore[arg-type]


def test_time_to_remediate_chart(data: dict[str, pd.DataFrame]) -> None:
    chart = charts.time_to_remediate_chart({"Socket": data["episodes"], "Snyk": data["issues"]})
    spec = chart.to_dict()
    bars, ticks = spec["layer"]
    assert bars["encoding"]["y"]["field"] == "median_days" and ticks["encoding"]["y"]["field"] == "p90_days"
    assert bars["encoding"]["color"]["scale"]["domain"] == ["Socket", "Snyk"]
    rows = [r for rows in spec["datasets"].values() for r in rows]
    assert {r["severity"] for r in rows} <= {"critical", "high", "medium", "low"} and {r["tool"] for r in rows} == {
        "Socket", "Snyk"}  # fmt: skip
    _renders(chart)
    with pytest.raises(InvalidParameterError, match="frames"):
        charts.time_to_remediate_chart(data["issues"])  # type: ignore[arg-type]


def test_sla_chart_counts_open_items_by_state(data: dict[str, pd.DataFrame]) -> None:
    chart = charts.sla_chart({"Snyk": data["issues"]}, now=AS_OF)
    spec = chart.to_dict()
    rows = [r for rows in spec["datasets"].values() for r in rows]
    states = analysis.sla_status(data["issues"], now=AS_OF)
    open_ = states[(states["status"] == "open") & ~states["ignored"].fillna(False)]
    assert sum(r["items"] for r in rows) == int(open_["sla_state"].notna().sum())
    assert spec["encoding"]["color"]["scale"]["range"] == list(charts.SLA_COLORS.values())
    _renders(chart)


@pytest.mark.parametrize("freq", ["W", "M"])
def test_introduced_vs_fixed_chart(data: dict[str, pd.DataFrame], freq: str) -> None:
    chart = charts.introduced_vs_fixed_chart(data["issues"], freq)
    spec = chart.to_dict()
    rows = [r for rows in spec["datasets"].values() for r in rows]
    flows = analysis.introduced_vs_fixed(data["issues"], freq)
    assert sum(r["items"] for r in rows if r["change"] == "introduced") == flows["introduced"].sum()
    assert sum(r["items"] for r in rows if r["change"] == "fixed") == -flows["fixed"].sum()
    assert spec["encoding"]["x"]["timeUnit"] == "utcyearmonthdate"
    _renders(chart)


def test_resolutions_chart(data: dict[str, pd.DataFrame]) -> None:
    chart = charts.resolutions_chart(data["resolutions"])
    spec = chart.to_dict()
    rows = [r for rows in spec["datasets"].values() for r in rows]
    assert sum(r["resolutions"] for r in rows) == len(data["resolutions"])
    assert spec["encoding"]["color"]["scale"]["domain"] == ["false_positive", "remediated", "tolerable_risk", "other"]
    _renders(chart)
