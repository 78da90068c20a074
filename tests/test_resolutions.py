"""Socket's alert resolutions: every page, typed, and the story behind the sandbox's ignored alerts."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from socketlab import InvalidParameterError, SocketClient, sandbox
from socketlab._schema import RESOLUTION_REASON
from socketlab.sandbox import SocketSandbox
from tests.conftest import SPECS, TEST_TOKEN, FakeTime

SPEC = json.loads((SPECS / "socket-openapi.json").read_text())
OPERATION = SPEC["paths"]["/orgs/{org_slug}/alerts/resolutions"]["get"]


def test_the_reason_categories_are_the_specs_four_values() -> None:
    item = OPERATION["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["items"]["items"]
    assert RESOLUTION_REASON.values == tuple(item["properties"]["reason"]["enum"])


def test_every_page_typed_over_loopback(served: str, app: SocketSandbox) -> None:
    """Small pages over real HTTP give the frame one big page gives; dtypes as the schema says, nulls kept."""
    with SocketClient(token=TEST_TOKEN, base_url=served, progress=False) as sock:
        small = sock.alert_resolutions("acme-corp", per_page=7)
        big = sock.alert_resolutions("acme-corp", per_page=100, cache=False)
        spent = sock.quota_spent
    pd.testing.assert_frame_equal(small, big)
    assert small.attrs["pages"] > big.attrs["pages"] >= 1
    assert spent == small.attrs["pages"] + big.attrs["pages"]  # spec: 1 unit a page
    assert list(small["reason"].cat.categories) == list(RESOLUTION_REASON.values)
    assert str(small["created_at"].dtype) == str(small["updated_at"].dtype) == "datetime64[ns, UTC]"
    assert small["uuid"].is_unique
    assert small["created_at"].is_monotonic_decreasing  # direction desc, the API's default
    # nulls are kept, not turned into "" or "nan": text only when the reason is "other"
    assert small.loc[small["reason"] != "other", "reason_text"].isna().all()
    assert small.loc[small["reason"] == "other", "reason_text"].notna().all()
    assert small["resolved_by"].isna().any() and small["resolved_by"].notna().any()
    assert small["repo"].isna().any() and small["repo"].notna().any()
    assert (small["updated_at"] >= small["created_at"]).all()


def test_ascending_order_and_several_orgs(sock: SocketClient) -> None:
    both = sock.alert_resolutions(["acme-corp", "globex"], direction="asc", per_page=20)
    assert list(both.columns[:2]) == ["org", "uuid"]
    assert set(both["org"]) == {"acme-corp", "globex"}
    for _, rows in both.groupby("org"):
        assert rows["created_at"].is_monotonic_increasing


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"direction": "up"}, "direction"),
        ({"per_page": 0}, "per_page"),
        ({"per_page": 101}, "per_page"),
        ({"per_page": "10"}, "per_page"),
        ({"start_after_cursor": 5}, "start_after_cursor"),
    ],
)
def test_bad_arguments_are_refused_before_any_request(
    sock: SocketClient, app: SocketSandbox, kwargs: dict[str, object], argument: str
) -> None:
    with pytest.raises(InvalidParameterError) as info:
        sock.alert_resolutions("acme-corp", **kwargs)  # type: ignore[arg-type]
    assert info.value.argument == argument
    assert app.requests == []


def _covers(resolution: pd.Series, alert: pd.Series) -> bool:
    """A resolution's scope: each of its fields either null (any) or the alert's."""
    pairs = [("alert_type", "alert_type"), ("repo", "repo_full_name"), ("artifact_name", "artifact_name"),
             ("artifact_version", "artifact_version"), ("artifact_type", "artifact_type")]  # fmt: skip
    return all(pd.isna(resolution[r]) or resolution[r] == alert[a] for r, a in pairs)


@pytest.mark.parametrize("day", ["2026-03-20", "2026-10-30"])
def test_every_ignored_alert_has_a_resolution_made_before_its_scan(sock: SocketClient, day: str) -> None:
    """The sandbox's story: an ignored alert's action source is a resolution that covers it."""
    alerts = sock.alerts("acme-corp", date=day, range="-0d", alert_action="ignore")
    resolutions = sock.alert_resolutions("acme-corp")
    assert len(alerts) > 5
    assert set(alerts["alert_props"].map(lambda p: p["actionSourceType"])) == {"resolution"}
    for _, alert in alerts.iterrows():
        made = resolutions[resolutions["created_at"] <= alert["scanned_at"]]
        assert any(_covers(r, alert) for _, r in made.iterrows()), alert["alert_key"]


def test_resolutions_grow_with_the_clock_and_never_change(app: SocketSandbox, clock: FakeTime) -> None:
    earlier = SocketSandbox(now=lambda: dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    with sandbox.socket_client(earlier, progress=False) as old, sandbox.socket_client(app, progress=False) as new:
        before = old.alert_resolutions("acme-corp", direction="asc")
        after = new.alert_resolutions("acme-corp", direction="asc", cache=False)  # same URL, another clock
    assert 0 < len(before) < len(after)
    kept = after[after["uuid"].isin(before["uuid"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept[["uuid", "reason", "created_at"]], before[["uuid", "reason", "created_at"]])
    assert before["created_at"].max() <= pd.Timestamp("2026-03-01", tz="UTC")
