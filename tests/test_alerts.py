"""Socket's historical alerts, alert trends, dependency trends and organizations."""

from __future__ import annotations

import datetime as dt
import json
import re
import warnings
from typing import Any

import pandas as pd
import pytest

from socketlab import InvalidParameterError, QuotaExceededError, QuotaWarning, SocketClient, sandbox
from socketlab._params import (
    AGGREGATION_FIELDS,
    ALERT_FILTERS,
    DEPENDENCY_FILTERS,
    alerts_query,
    alerts_trend_query,
    dependencies_trend_query,
)
from socketlab.sandbox import SandboxToken, SocketSandbox
from socketlab.sandbox._alerts import day_alerts, last_successful
from tests.conftest import SPECS

SPEC = json.loads((SPECS / "socket-openapi.json").read_text())


def _parameters(path: str) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in SPEC["paths"][path]["get"]["parameters"]}


def _allowed(description: str) -> tuple[str, ...] | None:
    """The quoted values a spec description lists ('("a", "b", or "c")'), if any."""
    inside = re.search(r"\(([^)]*)\)", description)
    values = re.findall(r'"([\w-]+)', inside.group(1)) if inside else []  # the spec misses a quote: "ignore)
    return tuple(values) or None


@pytest.mark.parametrize("path", ["/orgs/{org_slug}/historical/alerts", "/orgs/{org_slug}/historical/alerts/trend"])
def test_the_filter_table_is_the_specs(path: str) -> None:
    """Every filters.* parameter (and its .notIn twin) with the spec's allowed values."""
    params = {n: p for n, p in _parameters(path).items() if n.startswith("filters.")}
    assert set(params) == {f"filters.{f}{suffix}" for f in ALERT_FILTERS for suffix in ("", ".notIn")}
    for name, allowed in ALERT_FILTERS.items():
        spec = params[f"filters.{name}"]
        if spec["schema"]["type"] == "boolean":
            assert allowed is bool, name
        elif name in ("alertType", "artifactType"):  # "e.g." lists are examples, not the allowed set
            assert allowed is None
        else:
            assert allowed == _allowed(spec["description"]), name


def test_the_aggregation_fields_and_dependency_filters_are_the_specs() -> None:
    trend = _parameters("/orgs/{org_slug}/historical/alerts/trend")["aggregation.fields"]["description"]
    assert tuple(trend.split("allowed: ")[1].rstrip(")").split(",")) == AGGREGATION_FIELDS
    deps = _parameters("/orgs/{org_slug}/historical/dependencies/trend")
    assert set(DEPENDENCY_FILTERS) == set(deps) - {"org_slug", "date", "range"}
    assert all((DEPENDENCY_FILTERS[n] is bool) == (deps[n]["schema"]["type"] == "boolean") for n in DEPENDENCY_FILTERS)


def test_filters_as_python_values() -> None:
    query = alerts_query(
        date="2026-10-01",
        range="latest",
        filters={
            "alert_severity": ["critical", "high"],
            "alert_action_not_in": "ignore",
            "dependency_direct": True,
            "alert_kev_not_in": False,
            "repo_labels": "",  # repositories with no labels
            "alert_cve_id": ["CVE-2026-1", "CVE-2026-2"],
        },
    )
    assert query == {
        "date": "2026-10-01", "range": "latest", "per_page": "10000",
        "filters.alertSeverity": "critical,high", "filters.alertAction.notIn": "ignore",
        "filters.dependencyDirect": "true", "filters.alertKEV.notIn": "false", "filters.repoLabels": "",
        "filters.alertCveId": "CVE-2026-1,CVE-2026-2",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("filters", "argument"),
    [
        ({"alert_severity": "severe"}, "alert_severity"),
        ({"alert_action": ["error", "block"]}, "alert_action"),
        ({"dependency_dev": "yes"}, "dependency_dev"),
        ({"alert_epss_not_in": ["huge"]}, "alert_epss_not_in"),
        ({"severity": "high"}, "severity"),  # not a filter of this endpoint
        ({"alert_type": ""}, "alert_type"),  # only repo_labels gives the empty string a meaning
    ],
)
def test_bad_filters_are_refused_before_sending(filters: dict[str, object], argument: str) -> None:
    with pytest.raises(InvalidParameterError, match=f"^{argument}: "):
        alerts_query(filters=filters)


