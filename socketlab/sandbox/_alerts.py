"""The demo organizations' alerts, day by day, agreeing with their snapshot counts.

Socket buckets historical data by UTC day and only each repository's last scan of a day counts.
Here a day's alerts are those of its last successful snapshot: for every severity there are
exactly as many active (and ignored) alert items as that snapshot counted, so the alerts, the
trends and the snapshots of a demo org tell the same numbers. Days without a successful
snapshot (an outage, the scheduler down) have no alerts at all.

Alerts have a stable identity: the k-th active high alert is the same alert (same repository,
package and key) on every day there are at least k of them, so day-to-day churn (added versus
resolved) follows the counts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any

from socketlab.sandbox._story import DEMO_ORGS, DemoOrg, iso, package_cves, repos_on, scheduled_snapshots

__all__ = [
    "EPSS_BUCKETS",
    "alert_item",
    "alert_values",
    "count_groups",
    "day_alerts",
    "day_dependencies",
    "epss_bucket",
    "home_repo",
    "last_successful",
    "matches",
]

SEVERITY_INDEX = {"low": 0, "medium": 1, "high": 2, "critical": 3}
# alert types by severity: (type, category)
_TYPES = {
    "critical": (("criticalCVE", "vulnerability"), ("malware", "supplyChainRisk"), ("didYouMean", "supplyChainRisk")),
    "high": (("cve", "vulnerability"), ("installScripts", "supplyChainRisk"), ("gitDependency", "supplyChainRisk"),
             ("obfuscatedFile", "supplyChainRisk")),
    "medium": (("mediumCVE", "vulnerability"), ("networkAccess", "supplyChainRisk"), ("shellAccess", "supplyChainRisk"),
               ("usesEval", "supplyChainRisk"), ("deprecated", "maintenance"), ("copyleftLicense", "license")),
    "low": (("mildCVE", "vulnerability"), ("unmaintained", "maintenance"), ("envVars", "supplyChainRisk"),
            ("filesystemAccess", "supplyChainRisk"), ("unpopularPackage", "quality"), ("noLicenseFound", "license")),
}  # fmt: skip
_ECOSYSTEMS = (
    ("npm", "package.json", ("lodash", "express", "axios", "minimist", "semver", "ws", "node-fetch", "left-pad")),
    ("pypi", "requirements.txt", ("requests", "urllib3", "jinja2", "pyyaml", "django", "setuptools")),
    ("maven", "pom.xml", ("log4j-core", "jackson-databind", "spring-web", "commons-text")),
    ("golang", "go.mod", ("golang.org/x/net", "golang.org/x/crypto", "github.com/gin-gonic/gin")),
)
_LABELS: tuple[tuple[list[str], list[str]], ...] = (
    (["team:payments"], ["lbl_pay"]),
    (["team:web", "pci"], ["lbl_web", "lbl_pci"]),
    ([], []),
    (["team:data"], ["lbl_data"]),
)
_CWES = (("CWE-79", "Cross-site Scripting"), ("CWE-400", "Uncontrolled Resource Consumption"),
         ("CWE-94", "Code Injection"), ("CWE-1321", "Prototype Pollution"))  # fmt: skip
_REACHABILITY = ("reachable", "unreachable", "maybe_reachable", "direct_dependency", "unknown")
_CVSS = {"critical": 9.8, "high": 7.5, "medium": 5.3, "low": 3.1}
# The alertEPSS filter takes low, medium, high or critical, not a score. How Socket buckets a score
# is not documented; the sandbox uses these lower bounds of the score (FIRST's probability).
EPSS_BUCKETS: tuple[tuple[str, float], ...] = (("critical", 0.5), ("high", 0.1), ("medium", 0.01), ("low", 0.0))


def epss_bucket(score: float | None) -> str | None:
    """The alertEPSS value of an EPSS score (the sandbox's buckets), None without a score."""
    if score is None:
        return None
    return next(name for name, low in EPSS_BUCKETS if score >= low)


def _epss(bucket: str, rng: random.Random) -> tuple[float, float]:
    """A score in ``bucket`` and a percentile that grows with it."""
    low, high, p_low, p_high = {
        "low": (0.0004, 0.0099, 0.05, 0.6), "medium": (0.01, 0.099, 0.6, 0.9),
        "high": (0.1, 0.49, 0.9, 0.98), "critical": (0.5, 0.97, 0.98, 0.999),
    }[bucket]  # fmt: skip
    fraction = rng.random()
    return round(low + (high - low) * fraction, 5), round(p_low + (p_high - p_low) * fraction, 5)


def _kev_entry(rng: random.Random) -> dict[str, Any]:
    """A CISA KEV catalog entry, with every field the spec's kevs items require."""
    added = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 600))
    return {
        "vulnerabilityName": "Remote code execution vulnerability", "shortDescription": "Known exploited in the wild.",
        "requiredAction": "Apply mitigations per vendor instructions or discontinue use of the product.",
        "dateAdded": added.isoformat(), "dueDate": (added + dt.timedelta(days=21)).isoformat(),
        "knownRansomwareCampaignUse": "Unknown", "notes": "", "vendorProject": "open source",
        "product": "open source package",
    }  # fmt: skip


