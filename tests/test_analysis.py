"""The numbers behind the charts, checked by hand on small frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socketlab import analysis
from socketlab._frames import to_frame
from socketlab._schema import ISSUES, SNAPSHOTS

UTC = "UTC"


def _snap(requested: str, status: str = "success", **counts: int) -> dict[str, object]:
    base = {f"num{s.title()}Alerts": 0 for s in ("critical", "high", "medium", "low")}
    base |= {f"numIgnored{s.title()}Alerts": 0 for s in ("critical", "high", "medium", "low")}
    base |= counts
    return {
        "id": requested + status,
        "requestId": "r",
        "requestedBy": "x",
        "requestedAt": requested,
        "startedAt": requested,
        "finishedAt": requested,
        "durationMs": 60_000,
        "status": status,
        "numReposScanned": 1,
        "numSbomsScanned": 1,
        **base,
    }


@pytest.fixture
def snapshots() -> pd.DataFrame:
    return to_frame(
        [
            _snap("2026-01-01T00:00:00Z", numLowAlerts=10, numIgnoredLowAlerts=0),
            _snap("2026-01-01T12:00:00Z", numLowAlerts=8, numIgnoredLowAlerts=2, numCriticalAlerts=1),
            _snap("2026-01-01T18:00:00Z", "failure"),  # later, but failed: not the day's count
            _snap("2026-01-02T06:00:00Z", numLowAlerts=6, numIgnoredLowAlerts=6),
            _snap("2026-01-04T06:00:00Z", "skipped"),  # no successful snapshot on the 4th
            _snap("2026-01-05T23:59:59Z", numLowAlerts=0),
        ],
        SNAPSHOTS,
    )


def test_one_snapshot_per_day_the_latest_successful(snapshots: pd.DataFrame) -> None:
    daily = analysis.daily_snapshots(snapshots)
    assert daily["day"].dt.strftime("%m-%d").tolist() == ["01-01", "01-02", "01-05"]
    assert daily["num_low_alerts"].tolist() == [8, 6, 0]
    assert (daily["status"] == "success").all()


def test_alert_counts_are_long_and_ordered(snapshots: pd.DataFrame) -> None:
    counts = analysis.alert_counts(snapshots)
    assert len(counts) == 3 * 4 * 2
    first = counts[counts["day"] == pd.Timestamp("2026-01-01", tz=UTC)]
    assert first.set_index(["severity", "state"])["count"].to_dict() == {
        ("critical", "active"): 1,
        ("critical", "ignored"): 0,
        ("high", "active"): 0,
        ("high", "ignored"): 0,
        ("medium", "active"): 0,
        ("medium", "ignored"): 0,
        ("low", "active"): 8,
        ("low", "ignored"): 2,
    }
    assert counts["severity"].cat.ordered


def test_ignored_share_definition(snapshots: pd.DataFrame) -> None:
    """share = ignored / (ignored + active); no alerts means no share (NaN), not 0."""
    share = analysis.ignored_share(snapshots).set_index(["day", "severity"])
    day1, day2, day5 = (pd.Timestamp(d, tz=UTC) for d in ("2026-01-01", "2026-01-02", "2026-01-05"))
    assert share.loc[(day1, "low"), "share"] == pytest.approx(2 / 10)
    assert share.loc[(day1, "all"), "share"] == pytest.approx(2 / 11)
    assert share.loc[(day2, "low"), "share"] == pytest.approx(0.5)
    assert pd.isna(share.loc[(day5, "low"), "share"])
    assert pd.isna(share.loc[(day1, "high"), "share"])


def test_week_over_week(snapshots: pd.DataFrame) -> None:
    weekly = analysis.week_over_week(snapshots)
    low = weekly[(weekly["severity"] == "low") & (weekly["state"] == "active")]
    # 2026-01-01 is a Thursday: week of Dec 29 ends with 6 (the 2nd), week of Jan 5 with 0
    assert low["week"].dt.strftime("%Y-%m-%d").tolist() == ["2025-12-29", "2026-01-05"]
    assert low["count"].tolist() == [6, 0]
    assert pd.isna(low["delta"].iloc[0])
    assert low["delta"].iloc[1] == -6


def test_job_health_marks_days_without_jobs(snapshots: pd.DataFrame) -> None:
    health = analysis.job_health(snapshots)
    by = health.set_index([health["day"].dt.strftime("%m-%d"), "status"])
    assert by.loc[("01-01", "success"), "count"] == 2
    assert by.loc[("01-01", "failure"), "count"] == 1
    assert by.loc[("01-03", "none"), "count"] == 0  # no job at all that day
    assert by.loc[("01-01", "success"), "median_minutes"] == 1.0


def _issue(
    i: int, severity: str, created: str, resolved: str | None = None, ignored: bool = False
) -> dict[str, object]:
    attributes = {
        "key": f"k{i}",
        "title": "t",
        "type": "package_vulnerability",
        "effective_severity_level": severity,
        "created_at": created,
        "updated_at": created,
        "status": "resolved" if resolved else "open",
        "ignored": ignored,
        "coordinates": [{"representations": [{"dependency": {"package_name": f"p{i % 2}", "package_version": "1"}}]}],
    }
    if resolved:
        attributes["resolution"] = {"type": "fixed", "resolved_at": resolved}
    return {"id": f"i{i}", "type": "issue", "attributes": attributes, "relationships": {}}


def test_open_backlog_from_created_and_resolved() -> None:
    issues = to_frame(
        [
            _issue(1, "high", "2026-01-01T10:00:00Z"),
            _issue(2, "high", "2026-01-01T23:00:00Z", resolved="2026-01-03T01:00:00Z"),
            _issue(3, "low", "2026-01-02T00:00:00Z", resolved="2026-01-02T05:00:00Z"),  # open and closed the same day
        ],
        ISSUES,
    )
    backlog = analysis.open_backlog(issues, "2026-01-01", "2026-01-03")
    high = backlog[backlog["severity"] == "high"]["open"].tolist()
    low = backlog[backlog["severity"] == "low"]["open"].tolist()
    assert high == [2, 2, 1]
    assert low == [0, 0, 0]


def test_top_packages_counts_open_issues_only() -> None:
    issues = to_frame(
        [
            _issue(1, "high", "2026-01-01T00:00:00Z"),
            _issue(3, "low", "2026-01-01T00:00:00Z"),
            _issue(2, "critical", "2026-01-01T00:00:00Z"),
            _issue(5, "low", "2026-01-01T00:00:00Z", resolved="2026-01-02T00:00:00Z"),
        ],
        ISSUES,
    )
    top = analysis.top_packages(issues)
    assert top.set_index(["package_name", "severity"])["open"].to_dict() == {
        ("p0", "critical"): 1,
        ("p1", "high"): 1,
        ("p1", "low"): 1,
    }


def test_snyk_ignored_share_from_captures() -> None:
    captures = pd.DataFrame(
        {
            "captured_at": pd.to_datetime(["2026-01-01T23:59:59Z"] * 4 + ["2026-01-08T23:59:59Z"] * 2, utc=True),
            "effective_severity_level": ["low", "low", "low", "high", "low", "low"],
            "status": ["open", "open", "resolved", "open", "open", "open"],
            "ignored": [True, False, True, False, True, True],
        }
    )
    share = analysis.snyk_ignored_share(captures).set_index(
        [analysis.snyk_ignored_share(captures)["day"].dt.day, "severity"]
    )
    assert share.loc[(1, "low"), "share"] == pytest.approx(0.5)  # the resolved one does not count
    assert share.loc[(1, "all"), "share"] == pytest.approx(1 / 3)
    assert share.loc[(8, "low"), "share"] == pytest.approx(1.0)


def test_project_risk_ranks_by_critical_then_high() -> None:
    projects = pd.DataFrame(
        {
            "name": ["a", "b", "c"],
            **{
                f"latest_issue_counts_{s}": pd.array(v, dtype="Int64")
                for s, v in {
                    "critical": [0, 1, 0],
                    "high": [5, 0, 9],
                    "medium": [1, 1, 1],
                    "low": [np.nan, 2, 3],
                }.items()
            },
        }
    )
    risk = analysis.project_risk(projects, n=2)
    assert list(dict.fromkeys(risk["name"])) == ["b", "c"]
    assert risk.set_index(["name", "severity"]).loc[("c", "high"), "open"] == 9


def test_empty_inputs_give_empty_typed_frames() -> None:
    empty = to_frame([], SNAPSHOTS)
    assert analysis.alert_counts(empty).empty
    assert list(analysis.alert_counts(empty).columns) == ["day", "severity", "state", "count"]
    assert analysis.job_health(empty).empty


def test_snapshot_coverage_marks_days_without_a_successful_snapshot(snapshots: pd.DataFrame) -> None:
    coverage = analysis.snapshot_coverage(snapshots)
    assert coverage["day"].dt.strftime("%m-%d").tolist() == ["01-01", "01-02", "01-03", "01-04", "01-05"]
    assert coverage["covered"].tolist() == [True, True, False, False, True]
    assert coverage["jobs"].tolist() == [3, 1, 0, 1, 1]
    assert coverage["failed"].tolist() == [1, 0, 0, 0, 0]


def test_alert_totals_fill_missing_severities() -> None:
    trend = pd.DataFrame(
        {"date": pd.to_datetime(["2026-01-01", "2026-01-01"], utc=True), "alert_severity": ["low", "high"],
         "count": pd.array([5, 1], dtype="Int64"), "count_delta": pd.array([0, 1], dtype="Int64")}
    )  # fmt: skip
    totals = analysis.alert_totals(trend)
    assert totals["severity"].astype(str).tolist() == ["low", "medium", "high", "critical"]  # the schema's order
    assert totals["count"].tolist() == [5, 0, 1, 0]
    with pytest.raises(ValueError, match="group_by='alert_severity'"):
        analysis.alert_totals(trend.drop(columns="alert_severity"))


def test_alert_churn_counts_identities() -> None:
    def row(day: str, key: str, severity: str = "high") -> dict[str, object]:
        return {"scanned_at": pd.Timestamp(day, tz=UTC), "alert_severity": severity, "repo_full_name": "o/r",
                "alert_key": key}  # fmt: skip

    alerts = pd.DataFrame([row("2026-01-01", "a"), row("2026-01-01", "b"), row("2026-01-02", "b"),
                           row("2026-01-02", "c"), row("2026-01-02", "d")])  # fmt: skip
    churn = analysis.alert_churn(alerts)
    high = churn[churn["severity"] == "high"].iloc[0]
    assert (high["added"], high["resolved"], high["net"]) == (2, 1, 1)
    assert len(churn) == 4  # one day compared, four severities
