"""An on-demand snapshot job for a notebook, started only when asked: a live job costs quota and minutes."""

from __future__ import annotations

import pandas as pd

from socketlab._connect import data_source
from socketlab._socket import SocketClient
from socketlab.display import note

__all__ = ["on_demand_snapshot"]


def on_demand_snapshot(
    sock: SocketClient, org: str, *, start: bool | None = None, poll_interval: float = 10.0, timeout: float = 900.0
) -> pd.Series | None:
    """Start an on-demand snapshot of ``org`` and wait for it, if ``start`` says so; its row, or None.

    ``start=None`` starts one on the offline sandbox only (a demo, free and quick); on a real API
    a job costs 10 quota units plus 10 per poll and can run for many minutes, so it starts only
    with ``start=True``. A note says what happened either way.
    """
    if start is None:
        start = data_source(sock).sandbox
    if not start:
        note(
            "No on-demand snapshot job started (`start_job` is off: on the real API a job costs quota "
            "and can take many minutes). The charts use the snapshots already taken."
        )
        return None
    job = sock.start_snapshot(org)
    done = sock.wait_for_snapshot(org, job.request_id, timeout=timeout, poll_interval=poll_interval)
    seconds = done["duration_ms"] / 1000 if pd.notna(done["duration_ms"]) else float("nan")
    note(
        f"on-demand snapshot `{job.request_id}`: {done['status']} after {seconds:.0f} s, "
        f"{done['num_repos_scanned']} repositories scanned"
    )
    return done