def test_trend_and_dependency_queries() -> None:
    assert alerts_trend_query(range="-30d", group_by=["alert_severity", "alertType"]) == {
        "range": "-30d", "aggregation.fields": "alertSeverity,alertType",
    }  # fmt: skip
    with pytest.raises(InvalidParameterError, match="group_by"):
        alerts_trend_query(group_by="severity")
    with pytest.raises(InvalidParameterError, match="'latest' is not a trend range"):
        alerts_trend_query(range="latest")
    assert dependencies_trend_query(filters={"artifact_type": ["npm"], "dependency_dev": False}) == {
        "artifactType": "npm", "dependencyDev": "false",
    }  # fmt: skip
    with pytest.raises(InvalidParameterError, match="alert_severity"):
        dependencies_trend_query(filters={"alert_severity": "high"})


# -- against the sandbox ------------------------------------------------------------------------


def test_a_days_alerts_agree_with_its_snapshot() -> None:
    """The alert items of a day are exactly what the day's last successful snapshot counted."""
    day = dt.date(2026, 3, 20)
    scan = last_successful("acme-corp", day)
    assert scan is not None
    items = day_alerts("acme-corp", day)
    for severity in ("critical", "high", "medium", "low"):
        active = sum(1 for i in items if i["alert"]["severityName"] == severity and i["alert"]["action"] != "ignore")
        ignored = sum(1 for i in items if i["alert"]["severityName"] == severity and i["alert"]["action"] == "ignore")
        assert active == scan[f"num{severity.title()}Alerts"]
        assert ignored == scan[f"numIgnored{severity.title()}Alerts"]


def test_alerts_trends_and_snapshots_tell_the_same_numbers(sock: SocketClient) -> None:
    alerts = sock.alerts("acme-corp", date="2026-03-31", range="-13d")
    trend = sock.alerts_trend("acme-corp", date="2026-03-31", range="-13d", group_by="alert_severity")
    snaps = sock.snapshots("acme-corp", date="2026-03-31", range="-13d", status="success")
    from socketlab import analysis

    by_items = alerts.groupby([alerts["scanned_at"].dt.floor("D"), "alert_severity"], observed=True).size()
    by_trend = trend.set_index(["date", "alert_severity"])["count"]
    assert by_items.to_dict() == {(d, s): n for (d, s), n in by_trend.items() if n}
    counts = analysis.alert_counts(snaps).groupby(["day", "severity"], observed=True)["count"].sum()
    assert {(d, str(s)): int(n) for (d, s), n in counts.items() if n} == {k: int(v) for k, v in by_items.items()}
    deltas = trend[trend["alert_severity"] == "critical"].set_index("date")["count"]
    assert (trend[trend["alert_severity"] == "critical"]["count_delta"].iloc[1:].to_numpy()
            == deltas.diff().iloc[1:].to_numpy()).all()  # fmt: skip


def test_alert_pages_include_empty_intermediate_ones(sock: SocketClient) -> None:
    """Months before the org existed are scanned as empty pages that are not the end."""
    pages = list(sock.alert_pages("acme-corp", date="2025-07-15", range="-120d"))
    assert len(pages[0]["items"]) == 0
    assert pages[0]["endCursor"]
    frame = sock.alerts("acme-corp", date="2025-07-15", range="-120d")
    assert len(frame) == sum(len(p["items"]) for p in pages) > 0


def test_small_pages_give_the_same_frame(sock: SocketClient) -> None:
    big = sock.alerts("globex", date="2026-06-30", range="-20d")
    small = sock.alerts("globex", date="2026-06-30", range="-20d", per_page=97)
    assert small.attrs["pages"] > big.attrs["pages"]
    pd.testing.assert_frame_equal(big, small)
    assert str(big["alert_severity"].dtype) == "category"
    assert big["alert_severity"].cat.ordered


def test_filters_select_on_the_server(app: SocketSandbox, sock: SocketClient) -> None:
    frame = sock.alerts(
        "acme-corp", date="2026-03-20", range="-1d", alert_severity=["critical", "high"],
        alert_action_not_in="ignore", dependency_direct=True,
    )  # fmt: skip
    assert len(frame) > 0
    assert set(frame["alert_severity"].astype(str)) <= {"critical", "high"}
    assert "ignore" not in set(frame["alert_action"].astype(str))
    assert frame["dependency_direct"].all()
    assert frame.attrs["meta"]["filters"]["alertSeverity"] == ["critical", "high"]
    unlabelled = sock.alerts("acme-corp", date="2026-03-20", range="-1d", repo_labels="")
    assert len(unlabelled) > 0
    assert all(labels == [] for labels in unlabelled["repo_labels"])
    labelled = sock.alerts("acme-corp", date="2026-03-20", range="-1d", repo_labels_not_in="")
    assert all(labels for labels in labelled["repo_labels"])