@cache
def _repos_ever(slug: str) -> int:
    """How many repositories the org ever has (where an alert's home repository is drawn from)."""
    return repos_on(DEMO_ORGS[slug], dt.date(2100, 1, 1))


def repo(org: DemoOrg, index: int) -> dict[str, Any]:
    """The fields of repository ``index`` (1-based) of a demo org."""
    labels, ids = _LABELS[index % len(_LABELS)]
    return {
        "repoSlug": f"service-{index:02d}",
        "repoFullName": f"{org.slug}/service-{index:02d}",
        "repoId": str(uuid.UUID(int=random.Random(f"repo:{org.slug}:{index}").getrandbits(128), version=4)),
        "repoLabels": list(labels),
        "repoLabelIds": list(ids),
        "ecosystem": _ECOSYSTEMS[index % len(_ECOSYSTEMS)],
    }


@lru_cache(maxsize=4096)
def last_successful(slug: str, day: dt.date) -> dict[str, Any] | None:
    """The day's last successful scheduled snapshot, whose counts the day's alerts follow."""
    done = [s for s in scheduled_snapshots(slug, day) if s["status"] == "success"]
    return done[-1] if done else None


@lru_cache(maxsize=200_000)
def _slot(slug: str, severity: str, ignored: bool, k: int) -> dict[str, Any]:
    """The stable identity of the k-th (active or ignored) alert of a severity."""
    rng = random.Random(f"alert:{slug}:{severity}:{ignored}:{k}")
    kind, category = rng.choice(_TYPES[severity])
    vulnerable = category == "vulnerability"
    cwe = rng.choice(_CWES)
    direct = rng.random() < 0.35
    # an ignored alert is ignored by an alert resolution (its action source; see _resolutions)
    props: dict[str, Any] = {"priority": severity, "actionSourceType": "resolution" if ignored else rng.choice(
        ("org-policy", "alert-policy", "repo-label-policy"))}  # fmt: skip
    if vulnerable:
        cve_id = f"CVE-{rng.randint(2021, 2026)}-{rng.randint(10000, 59999)}"
        ghsa = f"GHSA-{rng.getrandbits(16):04x}-{rng.getrandbits(16):04x}-{rng.getrandbits(16):04x}"
        bucket = rng.choice(("low", "low", "medium", "high", "critical"))
        kev = rng.random() < (0.3 if severity == "critical" else 0.03)
        extra = random.Random(f"cve:{slug}:{severity}:{ignored}:{k}")  # its own stream: the story stays put
        score, percentile = _epss(bucket, extra)
        # the spec's CVE alert props (SocketIssue criticalCVE/cve/mediumCVE/mildCVE), plus the fields
        # the alerts filters read (priority, actionSourceType, cvePatchStatus, reachability)
        props |= {
            "cveId": cve_id,
            "ghsaId": ghsa,
            "title": f"{cwe[1]} in dependency",
            "description": f"{cwe[1]} ({cwe[0]}) reachable through the affected package.",
            "severity": severity,
            "url": f"https://github.com/advisories/{ghsa}",
            "cvss": {"score": _CVSS[severity], "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
            "cwes": [{"id": cwe[0], "name": cwe[1], "description": cwe[1]}],
            "firstPatchedVersionIdentifier": "",
            "vulnerableVersionRange": "",
            "epss": {"score": score, "percentile": percentile},
            "kevs": [_kev_entry(extra)] if kev else None,
            "cvePatchStatus": rng.choice(("patch_unavailable", "patch_available", "patch_applied")),
            "reachabilityType": rng.choice(_REACHABILITY),
            "reachabilityAnalysisType": rng.choice(("full-scan", "precomputed")),
        }
    return {
        "hash": rng.getrandbits(64),
        "type": kind,
        "category": category,
        "props": props,
        "fix": {"type": rng.choice(("upgrade", "cve", "remove")), "description": "Upgrade to a fixed version"}
        if vulnerable
        else None,
        "dependency": {"direct": direct, "dev": rng.random() < 0.2, "dead": rng.random() < 0.08},
        "version": f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}",
    }


