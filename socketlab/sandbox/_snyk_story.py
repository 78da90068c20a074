"""The demo organizations as Snyk sees them: projects and issues that follow the Socket story.

Each Socket demo org is a Snyk org (one group holds them all). Every repository is a project;
issues are opened day by day in proportion to the repositories, with the same incident spike
of critical issues and the same remediation programme, resolved after a lifetime that depends
on severity, and ignored more and more over the first year. Like the Socket story, each day is
a pure function of (org, day): past days never change.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from socketlab.sandbox._story import DEMO_ORGS, DemoOrg, iso, package_cves, repos_on

__all__ = ["GROUP_ID", "SNYK_ORGS", "StoryIssue", "all_projects", "issues_until", "org_by_id", "projects_at"]


def _uuid(*parts: object) -> str:
    return str(uuid.UUID(int=random.Random(":".join(map(str, parts))).getrandbits(128), version=4))


GROUP_ID = _uuid("snyk-group", "demo")
SNYK_ORGS: dict[str, str] = {slug: _uuid("snyk-org", slug) for slug in DEMO_ORGS}  # slug -> org id
_MANIFESTS = (("npm", "package.json"), ("pip", "requirements.txt"), ("maven", "pom.xml"), ("gomodules", "go.mod"))
_TEAMS = ("payments", "platform", "web", "data", "mobile")
_PACKAGES = {
    "npm": ("lodash", "express", "axios", "minimist", "semver", "jsonwebtoken", "ws", "node-fetch"),
    "pip": ("requests", "urllib3", "jinja2", "pyyaml", "django", "cryptography", "setuptools"),
    "maven": ("log4j-core", "jackson-databind", "spring-web", "commons-text", "netty-codec"),
    "gomodules": ("golang.org/x/net", "golang.org/x/crypto", "github.com/gin-gonic/gin"),
}
_PURL = {"npm": "npm", "pip": "pypi", "maven": "maven", "gomodules": "golang"}  # project type -> purl type
_LIFETIME_DAYS = {"critical": 10.0, "high": 35.0, "medium": 90.0, "low": 220.0}
_SHARE = (("critical", 0.04), ("high", 0.2), ("medium", 0.38), ("low", 0.38))
_IGNORE = {"low": 0.3, "medium": 0.18, "high": 0.06, "critical": 0.02}


def org_by_id(org_id: str) -> DemoOrg | None:
    return next((DEMO_ORGS[s] for s, i in SNYK_ORGS.items() if i == org_id), None)


def _first_day_with(org: DemoOrg, repos: int) -> dt.date:
    """The day the org's repository number ``repos`` was added."""
    day = org.created
    while repos_on(org, day) < repos:
        day += dt.timedelta(days=1)
    return day


@lru_cache(maxsize=64)
def _all_projects(slug: str) -> tuple[dict[str, Any], ...]:
    org = DEMO_ORGS[slug]
    org_id = SNYK_ORGS[slug]
    projects = []
    for index in range(1, repos_on(org, dt.date(2100, 1, 1)) + 1):
        rng = random.Random(f"snyk-project:{slug}:{index}")
        kind, manifest = _MANIFESTS[index % len(_MANIFESTS)]
        created = dt.datetime.combine(_first_day_with(org, index), dt.time(9), dt.UTC) + dt.timedelta(
            minutes=rng.randint(0, 480)
        )
        team = _TEAMS[index % len(_TEAMS)]
        projects.append(
            {
                "id": _uuid("snyk-project", slug, index),
                "type": "project",
                "attributes": {
                    "name": f"{slug}/service-{index:02d}:{manifest}",
                    "type": kind,
                    "target_file": manifest,
                    "target_reference": "main",
                    "origin": "github",
                    "created": iso(created),
                    "status": "active",
                    "read_only": False,
                    "business_criticality": [("critical", "high", "medium", "low")[index % 4]],
                    "environment": [("backend", "frontend", "internal")[index % 3]],
                    "lifecycle": ["production" if index % 5 else "development"],
                    "tags": [{"key": "team", "value": team}],
                    "settings": {"recurring_tests": {"frequency": "daily"}, "pull_requests": {"is_enabled": True}},
                },
                "relationships": {
                    "organization": {"data": {"type": "org", "id": org_id}, "links": {}},
                    "target": {"data": {"type": "target", "id": _uuid("snyk-target", slug, index)}, "links": {}},
                    "importer": {"data": {"type": "user", "id": _uuid("snyk-user", slug, team)}, "links": {}},
                },
                "_created": created,
            }
        )
    return tuple(projects)


def all_projects(slug: str) -> tuple[dict[str, Any], ...]:
    """Every project the org will ever have (still with their _created key)."""
    return _all_projects(slug)


def projects_at(slug: str, now: dt.datetime) -> list[dict[str, Any]]:
    """The org's projects that exist at ``now``, oldest first (still with their _created key)."""
    return [p for p in _all_projects(slug) if p["_created"] <= now]


@dataclass(frozen=True)
class StoryIssue:
    """An issue as the story knows it: its JSON:API resource and when its state changes."""

    resource: dict[str, Any]  # attributes as at creation (status open)
    org_slug: str
    created: dt.datetime
    resolved: dt.datetime | None  # None: never resolved
    ignored: dt.datetime | None  # None: never ignored (Snyk does not expose this time)
    project_id: str


def _severity(org: DemoOrg, n: int, rng: random.Random) -> str:
    if org.incident_day is not None and 0 <= n - org.incident_day < 12 and rng.random() < 0.3:
        return "critical"
    roll = rng.random()
    for level, share in _SHARE:
        if roll < share:
            return level
        roll -= share
    return "low"


