"""The posture summary: a handful of headline numbers, each with its recent trend.

``posture_summary`` reads what the clients return (Socket snapshots, alert episodes and
resolutions; Snyk issues) and gives two small frames: the tiles (one row each: a title, the
headline value, a line of detail) and their trends (a short daily or weekly series per tile,
drawn as sparklines by ``charts.posture_summary_chart``). Every number is one of the analysis
functions': the tiles only choose which and say it in words.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from socketlab import _remediation
from socketlab._errors import InvalidParameterError

__all__ = ["TILES", "PostureSummary", "posture_summary"]

UTC: Final = "datetime64[ns, UTC]"
# the tiles, in reading order: id -> title
TILES: dict[str, str] = {
    "socket_open": "Socket: open critical + high alerts",
    "snyk_open": "Snyk: open critical + high issues",
    "socket_ttr": "Socket: median days to remediate",
    "snyk_ttr": "Snyk: median days to remediate",
    "sla": "SLA: open items breached / at risk",
    "ignored": "Socket: ignored share of alerts",
    "coverage": "Days without a successful snapshot",
}
_HIGH = ("critical", "high")


@dataclass(frozen=True)
class PostureSummary:
    """The tiles (tile, title, value, detail, source) and their trends (tile, day, value)."""

    tiles: pd.DataFrame
    trends: pd.DataFrame
    now: pd.Timestamp

    def _repr_html_(self) -> str:  # a notebook shows the tiles as a table
        return str(self.tiles.to_html(index=False))


def _one_org(frame: pd.DataFrame | None, argument: str) -> None:
    from socketlab.analysis import org_column

    if frame is not None and org_column(frame) is not None:
        raise InvalidParameterError(
            argument, "holds several orgs: a posture summary is one org's (select one, e.g. frame[frame.org == 'x'])"
        )


def _days_text(days: float) -> str:
    if pd.isna(days):
        return "–"
    return f"{days:.1f} d" if days < 10 else f"{days:.0f} d"


def _change(series: pd.Series, now: pd.Timestamp, days: int) -> str:
    """'+12 in 30 days' from a daily series (the last value on or before each day)."""
    if series.empty:
        return "no data"
    before = series[series.index <= now - pd.Timedelta(days=days)]
    if before.empty:
        return f"no data {days} days ago"
    delta = int(series.iloc[-1] - before.iloc[-1])
    return f"{delta:+d} in {days} days"


def _trend(tile: str, series: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"tile": tile, "day": series.index, "value": series.to_numpy(dtype=float)})


def posture_summary(
    *,
    snapshots: pd.DataFrame | None = None,
    episodes: pd.DataFrame | None = None,
    resolutions: pd.DataFrame | None = None,
    issues: pd.DataFrame | None = None,
    policy: _remediation.SlaPolicy | Mapping[str, float] | None = None,
    now: Any = None,
    days: int = 90,
    change_days: int = 30,
) -> PostureSummary:
    """One org's posture in seven tiles, each with a trend over the last ``days`` days.

    - open critical and high now, and the change over ``change_days`` days: Socket (the latest
      successful snapshot of each day) and Snyk (issues open at the end of each day);
    - the median days to remediate critical and high items, per tool (Socket's alert
      ``episodes``, Snyk's ``issues``), with the median of the items resolved each week;
    - open items past their SLA (breached) and due within a week (at risk), both tools, with the
      breached count at the end of each week (``policy`` as for ``sla_status``);
    - the ignored share of Socket's alerts and the top reasons of its ``resolutions``;
    - the days in the last ``change_days`` with no successful snapshot (trend: a 1 per day missed).

    Any input may be None (its tiles say "no data"). ``now`` defaults to the current time.
    Frames must hold one org: several are refused (InvalidParameterError), never pooled.
    """
    for frame, argument in ((snapshots, "snapshots"), (episodes, "episodes"), (resolutions, "resolutions"),
                            (issues, "issues")):  # fmt: skip
        _one_org(frame, argument)
    for value, argument in ((days, "days"), (change_days, "change_days")):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidParameterError(argument, f"expected a positive number of days, got {value!r}")
    moment = _remediation._moment(now, "now")
    today = moment.floor("D")
    start = today - pd.Timedelta(days=days)
    rules = _remediation.SlaPolicy.of(policy)
    tiles: list[dict[str, Any]] = []
    trends: list[pd.DataFrame] = []

    def tile(key: str, value: str, detail: str, source: str, trend: pd.Series | None = None) -> None:
        tiles.append({"tile": key, "title": TILES[key], "value": value, "detail": detail, "source": source})
        if trend is not None and len(trend):
            trends.append(_trend(key, trend))

    # open critical + high: Socket's daily snapshots, Snyk's issues open at each day's end
    from socketlab import analysis

    if snapshots is not None and len(snapshots):
        counts = analysis.alert_counts(snapshots)
        active = counts[(counts["state"] == "active") & counts["severity"].isin(_HIGH)]
        daily = active.groupby("day")["count"].sum().astype(float)
        daily = daily[(daily.index >= start) & (daily.index <= today)]
        headline = f"{int(daily.iloc[-1]):,}" if len(daily) else "no data"
        tile("socket_open", headline, _change(daily, today, change_days), "Socket", daily)
    else:
        tile("socket_open", "no data", "no Socket snapshots", "Socket")
    if issues is not None:
        backlog = analysis.open_backlog(issues, start, today)
        high = backlog[backlog["severity"].isin(_HIGH)].groupby("day")["open"].sum().astype(float)
        tile("snyk_open", f"{int(high.iloc[-1]):,}" if len(high) else "0", _change(high, today, change_days), "Snyk",
             high)  # fmt: skip
    else:
        tile("snyk_open", "no data", "no Snyk issues (left out)", "Snyk")

    # time to remediate, per tool: critical and high; the trend is the median of each week's resolutions
    for key, frame, source in (("socket_ttr", episodes, "Socket"), ("snyk_ttr", issues, "Snyk")):
        if frame is None or not len(frame):
            tile(key, "no data", f"no {source} items", source)
            continue
        ttr = _remediation.time_to_remediate(frame).set_index("severity")
        medians = ttr["median_days"].astype("float64")
        headline = " · ".join(f"{s} {_days_text(float(medians[s]))}" for s in _HIGH)
        resolved = int(ttr.loc[list(_HIGH), "resolved"].sum())
        data = _remediation.items(frame)
        done = data[data["severity"].isin(_HIGH) & data["resolved_at"].notna() & (data["resolved_at"] >= start)]
        durations = _remediation._durations(done).astype(float)
        weekly = durations.groupby(_remediation._period(done["resolved_at"], "W")).median()
        rest = " · ".join(f"{s} {_days_text(float(medians[s]))}" for s in ("medium", "low"))
        tile(key, headline, f"{rest}; {resolved:,} critical and high resolved", source, weekly)

    # SLA: open items of both tools (not the ignored: their risk was accepted) past due, or due within a week
    states = [(_remediation.sla_status(f, rules, moment), s) for f, s in ((episodes, "Socket"), (issues, "Snyk"))
              if f is not None and len(f)]  # fmt: skip
    states = [(frame[~frame["ignored"].fillna(False)], source) for frame, source in states]
    if states:
        both = pd.concat([frame[["opened_at", "resolved_at", "due_at", "status", "sla_state"]] for frame, _ in states],
                         ignore_index=True)  # fmt: skip
        opened = both[both["status"] == "open"]
        breached, at_risk = (
            int((opened["sla_state"] == "breached").sum()),
            int((opened["sla_state"] == "at_risk").sum()),
        )
        weeks = pd.date_range(start, today, freq="7D", tz="UTC")[1:].append(pd.DatetimeIndex([today]))
        weekly = pd.Series(
            [int(((both["opened_at"] <= w) & ~(both["resolved_at"] <= w) & (both["due_at"] < w)).sum()) for w in weeks],
            index=weeks, dtype=float,
        )  # fmt: skip
        terms = ", ".join(f"{s} {d:g} d" for s, d in rules.days.items())
        tile("sla", f"{breached:,} breached · {at_risk:,} at risk",
             f"{' + '.join(s for _, s in states)}, not ignored; {terms}", "both", weekly)  # fmt: skip
    else:
        tile("sla", "no data", "no items", "both")

    # ignored share (Socket) and the top reasons of the resolutions behind it
    if snapshots is not None and len(snapshots):
        share = analysis.ignored_share(snapshots)
        overall = share[share["severity"] == "all"].set_index("day")["share"].astype(float).dropna()
        overall = overall[(overall.index >= start) & (overall.index <= today)]
        headline = f"{overall.iloc[-1]:.0%}" if len(overall) else "no data"
        tile("ignored", headline, _top_reasons(resolutions), "Socket", overall)
    else:
        tile("ignored", "no data", _top_reasons(resolutions), "Socket")

    # days without a successful snapshot
    if snapshots is not None and len(snapshots):
        coverage = analysis.snapshot_coverage(snapshots, start=start, end=today)
        missed = (~coverage.set_index("day")["covered"]).astype(float)
        stamps = pd.DatetimeIndex(missed.index)
        missed.index = stamps.tz_localize("UTC") if stamps.tz is None else stamps
        recent = missed[missed.index > today - pd.Timedelta(days=change_days)]
        tile("coverage", f"{int(recent.sum())} of {len(recent)}", f"in the last {change_days} days "
             f"({int(missed.sum())} of {len(missed)} in {days})", "Socket", missed)  # fmt: skip
    else:
        tile("coverage", "no data", "no Socket snapshots", "Socket")

    order = list(TILES)
    frame = pd.DataFrame(tiles).astype("string")
    frame = frame.set_index("tile").loc[order].reset_index()
    trend = pd.concat(trends, ignore_index=True) if trends else pd.DataFrame({"tile": [], "day": [], "value": []})
    trend["tile"] = trend["tile"].astype("string")
    trend["day"] = pd.to_datetime(trend["day"], utc=True).astype(UTC)
    trend["value"] = trend["value"].astype("float64")
    trend = trend[np.isfinite(trend["value"].to_numpy())].reset_index(drop=True)
    return PostureSummary(frame, trend, moment)


def _top_reasons(resolutions: pd.DataFrame | None, n: int = 2) -> str:
    if resolutions is None or not len(resolutions):
        return "no resolutions"
    shares = resolutions["reason"].astype("string").value_counts(normalize=True)
    top = ", ".join(f"{str(reason).replace('_', ' ')} {share:.0%}" for reason, share in shares.head(n).items())
    return f"top reasons: {top}" if not math.isnan(shares.iloc[0]) else "no resolutions"