def _item(org: DemoOrg, day: dt.date, scan: dict[str, Any], severity: str, ignored: bool, k: int) -> dict[str, Any]:
    slot = _slot(org.slug, severity, ignored, k)
    repos = max(1, repos_on(org, day))
    # An alert lives in one repository for good once that repository exists; before that it
    # stands in one of the first repositories. So growth adds churn once, not every week.
    home = 1 + slot["hash"] % max(repos, _repos_ever(org.slug))
    fields = repo(org, home if home <= repos else 1 + slot["hash"] % org.repos_start)
    kind, manifest, packages = fields.pop("ecosystem")
    name = packages[(slot["hash"] >> 8) % len(packages)]
    started = dt.datetime.fromisoformat(scan["startedAt"].replace("Z", "+00:00"))
    finished = dt.datetime.fromisoformat(scan["finishedAt"].replace("Z", "+00:00"))
    index = int(fields["repoSlug"][-2:])
    scanned = started + (finished - started) * (index / (repos + 1))
    key = hashlib.sha1(f"{org.slug}:{severity}:{ignored}:{k}".encode()).hexdigest()[:20]
    props = slot["props"]
    if "cveId" in props:  # one of the package's advisories, which Snyk names too
        props = {**props, "cveId": package_cves(kind, name)[slot["hash"] % 4]}
    action = (
        "ignore" if ignored else {"critical": "error", "high": "error", "medium": "warn", "low": "monitor"}[severity]
    )
    return {
        **fields,
        "branch": "main",
        "defaultBranch": True,
        "fullScanId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{org.slug}/{fields['repoSlug']}/{day}")),
        "scannedAt": iso(scanned),
        "artifact": {
            "id": f"{kind}/{name}@{slot['version']}",
            "license": "MIT",
            "name": name,
            "namespace": None,
            "type": kind,
            "version": slot["version"],
        },
        "alert": {
            "key": key,
            "type": slot["type"],
            "severity": SEVERITY_INDEX[severity],
            "severityName": severity,
            "action": action,
            "category": slot["category"],
            "file": manifest,
            "props": props,
            "start": None,
            "end": None,
            "fix": slot["fix"],
        },
        "dependency": {
            **slot["dependency"],
            "manifestFiles": [{"file": manifest}],
            "topLevelAncestors": [],
            "dependencies": [],
        },
    }


def home_repo(slug: str, severity: str, ignored: bool, k: int) -> str:
    """The repository (slug) an alert slot lives in for good, once that repository exists."""
    return f"service-{1 + _slot(slug, severity, ignored, k)['hash'] % _repos_ever(slug):02d}"


def alert_item(slug: str, day: dt.date, severity: str, ignored: bool, k: int) -> dict[str, Any] | None:
    """The k-th (active or ignored) alert of a severity as it stands on ``day`` (None without a scan)."""
    scan = last_successful(slug, day)
    return None if scan is None else _item(DEMO_ORGS[slug], day, scan, severity, ignored, k)


