"""Several orgs in one frame: every analysis and chart works org by org, never pooling or picking.

Real two-org frames from the sandbox (acme-corp and globex) are checked against each org fetched
alone; small hand-made frames have answers worked out by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from socketlab import analysis, charts, history, sandbox
from socketlab._frames import to_frame
from socketlab._schema import SNAPSHOTS
from socketlab.sandbox import SnykSandbox, SocketSandbox

NOW = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
ORGS = ["acme-corp", "globex"]
ORG_IDS = [SnykSandbox.org_id(org) for org in ORGS]
START, END = "2026-07-01", "2026-10-31"


@pytest.fixture(scope="module")
def socket_frames() -> dict[str, Any]:
    """Two-org frames as the library returns them, and each org fetched alone."""
    with sandbox.socket_client(SocketSandbox(now=lambda: NOW), progress=False, cache=False) as sock:
        frames: dict[str, Any] = {
            "snapshots": sock.snapshots(ORGS, start=START, end=END),
            "alerts": sock.alerts(ORGS, start="2026-10-20", end=END),
        }
        for org in ORGS:
            frames[org] = {
                "snapshots": sock.snapshots(org, start=START, end=END),
                "alerts": sock.alerts(org, start="2026-10-20", end=END),
                "by_severity": sock.alerts_trend(org, date=END, range="-60d", group_by="alert_severity"),
                "by_type": sock.alerts_trend(org, date=END, range="-60d", group_by=["alert_type", "alert_severity"]),
                "dependencies": sock.dependencies_trend(org, date=END, range="-60d"),
            }
    # trends are one org a call: stacked with an org column, as `socketlab alerts-trend --org a --org b` does
    for kind in ("by_severity", "by_type", "dependencies"):
        frames[kind] = pd.concat([frames[org][kind].assign(org=org) for org in ORGS], ignore_index=True)
    return frames


@pytest.fixture(scope="module")
def snyk_frames() -> dict[str, Any]:
    with sandbox.snyk_client(SnykSandbox(now=lambda: NOW), progress=False, cache=False) as snyk:
        frames: dict[str, Any] = {
            "issues": snyk.issues(org_id=ORG_IDS),
            "group": snyk.issues(group_id=SnykSandbox().group_id),
            "projects": snyk.projects(ORG_IDS, latest_issue_counts=True),
        }
        for org_id in ORG_IDS:
            frames[org_id] = {
                "issues": snyk.issues(org_id=org_id),
                "projects": snyk.projects(org_id, latest_issue_counts=True),
            }
    return frames


def _one_org(result: pd.DataFrame, column: str, org: str) -> pd.DataFrame:
    """One org's rows of a per-org result, as a single-org result would have them."""
    return result[result[column] == org].drop(columns=column).reset_index(drop=True)


SOCKET_CASES: list[tuple[str, str, Callable[[pd.DataFrame], pd.DataFrame]]] = [
    ("snapshots", "daily_snapshots", analysis.daily_snapshots),
    ("snapshots", "alert_counts", analysis.alert_counts),
    ("snapshots", "ignored_share", analysis.ignored_share),
    ("snapshots", "week_over_week", analysis.week_over_week),
    ("snapshots", "job_health", analysis.job_health),
    ("snapshots", "snapshot_coverage", analysis.snapshot_coverage),
    ("alerts", "alert_churn", analysis.alert_churn),
    ("by_severity", "alert_totals", analysis.alert_totals),
    ("by_type", "top_alert_types", lambda trend: analysis.top_alert_types(trend, 5)),
    ("dependencies", "dependency_split", analysis.dependency_split),
]


@pytest.mark.parametrize(("kind", "name", "function"), SOCKET_CASES, ids=[c[1] for c in SOCKET_CASES])
def test_each_org_of_a_socket_frame_gets_its_own_numbers(
    kind: str, name: str, function: Callable[[pd.DataFrame], pd.DataFrame], socket_frames: dict[str, Any]
) -> None:
    """For each org: exactly what that org fetched alone gives; the org column first."""
    both = function(socket_frames[kind])
    assert both.columns[0] == "org", name
    assert list(both["org"].unique()) == ORGS
    for org in ORGS:
        alone = function(socket_frames[org][kind])
        assert len(alone) > 0, (name, org)
        pd.testing.assert_frame_equal(_one_org(both, "org", org), alone, obj=f"{name} of {org}")


SNYK_CASES: list[tuple[str, str, Callable[[pd.DataFrame], pd.DataFrame]]] = [
    ("issues", "open_backlog", lambda issues: analysis.open_backlog(issues, "2026-06-01", END)),
    ("issues", "top_packages", lambda issues: analysis.top_packages(issues, 5)),
    ("projects", "project_risk", lambda projects: analysis.project_risk(projects, 5)),
]


