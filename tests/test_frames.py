"""The dtype table: every column typed, empty frames complete, unknown data kept."""

from __future__ import annotations

import pandas as pd
import pytest

from socketlab import DataWarning, _frames
from socketlab._frames import snake_case, to_frame
from socketlab._schema import SNAPSHOT_STATUS, SNAPSHOTS

ITEM = {
    "id": "s1",
    "requestId": "r1",
    "requestedBy": "socket-scheduler",
    "requestedAt": "2026-11-01T06:00:20.251Z",
    "startedAt": "2026-11-01T06:00:22.345+02:00",
    "finishedAt": None,
    "durationMs": 0,
    "status": "in-progress",
    "numReposScanned": 3,
    "numSbomsScanned": 9,
    "numLowAlerts": 5,
    "numHighAlerts": 2,
    "numMediumAlerts": 4,
    "numCriticalAlerts": 1,
    "numIgnoredLowAlerts": 1,
    "numIgnoredHighAlerts": 0,
    "numIgnoredMediumAlerts": 0,
    "numIgnoredCriticalAlerts": 0,
}
EXPECTED_COLUMNS = [
    "id",
    "request_id",
    "requested_by",
    "requested_at",
    "started_at",
    "finished_at",
    "duration_ms",
    "status",
    "num_repos_scanned",
    "num_sboms_scanned",
    "num_low_alerts",
    "num_high_alerts",
    "num_medium_alerts",
    "num_critical_alerts",
    "num_ignored_low_alerts",
    "num_ignored_high_alerts",
    "num_ignored_medium_alerts",
    "num_ignored_critical_alerts",
]


def test_every_item_field_is_a_snake_case_column() -> None:
    assert list(to_frame([ITEM], SNAPSHOTS).columns) == EXPECTED_COLUMNS


def test_dtypes() -> None:
    """UTC timestamps (finished_at nullable), Int64 counts, categorical status, string ids."""
    frame = to_frame(
        [ITEM, {**ITEM, "id": "s2", "finishedAt": "2026-11-01T06:10:00.000Z", "status": "success"}], SNAPSHOTS
    )
    assert str(frame["requested_at"].dtype) == "datetime64[ns, UTC]"
    assert frame["started_at"][0] == pd.Timestamp("2026-11-01T04:00:22.345Z")  # +02:00 converted
    assert frame["finished_at"].isna().tolist() == [True, False]
    assert all(str(frame[c].dtype) == "Int64" for c in EXPECTED_COLUMNS if c.startswith("num_") or c == "duration_ms")
    assert isinstance(frame["status"].dtype, pd.CategoricalDtype)
    assert list(frame["status"].cat.categories) == ["in-progress", "success", "failure", "timeout", "skipped"]
    assert str(frame["id"].dtype) == "string"


def test_an_empty_result_has_every_column_and_dtype() -> None:
    empty = to_frame([], SNAPSHOTS)
    full = to_frame([ITEM], SNAPSHOTS)
    assert len(empty) == 0
    pd.testing.assert_series_equal(empty.dtypes, full.dtypes)


def test_unknown_fields_are_kept_not_a_crash() -> None:
    """A field the API adds later is kept as a snake_case column."""
    frame = to_frame([{**ITEM, "numInfoAlerts": 7, "scanRegion": "eu"}], SNAPSHOTS)
    assert frame.loc[0, "num_info_alerts"] == 7
    assert frame.loc[0, "scan_region"] == "eu"


def test_an_unknown_status_is_kept_not_turned_into_nan(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new status value extends the categories instead of silently becoming missing, and says so."""
    monkeypatch.setattr(_frames, "_warned", set())  # once per process: as if none had been met before
    with pytest.warns(DataWarning, match="snapshots.status has a value socketlab does not know: 'cancelled'"):
        frame = to_frame([{**ITEM, "status": "cancelled"}, ITEM], SNAPSHOTS)
    assert frame["status"].tolist() == ["cancelled", "in-progress"]
    assert frame["status"].cat.categories.tolist() == ["cancelled", *SNAPSHOT_STATUS.values]


def test_missing_fields_become_missing_values() -> None:
    item = dict(ITEM)
    del item["numLowAlerts"]
    assert pd.isna(to_frame([item], SNAPSHOTS).loc[0, "num_low_alerts"])


def test_snake_case() -> None:
    assert snake_case("numIgnoredLowAlerts") == "num_ignored_low_alerts"
    assert snake_case("requestId") == "request_id"
    assert snake_case("filters.status") == "filters_status"
    assert snake_case("CVEId") == "cve_id"
