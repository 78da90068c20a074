"""The demo organizations' history: deterministic, day by day, from a seeded story.

Every day's snapshots are a pure function of (org, day): the same day always gives the same
records, whenever it is asked for, so tests and cassettes can name past dates forever while the
history keeps growing up to the sandbox's "now".

The story of acme-corp (the main demo org): it onboards repositories steadily and imports a
batch of acquired repositories; alerts grow with the repos; a supply-chain incident spikes the
critical alerts for a few weeks; a remediation programme then pulls high and critical down;
triage ignores a growing share of the low and medium alerts. Jobs fail, time out or are skipped
now and then, an outage fails two days of jobs, and the scheduler was down for a few days
(no snapshots at all).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

__all__ = ["DEMO_ORGS", "DemoOrg", "iso", "package_cves", "scheduled_snapshots", "severity_counts"]

SEVERITIES = ("critical", "high", "medium", "low")


@dataclass(frozen=True)
class DemoOrg:
    """One demo organization and the knobs of its story."""

    slug: str
    id: str
    name: str
    created: dt.date
    slots_utc: tuple[int, ...]  # hours of the scheduled snapshots each day (paid plans: several)
    repos_start: int
    repos_per_week: float
    repos_max: int
    acquisition_day: int | None = None  # days after creation when a batch of repos is imported
    acquisition_repos: int = 0
    incident_day: int | None = None  # a supply-chain incident: critical alerts spike, then decay
    remediation_day: int | None = None  # high/critical alerts fall from here on
    outage_days: tuple[int, ...] = ()  # every job of these days fails
    gap_days: tuple[int, ...] = ()  # the scheduler was down: no snapshot at all
    rates: dict[str, float] = field(default_factory=dict)  # alerts per repo by severity
    plan: str = "enterprise"

    def day_number(self, day: dt.date) -> int:
        return (day - self.created).days


DEMO_ORGS: dict[str, DemoOrg] = {
    org.slug: org
    for org in (
        DemoOrg(
            slug="acme-corp",
            id="org_8c1f2a6b4e",
            name="Acme Corp",
            created=dt.date(2025, 6, 2),
            slots_utc=(0, 6, 12, 18),
            repos_start=12,
            repos_per_week=0.9,
            repos_max=70,
            acquisition_day=240,
            acquisition_repos=18,
            incident_day=290,
            remediation_day=330,
            outage_days=(203, 204),
            gap_days=(120, 121, 122),
            rates={"critical": 0.035, "high": 0.24, "medium": 0.55, "low": 0.9},
        ),
        DemoOrg(
            slug="globex",
            plan="team",
            id="org_3d9e70c215",
            name="Globex",
            created=dt.date(2025, 9, 15),
            slots_utc=(3,),
            repos_start=4,
            repos_per_week=0.25,
            repos_max=20,
            incident_day=None,
            remediation_day=250,
            outage_days=(90,),
            gap_days=(45,),
            rates={"critical": 0.03, "high": 0.2, "medium": 0.45, "low": 0.8},
        ),
    )
}


def iso(moment: dt.datetime) -> str:
    """The API's timestamp format: ISO 8601 in UTC with milliseconds and a Z."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def package_cves(ecosystem: str, package: str) -> tuple[str, ...]:
    """The advisories of a package in the demo world: both tools name CVEs from this list, so the
    packages both flag share some of their CVE ids (package-URL ecosystems: npm, pypi, ...)."""
    rng = _rng("cves", ecosystem, package)
    return tuple(f"CVE-{rng.randint(2021, 2026)}-{rng.randint(10000, 59999)}" for _ in range(4))


def _rng(*parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in parts))  # str seeds are stable across runs


def repos_on(org: DemoOrg, day: dt.date) -> int:
    n = org.day_number(day)
    repos = min(org.repos_max, org.repos_start + int(n * org.repos_per_week / 7))
    if org.acquisition_day is not None and n >= org.acquisition_day:
        repos += org.acquisition_repos
    return max(1, repos)


