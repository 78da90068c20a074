"""From API items to typed DataFrames: one dtype table per resource, one UTC rule.

Like pandas-gbq, the mapping from API type to pandas dtype lives in one place: counts are
nullable ``Int64``, timestamps ``datetime64[ns, UTC]``, enumerations categorical, text
``string``. Frames are built column by column, never row objects, and an empty result has
every column with its dtype. Fields the table does not know are kept, snake_cased.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from socketlab._params import SNAPSHOT_STATUSES

__all__ = ["SNAPSHOT_SCHEMA", "Column", "snake_case", "to_frame", "utc_timestamp"]

UTC_TIMESTAMP = "datetime64[ns, UTC]"


@dataclass(frozen=True)
class Column:
    """One API field: its name in the API, its column name, and its pandas dtype."""

    field: str
    name: str
    dtype: str | pd.CategoricalDtype


def snake_case(name: str) -> str:
    """``numIgnoredLowAlerts`` -> ``num_ignored_low_alerts``; ``filters.status`` -> ``filters_status``."""
    name = re.sub(r"[^0-9A-Za-z]+", "_", name)
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return name.strip("_").lower()


def _columns(dtypes: Mapping[str, str | pd.CategoricalDtype]) -> tuple[Column, ...]:
    return tuple(Column(field, snake_case(field), dtype) for field, dtype in dtypes.items())


# spec historicalSnapshotsList, 200 items (every field, in the spec's order)
SNAPSHOT_SCHEMA: tuple[Column, ...] = _columns(
    {
        "id": "string",
        "requestId": "string",
        "requestedBy": "string",
        "requestedAt": UTC_TIMESTAMP,
        "startedAt": UTC_TIMESTAMP,
        "finishedAt": UTC_TIMESTAMP,  # nullable: null while the job runs
        "durationMs": "Int64",
        "status": pd.CategoricalDtype(list(SNAPSHOT_STATUSES)),
        "numReposScanned": "Int64",
        "numSbomsScanned": "Int64",
        "numLowAlerts": "Int64",
        "numHighAlerts": "Int64",
        "numMediumAlerts": "Int64",
        "numCriticalAlerts": "Int64",
        "numIgnoredLowAlerts": "Int64",
        "numIgnoredHighAlerts": "Int64",
        "numIgnoredMediumAlerts": "Int64",
        "numIgnoredCriticalAlerts": "Int64",
    }
)


def utc_timestamp(value: object) -> pd.Timestamp:
    """One UTC rule: aware values are converted to UTC, naive ones are taken as UTC."""
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    return stamp.tz_convert("UTC") if stamp.tzinfo is not None else stamp.tz_localize("UTC")


def _typed(values: list[Any], dtype: str | pd.CategoricalDtype) -> pd.Series:
    if isinstance(dtype, pd.CategoricalDtype):
        # A value the API adds later must not turn into NaN: extend the categories instead.
        known = list(dtype.categories)
        extra = sorted({v for v in values if v is not None and v not in known})
        return pd.Series(pd.Categorical(values, categories=known + extra, ordered=dtype.ordered))
    if dtype == UTC_TIMESTAMP:
        return pd.Series(pd.to_datetime(values, utc=True, format="ISO8601"), dtype=UTC_TIMESTAMP)
    return pd.Series(values, dtype=dtype)


def to_frame(items: Sequence[Mapping[str, Any]], schema: Sequence[Column]) -> pd.DataFrame:
    """A DataFrame with one row per item: the schema's columns first, then unknown fields."""
    known = {column.field for column in schema}
    extra: dict[str, None] = {}
    for item in items:
        for field in item:
            if field not in known:
                extra.setdefault(field, None)
    data: dict[str, pd.Series] = {}
    for column in schema:
        data[column.name] = _typed([item.get(column.field) for item in items], column.dtype)
    for field in extra:
        name = snake_case(field)
        if name in data:  # a new field that snake_cases onto a known column keeps its own name
            name = field
        data[name] = pd.Series([item.get(field) for item in items], dtype=object)
    return pd.DataFrame(data, index=pd.RangeIndex(len(items)))
