"""The soak: long fetches through injected faults, checked row by row against fault-free ones.

Each run fetches a multi-page history (or a trend) from a sandbox wrapped in seeded faults,
with the client as a user would configure it: retries on, the on-disk cache on (by default),
sleeps on a simulated clock so nothing really waits. With the cache, each run starts from an
empty cache folder and is then run *again* in the same folder under new faults: the re-run
must never fail because of what the first run left there (a garbled page that got stored, a
page whose cursor looped), and when the first run completed, it is answered from the cache.

A run must end in exactly one of two ways: a frame identical to the fault-free reference (no
row lost, none duplicated), or a typed SocketlabError saying what failed, whose ``partial``
rows (if any) are a duplicate-free subset of the reference, marked incomplete. Anything else is
counted as a violation.
"""

from __future__ import annotations

import datetime as dt
import functools
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from socketlab._errors import SocketlabError
from socketlab._snyk import SnykClient
from socketlab._socket import SocketClient
from socketlab.sandbox._faults import ALL_FAULTS, Faults, Faulty
from socketlab.sandbox._serve import transport
from socketlab.sandbox._snyk import SnykSandbox, SnykToken
from socketlab.sandbox._socket import SandboxToken, SocketSandbox

__all__ = ["SoakReport", "run_soak"]

_START = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
_SOAK_TOKEN = "sktsec_soak_unlimited_quota_token"  # a sandbox-only token
_SNYK_SOAK_TOKEN = "0f0e0d0c-0b0a-4908-8706-050403020100"  # a sandbox-only token
Cache = bool | Path  # what a scenario's client gets as cache=: off, or on in that folder


@dataclass
class SoakReport:
    """What the soak did and found."""

    cache: bool = True
    runs: int = 0
    requests: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    complete: int = 0
    from_cache: int = 0  # re-runs answered wholly from the cache the first run filled
    typed_errors: Counter[str] = field(default_factory=Counter)
    rows_lost: int = 0
    rows_duplicated: int = 0
    violations: list[str] = field(default_factory=list)

    @property
    def faults_injected(self) -> int:
        return sum(self.faults.values())

    def lines(self) -> list[str]:
        errors = ", ".join(f"{n} {k}" for k, n in sorted(self.typed_errors.items())) or "none"
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.faults.items()))
        cache = (
            "on (the default): each run from an empty cache, then run again in it under new faults"
            if self.cache
            else "off"
        )
        return [
            f"cache: {cache}",
            f"runs: {self.runs} ({self.complete} complete and identical to the fault-free fetch"
            + (f"; {self.from_cache} re-runs answered wholly from the cache" if self.cache else "")
            + ")",
            f"requests under faults: {self.requests}",
            f"faults injected: {self.faults_injected} ({kinds})",
            f"runs ending in a typed error: {sum(self.typed_errors.values())} ({errors})",
            f"rows lost: {self.rows_lost}; rows duplicated: {self.rows_duplicated}",
            f"partial results presented as complete, or untyped errors: {len(self.violations)}",
        ]


