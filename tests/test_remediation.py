"""Remediation metrics on hand-made frames with known answers, the issue's edge cases, and properties."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socketlab import DataWarning, InvalidParameterError, analysis
from socketlab._decoders import export_items
from socketlab._frames import to_frame
from socketlab._schema import ALERTS, EXPORT_ISSUES, ISSUES, SEVERITY

T0 = pd.Timestamp("2026-01-01", tz="UTC")


def _issue(key: str, severity: str, created: str, resolved: str | None = None, *, ignored: bool = False,
           org: str = "o1", sources: list[str] | None = None) -> dict[str, Any]:  # fmt: skip
    attributes: dict[str, Any] = {"key": key, "effective_severity_level": severity, "created_at": created,
                                  "status": "resolved" if resolved else "open", "ignored": ignored}  # fmt: skip
    if resolved:
        attributes["resolution"] = {"type": "fixed", "resolved_at": resolved}
    if sources is not None:
        attributes["exploit_details"] = {"sources": sources, "maturity_levels": []}
    return {"id": key, "type": "issue", "attributes": attributes,
            "relationships": {"organization": {"data": {"id": org}}}}  # fmt: skip


def _issues(*rows: dict[str, Any]) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an unknown severity is reported once; here it is meant
        return to_frame(list(rows), ISSUES)


ISSUES_FRAME = _issues(
    _issue("a", "critical", "2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z"),  # 2 days
    _issue("b", "critical", "2026-01-01T00:00:00Z", "2026-01-11T00:00:00Z"),  # 10 days
    _issue("c", "critical", "2026-01-01T00:00:00Z", "2026-01-07T00:00:00Z"),  # 6 days
    _issue("d", "high", "2026-01-05T06:00:00Z", "2026-01-05T18:00:00Z"),  # resolved the day it opened: 0.5
    _issue("e", "high", "2026-01-05T00:00:00Z"),  # open
    _issue("f", "low", "2026-01-10T00:00:00Z", ignored=True),  # open, ignored
)


# -- time to remediate -----------------------------------------------------------------------------------


def test_time_to_remediate_known_answers() -> None:
    out = analysis.time_to_remediate(ISSUES_FRAME).set_index("severity")
    assert list(out.index) == ["info", "low", "medium", "high", "critical"]  # the schema's order, every level
    assert out.loc["critical", ["resolved", "open"]].tolist() == [3, 0]
    assert out.loc["critical", "median_days"] == 6 and out.loc["critical", "mean_days"] == 6
    assert out.loc["critical", "p90_days"] == pytest.approx(6 + 0.8 * 4)  # linear between 6 and 10
    assert out.loc["high", ["resolved", "open"]].tolist() == [1, 1] and out.loc["high", "median_days"] == 0.5
    assert out.loc["low", ["resolved", "open"]].tolist() == [0, 1]
    assert out.loc["medium", ["resolved", "open"]].tolist() == [0, 0] and pd.isna(out.loc["medium", "median_days"])
    assert str(out.reset_index()["severity"].dtype) == str(SEVERITY.dtype())


def test_no_resolved_items_gives_counts_and_no_durations() -> None:
    out = analysis.time_to_remediate(_issues(_issue("x", "high", "2026-01-01T00:00:00Z")))
    assert out["resolved"].sum() == 0 and out["open"].sum() == 1
    assert out[["median_days", "mean_days", "p90_days"]].isna().all().all()


def test_unknown_severities_get_rows_of_their_own_below_the_known_ones() -> None:
    frame = _issues(_issue("x", "severe", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"),
                    _issue("y", "high", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z"))  # fmt: skip
    out = analysis.time_to_remediate(frame)
    assert out["severity"].astype(str).tolist() == ["severe", "info", "low", "medium", "high", "critical"]
    assert out.set_index(out["severity"].astype(str)).loc["severe", "median_days"] == 1
    assert (out["severity"] >= "high").sum() == 2  # the unknown level ranks below every known one


def test_several_orgs_each_get_exactly_their_own_answer() -> None:
    both = _issues(
        _issue("a", "high", "2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z", org="o1"),
        _issue("b", "high", "2026-01-01T00:00:00Z", "2026-01-21T00:00:00Z", org="o2"),
        _issue("c", "low", "2026-01-01T00:00:00Z", org="o2"),
    )
    out = analysis.time_to_remediate(both)
    assert list(out.columns[:2]) == ["organization_id", "severity"]
    for org, rows in both.groupby("organization_id"):
        alone = analysis.time_to_remediate(rows.reset_index(drop=True))
        mine = out[out["organization_id"] == org].drop(columns="organization_id").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone)


def test_a_group_export_is_analysed_org_by_org() -> None:
    """A group's export names each row's org in org_public_id: never pooled."""
    csv = (
        b"ORG_PUBLIC_ID,ORG_SLUG,PROBLEM_ID,ISSUE_SEVERITY,ISSUE_STATUS,FIRST_INTRODUCED,LAST_RESOLVED\n"
        b"org-a,a,SNYK-1,high,resolved,2026-01-01T00:00:00Z,2026-01-03T00:00:00Z\n"
        b"org-b,b,SNYK-1,high,resolved,2026-01-01T00:00:00Z,2026-01-21T00:00:00Z\n"
        b"org-b,b,SNYK-2,low,open,2026-01-01T00:00:00Z,\n"
    )
    export = to_frame(export_items(csv), EXPORT_ISSUES)
    for metric in (analysis.time_to_remediate, analysis.introduced_vs_fixed):
        out = metric(export)
        assert out.columns[0] == "org_public_id" and set(out["org_public_id"]) == {"org-a", "org-b"}
        for org, rows in export.groupby("org_public_id"):
            alone = metric(rows.reset_index(drop=True))
            mine = out[out["org_public_id"] == org].drop(columns="org_public_id").reset_index(drop=True)
            pd.testing.assert_frame_equal(mine, alone.drop(columns="org_public_id", errors="ignore"))
    medians = analysis.time_to_remediate(export).set_index(["org_public_id", "severity"])["median_days"]
    assert (medians.loc[("org-a", "high")], medians.loc[("org-b", "high")]) == (2, 20)


def test_items_without_a_severity_are_left_out_and_said_to_be() -> None:
    frame = _issues(_issue("x", "high", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"),
                    _issue("y", None, "2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z"))  # type: ignore[arg-type]  # fmt: skip
    with pytest.warns(DataWarning, match="^time_to_remediate: 1 of 2 items have no severity and are left out$"):
        out = analysis.time_to_remediate(frame)
    assert out["resolved"].sum() == 1
    with pytest.warns(DataWarning, match="^introduced_vs_fixed: 1 of 2 items have no severity"):
        assert analysis.introduced_vs_fixed(frame)["introduced"].sum() == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every item has a severity: nothing to say
        analysis.time_to_remediate(ISSUES_FRAME)


def test_a_raw_alerts_frame_is_pointed_to_alert_episodes() -> None:
    with pytest.raises(InvalidParameterError, match="alert_episodes"):
        analysis.time_to_remediate(to_frame([], ALERTS))


# -- alert episodes -------------------------------------------------------------------------------------


def _alert(day: str, repo: str, key: str, *, severity: str = "high", version: str = "1.0.0",
           action: str = "error", org: str | None = None) -> dict[str, Any]:  # fmt: skip
    row: dict[str, Any] = {
        "scannedAt": f"{day}T05:00:00Z", "repoSlug": repo, "repoFullName": f"acme/{repo}",
        "alert": {"key": key, "type": "cve", "severityName": severity, "action": action,
                  "props": {"cveId": "CVE-2026-1", "epss": {"score": 0.2, "percentile": 0.9}, "kevs": None}},
        "artifact": {"type": "npm", "name": "lodash", "version": version},
    }  # fmt: skip
    return row


def _alerts(*rows: dict[str, Any]) -> pd.DataFrame:
    return to_frame(list(rows), ALERTS)


def test_an_episode_ends_on_the_first_scanned_day_without_the_alert() -> None:
    frame = _alerts(
        _alert("2026-01-01", "web", "k1"), _alert("2026-01-02", "web", "k1"),
        _alert("2026-01-01", "web", "other"), _alert("2026-01-02", "web", "other"),
        _alert("2026-01-04", "web", "other"),  # web scanned on the 4th (not the 3rd): k1 resolved on the 4th
    )  # fmt: skip
    episodes = analysis.alert_episodes(frame).set_index("alert_key")
    k1 = episodes.loc["k1"]
    assert (k1["first_seen"], k1["last_seen"], k1["resolved_at"]) == (
        T0,
        T0 + pd.Timedelta(days=1),
        T0 + pd.Timedelta(days=3),
    )
    assert k1["status"] == "resolved" and k1["days_seen"] == 2
    assert episodes.loc["other", "status"] == "open" and pd.isna(episodes.loc["other", "resolved_at"])


def test_a_day_without_a_scan_closes_nothing() -> None:
    """Seen on the 1st and the 3rd; the repository was not scanned on the 2nd: one episode."""
    frame = _alerts(_alert("2026-01-01", "web", "k1"), _alert("2026-01-03", "web", "k1"))
    episodes = analysis.alert_episodes(frame)
    assert len(episodes) == 1 and episodes.loc[0, "days_seen"] == 2 and episodes.loc[0, "status"] == "open"


def test_a_scan_without_the_alert_between_two_sightings_makes_two_episodes() -> None:
    frame = _alerts(_alert("2026-01-01", "web", "k1"), _alert("2026-01-02", "web", "x"),
                    _alert("2026-01-03", "web", "k1"))  # fmt: skip
    episodes = analysis.alert_episodes(frame)
    k1 = episodes[episodes["alert_key"] == "k1"].reset_index(drop=True)
    assert len(k1) == 2
    assert k1.loc[0, "resolved_at"] == T0 + pd.Timedelta(days=1) and k1.loc[1, "status"] == "open"


def test_scans_of_repositories_with_no_alert_count_too() -> None:
    frame = _alerts(_alert("2026-01-01", "api", "k1"))
    assert analysis.alert_episodes(frame).loc[0, "status"] == "open"  # api never seen scanned again
    scans = pd.DataFrame({"repo_full_name": ["acme/api"], "day": [T0 + pd.Timedelta(days=5)]})
    episode = analysis.alert_episodes(frame, scans=scans).iloc[0]
    assert episode["resolved_at"] == T0 + pd.Timedelta(days=5)


def test_another_repository_or_package_version_is_another_alert() -> None:
    frame = _alerts(_alert("2026-01-01", "web", "k1"), _alert("2026-01-01", "api", "k1"),
                    _alert("2026-01-02", "web", "k1", version="1.0.1"))  # an upgrade: a new package  # fmt: skip
    episodes = analysis.alert_episodes(frame)
    assert len(episodes) == 3
    old = episodes[(episodes["repo_full_name"] == "acme/web") & (episodes["artifact_version"] == "1.0.0")].iloc[0]
    assert old["resolved_at"] == T0 + pd.Timedelta(days=1)  # web scanned on the 2nd without 1.0.0


def test_episodes_feed_time_to_remediate_and_carry_exploitability() -> None:
    frame = _alerts(_alert("2026-01-01", "web", "k1", severity="critical"), _alert("2026-01-02", "web", "x"),
                    _alert("2026-01-01", "web", "k2", severity="medium", action="ignore"))  # fmt: skip
    episodes = analysis.alert_episodes(frame)
    ttr = analysis.time_to_remediate(episodes).set_index("severity")
    assert ttr.loc["critical", "median_days"] == 1 and ttr.loc["medium", "median_days"] == 1
    assert episodes.set_index("alert_key").loc["k2", "ignored"] == True  # noqa: E712
    assert (episodes["alert_epss_score"] == 0.2).all() and episodes["cve_id"].eq("CVE-2026-1").all()


def test_episodes_of_several_orgs_are_per_org() -> None:
    rows = [_alert("2026-01-01", "web", "k1"), _alert("2026-01-02", "web", "x")]
    one = _alerts(*rows)
    both = pd.concat([one.assign(org="a"), _alerts(rows[0]).assign(org="b")], ignore_index=True)
    both = both[["org", *one.columns]]
    out = analysis.alert_episodes(both)
    assert set(out["org"]) == {"a", "b"}
    a = out[out["org"] == "a"].drop(columns="org").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, analysis.alert_episodes(one))
    assert out[out["org"] == "b"]["status"].tolist() == ["open"]  # b's web was never scanned again


@settings(max_examples=60, deadline=None)
@given(present=st.lists(st.lists(st.booleans(), min_size=2, max_size=2), min_size=1, max_size=12))
def test_episode_days_add_up_and_episodes_never_overlap(present: list[list[bool]]) -> None:
    """For any pattern of sightings (each day: alert k1 seen? the repo scanned?), every day k1 was
    seen belongs to exactly one episode, and an episode ends before the next one starts."""
    rows = []
    for offset, (seen, scanned) in enumerate(present):
        day = (T0 + pd.Timedelta(days=offset)).strftime("%Y-%m-%d")
        if seen:
            rows.append(_alert(day, "web", "k1"))
        if scanned or seen:
            rows.append(_alert(day, "web", "marker"))
    episodes = analysis.alert_episodes(_alerts(*rows))
    k1 = episodes[episodes["alert_key"] == "k1"].sort_values("first_seen")
    assert k1["days_seen"].sum() == sum(seen for seen, _ in present)
    ends = k1["resolved_at"].tolist()
    starts = k1["first_seen"].tolist()
    for end, nxt in zip(ends[:-1], starts[1:], strict=True):
        assert pd.notna(end) and end <= nxt
    assert k1["status"].tolist().count("open") <= 1


# -- SLA ----------------------------------------------------------------------------------------------------

NOW = pd.Timestamp("2026-01-20", tz="UTC")


def test_sla_states_by_the_issues_rules() -> None:
    frame = _issues(
        _issue("late-fix", "critical", "2026-01-01T00:00:00Z", "2026-01-20T00:00:00Z"),  # due 16th: breached
        _issue("fix", "critical", "2026-01-01T00:00:00Z", "2026-01-10T00:00:00Z"),  # within
        _issue("overdue", "critical", "2026-01-01T00:00:00Z"),  # open, due the 16th: breached
        _issue("soon", "high", "2025-12-25T00:00:00Z"),  # open, due 24th: 4 days left: at_risk
        _issue("later", "medium", "2026-01-10T00:00:00Z"),  # due in April: within
        _issue("note", "info", "2026-01-01T00:00:00Z"),  # no SLA for info
    )
    out = analysis.sla_status(frame, now=NOW).set_index("id")
    states = {k: None if pd.isna(v) else v for k, v in out["sla_state"].to_dict().items()}
    assert states == {
        "late-fix": "breached", "fix": "within", "overdue": "breached", "soon": "at_risk", "later": "within",
        "note": None,
    }  # fmt: skip
    assert out.loc["overdue", "due_at"] == pd.Timestamp("2026-01-16", tz="UTC")
    assert out.loc["overdue", "age_days"] == 19 and out.loc["fix", "age_days"] == 9
    assert pd.isna(out.loc["note", "due_at"])
    assert out["sla_state"].cat.ordered and list(out["sla_state"].cat.categories) == ["within", "at_risk", "breached"]
    assert "key" in out.columns  # the item's own columns are kept


def test_sla_policy_warn_days_and_their_checks() -> None:
    frame = _issues(_issue("x", "low", "2026-01-01T00:00:00Z"))
    assert analysis.sla_status(frame, policy={"low": 25}, now=NOW).loc[0, "sla_state"] == "at_risk"
    assert analysis.sla_status(frame, policy={"low": 25}, now=NOW, warn_days=2).loc[0, "sla_state"] == "within"
    numpy_days = np.int64(2)  # as a frame's value would be
    assert analysis.sla_status(frame, policy={"low": 25}, now=NOW, warn_days=numpy_days).loc[0, "sla_state"] == "within"
    assert analysis.sla_status(frame, policy=analysis.SlaPolicy({"low": 5}), now=NOW).loc[0, "sla_state"] == "breached"
    assert pd.isna(analysis.sla_status(frame, policy={"high": 5}, now=NOW).loc[0, "sla_state"])
    for bad, argument in ((({"urgent": 3}), "policy"), ({"low": 0}, "policy"), ({"low": "30"}, "policy")):
        with pytest.raises(InvalidParameterError) as info:
            analysis.sla_status(frame, policy=bad, now=NOW)
        assert info.value.argument == argument
    with pytest.raises(InvalidParameterError, match="now"):
        analysis.sla_status(frame, now="next tuesday")
    for bad_days in (-1, True, "7", float("inf"), float("nan")):
        with pytest.raises(InvalidParameterError, match="^warn_days: expected a number of days, 0 or more"):
            analysis.sla_status(frame, now=NOW, warn_days=bad_days)  # type: ignore[arg-type]


# -- introduced versus fixed --------------------------------------------------------------------------------


def test_introduced_versus_fixed_per_week() -> None:
    out = analysis.introduced_vs_fixed(ISSUES_FRAME, freq="W")
    weeks = sorted(out["period"].unique())
    assert weeks[0] == pd.Timestamp("2025-12-29", tz="UTC")  # the ISO week (Monday) of Jan 1st
    counts = out.set_index(["period", out["severity"].astype(str)])
    first = pd.Timestamp("2025-12-29", tz="UTC")
    # Jan 1st to 4th are that week: 3 critical opened, one (a) fixed on the 3rd
    assert counts.loc[(first, "critical"), ["introduced", "fixed", "net"]].tolist() == [3, 1, 2]
    week2 = pd.Timestamp("2026-01-05", tz="UTC")
    assert counts.loc[(week2, "critical"), "fixed"] == 2  # the 7th and the 11th (a Sunday)
    assert counts.loc[(week2, "high"), ["introduced", "fixed"]].tolist() == [2, 1]  # d resolved the day it opened
    assert out["introduced"].sum() == len(ISSUES_FRAME) and out["fixed"].sum() == 4
    assert set(out["severity"].astype(str)) == {"low", "high", "critical"}  # the severities items have


@pytest.mark.parametrize(("freq", "first"), [("D", "2026-01-01"), ("M", "2026-01-01"), ("Q", "2026-01-01")])
def test_introduced_versus_fixed_other_periods(freq: str, first: str) -> None:
    out = analysis.introduced_vs_fixed(ISSUES_FRAME, freq=freq)
    assert out["period"].min() == pd.Timestamp(first, tz="UTC") and out["introduced"].sum() == 6


def test_introduced_versus_fixed_refuses_an_unknown_period_and_handles_nothing() -> None:
    with pytest.raises(InvalidParameterError, match="freq"):
        analysis.introduced_vs_fixed(ISSUES_FRAME, freq="fortnight")
    empty = analysis.introduced_vs_fixed(ISSUES_FRAME.iloc[:0])
    assert list(empty.columns) == ["period", "severity", "introduced", "fixed", "net"] and len(empty) == 0


# -- prioritize ------------------------------------------------------------------------------------------------


def test_prioritize_kev_then_epss_then_severity() -> None:
    frame = _issues(
        _issue("crit", "critical", "2026-01-01T00:00:00Z", sources=["Snyk"]),
        _issue("kev-low", "low", "2026-01-02T00:00:00Z", sources=["CISA"]),
        _issue("kev-high", "high", "2026-01-03T00:00:00Z", sources=["CISA", "Snyk"]),
        _issue("high", "high", "2026-01-01T00:00:00Z"),
        _issue("done", "critical", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", sources=["CISA"]),
        _issue("ignored", "critical", "2026-01-01T00:00:00Z", ignored=True, sources=["CISA"]),
    )
    out = analysis.prioritize(frame)
    assert out["id"].tolist() == ["kev-high", "kev-low", "crit", "high"]  # open, not ignored
    assert out["rank"].tolist() == [1, 2, 3, 4]
    assert list(out.columns[:5]) == ["rank", "kev", "epss", "severity", "opened_at"]


def test_prioritize_uses_epss_before_severity_on_alerts() -> None:
    def alert(key: str, severity: str, epss: float | None, kev: bool) -> dict[str, Any]:
        row = _alert("2026-01-02", "web", key, severity=severity)
        row["alert"]["props"] = {"epss": None if epss is None else {"score": epss, "percentile": 0.5},
                                 "kevs": [{"x": 1}] if kev else None}  # fmt: skip
        return row

    frame = _alerts(alert("low-hot", "low", 0.9, False), alert("crit-cold", "critical", 0.01, False),
                    alert("none", "critical", None, False), alert("kev", "medium", 0.001, True),
                    _alert("2026-01-01", "web", "gone"))  # seen the day before the last scan: not open  # fmt: skip
    ranked = analysis.prioritize(frame)["alert_key"].tolist()
    assert ranked == ["kev", "low-hot", "crit-cold", "none"]
    episodes = analysis.alert_episodes(frame)
    assert analysis.prioritize(episodes)["alert_key"].tolist() == ranked


# -- cross-tool packages -------------------------------------------------------------------------------------


def _socket_alert(ecosystem: str, name: str, version: str, severity: str, cve: str | None, key: str,
                  namespace: str | None = None) -> dict[str, Any]:  # fmt: skip
    return {"scannedAt": "2026-01-02T00:00:00Z", "repoSlug": "web", "repoFullName": "acme/web",
            "alert": {"key": key, "type": "cve", "severityName": severity, "action": "error",
                      "props": {"cveId": cve} if cve else None},
            "artifact": {"type": ecosystem, "namespace": namespace, "name": name, "version": version}}  # fmt: skip


def _snyk_issue(key: str, project: str, package: str, version: str, severity: str, cves: list[str]) -> dict[str, Any]:
    return {"id": key, "type": "issue", "attributes": {
        "key": key, "effective_severity_level": severity, "status": "open", "created_at": "2026-01-01T00:00:00Z",
        "problems": [{"id": c, "source": "NVD", "type": "vulnerability"} for c in cves],
        "coordinates": [{"representations": [{"dependency": {"package_name": package, "package_version": version}}]}],
    }, "relationships": {"scan_item": {"data": {"id": project, "type": "project"}}}}  # fmt: skip


def test_cross_tool_packages_match_on_ecosystem_and_name() -> None:
    alerts = _alerts(
        _socket_alert("pypi", "PyYAML", "5.3", "high", "CVE-1", "a1"),
        _socket_alert("pypi", "PyYAML", "5.4", "critical", None, "a2"),
        _socket_alert("npm", "lodash", "4.17.20", "low", "CVE-9", "a3"),
        _socket_alert(
            "maven", "log4j-core", "2.14.1", "critical", "CVE-2021-44228", "a4", namespace="org.apache.logging.log4j"
        ),
        _socket_alert("npm", "left-pad", "1.0.0", "low", None, "a5"),  # Snyk does not flag it
    )
    issues = _issues(
        _snyk_issue("s1", "p-pip", "pyyaml", "5.3", "medium", ["CVE-1", "CVE-2"]),
        _snyk_issue("s2", "p-poetry", "pyyaml", "5.1", "high", []),
        _snyk_issue("s3", "p-yarn", "lodash", "4.17.20", "high", ["CVE-9"]),
        _snyk_issue("s4", "p-gradle", "org.apache.logging.log4j:log4j-core", "2.14.1", "critical", ["CVE-2021-44228"]),
        _snyk_issue("s5", "p-pip", "lodash", "1.0", "low", []),  # a PyPI package named lodash: not npm's
    )
    projects = pd.DataFrame({"id": ["p-pip", "p-poetry", "p-yarn", "p-gradle"],
                             "project_type": ["pip", "poetry", "yarn", "gradle"]})  # fmt: skip
    out = analysis.cross_tool_packages(alerts, issues, projects).set_index(["ecosystem", "name"])
    assert sorted(out.index) == [("maven", "org.apache.logging.log4j:log4j-core"), ("npm", "lodash"),
                                 ("pypi", "pyyaml")]  # fmt: skip
    pyyaml = out.loc[("pypi", "pyyaml")]
    assert (pyyaml["socket_alerts"], pyyaml["snyk_issues"]) == (2, 2)
    assert (pyyaml["socket_worst_severity"], pyyaml["snyk_worst_severity"]) == ("critical", "high")
    assert pyyaml["socket_versions"] == "5.3, 5.4" and pyyaml["snyk_versions"] == "5.1, 5.3"
    assert pyyaml["shared_cves"] == ["CVE-1"]
    assert out.loc[("npm", "lodash"), "shared_cves"] == ["CVE-9"] and out.loc[("npm", "lodash"), "snyk_issues"] == 1
    assert out.reset_index().iloc[0]["name"] != "lodash"  # worst first


def test_cross_tool_packages_needs_the_projects_for_issues() -> None:
    with pytest.raises(InvalidParameterError, match="projects"):
        analysis.cross_tool_packages(_alerts(), _issues(_snyk_issue("s", "p", "x", "1", "low", [])))


# -- resolutions by reason, and invariants ------------------------------------------------------------------


def test_resolutions_by_reason_per_month() -> None:
    from socketlab._schema import RESOLUTIONS

    rows = [{"uuid": str(i), "reason": reason, "created_at": created}
            for i, (reason, created) in enumerate([("false_positive", "2026-01-03T00:00:00Z"),
                                                   ("false_positive", "2026-01-20T00:00:00Z"),
                                                   ("other", "2026-01-31T23:59:59Z"),
                                                   ("remediated", "2026-02-01T00:00:00Z")])]  # fmt: skip
    out = analysis.resolutions_by_reason(to_frame(rows, RESOLUTIONS), freq="M")
    january = out[out["period"] == pd.Timestamp("2026-01-01", tz="UTC")].set_index("reason")
    assert january["resolutions"].to_dict() == {"false_positive": 2, "remediated": 0, "tolerable_risk": 0, "other": 1}
    assert january.loc["false_positive", "share"] == pytest.approx(2 / 3)
    assert out["resolutions"].sum() == 4
    with pytest.raises(InvalidParameterError):
        analysis.resolutions_by_reason(ISSUES_FRAME)


def test_no_alerts_give_no_episodes_with_every_column() -> None:
    empty = analysis.alert_episodes(_alerts())
    assert len(empty) == 0 and "resolved_at" in empty.columns
    assert analysis.time_to_remediate(empty)["resolved"].sum() == 0


_days = st.integers(min_value=0, max_value=60)


@settings(max_examples=50, deadline=None)
@given(spec=st.lists(st.tuples(st.sampled_from(["low", "medium", "high", "critical"]), _days,
                               st.none() | st.integers(min_value=0, max_value=30)), max_size=25))  # fmt: skip
def test_counts_always_add_up(spec: list[tuple[str, int, int | None]]) -> None:
    """Whatever the items: every item is counted once as introduced and once as resolved or open."""
    rows = []
    for i, (severity, opened, lasted) in enumerate(spec):
        start = T0 + pd.Timedelta(days=opened)
        end = None if lasted is None else (start + pd.Timedelta(days=lasted)).strftime("%Y-%m-%dT%H:%M:%SZ")
        rows.append(_issue(f"i{i}", severity, start.strftime("%Y-%m-%dT%H:%M:%SZ"), end))
    frame = _issues(*rows) if rows else ISSUES_FRAME.iloc[:0]
    ttr = analysis.time_to_remediate(frame)
    resolved = sum(lasted is not None for _, _, lasted in spec)
    assert ttr["resolved"].sum() == resolved and ttr["open"].sum() == len(spec) - resolved
    flows = analysis.introduced_vs_fixed(frame, freq="W")
    assert flows["introduced"].sum() == len(spec) and flows["fixed"].sum() == resolved
    assert (ttr["median_days"].dropna() >= 0).all() and (ttr["p90_days"].dropna() >= ttr["median_days"].dropna()).all()
    states = analysis.sla_status(frame, now=T0 + pd.Timedelta(days=45))
    assert len(states) == len(spec) and states["sla_state"].notna().all()