def severity_counts(org: DemoOrg, moment: dt.datetime, rng: random.Random) -> dict[str, tuple[int, int]]:
    """(active, ignored) alerts by severity at ``moment``, following the org's story."""
    n = org.day_number(moment.date()) + moment.hour / 24
    repos = repos_on(org, moment.date())
    counts: dict[str, tuple[int, int]] = {}
    for severity in SEVERITIES:
        total = org.rates[severity] * repos
        if org.remediation_day is not None and severity in ("critical", "high") and n > org.remediation_day:
            total *= 1 - 0.45 * min(1.0, (n - org.remediation_day) / 120)
        if org.incident_day is not None and severity == "critical" and n >= org.incident_day:
            total += 8 * math.exp(-(n - org.incident_day) / 12)
        if severity == "high" and org.incident_day is not None and n >= org.incident_day:
            total += 6 * math.exp(-(n - org.incident_day) / 20)
        total *= 1 + rng.uniform(-0.04, 0.04)
        # triage ignores a growing share of the noisier severities over the first year
        ceiling = {"low": 0.38, "medium": 0.22, "high": 0.07, "critical": 0.02}[severity]
        share = ceiling * min(1.0, n / 365) * (1 + rng.uniform(-0.1, 0.1))
        total_i = max(0, round(total))
        ignored = min(total_i, round(total_i * share))
        counts[severity] = (total_i - ignored, ignored)
    return counts


@lru_cache(maxsize=8192)
def scheduled_snapshots(org_slug: str, day: dt.date) -> tuple[dict[str, Any], ...]:
    """The scheduled snapshot jobs of ``day`` as finished records (status as it ends).

    The caller decides what "now" shows: jobs not yet requested are hidden and running ones
    shown as in-progress.
    """
    org = DEMO_ORGS[org_slug]
    n = org.day_number(day)
    if n < 0 or n in org.gap_days:
        return ()
    records = []
    for slot in org.slots_utc:
        rng = _rng(org.slug, day.isoformat(), slot)
        requested = dt.datetime(day.year, day.month, day.day, slot, tzinfo=dt.UTC) + dt.timedelta(
            seconds=rng.randint(0, 90), milliseconds=rng.randint(0, 999)
        )
        repos = repos_on(org, day)
        roll = rng.random()
        status = (
            "failure"
            if n in org.outage_days or roll < 0.02
            else "timeout"
            if roll < 0.03
            else "skipped"
            if roll < 0.04
            else "success"
        )
        records.append(
            snapshot_record(
                org,
                rng,
                requested=requested,
                requested_by="socket-scheduler",
                request_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                status=status,
                repos=repos,
            )
        )
    return tuple(records)


def snapshot_record(
    org: DemoOrg,
    rng: random.Random,
    *,
    requested: dt.datetime,
    requested_by: str,
    request_id: str,
    status: str,
    repos: int,
    duration_s: float | None = None,
    start_delay_s: float | None = None,
) -> dict[str, Any]:
    """One finished snapshot record with every field of the spec's item schema."""
    delay = rng.uniform(0.5, 4.0) if start_delay_s is None else start_delay_s
    started = requested + dt.timedelta(seconds=delay)
    if duration_s is None:
        duration_s = {
            "success": repos * rng.uniform(9, 14),
            "failure": repos * rng.uniform(1, 6),
            "timeout": 3600.0,
            "skipped": 0.0,
        }[status]
    finished = started + dt.timedelta(seconds=duration_s)
    counts = severity_counts(org, started, rng) if status == "success" else dict.fromkeys(SEVERITIES, (0, 0))
    scanned = repos if status == "success" else (rng.randint(0, repos) if status != "skipped" else 0)
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "requestId": request_id,
        "requestedBy": requested_by,
        "requestedAt": iso(requested),
        "startedAt": iso(started),
        "finishedAt": iso(finished),
        "durationMs": round((finished - started).total_seconds() * 1000),
        "status": status,
        "numReposScanned": scanned,
        "numSbomsScanned": scanned * 3 + (rng.randint(0, scanned) if scanned else 0),
        "numLowAlerts": counts["low"][0],
        "numHighAlerts": counts["high"][0],
        "numMediumAlerts": counts["medium"][0],
        "numCriticalAlerts": counts["critical"][0],
        "numIgnoredLowAlerts": counts["low"][1],
        "numIgnoredHighAlerts": counts["high"][1],
        "numIgnoredMediumAlerts": counts["medium"][1],
        "numIgnoredCriticalAlerts": counts["critical"][1],
    }
