"""The soak: long fetches through injected faults, checked row by row against fault-free ones.

Each run fetches a multi-page history from a sandbox wrapped in seeded faults, with the client
as a user would configure it (retries on, sleeps on a simulated clock so nothing really waits).
A run must end in exactly one of two ways: a frame identical to the fault-free reference (no
row lost, none duplicated), or a typed SocketlabError saying what failed, whose ``partial``
rows (if any) are a duplicate-free subset of the reference, marked incomplete. Anything else is counted
as a violation.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
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


@dataclass
class SoakReport:
    """What the soak did and found."""

    runs: int = 0
    requests: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    complete: int = 0
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
        return [
            f"runs: {self.runs} ({self.complete} complete and identical to the fault-free fetch)",
            f"requests under faults: {self.requests}",
            f"faults injected: {self.faults_injected} ({kinds})",
            f"runs ending in a typed error: {sum(self.typed_errors.values())} ({errors})",
            f"rows lost: {self.rows_lost}; rows duplicated: {self.rows_duplicated}",
            f"partial results presented as complete: {len(self.violations)}",
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


def _alert_identity(frame: pd.DataFrame) -> pd.Series:
    identity: pd.Series = frame["scanned_at"].astype(str) + frame["repo_slug"] + frame["alert_key"]
    return identity


def _scenarios(clock: _Clock) -> dict[str, tuple[Any, Callable[[Any], pd.DataFrame], Identity]]:
    """name -> (app, fetch(app) -> frame, the identity of each row)."""
    socket_app = SocketSandbox(now=clock.utcnow)
    socket_app.add_token(SandboxToken(_SOAK_TOKEN, max_quota=10**9))
    snyk_app = SnykSandbox(now=clock.utcnow)
    snyk_app.add_token(SnykToken(_SNYK_SOAK_TOKEN))

    def socket_client(app: Any) -> SocketClient:
        return SocketClient(
            token=_SOAK_TOKEN, base_url="https://api.socket.dev/v0", transport=transport(app), progress=False,
            check_quota=False, sleep=clock.sleep, clock=clock.monotonic,
        )  # fmt: skip

    def snapshots(app: Any) -> pd.DataFrame:
        with socket_client(app) as sock:
            return sock.snapshots("acme-corp", date="2026-10-31", range="-364d", per_page=40)

    def alerts(app: Any) -> pd.DataFrame:
        with socket_client(app) as sock:
            return sock.alerts("globex", date="2026-10-31", range="-45d", per_page=100)

    def issues(app: Any) -> pd.DataFrame:
        with SnykClient(
            token=_SNYK_SOAK_TOKEN, base_url="https://api.snyk.io/rest", transport=transport(app), progress=False,
            sleep=clock.sleep, clock=clock.monotonic,
        ) as snyk:  # fmt: skip
            return snyk.issues(org_id=SnykSandbox.org_id("globex"), limit=20)

    return {
        "socket snapshots": (socket_app, snapshots, lambda f: f["id"]),
        "socket alerts": (socket_app, alerts, _alert_identity),
        "snyk issues": (snyk_app, issues, lambda f: f["id"]),
    }


def run_soak(runs: int = 12, rate: float = 0.15, seed: int = 0, kinds: tuple[str, ...] = ALL_FAULTS) -> SoakReport:
    """Fetch each scenario ``runs`` times under faults; compare every outcome with the reference."""
    report = SoakReport()
    clock = _Clock()
    scenarios = _scenarios(clock)
    references = {name: fetch(app) for name, (app, fetch, _) in scenarios.items()}
    for run in range(runs):
        for number, (name, (app, fetch, key)) in enumerate(scenarios.items()):
            faulty = Faulty(app, Faults(rate=rate, seed=seed * 100_003 + run * 31 + number, kinds=kinds))
            reference = references[name]
            report.runs += 1
            try:
                frame = fetch(faulty)
            except SocketlabError as exc:
                report.typed_errors[type(exc).__name__] += 1
                partial = exc.partial
                if partial is not None and len(partial):
                    extra = set(key(partial)) - set(key(reference))
                    # a subset: a buggy last page can make even the whole data arrive as a partial
                    if extra or key(partial).duplicated().any() or partial.attrs.get("complete") is not False:
                        report.violations.append(f"{name} run {run}: a partial frame that is not a marked subset")
            except Exception as exc:  # an untyped error is exactly what the soak looks for
                report.violations.append(f"{name} run {run}: untyped {type(exc).__name__}: {exc}")
            else:
                lost = len(set(key(reference)) - set(key(frame)))
                duplicated = int(key(frame).duplicated().sum())
                report.rows_lost += lost
                report.rows_duplicated += duplicated
                if lost or duplicated or not frame.equals(reference):
                    report.violations.append(f"{name} run {run}: a frame that differs from the reference")
                else:
                    report.complete += 1
            report.requests += faulty.requests
            report.faults.update(faulty.injected)
    return report
