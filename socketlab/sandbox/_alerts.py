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

from socketlab.sandbox._story import DEMO_ORGS, DemoOrg, iso, repos_on, scheduled_snapshots

__all__ = ["alert_values", "count_groups", "day_alerts", "day_dependencies", "last_successful", "matches"]

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
    props: dict[str, Any] = {"priority": severity, "actionSourceType": "triage" if ignored else rng.choice(
        ("org-policy", "alert-policy", "repo-label-policy"))}  # fmt: skip
    if vulnerable:
        props |= {
            "cveId": f"CVE-{rng.randint(2021, 2026)}-{rng.randint(10000, 59999)}",
            "ghsaId": f"GHSA-{rng.getrandbits(16):04x}-{rng.getrandbits(16):04x}-{rng.getrandbits(16):04x}",
            "cveTitle": f"{cwe[1]} in dependency",
            "cweId": cwe[0],
            "cweName": cwe[1],
            "epss": rng.choice(("low", "low", "medium", "high", "critical")),
            "kev": rng.random() < (0.3 if severity == "critical" else 0.03),
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
            "props": slot["props"],
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
    value: Any = {
        "alertAction": alert["action"],
        "alertActionSourceType": props.get("actionSourceType"),
        "alertCategory": alert["category"],
        "alertCveId": props.get("cveId"),
        "alertCveTitle": props.get("cveTitle"),
        "alertCweId": props.get("cweId"),
        "alertCweName": props.get("cweName"),
        "alertEPSS": props.get("epss"),
        "alertFixType": (alert["fix"] or {}).get("type"),
        "alertKEV": bool(props.get("kev", False)),
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