@pytest.mark.parametrize(("kind", "name", "function"), SNYK_CASES, ids=[c[1] for c in SNYK_CASES])
def test_each_org_of_a_snyk_frame_gets_its_own_numbers(
    kind: str, name: str, function: Callable[[pd.DataFrame], pd.DataFrame], snyk_frames: dict[str, Any]
) -> None:
    """Snyk frames of several orgs (org_id=[...]) say whose each row is with organization_id."""
    both = function(snyk_frames[kind])
    assert both.columns[0] == "organization_id"
    assert list(both["organization_id"].unique()) == ORG_IDS
    for org_id in ORG_IDS:
        pd.testing.assert_frame_equal(
            _one_org(both, "organization_id", org_id), function(snyk_frames[org_id][kind]), obj=f"{name} {org_id}"
        )


def test_a_groups_issues_are_per_org_too(snyk_frames: dict[str, Any]) -> None:
    """A group's issues span its orgs: the backlog is per org, each equal to that org's own."""
    backlog = analysis.open_backlog(snyk_frames["group"], "2026-06-01", END)
    assert set(backlog["organization_id"]) == set(ORG_IDS)
    for org_id in ORG_IDS:
        alone = analysis.open_backlog(snyk_frames[org_id]["issues"], "2026-06-01", END)
        pd.testing.assert_frame_equal(_one_org(backlog, "organization_id", org_id), alone)


def test_a_single_org_frame_is_analysed_as_before(snyk_frames: dict[str, Any], socket_frames: dict[str, Any]) -> None:
    """One org (the usual frame, or one org's rows of a multi-org frame) keeps the single-org output."""
    issues = snyk_frames[ORG_IDS[0]]["issues"]
    assert issues["organization_id"].nunique() == 1
    assert analysis.org_column(issues) is None
    assert "organization_id" not in analysis.top_packages(issues).columns
    snapshots = socket_frames["acme-corp"]["snapshots"]
    tagged = snapshots.assign(org="acme-corp")  # what frame[frame.org == "acme-corp"] leaves
    assert analysis.org_column(tagged) is None
    pd.testing.assert_frame_equal(analysis.alert_counts(tagged), analysis.alert_counts(snapshots))


# -- hand-made frames, answers worked out by hand -----------------------------------------------


def _snap(org: str, requested: str, status: str = "success", low: int = 0, ignored_low: int = 0) -> dict[str, Any]:
    zero = {f"num{s}Alerts": 0 for s in ("Critical", "High", "Medium", "Low")}
    zero |= {f"numIgnored{s}Alerts": 0 for s in ("Critical", "High", "Medium", "Low")}
    return {
        "org": org, "id": f"{org}-{requested}", "requestId": "r", "requestedBy": "x", "requestedAt": requested,
        "startedAt": requested, "finishedAt": requested, "durationMs": 60_000, "status": status,
        "numReposScanned": 1, "numSbomsScanned": 1, **zero, "numLowAlerts": low, "numIgnoredLowAlerts": ignored_low,
    }  # fmt: skip


@pytest.fixture
def two_orgs() -> pd.DataFrame:
    """Org a's day ends at 06:00, org b's at 18:00: a pooled 'latest of the day' would pick b's."""
    rows = [
        _snap("a", "2026-01-01T06:00:00Z", low=10, ignored_low=0),
        _snap("b", "2026-01-01T18:00:00Z", low=3, ignored_low=1),
        _snap("a", "2026-01-03T06:00:00Z", low=8, ignored_low=2),
        _snap("b", "2026-01-02T18:00:00Z", "failure"),
    ]
    frame = to_frame([{k: v for k, v in r.items() if k != "org"} for r in rows], SNAPSHOTS)
    frame.insert(0, "org", [r["org"] for r in rows])
    return frame


def test_daily_snapshots_keeps_each_orgs_day(two_orgs: pd.DataFrame) -> None:
    """The bug this fixes: a two-org frame gave one org's rows for a day both orgs had."""
    daily = analysis.daily_snapshots(two_orgs)
    days = daily["day"].dt.strftime("%m-%d")
    got = {(o, d): n for o, d, n in zip(daily["org"], days, daily["num_low_alerts"], strict=True)}
    assert got == {("a", "01-01"): 10, ("b", "01-01"): 3, ("a", "01-03"): 8}