@lru_cache(maxsize=8192)
def _issues_on(slug: str, day: dt.date) -> tuple[StoryIssue, ...]:
    org = DEMO_ORGS[slug]
    n = org.day_number(day)
    if n < 0:
        return ()
    rng = random.Random(f"snyk-issues:{slug}:{day.isoformat()}")
    projects = [p for p in _all_projects(slug) if p["_created"].date() <= day]
    mean = repos_on(org, day) * 0.14
    if org.incident_day is not None and 0 <= n - org.incident_day < 12:
        mean += 6
    count = max(0, round(rng.gauss(mean, math.sqrt(mean) if mean else 0)))
    issues = []
    for k in range(count):
        severity = _severity(org, n, rng)
        project = projects[rng.randrange(len(projects))]
        kind = project["attributes"]["type"]
        package = rng.choice(_PACKAGES[kind])
        created = dt.datetime.combine(day, dt.time(), dt.UTC) + dt.timedelta(seconds=rng.randint(0, 86_399))
        lifetime = rng.expovariate(1 / _LIFETIME_DAYS[severity])
        if org.remediation_day is not None and severity in ("critical", "high") and n >= org.remediation_day:
            lifetime /= 3
        ignored = None
        if rng.random() < _IGNORE[severity] * min(1.0, (n + 30) / 365):
            ignored = created + dt.timedelta(days=rng.uniform(0.5, 20))
            lifetime = math.inf  # an ignored issue is rarely fixed
        resolved = None if math.isinf(lifetime) else created + dt.timedelta(days=lifetime)
        number = rng.randint(100000, 999999)
        rng.randint(10000, 59999)  # (the draw of an earlier story's CVE number, so the rest stays put)
        cve = package_cves(_PURL[kind], package)[number % 4]
        snyk_id = f"SNYK-{kind.upper()}-{package.upper().replace('/', '').replace('.', '')}-{number}"
        version = f"{rng.randint(0, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
        score = {"critical": 9.4, "high": 7.8, "medium": 5.3, "low": 3.1}[severity] + rng.uniform(-0.3, 0.3)
        issue_id = _uuid("snyk-issue", slug, day.isoformat(), k)
        resource = {
            "id": issue_id,
            "type": "issue",
            "attributes": {
                "key": snyk_id,
                "title": f"{('Prototype Pollution', 'Denial of Service (DoS)', 'Arbitrary Code Execution', 'Information Exposure', 'Cross-site Scripting (XSS)')[number % 5]} in {package}",  # noqa: E501
                "type": "package_vulnerability",
                "effective_severity_level": severity,
                "created_at": iso(created),
                "updated_at": iso(created),
                "status": "open",
                "ignored": False,
                "tool": "snyk-os",
                "problems": [
                    {
                        "id": snyk_id,
                        "source": "SNYK",
                        "type": "vulnerability",
                        "url": f"https://security.snyk.io/vuln/{snyk_id}",
                        "disclosed_at": iso(created - dt.timedelta(days=3)),
                    },
                    {"id": cve, "source": "NVD", "type": "vulnerability"},
                ],
                "classes": [{"id": f"CWE-{(1321, 400, 94, 200, 79)[number % 5]}", "source": "CWE", "type": "weakness"}],
                "severities": [
                    {
                        "level": severity,
                        "source": "Snyk",
                        "score": round(score, 1),
                        "vector": "CVSS:3.1/AV:N/AC:L",
                        "version": "3.1",
                        "modification_time": iso(created),
                    },
                ],
                "coordinates": [
                    {
                        "is_fixable_snyk": rng.random() < 0.6,
                        "is_fixable_upstream": rng.random() < 0.7,
                        "is_fixable_manually": rng.random() < 0.3,
                        "is_upgradeable": rng.random() < 0.6,
                        "is_patchable": False,
                        "is_pinnable": rng.random() < 0.2,
                        "reachability": rng.choice(["function", "package", "no-info", "not-applicable"]),
                        "representations": [{"dependency": {"package_name": package, "package_version": version}}],
                    }
                ],
                "risk": {"factors": [], "score": {"model": "v1", "value": round(score * 90)}},
                **_exploit_details(issue_id, severity),
            },
            "relationships": {
                "organization": {"data": {"type": "organization", "id": SNYK_ORGS[slug]}},
                "scan_item": {"data": {"type": "project", "id": project["id"]}},
            },
        }
        issues.append(StoryIssue(resource, slug, created, resolved, ignored, project["id"]))
    return tuple(sorted(issues, key=lambda i: (i.created, i.resource["id"])))


def _exploit_details(issue_id: str, severity: str) -> dict[str, Any]:
    """Known exploits of some vulnerabilities: CISA's KEV catalog lists a few critical and high ones.

    Drawn from a stream of the issue's own, so the rest of the story is unchanged.
    """
    rng = random.Random(f"snyk-exploit:{issue_id}")
    roll = rng.random()
    if roll < {"critical": 0.25, "high": 0.08}.get(severity, 0.0):
        levels = [{"format": "CVSS_v4", "level": "attacked"}, {"format": "CVSS_v3", "level": "high"}]
        return {"exploit_details": {"sources": ["CISA", "Snyk"], "maturity_levels": levels}}
    if roll > 0.7:
        levels = [{"format": "CVSS_v4", "level": "poc"}, {"format": "CVSS_v3", "level": "proof of concept"}]
        return {"exploit_details": {"sources": ["Snyk"], "maturity_levels": levels}}
    return {}


def issues_until(slug: str, now: dt.datetime) -> list[StoryIssue]:
    """Every issue of the org created up to ``now``, in insertion (creation) order."""
    org = DEMO_ORGS[slug]
    out: list[StoryIssue] = []
    day = org.created
    while day <= now.date():
        out.extend(i for i in _issues_on(slug, day) if i.created <= now)
        day += dt.timedelta(days=1)
    return out