def test_latest_alerts(sock: SocketClient) -> None:
    latest = sock.alerts("acme-corp", range="latest")
    assert latest.attrs["meta"]["includeLatestAlertsOnly"] is True
    assert latest["scanned_at"].dt.floor("D").nunique() == 1


def test_dependency_trend_columns(sock: SocketClient) -> None:
    deps = sock.dependencies_trend("acme-corp", date="2026-03-31", range="-6d")
    assert len(deps) == 7
    assert (deps["count"] == deps["count_direct"] + deps["count_indirect"]).all()
    assert str(deps["critical_count"].dtype) == "Int64"
    direct = sock.dependencies_trend("acme-corp", date="2026-03-31", range="-6d", dependency_direct=True)
    assert (direct["count"] == deps["count_direct"]).all()


def test_organizations_cost_one_unit(sock: SocketClient) -> None:
    orgs = sock.organizations()
    assert set(orgs["slug"]) == {"acme-corp", "globex"}
    assert list(orgs.columns) == ["id", "slug", "name", "plan", "image"]
    assert sock.quota_spent == 1


def test_trend_and_organizations_errors(app: SocketSandbox, sock: SocketClient) -> None:
    from socketlab import ForbiddenError, NotFoundError

    with pytest.raises(NotFoundError):
        sock.alerts_trend("no-such-org")
    app.add_token(SandboxToken("sktsec_snapshots_only", scopes=frozenset({"historical:snapshots-list"})))
    with sandbox.socket_client(app, token="sktsec_snapshots_only") as limited, pytest.raises(ForbiddenError):
        limited.alerts("acme-corp")


def test_a_warning_when_the_quota_cannot_cover_the_fetch(app: SocketSandbox, clock: Any) -> None:
    app.add_token(SandboxToken("sktsec_sixty", max_quota=60))
    with sandbox.socket_client(app, token="sktsec_sixty", progress=False, sleep=clock.sleep) as sock:
        with (
            pytest.warns(QuotaWarning, match=r"needs about \d+ more quota units but \d+ remain until"),
            pytest.raises(QuotaExceededError),  # the quota does run out: the warning came first
        ):
            sock.alerts("acme-corp", date="2026-10-31", range="-364d", per_page=2000)
    with sandbox.socket_client(app, progress=False) as plenty, warnings.catch_warnings():
        warnings.simplefilter("error")
        plenty.alerts("acme-corp", date="2026-10-31", range="-60d", per_page=2000)


def test_churn_nets_to_the_trends_daily_change(sock: SocketClient) -> None:
    """Added minus resolved (from the alert items) is the trend's count_delta, day by day."""
    from socketlab import analysis

    alerts = sock.alerts("acme-corp", date="2026-03-31", range="-20d")
    trend = sock.alerts_trend("acme-corp", date="2026-03-31", range="-20d", group_by="alert_severity")
    churn = analysis.alert_churn(alerts).set_index(["day", "severity"])["net"]
    deltas = analysis.alert_totals(trend).set_index(["day", "severity"])["count_delta"]
    common = churn.index.intersection(deltas.index)
    assert len(common) >= 60
    assert (churn[common] == deltas[common]).all()


def test_new_charts_specs(sock: SocketClient) -> None:
    from socketlab import charts

    trend = sock.alerts_trend("acme-corp", date="2026-03-31", range="-90d", group_by="alert_severity")
    totals = charts.alert_totals_chart(trend).to_dict()
    assert totals["encoding"]["x"]["timeUnit"] == "utcyearmonthdate"
    assert totals["encoding"]["color"]["scale"]["range"][0] == charts.SEVERITY_COLORS["critical"]
    churn = charts.alert_churn_chart(sock.alerts("acme-corp", date="2026-03-31", range="-60d")).to_dict()
    assert "resolved below zero" in churn["title"]["subtitle"]
    by_type = sock.alerts_trend("acme-corp", date="2026-03-31", range="-3d", group_by=["alert_type", "alert_severity"])
    types = charts.top_alert_types_chart(by_type, n=5).to_dict()
    assert len({r["alert_type"] for rows in types["datasets"].values() for r in rows}) == 5
    deps = charts.dependencies_chart(sock.dependencies_trend("acme-corp", date="2026-03-31", range="-30d")).to_dict()
    assert deps["encoding"]["color"]["scale"]["domain"] == ["direct", "indirect"]
    snaps = sock.snapshots("acme-corp", date="2026-03-31", range="-364d")
    coverage = charts.coverage_chart(snaps).to_dict()
    rows = [r for rows in coverage["datasets"].values() for r in rows]
    assert len(rows) == 365
    assert any(r["coverage"] == "no successful snapshot" for r in rows)  # the outage and the scheduler gap
