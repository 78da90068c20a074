"""Remediation metrics: alert episodes, time to remediate, SLA states, introduced versus fixed,
packages both tools flag, and exploitability-first priorities. Pure functions on frames.

``socketlab.analysis`` exposes them (per org, like the rest of the analysis). They read three
kinds of item frames alike, through ``items``:

- a Snyk issues frame (``SnykClient.issues``): opened at ``created_at``, resolved at
  ``resolution_resolved_at``, ignored when ``ignored``;
- a Snyk export frame (``SnykClient.export_issues``): opened at ``first_introduced``, resolved at
  ``last_resolved`` when ``issue_status`` is resolved, ignored when it is ignored;
- a Socket alert-episodes frame (``alert_episodes``): opened on ``first_seen``, resolved on
  ``resolved_at``, ignored when its last day's action was ``ignore``.

Days are UTC; durations are in days (fractions of a day for Snyk's timestamps; whole days for
Socket's episodes, which are measured in UTC days).
"""

from __future__ import annotations

import math
import numbers
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, cast

import numpy as np
import pandas as pd

from socketlab._errors import DataWarning, InvalidParameterError
from socketlab._frames import explode_coordinates, explode_problems, utc_timestamp
from socketlab._schema import SEVERITY

__all__ = [
    "DEFAULT_SLA_DAYS",
    "SLA_STATES",
    "SNYK_ECOSYSTEMS",
    "SlaPolicy",
    "alert_episodes",
    "cross_tool_packages",
    "introduced_vs_fixed",
    "items",
    "prioritize",
    "resolutions_by_reason",
    "sla_status",
    "time_to_remediate",
]

UTC: Final = "datetime64[ns, UTC]"
SLA_STATES = pd.CategoricalDtype(["within", "at_risk", "breached"], ordered=True)
# The default remediation SLA, in days from when an item was opened (issue 14; common practice)
DEFAULT_SLA_DAYS: dict[str, float] = {"critical": 15, "high": 30, "medium": 90, "low": 180}
# Snyk project types -> the package URL (purl) type Socket's artifact_type uses
SNYK_ECOSYSTEMS: dict[str, str] = {
    "npm": "npm", "yarn": "npm", "yarn-workspace": "npm", "pnpm": "npm",
    "pip": "pypi", "poetry": "pypi", "pipenv": "pypi", "pipfile": "pypi", "setuptools": "pypi", "uv": "pypi",
    "maven": "maven", "gradle": "maven", "sbt": "maven",
    "gomodules": "golang", "golangdep": "golang", "govendor": "golang",
    "nuget": "nuget", "paket": "nuget", "rubygems": "gem", "composer": "composer", "cocoapods": "cocoapods",
    "cargo": "cargo", "hex": "hex", "swift": "swift", "pub": "pub", "conan": "conan", "cpp": "conan",
}  # fmt: skip
_FREQUENCIES = {"D": "day", "W": "ISO week (Monday)", "M": "month", "Q": "quarter"}


# -- items: one shape for issues, exports and episodes ------------------------------------------------


def _severity(values: pd.Series) -> pd.Series:
    """Severities in the schema's one dtype (lower case; unknown values kept below the known ones)."""
    text = pd.Series(values, copy=False).astype("string").str.lower()
    levels: pd.Series = text.astype(SEVERITY.dtype(str(v) for v in text.dropna().unique() if v not in SEVERITY))
    return levels


def _utc(values: pd.Series) -> pd.Series:
    stamps: pd.Series = pd.Series(pd.to_datetime(values, utc=True), index=values.index).astype(UTC)
    return stamps


def _days(delta: pd.Series) -> pd.Series:
    """A column of time spans in days (fractions kept), nullable."""
    days: pd.Series = (delta.dt.total_seconds() / 86400).astype("Float64")
    return days


def _levels(severity: pd.Series) -> pd.CategoricalDtype:
    return cast(pd.CategoricalDtype, severity.dtype)


def _bool(values: pd.Series | None, index: pd.Index) -> pd.Series:
    """A nullable boolean column (all NA when the frame has no such column)."""
    if values is None:
        return pd.Series(pd.NA, index=index, dtype="boolean")
    return values.astype("boolean")


