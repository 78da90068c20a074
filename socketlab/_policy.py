"""What a Socket call costs, and how long an answer may be reused: pure rules, no I/O.

The client shell counts and caches; these functions say what to count and for how long, so
they are tested with plain values.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

__all__ = ["QUOTA_COSTS", "quota_cost", "socket_cache_ttl", "spends_quota"]

# spec: what each operation "consumes": the historical family 10 units, /organizations 1, /quota 0
QUOTA_COSTS: dict[str, int] = {
    "/historical/snapshots": 10,
    "/historical/alerts": 10,
    "/historical/alerts/trend": 10,
    "/historical/dependencies/trend": 10,
    "/organizations": 1,
    "/alerts/resolutions": 1,  # spec getOrgAlertResolutions: "consumes 1 unit of your quota"
}
_RANGE = re.compile(r"(-?)(\d+)d")


def quota_cost(path: str) -> int:
    """The quota units a request to ``path`` costs when the API processes it."""
    return next((cost for suffix, cost in QUOTA_COSTS.items() if path.endswith(suffix)), 0)


def spends_quota(status: int) -> bool:
    """Whether an answer with ``status`` consumed quota: refusals (401, 403, 429) and 5xx did not."""
    return status < 500 and status not in (401, 403, 429)


def socket_cache_ttl(
    method: str,
    path: str,
    params: Mapping[str, str],
    *,
    today: dt.date,
    cache_ttl: float,
    recent_ttl: float,
) -> float | None:
    """How long a Socket answer may be reused: None for never (quota, POSTs), ``recent_ttl``
    for queries that reach today or ask for ``latest`` (today's data still changes),
    ``cache_ttl`` for history and the organization list."""
    if method != "GET" or path.endswith("/quota"):
        return None  # quota must be live; a POST starts a job
    if path.endswith("/organizations"):
        return cache_ttl
    if path.endswith("/alerts/resolutions"):
        return recent_ttl  # current state: a resolution made a minute ago must show soon
    date = params.get("date") or today.isoformat()
    range_ = params.get("range", "-7d")
    if range_ == "latest":
        return recent_ttl
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        return None  # not a query the client builds: do not keep it
    match = _RANGE.fullmatch(range_)
    after = int(match.group(2)) if match and not match.group(1) else 0  # "Nd" reaches forward
    return recent_ttl if day + dt.timedelta(days=after) >= today else cache_ttl
