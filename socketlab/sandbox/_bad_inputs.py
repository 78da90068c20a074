# mypy: ignore-errors
# (a table of deliberately wrong arguments: type errors are its point)
"""Every public argument, given wrong: each must be refused with a specific error, unsent.

The table is shared by the test suite (one test per row) and ``socketlab dev soak`` (the figures in
the README). Each row calls the public API on clients answered by the sandbox, whose request
log proves that nothing was sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from socketlab._errors import ConfigurationError, InvalidParameterError
from socketlab._snyk import SnykClient
from socketlab._socket import SocketClient
from socketlab.sandbox._serve import transport
from socketlab.sandbox._snyk import SnykSandbox
from socketlab.sandbox._socket import SocketSandbox

__all__ = ["BAD_INPUTS", "check_bad_inputs", "run_bad_input"]

ORG = SnykSandbox.org_id("acme-corp")
Call = Callable[[SocketClient, SnykClient], Any]


def _rows() -> list[tuple[str, Call]]:
    rows: list[tuple[str, Call]] = []
    for org in ("", "../admin", "a/b", "a?b=1", "a#b", "%2e%2e", "a%2Fb", " acme", "acme corp", "..", 42, None):
        rows.append((f"snapshots org={org!r}", lambda s, k, o=org: s.snapshots(o)))
        rows.append((f"alerts org={org!r}", lambda s, k, o=org: s.alerts(o)))
    rows.append(("start_snapshot org='../x'", lambda s, k: s.start_snapshot("../x")))
    for date in ("2026-02-30", "2026-13-01", "26-01-01", "today", "2026/01/01", 20260101, 1.5):
        rows.append((f"snapshots date={date!r}", lambda s, k, d=date: s.snapshots("acme-corp", date=d)))
    for value in ("30", "-30", "+30d", "30days", "", "LATEST", "-1.5d", -30):
        rows.append((f"snapshots range={value!r}", lambda s, k, v=value: s.snapshots("acme-corp", range=v)))
    for value in (0, 10001, -1, True, "100", 2.5):
        rows.append((f"snapshots per_page={value!r}", lambda s, k, v=value: s.snapshots("acme-corp", per_page=v)))
        rows.append((f"alerts per_page={value!r}", lambda s, k, v=value: s.alerts("acme-corp", per_page=v)))
    for value in ("done", ["success", "ignored"], [], "", ["a,b"], 5):
        rows.append((f"snapshots status={value!r}", lambda s, k, v=value: s.snapshots("acme-corp", status=v)))
    for value in ([], [""], ["a,b"], 5):
        rows.append((f"snapshots request_id={value!r}", lambda s, k, v=value: s.snapshots("acme-corp", request_id=v)))
    rows.append(("snapshots start_after_cursor=5", lambda s, k: s.snapshots("acme-corp", start_after_cursor=5)))
    for name, value in (
        ("alert_severity", "severe"), ("alert_action", ["block"]), ("dependency_direct", "yes"),
        ("alert_epss_not_in", "huge"), ("alert_kev", 1), ("alert_type", ""), ("colour", "blue"),
        ("alert_category", ["supply-chain"]), ("cve_patch_status", "patched"),
    ):  # fmt: skip
        rows.append((f"alerts {name}={value!r}", lambda s, k, n=name, v=value: s.alerts("acme-corp", **{n: v})))
    rows.append(("alerts_trend group_by='severity'", lambda s, k: s.alerts_trend("acme-corp", group_by="severity")))
    rows.append(("alerts_trend range='latest'", lambda s, k: s.alerts_trend("acme-corp", range="latest")))
    rows.append(
        ("dependencies_trend alert_severity", lambda s, k: s.dependencies_trend("acme-corp", alert_severity="x"))
    )
    rows.append(("wait_for_snapshot request_id=''", lambda s, k: s.wait_for_snapshot("acme-corp", "")))
    rows.append(("wait_for_snapshot timeout=0", lambda s, k: s.wait_for_snapshot("acme-corp", "r", timeout=0)))
    rows.append(
        ("wait_for_snapshot poll_interval=-1", lambda s, k: s.wait_for_snapshot("acme-corp", "r", poll_interval=-1))
    )
    for name, value in (("org", "../x"), ("direction", "up"), ("per_page", 0), ("per_page", 101),
                        ("start_after_cursor", 5)):  # fmt: skip
        args = {"org": value} if name == "org" else {"org": "acme-corp", name: value}
        rows.append((f"alert_resolutions {name}={value!r}", lambda s, k, a=args: s.alert_resolutions(**a)))
    # Snyk
    for name, kwargs in (
        ("without org or group", {"introduced": ("2026-01-01", "2026-02-01")}),
        ("with org and group", {"org_id": ORG, "group_id": ORG, "introduced": ("2026-01-01", "2026-02-01")}),
        ("without a date filter", {"org_id": ORG}),
        ("introduced reversed", {"org_id": ORG, "introduced": ("2026-02-01", "2026-01-01")}),
        ("introduced='2026'", {"org_id": ORG, "introduced": "2026"}),
        ("columns=['NOPE']", {"org_id": ORG, "introduced": ("2026-01-01", "2026-02-01"), "columns": ["NOPE"]}),
        ("poll_interval=0", {"org_id": ORG, "introduced": ("2026-01-01", "2026-02-01"), "poll_interval": 0}),
        ("export_id='x'", {"org_id": ORG, "export_id": "x"}),
    ):  # fmt: skip
        rows.append((f"export_issues {name}", lambda s, k, a=kwargs: k.export_issues(**a)))
    rows.append(("issues without org or group", lambda s, k: k.issues()))
    rows.append(("issues with org and group", lambda s, k: k.issues(org_id=ORG, group_id=ORG)))
    for value in ("not-a-uuid", "../", "", 5):
        rows.append((f"issues org_id={value!r}", lambda s, k, v=value: k.issues(org_id=v)))
        rows.append((f"projects org_id={value!r}", lambda s, k, v=value: k.projects(v)))
    for name, value in (
        ("status", "ignored"), ("status", ["open", "x"]), ("limit", 5), ("limit", 105), ("limit", 15),
        ("limit", "10"), ("version", "2024-13-01"), ("version", "2999-01-01"), ("version", "latest"),
        ("version", "2024-10-15~ga"), ("ignored", "true"), ("created_after", "yesterday"),
        ("effective_severity_level", "severe"), ("type", "vuln"), ("scan_item_type", "repo"),
        ("scan_item_id", ORG),
    ):  # fmt: skip
        rows.append((f"issues {name}={value!r}", lambda s, k, n=name, v=value: k.issues(org_id=ORG, **{n: v})))
    for name, value in (("colour", "blue"), ("tags", ["nocolon"]), ("lifecycle", ["prod"]), ("ids", ["x"]),
                        ("latest_issue_counts", "yes")):  # fmt: skip
        rows.append((f"projects {name}={value!r}", lambda s, k, n=name, v=value: k.projects(ORG, **{n: v})))
    for path, kwargs in (
        ("/orgs/{org_id}/targets", {"org_id": "a/b"}), ("/orgs/{org_id}/targets", {"org_id": ".."}),
        ("orgs/x/targets", {}), ("/orgs/x?y=1", {}), ("/orgs/{org_id}/targets", {}),
        ("/orgs/x/targets", {"org_id": ORG}), ("/orgs/x/targets#frag", {}),
    ):  # fmt: skip
        rows.append((f"collection {path!r} {kwargs}", lambda s, k, p=path, a=kwargs: k.collection(p, **a)))
    rows.append(
        ("collection params version=", lambda s, k: k.collection("/orgs/x/t", params={"version": "2024-01-01"}))
    )
    # Clients that must not be built: their requests would leak or go astray
    for base in ("http://api.socket.dev/v0", "https://sktsec_x@api.socket.dev/v0", "https://api.socket.dev/v0?token=x",
                 "ftp://api.socket.dev", "api.socket.dev/v0"):  # fmt: skip
        rows.append((f"SocketClient base_url={base!r}", lambda s, k, b=base: SocketClient(token="t", base_url=b)))
    rows.append(("SnykClient base_url=http", lambda s, k: SnykClient(token="t", base_url="http://api.snyk.io/rest")))
    for token in (" ", "", "tok en", "tok\nen"):
        rows.append((f"SocketClient token={token!r}", lambda s, k, t=token: SocketClient(token=t)))
    rows.append(("SocketClient auth='digest'", lambda s, k: SocketClient(token="t", auth="digest")))
    rows.append(("SnykClient auth='basic'", lambda s, k: SnykClient(token="t", auth="basic")))
    rows.append(("SnykClient version='2024-1-1'", lambda s, k: SnykClient(token="t", version="2024-1-1")))
    return rows


BAD_INPUTS: list[tuple[str, Call]] = _rows()


def run_bad_input(call: Call) -> tuple[BaseException | None, int]:
    """Run one bad call against fresh sandbox clients: (the error raised, requests sent)."""
    socket_app, snyk_app = SocketSandbox(), SnykSandbox()
    with (
        SocketClient(token=socket_app.token, transport=transport(socket_app), progress=False) as sock,
        SnykClient(token=snyk_app.token, transport=transport(snyk_app), progress=False) as snyk,
    ):
        try:
            call(sock, snyk)
        except (InvalidParameterError, ConfigurationError, ValueError) as exc:
            return exc, len(socket_app.requests) + len(snyk_app.requests)
        return None, len(socket_app.requests) + len(snyk_app.requests)


def check_bad_inputs() -> tuple[int, int, int]:
    """(refused with a specific error, tried, requests sent by all of them)."""
    refused = sent = 0
    for _, call in BAD_INPUTS:
        error, requests = run_bad_input(call)
        refused += error is not None
        sent += requests
    return refused, len(BAD_INPUTS), sent