def items(frame: pd.DataFrame, *, alerts: bool = False) -> pd.DataFrame:
    """``frame`` with the columns every metric reads: severity, opened_at, resolved_at, status
    (open or resolved), ignored, kev and epss (NA where the data does not say).

    ``alerts=True`` also takes a raw Socket alerts frame: each repository's alerts on the last
    day it was scanned are its open alerts (what ``prioritize`` ranks).
    """
    columns = set(frame.columns)
    out = frame.copy()
    if {"first_seen", "resolved_at", "severity"} <= columns:  # alert_episodes
        out["severity"] = _severity(frame["severity"])
        out["opened_at"] = _utc(frame["first_seen"])
        out["resolved_at"] = _utc(frame["resolved_at"])
        out["ignored"] = _bool(frame.get("ignored"), frame.index)
        out["kev"] = _bool(frame.get("alert_kev"), frame.index)
        out["epss"] = frame["alert_epss_score"].astype("Float64") if "alert_epss_score" in columns else pd.NA
    elif {"effective_severity_level", "created_at"} <= columns:  # Snyk issues
        out["severity"] = _severity(frame["effective_severity_level"])
        out["opened_at"] = _utc(frame["created_at"])
        resolved = frame.get("resolution_resolved_at")
        out["resolved_at"] = _utc(resolved) if resolved is not None else pd.NaT
        out["ignored"] = _bool(frame.get("ignored"), frame.index)
        out["kev"] = _bool(frame.get("exploit_kev"), frame.index)
        out["epss"] = pd.NA
    elif {"issue_severity", "first_introduced"} <= columns:  # Snyk export
        status = frame["issue_status"].astype("string") if "issue_status" in columns else None
        out["severity"] = _severity(frame["issue_severity"])
        out["opened_at"] = _utc(frame["first_introduced"])
        resolved_at = (
            _utc(frame["last_resolved"]) if "last_resolved" in columns else pd.Series(pd.NaT, index=frame.index)
        )
        if status is not None:  # a reintroduced issue keeps its last resolution date: only "resolved" counts
            resolved_at = resolved_at.where((status == "resolved").fillna(False))
        out["resolved_at"] = resolved_at.astype(UTC)
        out["ignored"] = (status == "ignored").astype("boolean") if status is not None else pd.NA
        out["kev"] = pd.NA  # the issues dataset has no column naming CISA's catalog
        out["epss"] = frame["epss_score"].astype("Float64") if "epss_score" in columns else pd.NA
    elif alerts and {"alert_severity", "scanned_at", "alert_key"} <= columns:  # raw Socket alerts
        day = frame["scanned_at"].dt.tz_convert("UTC").dt.floor("D")
        repo = _repo(frame)
        latest = day.groupby(repo).transform("max")
        out = frame[(day == latest).to_numpy()].copy()
        out["severity"] = _severity(out["alert_severity"])
        out["opened_at"] = _utc(out["scanned_at"])
        out["resolved_at"] = pd.Series(pd.NaT, index=out.index, dtype=UTC)
        out["ignored"] = (out["alert_action"].astype("string") == "ignore").astype("boolean")
        out["kev"] = out["alert_kev"].astype("boolean")
        out["epss"] = out["alert_epss_score"].astype("Float64")
    else:
        kinds = "a Snyk issues frame, a Snyk export frame or alert_episodes(alerts)"
        if {"alert_severity", "scanned_at"} <= columns:
            kinds += " (a Socket alerts frame: pass it through analysis.alert_episodes first)"
        raise InvalidParameterError("frame", f"expected {kinds}; its columns: {', '.join(map(str, frame.columns[:8]))}")
    out["resolved_at"] = out["resolved_at"].astype(UTC)
    out["opened_at"] = out["opened_at"].astype(UTC)
    out["status"] = pd.Series(np.where(out["resolved_at"].notna(), "resolved", "open"), index=out.index).astype(
        pd.CategoricalDtype(["open", "resolved"])
    )
    out["ignored"] = out["ignored"].astype("boolean")
    out["kev"] = out["kev"].astype("boolean")
    out["epss"] = out["epss"].astype("Float64")
    return out


def _repo(frame: pd.DataFrame) -> pd.Series:
    """The repository of each alert row: its full name, else its slug."""
    if "repo_full_name" in frame.columns:
        full = frame["repo_full_name"].astype("string")
        if "repo_slug" in frame.columns:
            full = full.fillna(frame["repo_slug"].astype("string"))
        return full.fillna("")
    return frame["repo_slug"].astype("string").fillna("")


# -- Socket alert episodes -------------------------------------------------------------------------------


