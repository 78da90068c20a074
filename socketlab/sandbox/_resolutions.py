"""The demo organizations' alert resolutions: the decisions behind their ignored alerts.

Socket ignores an alert when an alert resolution covers it (the alert's action source is then
``resolution``). In the story, the k-th ignored alert of a severity first appears on the day the
day's last successful snapshot counts k + 1 ignored alerts of that severity; a resolution made
shortly before that scan covers it from then on: same alert type and package, the repository
when the alert had its final home then (else every repository). So every ignored alert of
every day is explained by a resolution created before its scan, and the resolutions' reasons
say why the ignored share grows: tolerable risk and false positives for the noisy severities,
more false positives and remediations elsewhere for high and critical.

Like the rest of the story, a resolution is a pure function of (org, severity, k): the list
grows with the sandbox's clock and past resolutions never change.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import uuid
from typing import Any

from socketlab.sandbox._alerts import alert_item, home_repo, last_successful
from socketlab.sandbox._story import DEMO_ORGS, iso

__all__ = ["REASONS", "resolutions_until"]

# spec getOrgAlertResolutions: reason is one of false_positive, remediated, tolerable_risk, other
REASONS = ("false_positive", "remediated", "tolerable_risk", "other")
_WEIGHTS = {  # by severity: false_positive, remediated, tolerable_risk, other
    "low": (0.25, 0.05, 0.55, 0.15),
    "medium": (0.3, 0.1, 0.45, 0.15),
    "high": (0.45, 0.25, 0.2, 0.1),
    "critical": (0.5, 0.3, 0.1, 0.1),
}
_COMMENTS = (
    "Dev-only dependency, not shipped.", "Reviewed with the owning team.", "Mitigated by the WAF rule set.",
    "Vendored fork carries the fix.", None, None,
)  # fmt: skip
_OTHER_TEXT = ("Accepted by the risk board until the next release.", "Covered by a compensating control.")
_USERS = ("usr_2f8c1a", "usr_7b31e0", "usr_c94d55", "usr_0ae6f2")
_SEVERITIES = ("critical", "high", "medium", "low")

_lock = threading.Lock()
_made: dict[str, tuple[dt.date, list[dict[str, Any]]]] = {}  # slug -> (days done through, resolutions)


def _resolution(slug: str, day: dt.date, severity: str, k: int) -> dict[str, Any]:
    """The resolution behind the k-th ignored alert of ``severity``, first seen on ``day``."""
    item = alert_item(slug, day, severity, True, k)
    assert item is not None  # a day with an ignored alert has a successful snapshot
    rng = random.Random(f"resolution:{slug}:{severity}:{k}")
    reason = rng.choices(REASONS, weights=_WEIGHTS[severity])[0]
    scanned = dt.datetime.fromisoformat(item["scannedAt"].replace("Z", "+00:00"))
    created = scanned - dt.timedelta(minutes=rng.randint(5, 600))
    updated = created + dt.timedelta(days=rng.randint(1, 40)) if rng.random() < 0.2 else created
    # Scoped to the repository and the package when the alert already sits where it stays for
    # good; else to its alert type alone (repo and artifact null: it covers that type anywhere),
    # since a later repository brings the slot another package.
    settled = item["repoSlug"] == home_repo(slug, severity, True, k)
    artifact = item["artifact"] if settled else dict.fromkeys(("type", "namespace", "name", "version"))
    return {
        "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "reason": reason,
        "reason_text": rng.choice(_OTHER_TEXT) if reason == "other" else None,
        "comment": rng.choice(_COMMENTS),
        "alert_type": item["alert"]["type"],
        "repo": item["repoFullName"] if settled else None,
        "repo_label": None,
        "artifact_type": artifact["type"],
        "artifact_namespace": artifact["namespace"],
        "artifact_name": artifact["name"],
        "artifact_version": artifact["version"],
        "resolved_by": rng.choice(_USERS) if rng.random() < 0.9 else None,  # null: made by the system
        "created_at": iso(created),
        "updated_at": iso(updated),
    }


def resolutions_until(slug: str, now: dt.datetime) -> list[dict[str, Any]]:
    """Every resolution of the org created by ``now``, oldest first (created_at, then uuid)."""
    org = DEMO_ORGS[slug]
    with _lock:
        done, made = _made.get(slug, (org.created - dt.timedelta(days=1), []))
        if done < now.date():
            seen = {s: sum(1 for r in made if r["_severity"] == s) for s in _SEVERITIES}
            day = done + dt.timedelta(days=1)
            while day <= now.date():
                scan = last_successful(slug, day)
                for severity in _SEVERITIES if scan is not None else ():
                    count = scan[f"numIgnored{severity.title()}Alerts"]  # type: ignore[index]
                    for k in range(seen[severity], count):
                        made.append({**_resolution(slug, day, severity, k), "_severity": severity})
                    seen[severity] = max(seen[severity], count)
                day += dt.timedelta(days=1)
            made.sort(key=lambda r: (r["created_at"], r["uuid"]))
            _made[slug] = (now.date(), made)
    stamp = iso(now)
    shown = []
    for resolution in made:
        if resolution["created_at"] > stamp:
            break
        row = {k: v for k, v in resolution.items() if not k.startswith("_")}
        if row["updated_at"] > stamp:  # its later edit has not happened yet
            row["updated_at"] = row["created_at"]
        shown.append(row)
    return shown