@lru_cache(maxsize=2048)
def day_alerts(slug: str, day: dt.date) -> tuple[dict[str, Any], ...]:
    """Every alert of ``day`` (the repositories' last scans), ordered by repository and key."""
    scan = last_successful(slug, day)
    if scan is None:
        return ()
    org = DEMO_ORGS[slug]
    items: list[dict[str, Any]] = []
    for severity in SEVERITY_INDEX:
        name = severity.title()
        for ignored, count in ((False, scan[f"num{name}Alerts"]), (True, scan[f"numIgnored{name}Alerts"])):
            items.extend(_item(org, day, scan, severity, ignored, k) for k in range(count))
    return tuple(sorted(items, key=lambda i: (i["repoSlug"], i["alert"]["key"])))


@lru_cache(maxsize=2048)
def day_dependencies(slug: str, day: dt.date) -> tuple[dict[str, Any], ...]:
    """The day's dependencies as rows of (repository, ecosystem, direct, dev, dead, count)."""
    if last_successful(slug, day) is None:
        return ()
    org = DEMO_ORGS[slug]
    rows = []
    for index in range(1, repos_on(org, day) + 1):
        fields = repo(org, index)
        kind = fields.pop("ecosystem")[0]
        rng = random.Random(f"deps:{slug}:{index}:{day.isoformat()}")
        direct = 15 + index % 25 + rng.randint(0, 2)
        indirect = direct * (8 + index % 5) + rng.randint(0, 10)
        for is_direct, total in ((True, direct), (False, indirect)):
            dev, dead = round(total * 0.2), round(total * 0.07)
            for is_dev, is_dead, count in ((True, False, dev), (False, True, dead), (False, False, total - dev - dead)):
                rows.append({**fields, "artifactType": kind, "dependencyDirect": is_direct, "dependencyDev": is_dev,
                             "dependencyDead": is_dead, "count": count})  # fmt: skip
    return tuple(rows)


# -- filtering and grouping, as the API does it -------------------------------------------------


def alert_values(item: dict[str, Any], field: str) -> list[Any]:
    """The values an alert has for a filter or grouping field (several for repoLabels)."""
    alert, props, dependency = item["alert"], item["alert"]["props"] or {}, item["dependency"]
    if field == "repoLabels":
        return list(item["repoLabels"]) or [""]  # "" stands for "no labels" (spec)
    if field in ("alertCweId", "alertCweName"):  # an advisory may name several CWEs
        key = "id" if field == "alertCweId" else "name"
        return [c[key] for c in props.get("cwes") or []] or [None]
    value: Any = {
        "alertAction": alert["action"],
        "alertActionSourceType": props.get("actionSourceType"),
        "alertCategory": alert["category"],
        "alertCveId": props.get("cveId"),
        "alertCveTitle": props.get("title"),
        "alertCweId": None,
        "alertCweName": None,
        "alertEPSS": epss_bucket((props.get("epss") or {}).get("score")),
        "alertFixType": (alert["fix"] or {}).get("type"),
        "alertKEV": bool(props.get("kevs")),
        "alertPriority": props.get("priority"),
        "alertReachabilityAnalysisType": props.get("reachabilityAnalysisType"),
        "alertReachabilityType": props.get("reachabilityType"),
        "alertSeverity": alert["severityName"],
        "alertType": alert["type"],
        "artifactName": item["artifact"]["name"],
        "artifactType": item["artifact"]["type"],
        "branch": item["branch"],
        "cvePatchStatus": props.get("cvePatchStatus"),
        "dependencyDead": dependency["dead"],
        "dependencyDev": dependency["dev"],
        "dependencyDirect": dependency["direct"],
        "repoFullName": item["repoFullName"],
        "repoSlug": item["repoSlug"],
    }[field]
    return [value]


def matches(values: list[Any], wanted: list[Any]) -> bool:
    return any(v in wanted for v in values)


def count_groups(items: Sequence[dict[str, Any]], fields: Sequence[str]) -> dict[tuple[Any, ...], int]:
    """How many alerts fall in each combination of the grouping fields' values."""
    counts: dict[tuple[Any, ...], int] = {}
    for item in items:
        combos: list[tuple[Any, ...]] = [()]
        for field in fields:
            combos = [(*c, v) for c in combos for v in alert_values(item, field)]
        for combo in combos:
            counts[combo] = counts.get(combo, 0) + 1
    return counts