def alert_episodes(alerts: pd.DataFrame, scans: pd.DataFrame | None = None) -> pd.DataFrame:
    """Socket's historical alerts (a backfill: one row per alert and UTC day) as alert episodes.

    An alert is the same alert from day to day when its repository, alert key and package
    (artifact type, name and version) are. An episode is a run of days on which it was seen:
    it starts on the first day seen, and is resolved on the first later day on which that
    repository *was scanned* and the alert was absent. A day without a scan of the repository
    closes nothing (the alert may come back the next scanned day, and the episode goes on); an
    alert seen again after a scan without it starts a new episode. An episode whose repository
    was never scanned again after its last day is open.

    A repository counts as scanned on a day when the frame has any alert of it that day (Socket
    keeps each repository's last scan of a UTC day), or when ``scans`` says so: a frame with the
    repository (``repo_full_name`` or ``repo_slug``) and the day (``day`` or ``scanned_at``) of
    each scan, for repositories that can be scanned with no alert at all.

    Columns: the repository, alert_key, artifact_type, artifact_namespace, artifact_name,
    artifact_version, alert_type, severity (the last day's), first_seen, last_seen, resolved_at
    (UTC days; NaT while open), status (open or resolved), days_seen, ignored (its last action
    was ignore), alert_kev, alert_epss_score, cve_id.
    """
    repo_column = "repo_full_name" if "repo_full_name" in alerts.columns else "repo_slug"
    if "scanned_at" not in alerts.columns or "alert_key" not in alerts.columns:
        raise InvalidParameterError("alerts", "expected a Socket alerts frame (SocketClient.alerts)")
    rows = pd.DataFrame(
        {
            "repo": _repo(alerts).to_numpy(),
            "alert_key": alerts["alert_key"].astype("string").fillna("").to_numpy(),
            "day": _day_numbers(alerts["scanned_at"]),
        }
    )
    for column in ("artifact_type", "artifact_namespace", "artifact_name", "artifact_version", "alert_type"):
        rows[column] = alerts[column].astype("string").to_numpy() if column in alerts.columns else pd.NA
    rows["severity"] = alerts["alert_severity"].astype("string").to_numpy()
    rows["ignored"] = (alerts["alert_action"].astype("string") == "ignore").astype("boolean").to_numpy()
    for column in ("alert_kev", "alert_epss_score"):
        rows[column] = alerts[column].to_numpy() if column in alerts.columns else pd.NA
    props = alerts["alert_props"] if "alert_props" in alerts.columns else pd.Series([None] * len(alerts))
    rows["cve_id"] = [p.get("cveId") or None if isinstance(p, Mapping) else None for p in props]
    rows["cve_id"] = rows["cve_id"].astype("string")
    rows = rows[rows["day"] >= 0]  # (a row without a scan time belongs to no day)
    if rows.empty:
        rows = rows.assign(repo=rows["repo"].astype(str))
    identity = ["repo", "alert_key", "artifact_type", "artifact_name", "artifact_version"]
    keys = rows[identity].fillna("").astype(str).agg("\x1f".join, axis=1) if len(rows) else pd.Series([], dtype=str)
    rows = rows.assign(_key=keys.to_numpy()).sort_values(["_key", "day"], kind="stable")
    rows = rows.drop_duplicates(["_key", "day"], keep="last").reset_index(drop=True)

    # the days each repository was scanned (day numbers since 1970): from the alerts, and ``scans``
    scanned = rows[["repo", "day"]]
    if scans is not None:
        scanned = pd.concat([scanned, _scan_days(scans)], ignore_index=True)
    days_by_repo: dict[Any, Any] = {repo: np.unique(days.to_numpy()) for repo, days in scanned.groupby("repo")["day"]}
    next_scan = np.full(len(rows), -1, dtype=np.int64)  # -1: never scanned again
    seen = rows["day"].to_numpy()
    for repo, positions in rows.groupby("repo").indices.items():
        days = days_by_repo[repo]
        after = np.searchsorted(days, seen[positions], side="right")  # the first scan strictly after each day
        found = after < len(days)
        next_scan[positions[found]] = days[after[found]]
    rows["next_scan"] = next_scan
    previous = rows.groupby("_key", sort=False)["next_scan"].shift(fill_value=-1).to_numpy()
    first = rows["_key"].ne(rows["_key"].shift()).to_numpy()
    # a new episode: a new alert, or a scan of its repository came between its previous day and this one
    rows["episode"] = np.cumsum(first | ((previous >= 0) & (previous < seen)))
    grouped = rows.groupby("episode", sort=True)
    out = grouped.agg(
        repo=("repo", "last"), alert_key=("alert_key", "last"), artifact_type=("artifact_type", "last"),
        artifact_namespace=("artifact_namespace", "last"), artifact_name=("artifact_name", "last"),
        artifact_version=("artifact_version", "last"), alert_type=("alert_type", "last"),
        severity=("severity", "last"), first_seen=("day", "min"), last_seen=("day", "max"),
        resolved_at=("next_scan", "last"), days_seen=("day", "size"), ignored=("ignored", "last"),
        alert_kev=("alert_kev", "last"), alert_epss_score=("alert_epss_score", "last"), cve_id=("cve_id", "last"),
    ).reset_index(drop=True)  # fmt: skip
    out = out.rename(columns={"repo": repo_column})
    for column in (repo_column, "alert_key", "artifact_type", "artifact_namespace", "artifact_name",
                   "artifact_version", "alert_type", "cve_id"):  # fmt: skip
        out[column] = out[column].astype("string")
    out["severity"] = _severity(out["severity"])
    for column in ("first_seen", "last_seen", "resolved_at"):
        out[column] = _from_day_numbers(out[column])
    out["status"] = pd.Series(np.where(out["resolved_at"].notna(), "resolved", "open")).astype(
        pd.CategoricalDtype(["open", "resolved"])
    )
    out["days_seen"] = out["days_seen"].astype("Int64")
    out["ignored"] = out["ignored"].astype("boolean")
    out["alert_kev"] = out["alert_kev"].astype("boolean")
    out["alert_epss_score"] = pd.to_numeric(out["alert_epss_score"]).astype("Float64")
    order = [repo_column, "alert_key", "artifact_type", "artifact_namespace", "artifact_name", "artifact_version",
             "alert_type", "severity", "first_seen", "last_seen", "resolved_at", "status", "days_seen", "ignored",
             "alert_kev", "alert_epss_score", "cve_id"]  # fmt: skip
    return out[order].sort_values(["first_seen", repo_column, "alert_key"], kind="stable", ignore_index=True)


