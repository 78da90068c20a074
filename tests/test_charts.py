"""Chart specs (chart.to_dict()): encodings, one palette, UTC time, titles, tooltips, size."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from socketlab import charts, history, sandbox
from socketlab.sandbox import SnykSandbox, SocketSandbox
from tests.conftest import chart_units

NOW = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def year() -> pd.DataFrame:
    with sandbox.socket_client(SocketSandbox(now=lambda: NOW), progress=False) as sock:
        return sock.snapshots("acme-corp", date="2026-10-31", range="-364d")


@pytest.fixture(scope="module")
def issues() -> pd.DataFrame:
    with sandbox.snyk_client(SnykSandbox(now=lambda: NOW), progress=False) as snyk:
        return snyk.issues(org_id=SnykSandbox.org_id("globex"))


def _data(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def test_alert_trend_encodings(year: pd.DataFrame) -> None:
    spec = charts.alert_trend(year).to_dict()
    enc = spec["encoding"]
    assert enc["x"]["field"] == "day"
    assert enc["x"]["timeUnit"] == "utcyearmonthdate"
    assert enc["y"]["field"] == "count"
    assert enc["color"]["scale"]["domain"] == ["critical", "high", "medium", "low"]
    assert enc["color"]["scale"]["range"] == [charts.SEVERITY_COLORS[s] for s in ("critical", "high", "medium", "low")]
    assert enc["strokeDash"]["field"] == "state"
    assert [t["field"] for t in enc["tooltip"]] == ["day", "severity", "state", "count"]
    assert spec["title"]["text"] == "Socket alerts by severity"
    rows = _data(spec)
    assert 2000 < len(rows) < 5000  # a year, aggregated: far below Altair's limit
    assert {r["state"] for r in rows} == {"active", "ignored"}


def test_share_chart_states_the_definition(year: pd.DataFrame) -> None:
    spec = charts.socket_ignored_share_chart(year).to_dict()
    assert "ignored / (ignored + active)" in spec["title"]["subtitle"]
    assert spec["encoding"]["y"]["axis"]["format"] == "%"
    assert spec["encoding"]["color"]["scale"]["domain"][-1] == "all"
    assert all(0 <= r["share"] <= 1 for r in _data(spec))
    assert "ignored / (ignored + active)" in (charts.ignored_share_chart.__doc__ or "")


def test_one_severity_palette_everywhere(year: pd.DataFrame, issues: pd.DataFrame) -> None:
    colors = []
    for chart in (
        charts.alert_trend(year),
        charts.socket_ignored_share_chart(year),
        charts.week_over_week_chart(year),
        charts.snyk_backlog_chart(issues, "2025-11-01", "2026-10-31"),
        charts.top_packages_chart(issues),
    ):
        for unit in chart_units(chart.to_dict()):
            scale = unit["encoding"]["color"]["scale"]
            colors.append(dict(zip(scale["domain"], scale["range"], strict=True)))
    for mapping in colors:
        for severity, color in charts.SEVERITY_COLORS.items():
            assert mapping[severity] == color


def test_job_health_shows_failures_and_gaps(year: pd.DataFrame) -> None:
    spec = charts.job_health_chart(year).to_dict()
    units = chart_units(spec)
    color_scales = [u["encoding"]["color"]["scale"] for u in units if "color" in u.get("encoding", {})]
    assert all(
        dict(zip(s["domain"], s["range"], strict=True))["failure"] == charts.STATUS_COLORS["failure"]
        for s in color_scales
    )
    statuses = {r["status"] for r in _data(spec)}
    assert {"success", "failure", "timeout", "skipped"} <= statuses
    assert len(_data(spec)) < 5000


def test_snyk_charts(issues: pd.DataFrame, tmp_path: Any) -> None:
    backlog = charts.snyk_backlog_chart(issues, "2025-11-01", "2026-10-31").to_dict()
    assert backlog["encoding"]["y"]["field"] == "open"
    assert len(_data(backlog)) == 365 * 4
    name = sandbox.seed_snyk_history(history.HistoryStore(tmp_path), "globex", start="2026-01-01", end="2026-10-31")
    captures = history.HistoryStore(tmp_path).read(name)
    share = charts.snyk_ignored_share_chart(captures).to_dict()
    assert share["title"]["text"] == "Snyk: ignored share of open issues"
    both = charts.side_by_side(charts.snyk_backlog_chart(issues), charts.snyk_ignored_share_chart(captures)).to_dict()
    assert both["resolve"]["scale"]["color"] == "shared"
    assert len(both["hconcat"]) == 2