def test_ignored_share_and_job_health_per_org(two_orgs: pd.DataFrame) -> None:
    share = analysis.ignored_share(two_orgs)
    low = share[share["severity"] == "low"]
    low = low.set_index(["org", low["day"].dt.strftime("%m-%d")])["share"]
    assert low.to_dict() == {("a", "01-01"): 0.0, ("b", "01-01"): pytest.approx(0.25), ("a", "01-03"): 0.2}
    health = analysis.job_health(two_orgs)
    days = health.groupby("org")["day"].agg(lambda d: sorted(d.dt.strftime("%m-%d")))
    assert days["a"] == ["01-01", "01-02", "01-03"]  # a's span has a day without a job
    assert days["b"] == ["01-01", "01-02"]  # b's span ends on the 2nd: no gap invented for the 3rd
    gap = health[(health["org"] == "a") & (health["status"] == "none")]
    assert gap["day"].dt.strftime("%m-%d").tolist() == ["01-02"]


def test_snyk_ignored_share_of_captures_from_two_orgs(tmp_path: Path) -> None:
    store = history.HistoryStore(tmp_path)
    parts = []
    for org in ORGS:
        name = sandbox.seed_snyk_history(store, org, start="2026-09-01", end="2026-10-31")
        parts.append(store.read(name).assign(organization_id=SnykSandbox.org_id(org)))
    share = analysis.snyk_ignored_share(pd.concat(parts, ignore_index=True))
    for org, part in zip(ORGS, parts, strict=True):
        alone = analysis.snyk_ignored_share(part.drop(columns="organization_id"))
        pd.testing.assert_frame_equal(_one_org(share, "organization_id", SnykSandbox.org_id(org)), alone)


# -- charts ------------------------------------------------------------------------------------


def _rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def _chart_cases(socket: dict[str, Any], snyk: dict[str, Any]) -> dict[str, tuple[Callable[..., Any], str, str]]:
    return {
        "alert_trend": (charts.alert_trend, "snapshots", "org"),
        "socket_ignored_share_chart": (charts.socket_ignored_share_chart, "snapshots", "org"),
        "week_over_week_chart": (charts.week_over_week_chart, "snapshots", "org"),
        "coverage_chart": (charts.coverage_chart, "snapshots", "org"),
        "alert_churn_chart": (charts.alert_churn_chart, "alerts", "org"),
        "alert_totals_chart": (charts.alert_totals_chart, "by_severity", "org"),
        "top_alert_types_chart": (charts.top_alert_types_chart, "by_type", "org"),
        "dependencies_chart": (charts.dependencies_chart, "dependencies", "org"),
        "snyk_backlog_chart": (lambda f: charts.snyk_backlog_chart(f, "2026-06-01", END), "issues", "organization_id"),
        "top_packages_chart": (charts.top_packages_chart, "issues", "organization_id"),
        "project_risk_chart": (charts.project_risk_chart, "projects", "organization_id"),
    }


def test_every_chart_draws_one_row_per_org(socket_frames: dict[str, Any], snyk_frames: dict[str, Any]) -> None:
    """Faceted by the org column, each org's rows of data equal to its own chart's; one title."""
    for name, (build, kind, column) in _chart_cases(socket_frames, snyk_frames).items():
        frames, orgs = (socket_frames, ORGS) if column == "org" else (snyk_frames, ORG_IDS)
        spec = build(frames[kind]).to_dict()
        assert spec["facet"]["row"]["field"] == column, name
        assert spec["facet"]["row"]["sort"] == orgs, name  # the frame's order
        assert "title" not in spec["spec"], name  # said once, above the rows
        assert spec["title"], name
        rows = _rows(spec)
        for org in orgs:
            alone = build(frames[org][kind]).to_dict()
            assert "facet" not in alone, name
            mine = [{k: v for k, v in r.items() if k != column} for r in rows if r[column] == org]
            assert mine == _rows(alone), (name, org)
        if name in ("top_packages_chart", "project_risk_chart", "top_alert_types_chart"):
            assert spec["resolve"]["scale"]["y"] == "independent"  # each org ranks its own bars


def test_job_health_chart_per_org(socket_frames: dict[str, Any]) -> None:
    spec = charts.job_health_chart(socket_frames["snapshots"]).to_dict()
    parts = spec["vconcat"]
    assert [p["facet"]["row"]["field"] for p in parts] == ["org", "org"]
    assert parts[0]["title"]["text"] == "Snapshot jobs per day"
    assert all("title" not in layer for layer in parts[0]["spec"]["layer"])
    side = charts.side_by_side(charts.alert_trend(socket_frames["snapshots"]), charts.coverage_chart(
        socket_frames["snapshots"])).to_dict()  # fmt: skip
    assert len(side["hconcat"]) == 2