class _Clock:
    """Simulated time shared by a sandbox and a client: sleeping only moves it forward."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def sleep(self, seconds: float) -> None:
        self.seconds += seconds

    def monotonic(self) -> float:
        return self.seconds

    def utcnow(self) -> dt.datetime:
        return _START + dt.timedelta(seconds=self.seconds)


Identity = Callable[[pd.DataFrame], pd.Series]
Fetch = Callable[[Any, Cache], pd.DataFrame]


def _alert_identity(frame: pd.DataFrame) -> pd.Series:
    identity: pd.Series = frame["scanned_at"].astype(str) + frame["repo_slug"] + frame["alert_key"]
    return identity


def _trend_identity(frame: pd.DataFrame) -> pd.Series:
    identity: pd.Series = frame["date"].astype(str) + frame["alert_severity"].astype(str)
    return identity


def _scenarios(clock: _Clock) -> dict[str, tuple[Any, Fetch, Identity]]:
    """name -> (app, fetch(app, cache) -> frame, the identity of each row)."""
    socket_app = SocketSandbox(now=clock.utcnow)
    socket_app.add_token(SandboxToken(_SOAK_TOKEN, max_quota=10**9))
    snyk_app = SnykSandbox(now=clock.utcnow)
    snyk_app.add_token(SnykToken(_SNYK_SOAK_TOKEN))

    def socket_client(app: Any, cache: Cache) -> SocketClient:
        return SocketClient(
            token=_SOAK_TOKEN, base_url="https://api.socket.dev/v0", transport=transport(app), progress=False,
            check_quota=False, sleep=clock.sleep, clock=clock.monotonic, cache=cache,
        )  # fmt: skip

    def snyk_client(app: Any, cache: Cache) -> SnykClient:
        return SnykClient(
            token=_SNYK_SOAK_TOKEN, base_url="https://api.snyk.io/rest", transport=transport(app), progress=False,
            sleep=clock.sleep, clock=clock.monotonic, cache=cache,
        )  # fmt: skip

    def snapshots(app: Any, cache: Cache) -> pd.DataFrame:
        with socket_client(app, cache) as sock:
            return sock.snapshots("acme-corp", date="2026-10-31", range="-364d", per_page=40)

    def alerts(app: Any, cache: Cache) -> pd.DataFrame:
        with socket_client(app, cache) as sock:
            return sock.alerts("globex", date="2026-10-31", range="-45d", per_page=100)

    def trend(app: Any, cache: Cache) -> pd.DataFrame:
        with socket_client(app, cache) as sock:
            return sock.alerts_trend("acme-corp", date="2026-10-31", range="-90d", group_by="alert_severity")

    def issues(app: Any, cache: Cache) -> pd.DataFrame:
        with snyk_client(app, cache) as snyk:
            return snyk.issues(org_id=SnykSandbox.org_id("globex"), limit=20)

    return {
        "socket snapshots": (socket_app, snapshots, lambda f: f["id"]),
        "socket alerts": (socket_app, alerts, _alert_identity),
        "socket alert trend": (socket_app, trend, _trend_identity),
        "snyk issues": (snyk_app, issues, lambda f: f["id"]),
    }


def run_soak(
    runs: int = 12,
    rate: float = 0.15,
    seed: int = 0,
    kinds: tuple[str, ...] = ALL_FAULTS,
    cache: bool = True,
) -> SoakReport:
    """Fetch each scenario ``runs`` times under faults (with the cache: each twice, in one fresh
    cache folder); compare every outcome with the fault-free reference."""
    report = SoakReport(cache=cache)
    clock = _Clock()
    scenarios = _scenarios(clock)
    references = {name: fetch(app, False) for name, (app, fetch, _) in scenarios.items()}
    with tempfile.TemporaryDirectory(prefix="socketlab-soak-") as scratch:
        for run in range(runs):
            for number, (name, (app, fetch, key)) in enumerate(scenarios.items()):
                folder: Cache = Path(scratch) / f"{run}-{number}" if cache else False
                for attempt in range(2 if cache else 1):
                    faults = Faults(rate=rate, seed=seed * 100_003 + run * 31 + number + attempt * 7919, kinds=kinds)
                    faulty = Faulty(app, faults)
                    label = f"{name} run {run}" + (" (re-run on its cache)" if attempt else "")
                    _check(report, label, functools.partial(fetch, faulty, folder), references[name], key)
                    if attempt and faulty.requests == 0:
                        report.from_cache += 1
                    report.requests += faulty.requests
                    report.faults.update(faulty.injected)
    return report


def _check(report: SoakReport, label: str, fetch: Callable[[], pd.DataFrame], reference: pd.DataFrame,
           key: Identity) -> None:  # fmt: skip
    """Run one fetch and judge its outcome against the reference."""
    report.runs += 1
    try:
        frame = fetch()
    except SocketlabError as exc:
        report.typed_errors[type(exc).__name__] += 1
        partial = exc.partial
        if partial is not None and len(partial):
            extra = set(key(partial)) - set(key(reference))
            # a subset: a buggy last page can make even the whole data arrive as a partial
            if extra or key(partial).duplicated().any() or partial.attrs.get("complete") is not False:
                report.violations.append(f"{label}: a partial frame that is not a marked subset")
    except Exception as exc:  # an untyped error is exactly what the soak looks for
        report.violations.append(f"{label}: untyped {type(exc).__name__}: {exc}")
    else:
        lost = len(set(key(reference)) - set(key(frame)))
        duplicated = int(key(frame).duplicated().sum())
        report.rows_lost += lost
        report.rows_duplicated += duplicated
        if lost or duplicated or not frame.equals(reference):
            report.violations.append(f"{label}: a frame that differs from the reference")
        else:
            report.complete += 1
