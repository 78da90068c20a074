"""Concurrent backfills: date windows on threads, tiled by what the API says it covered."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from socketlab import InvalidParameterError, PaginationError, SnykClient, SocketClient, sandbox
from socketlab.sandbox import SnykSandbox, SocketSandbox
from socketlab.sandbox._faults import Faults, Faulty


def test_a_year_in_windows_equals_one_query(sock: SocketClient, app: SocketSandbox) -> None:
    reference = sock.snapshots("acme-corp", date="2026-10-31", range="-364d")
    backfill = sock.snapshots("acme-corp", start="2025-11-01", end="2026-10-31", window_days=20, max_workers=6)
    pd.testing.assert_frame_equal(backfill, reference)
    assert backfill.attrs["windows"] == 19
    assert backfill["id"].is_unique


def test_windows_tile_by_the_meta_not_by_assumption(app: SocketSandbox, sock: SocketClient) -> None:
    """A server whose '-Nd' covers fewer days than asked: the missed days are fetched too."""

    class Shorter:  # answers every '-Nd' as if it were '-(N-3)d' (never below 0)
        def handle(self, method: str, target: str, headers: Any) -> Any:
            import re

            def shorten(m: re.Match[str]) -> str:
                return f"range=-{max(0, int(m.group(1)) - 3)}d"

            return app.handle(method, re.sub(r"range=-(\d+)d", shorten, target), headers)

    with SocketClient(token=app.token, transport=sandbox.transport(Shorter()), progress=False) as short:  # type: ignore[arg-type]
        backfill = short.snapshots("globex", start="2026-01-01", end="2026-03-31", window_days=10)
    reference = sock.snapshots("globex", date="2026-03-31", range="-89d")
    pd.testing.assert_frame_equal(backfill, reference)
    assert backfill.attrs["windows"] > 9  # the extra windows that filled the gaps


def test_several_orgs_and_alerts(sock: SocketClient) -> None:
    both = sock.snapshots(["acme-corp", "globex"], start="2026-02-01", end="2026-02-28")
    assert list(both.columns[:2]) == ["org", "id"]
    assert set(both["org"]) == {"acme-corp", "globex"}
    alerts = sock.alerts("globex", start="2026-02-01", end="2026-02-28", window_days=7, alert_severity="high")
    single = sock.alerts("globex", date="2026-02-28", range="-27d", alert_severity="high")
    pd.testing.assert_frame_equal(
        alerts, single.sort_values(["scanned_at", "repo_slug", "alert_key"], ignore_index=True)
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"start": "2026-02-01"},
        {"start": "2026-03-01", "end": "2026-02-01"},
        {"start": "2026-02-01", "end": "2026-02-02", "range": "-3d"},
        {"start": "2026-02-30", "end": "2026-03-01"},
        {"start": "2026-02-01", "end": "2026-02-05", "window_days": 0},
    ],
)
def test_bad_backfills_are_refused_before_any_request(
    app: SocketSandbox, sock: SocketClient, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(InvalidParameterError):
        sock.snapshots("globex", **kwargs)
    assert app.requests == []


def test_a_failing_window_is_a_typed_error_with_what_arrived(app: SocketSandbox) -> None:
    faulty = Faulty(app, Faults(rate=1.0, kinds=("repeat-cursor",)))
    with SocketClient(token=app.token, transport=sandbox.transport(faulty), progress=False) as sock:
        with pytest.raises(PaginationError) as info:
            sock.snapshots("acme-corp", start="2026-01-01", end="2026-03-31", per_page=20, max_workers=2)
    assert info.value.partial is None or info.value.partial.attrs["complete"] is False


def test_snyk_several_orgs_concurrently(snyk_app: SnykSandbox, snyk: SnykClient) -> None:
    orgs = [SnykSandbox.org_id("acme-corp"), SnykSandbox.org_id("globex")]
    both = snyk.issues(org_id=orgs, effective_severity_level="critical")
    one = [snyk.issues(org_id=o, effective_severity_level="critical") for o in orgs]
    pd.testing.assert_frame_equal(both, pd.concat(one, ignore_index=True))
    projects = snyk.projects(orgs)
    assert set(projects["organization_id"]) == set(orgs)


def test_an_empty_list_of_orgs_is_refused_for_alerts_too(app: SocketSandbox, sock: SocketClient) -> None:
    with pytest.raises(InvalidParameterError, match="no organization"):
        sock.alerts([], start="2026-02-01", end="2026-02-05")
    assert app.requests == []


@pytest.mark.parametrize("argument", ["org_id", "group_id"])
def test_snyk_an_empty_id_list_names_its_argument(snyk_app: SnykSandbox, snyk: SnykClient, argument: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        snyk.issues(**{argument: []})
    assert info.value.argument == argument
    assert snyk_app.requests == []