def _scan_days(scans: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(scans, pd.DataFrame):
        raise InvalidParameterError("scans", "expected a frame of repository scans (repository and day)")
    repo = next((c for c in ("repo_full_name", "repo_slug", "repo") if c in scans.columns), None)
    when = next((c for c in ("day", "scanned_at") if c in scans.columns), None)
    if repo is None or when is None:
        raise InvalidParameterError("scans", "needs a repo_full_name (or repo_slug) and a day (or scanned_at) column")
    day = _day_numbers(pd.Series(pd.to_datetime(scans[when], utc=True), index=scans.index))
    known = day >= 0
    return pd.DataFrame({"repo": scans[repo].astype("string").fillna("").to_numpy()[known], "day": day[known]})


def _day_numbers(stamps: pd.Series) -> Any:
    """UTC days as integers (days since 1970-01-01); -1 for a missing time."""
    naive = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    days = naive.to_numpy().astype("datetime64[D]")
    numbers = days.astype(np.int64)
    numbers[np.isnat(days)] = -1
    return numbers


def _from_day_numbers(numbers: pd.Series) -> pd.Series:
    """Day numbers back to UTC midnights (-1: NaT)."""
    values = numbers.to_numpy(dtype=np.int64)
    days = values.astype("datetime64[D]").astype("datetime64[ns]")
    days[values < 0] = np.datetime64("NaT")
    out: pd.Series = pd.Series(days, index=numbers.index).dt.tz_localize("UTC").astype(UTC)
    return out


# -- time to remediate -----------------------------------------------------------------------------------


def _without_severity(data: pd.DataFrame, metric: str) -> None:
    """Say so when items without a severity are left out of a per-severity metric (never silently)."""
    missing = int(data["severity"].isna().sum())
    if missing:
        warnings.warn(
            DataWarning(f"{metric}: {missing} of {len(data)} items have no severity and are left out"), stacklevel=4
        )


def _durations(frame: pd.DataFrame) -> pd.Series:
    """Days from opened to resolved (NaN while open)."""
    return _days(frame["resolved_at"] - frame["opened_at"])


def time_to_remediate(frame: pd.DataFrame) -> pd.DataFrame:
    """How long items took to be resolved, per severity: one row for each severity of the schema
    (info < low < medium < high < critical; values the schema does not know come first, below).

    Columns: severity, resolved (how many were resolved), median_days, mean_days, p90_days (the
    90th percentile, linear interpolation; all NaN when none was resolved), open (how many are
    still open, ignored ones included). Takes a Snyk issues frame, a Snyk export frame or
    ``alert_episodes`` (see ``items``).
    """
    data = items(frame)
    _without_severity(data, "time_to_remediate")
    data = data.assign(days=_durations(data))
    dtype = _levels(data["severity"])
    rows = []
    for level in dtype.categories:
        mine = data[data["severity"] == level]
        done = mine["days"].dropna().astype("float64")
        rows.append({
            "severity": level, "resolved": len(done),
            "median_days": done.median() if len(done) else math.nan,
            "mean_days": done.mean() if len(done) else math.nan,
            "p90_days": done.quantile(0.9) if len(done) else math.nan,
            "open": int((mine["status"] == "open").sum()),
        })  # fmt: skip
    out = pd.DataFrame(rows, columns=["severity", "resolved", "median_days", "mean_days", "p90_days", "open"])
    out["severity"] = out["severity"].astype(dtype)
    for column in ("resolved", "open"):
        out[column] = out[column].astype("Int64")
    for column in ("median_days", "mean_days", "p90_days"):
        out[column] = out[column].astype("Float64")
    return out


# -- SLA ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlaPolicy:
    """Days allowed from opened to resolved, per severity; a severity it does not name has no SLA."""

    days: Mapping[str, float]

    @classmethod
    def of(cls, policy: SlaPolicy | Mapping[str, float] | None) -> SlaPolicy:
        """The policy given (a SlaPolicy or a {severity: days} dict), or the default one; checked."""
        if policy is None:
            return cls(dict(DEFAULT_SLA_DAYS))
        if isinstance(policy, SlaPolicy):
            policy = policy.days
        if not isinstance(policy, Mapping):
            raise InvalidParameterError("policy", f"expected a SlaPolicy or a {{severity: days}} dict, got {policy!r}")
        checked: dict[str, float] = {}
        for severity, days in policy.items():
            if severity not in SEVERITY:
                raise InvalidParameterError("policy", f"{severity!r} is not a severity ({', '.join(SEVERITY)})")
            if isinstance(days, bool) or not isinstance(days, int | float) or not days > 0 or math.isinf(days):
                raise InvalidParameterError("policy", f"{severity}: expected a positive number of days, got {days!r}")
            checked[severity] = float(days)
        return cls(checked)


def _moment(value: Any, argument: str) -> pd.Timestamp:
    if value is None:
        return pd.Timestamp.now(tz="UTC")
    try:
        stamp = utc_timestamp(value)
    except (TypeError, ValueError):
        raise InvalidParameterError(argument, f"expected a timestamp or a day, got {value!r}") from None
    if pd.isna(stamp):
        raise InvalidParameterError(argument, f"expected a timestamp or a day, got {value!r}")
    return stamp


def sla_status(
    frame: pd.DataFrame,
    policy: SlaPolicy | Mapping[str, float] | None = None,
    now: Any = None,
    warn_days: float = 7,
) -> pd.DataFrame:
    """Every item of ``frame`` with its SLA state: one row per item (its own columns kept).

    ``policy`` gives the days allowed per severity (default: critical 15, high 30, medium 90,
    low 180; a dict or a SlaPolicy). Added columns: severity, opened_at, resolved_at, status,
    age_days (open: up to ``now``; resolved: up to its resolution), due_at (opened_at + the
    severity's days) and sla_state, ordered within < at_risk < breached:

    - an open item past its due date is breached; an open item due within ``warn_days`` days of
      ``now`` (default: the current time) is at_risk; any other open item is within;
    - a resolved item is breached if it was resolved after its due date, else within;
    - an item whose severity has no SLA (info, unknown values) has no due date and no state (NA).
    """
    rules = SlaPolicy.of(policy)
    moment = _moment(now, "now")
    if (
        isinstance(warn_days, bool | np.bool_)
        or not isinstance(warn_days, numbers.Real)
        or not 0 <= warn_days < math.inf
    ):
        raise InvalidParameterError("warn_days", f"expected a number of days, 0 or more, got {warn_days!r}")
    data = items(frame)
    allowed = data["severity"].astype("string").map(rules.days).astype("Float64")
    due = data["opened_at"] + pd.to_timedelta(allowed.astype("float64"), unit="D")
    is_open = data["status"] == "open"
    end = data["resolved_at"].where(~is_open, moment)
    age = _days(end - data["opened_at"])
    state = pd.Series("within", index=data.index, dtype=object)
    state[(is_open & (due - moment <= pd.Timedelta(days=warn_days))).fillna(False).to_numpy()] = "at_risk"
    late = (is_open & (moment > due)) | (~is_open & (data["resolved_at"] > due))
    state[late.fillna(False).to_numpy()] = "breached"
    state[due.isna().to_numpy()] = None  # no SLA for this severity
    out = data.drop(columns=["kev", "epss"])
    out["age_days"] = age
    out["due_at"] = due.astype(UTC)
    out["sla_state"] = state.astype(SLA_STATES)
    return out.reset_index(drop=True)


# -- introduced versus fixed ----------------------------------------------------------------------------


def _period(stamps: pd.Series, freq: str) -> pd.Series:
    day: pd.Series = stamps.dt.tz_convert("UTC").dt.floor("D")
    if freq == "W":
        day = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    elif freq in ("M", "Q"):
        naive = day.dt.tz_localize(None)
        day = naive.dt.to_period("M" if freq == "M" else "Q").dt.start_time.dt.tz_localize("UTC")
    return day.astype(UTC)


def introduced_vs_fixed(frame: pd.DataFrame, freq: str = "W") -> pd.DataFrame:
    """Items introduced (opened) and fixed (resolved) per period and severity.

    ``freq``: "D" (UTC days), "W" (ISO weeks, starting Monday), "M" (months) or "Q" (quarters).
    Columns: period (its first day, UTC), severity, introduced, fixed, net (introduced minus
    fixed). Every period from the first to the last with an item has a row for every severity
    an item has; a period with none of them counts 0.
    """
    if freq not in _FREQUENCIES:
        raise InvalidParameterError(
            "freq", f"{freq!r}: choose {', '.join(f'{k} ({v})' for k, v in _FREQUENCIES.items())}"
        )
    data = items(frame)
    _without_severity(data, "introduced_vs_fixed")
    dtype = _levels(data["severity"])
    opened = pd.DataFrame({"period": _period(data["opened_at"], freq), "severity": data["severity"]})
    done = data[data["resolved_at"].notna()]
    fixed = pd.DataFrame({"period": _period(done["resolved_at"], freq), "severity": done["severity"]})
    stamps = pd.concat([opened["period"], fixed["period"]]).dropna()
    levels = [level for level in dtype.categories if (data["severity"] == level).any()]
    columns = ["period", "severity", "introduced", "fixed", "net"]
    if stamps.empty or not levels:
        empty = pd.DataFrame({c: pd.Series(dtype="Int64") for c in columns})
        return empty.astype({"period": UTC, "severity": dtype})
    step = {"D": "D", "W": "7D", "M": "MS", "Q": "QS"}[freq]
    periods = pd.date_range(stamps.min().tz_convert(None), stamps.max().tz_convert(None), freq=step, tz="UTC")
    grid = pd.MultiIndex.from_product([periods, levels], names=["period", "severity"])
    counts = {
        name: part.assign(severity=part["severity"].astype("string")).groupby(["period", "severity"]).size()
        for name, part in (("introduced", opened), ("fixed", fixed))
    }
    out = pd.DataFrame(
        {name: count.reindex(grid, fill_value=0).to_numpy() for name, count in counts.items()}, index=grid
    ).reset_index()
    out["period"] = out["period"].astype(UTC)
    out["severity"] = out["severity"].astype(dtype)
    out["introduced"] = out["introduced"].astype("Int64")
    out["fixed"] = out["fixed"].astype("Int64")
    out["net"] = out["introduced"] - out["fixed"]
    return out[columns].sort_values(["period", "severity"], ignore_index=True)


# -- resolutions by reason ---------------------------------------------------------------------------------


def resolutions_by_reason(resolutions: pd.DataFrame, freq: str = "M") -> pd.DataFrame:
    """Socket alert resolutions made per period and reason (``SocketClient.alert_resolutions``).

    Columns: period (its first day, UTC), reason (the spec's four values), resolutions, share
    (of the period's resolutions). ``freq`` as for ``introduced_vs_fixed``.
    """
    if freq not in _FREQUENCIES:
        raise InvalidParameterError("freq", f"{freq!r}: choose {', '.join(_FREQUENCIES)}")
    if "reason" not in resolutions.columns or "created_at" not in resolutions.columns:
        raise InvalidParameterError("resolutions", "expected SocketClient.alert_resolutions(...)")
    frame = pd.DataFrame({"period": _period(resolutions["created_at"], freq), "reason": resolutions["reason"]})
    counts = frame.groupby(["period", "reason"], observed=False).size().rename("resolutions").reset_index()
    counts = counts[counts["period"].notna()]
    total = counts.groupby("period")["resolutions"].transform("sum")
    counts["share"] = (counts["resolutions"] / total.where(total > 0)).astype("Float64")
    counts["resolutions"] = counts["resolutions"].astype("Int64")
    counts["period"] = counts["period"].astype(UTC)
    return counts.sort_values(["period", "reason"], ignore_index=True)


# -- packages both tools flag ------------------------------------------------------------------------------


def _normal_name(ecosystem: str, name: str) -> str:
    """Package names as the ecosystem compares them: PyPI's normalization (PEP 503), lower case."""
    if ecosystem == "pypi":
        return re.sub(r"[-_.]+", "-", name).lower()
    if ecosystem in ("npm", "nuget", "composer", "gem", "cargo", "hex", "pub"):
        return name.lower()
    return name


def _socket_packages(alerts: pd.DataFrame) -> pd.DataFrame:
    if "artifact_type" not in alerts.columns or "artifact_name" not in alerts.columns:
        raise InvalidParameterError("alerts", "expected a Socket alerts frame or alert_episodes(alerts)")
    severity = alerts["alert_severity"] if "alert_severity" in alerts.columns else alerts["severity"]
    if "alert_props" in alerts.columns:
        cves = [p.get("cveId") if isinstance(p, Mapping) else None for p in alerts["alert_props"]]
    else:
        cves = alerts["cve_id"].tolist() if "cve_id" in alerts.columns else [None] * len(alerts)
    ecosystems = alerts["artifact_type"].astype("string").str.lower()
    names = []
    for ecosystem, namespace, name in zip(
        ecosystems, alerts.get("artifact_namespace", pd.Series([None] * len(alerts))), alerts["artifact_name"],
        strict=True,
    ):  # fmt: skip
        text = "" if pd.isna(name) else str(name)
        if isinstance(namespace, str) and namespace:
            text = f"{namespace}:{text}" if ecosystem == "maven" else f"{namespace}/{text}"
        names.append(text)
    return pd.DataFrame({
        "ecosystem": ecosystems.to_numpy(), "name": names,
        "version": alerts["artifact_version"].astype("string").to_numpy(),
        "severity": _severity(severity).to_numpy(), "cve": cves,
        "alert": (_repo(alerts) + "\x1f" + alerts["alert_key"].astype("string")).to_numpy(),
    })  # fmt: skip


def _snyk_packages(issues: pd.DataFrame, projects: pd.DataFrame | None) -> pd.DataFrame:
    columns = set(issues.columns)
    if {"issue_severity", "package_name_and_version"} <= columns:  # an export
        split = issues["package_name_and_version"].astype("string").str.rpartition("@")
        name = split[0].where(split[0] != "", split[2])
        version = split[2].where(split[0] != "", pd.NA)
        project_types = (
            issues["project_type"].astype("string")
            if "project_type" in columns
            else pd.Series(pd.NA, index=issues.index)
        )
        cves = [list(v) if isinstance(v, list) else [] for v in issues.get("cve", [None] * len(issues))]
        ids = issues["problem_id"].astype("string") + "\x1f" + issues["project_public_id"].astype("string")
        return pd.DataFrame({
            "ecosystem": project_types.str.lower().map(SNYK_ECOSYSTEMS).to_numpy(), "name": name.to_numpy(),
            "version": version.to_numpy(), "severity": _severity(issues["issue_severity"]).to_numpy(), "cves": cves,
            "issue": ids.to_numpy(),
        })  # fmt: skip
    if "coordinates" not in columns:
        raise InvalidParameterError("issues", "expected a Snyk issues frame (SnykClient.issues) or an export frame")
    if projects is None or "project_type" not in projects.columns:
        raise InvalidParameterError(
            "projects", "expected SnykClient.projects(...): its project_type names the ecosystem"
        )
    kinds = dict(zip(projects["id"].astype(str), projects["project_type"].astype("string").str.lower(), strict=True))
    coordinates = explode_coordinates(issues)
    problems = explode_problems(issues)
    cve_ids = problems[problems["id"].astype("string").str.startswith("CVE-").fillna(False)]
    cves_of = cve_ids.groupby("issue_id")["id"].agg(lambda ids: sorted(set(map(str, ids))))
    scan_item = issues.set_index("id")["scan_item_id"].astype("string")
    severity = issues.set_index("id")["effective_severity_level"]
    issue_ids = coordinates["issue_id"].astype(str)
    return pd.DataFrame({
        "ecosystem": issue_ids.map(scan_item).map(kinds).map(SNYK_ECOSYSTEMS).to_numpy(),
        "name": coordinates["package_name"].astype("string").to_numpy(),
        "version": coordinates["package_version"].astype("string").to_numpy(),
        "severity": _severity(issue_ids.map(severity)).to_numpy(),
        "cves": [cves_of.get(i, []) for i in issue_ids],
        "issue": issue_ids.to_numpy(),
    })  # fmt: skip


def _worst(values: pd.Series) -> Any:
    """The worst severity among ``values`` (by the schema's order), NA for none."""
    known = _severity(values.dropna())
    return known.max() if len(known) else pd.NA


def _versions(values: pd.Series) -> str:
    return ", ".join(sorted({str(v) for v in values.dropna() if str(v)}))


def _one_pair(alerts: pd.DataFrame, issues: pd.DataFrame, projects: pd.DataFrame | None) -> pd.DataFrame:
    socket = _socket_packages(alerts).dropna(subset=["ecosystem"])
    snyk = _snyk_packages(issues, projects).dropna(subset=["ecosystem", "name"])
    socket["key"] = [_normal_name(e, n) for e, n in zip(socket["ecosystem"], socket["name"], strict=True)]
    snyk["key"] = [_normal_name(e, n) for e, n in zip(snyk["ecosystem"], snyk["name"], strict=True)]
    # Maven: Socket may know the artifact without its group; match those on the artifact id alone
    bare = (socket["ecosystem"] == "maven") & ~socket["key"].str.contains(":", regex=False)
    if bare.any():
        artifacts = {k.rpartition(":")[2]: k for k in snyk.loc[snyk["ecosystem"] == "maven", "key"]}
        socket.loc[bare, "key"] = socket.loc[bare, "key"].map(lambda k: artifacts.get(k, k))
    shared = sorted(set(zip(socket["ecosystem"], socket["key"], strict=True))
                    & set(zip(snyk["ecosystem"], snyk["key"], strict=True)))  # fmt: skip
    dtype = SEVERITY.dtype()
    rows = []
    for ecosystem, key in shared:
        ours = socket[(socket["ecosystem"] == ecosystem) & (socket["key"] == key)]
        theirs = snyk[(snyk["ecosystem"] == ecosystem) & (snyk["key"] == key)]
        socket_cves = {str(c) for c in ours["cve"] if isinstance(c, str) and c}
        snyk_cves = {c for cves in theirs["cves"] for c in cves}
        rows.append({
            "ecosystem": ecosystem, "name": str(theirs["name"].iloc[0]),
            "socket_versions": _versions(ours["version"]), "snyk_versions": _versions(theirs["version"]),
            "socket_alerts": ours["alert"].nunique(), "socket_worst_severity": _worst(ours["severity"]),
            "snyk_issues": theirs["issue"].nunique(), "snyk_worst_severity": _worst(theirs["severity"]),
            "shared_cves": sorted(socket_cves & snyk_cves),
        })  # fmt: skip
    columns = ["ecosystem", "name", "socket_versions", "snyk_versions", "socket_alerts", "socket_worst_severity",
               "snyk_issues", "snyk_worst_severity", "shared_cves"]  # fmt: skip
    out = pd.DataFrame(rows, columns=columns)
    out = out.astype({"ecosystem": "string", "name": "string", "socket_versions": "string", "snyk_versions": "string",
                      "socket_alerts": "Int64", "snyk_issues": "Int64"})  # fmt: skip
    for column in ("socket_worst_severity", "snyk_worst_severity"):
        out[column] = out[column].astype("string").astype(dtype)
    rank = out[["socket_worst_severity", "snyk_worst_severity"]].apply(lambda c: c.cat.codes).max(axis=1)
    out = out.assign(_rank=rank, _count=out["socket_alerts"] + out["snyk_issues"])
    out = out.sort_values(["_rank", "_count", "ecosystem", "name"], ascending=[False, False, True, True])
    return out.drop(columns=["_rank", "_count"]).reset_index(drop=True)


def cross_tool_packages(
    alerts: pd.DataFrame, issues: pd.DataFrame, projects: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Packages that both Socket and Snyk flag, matched on ecosystem and package name.

    ``alerts``: Socket alerts (``SocketClient.alerts``) or ``alert_episodes``; ``issues``:
    Snyk issues (``SnykClient.issues``, with ``projects`` from ``SnykClient.projects``: a
    project's type names the ecosystem) or a Snyk export frame (its project_type column does).
    Ecosystems are package-URL types: Snyk's pip/poetry/pipenv are pypi, npm/yarn/pnpm npm,
    maven/gradle/sbt maven, gomodules golang, ... (SNYK_ECOSYSTEMS); names compare as the
    ecosystem does (PyPI's normalization, npm in lower case; Maven as group:artifact, or the
    artifact alone when Socket has no group). Pass the items you want compared (e.g. the open
    ones): every row given counts.

    Columns: ecosystem, name, socket_versions, snyk_versions (the versions each names),
    socket_alerts (distinct alerts), socket_worst_severity, snyk_issues (distinct issues),
    snyk_worst_severity, shared_cves (the CVE ids both name); worst first. Several Socket orgs
    (an ``org`` column) and several Snyk orgs (``organization_id``) are compared pair by pair,
    those columns first.
    """
    from socketlab.analysis import org_column  # (analysis imports this module)

    socket_org, snyk_org = org_column(alerts), org_column(issues)
    if socket_org is None and snyk_org is None:
        return _one_pair(alerts, issues, projects)
    socket_parts = list(alerts.groupby(socket_org, sort=False)) if socket_org else [(None, alerts)]
    snyk_parts = list(issues.groupby(snyk_org, sort=False)) if snyk_org else [(None, issues)]
    parts = []
    for socket_id, ours in socket_parts:
        for snyk_id, theirs in snyk_parts:
            part = _one_pair(ours, theirs, projects)
            if snyk_org:
                part.insert(0, snyk_org, snyk_id)
            if socket_org:
                part.insert(0, socket_org, socket_id)
            parts.append(part)
    kept = [p for p in parts if len(p)] or parts[:1]
    return pd.concat(kept, ignore_index=True)


# -- what to fix first -------------------------------------------------------------------------------------


def prioritize(frame: pd.DataFrame) -> pd.DataFrame:
    """Open, not ignored items ranked by exploitability: KEV first, then EPSS, then severity.

    Items in CISA's Known Exploited Vulnerabilities catalog come first (Socket: the alert's
    kevs; Snyk: exploit_details naming CISA), then the higher EPSS score (the probability of
    exploitation in the next 30 days; items without one after those with one), then the higher
    severity, then the oldest. Takes a Snyk issues or export frame, ``alert_episodes``, or a
    Socket alerts frame (each repository's alerts on its last scanned day are its open ones).

    Columns: rank (1 is first), kev, epss, severity, opened_at, then the item's own columns.
    """
    data = items(frame, alerts=True)
    data = data[(data["status"] == "open") & ~data["ignored"].fillna(False)]
    if "alert_key" in data.columns and "scanned_at" in data.columns:  # raw alerts: one row per alert
        data = data.drop_duplicates([c for c in ("repo_full_name", "repo_slug", "alert_key") if c in data.columns])
    order = pd.DataFrame({
        "kev": data["kev"].fillna(False).astype(bool), "has_epss": data["epss"].notna(),
        "epss": data["epss"].fillna(0).astype(float), "severity": data["severity"].cat.codes,
        "opened": data["opened_at"],
    }, index=data.index)  # fmt: skip
    ranked = data.loc[order.sort_values(["kev", "has_epss", "epss", "severity", "opened"],
                                        ascending=[False, False, False, False, True], kind="stable").index]  # fmt: skip
    front = ["kev", "epss", "severity", "opened_at"]
    rest = [c for c in ranked.columns if c not in (*front, "resolved_at", "status", "ignored")]
    out = ranked[front + rest].reset_index(drop=True)
    out.insert(0, "rank", pd.Series(range(1, len(out) + 1), dtype="Int64"))
    return out
