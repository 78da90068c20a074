"""Frames as a Parquet dataset partitioned by org and UTC day: the path past one machine.

``write_dataset(frame, "data/snapshots", day_column="requested_at")`` writes hive-style
folders ``org=<slug>/date=<YYYY-MM-DD>/`` that DuckDB, Spark, Polars and pyarrow all read as
one table, with ``org`` and ``date`` as columns they can prune on::

    duckdb.sql("select org, date, count(*) from read_parquet('data/snapshots/**/*.parquet',"
               " hive_partitioning = true) group by all")
    spark.read.parquet("data/snapshots")          # partition discovery does the rest

Writing the same days again replaces those partitions only, so a daily job can append.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from socketlab._frames import json_text_columns

__all__ = ["read_dataset", "write_dataset"]


def write_dataset(
    frame: pd.DataFrame,
    root: str | os.PathLike[str],
    *,
    day_column: str,
    org: str | None = None,
) -> Path:
    """Write ``frame`` under ``root``, partitioned by org and by the UTC day of ``day_column``.

    The org comes from an ``org`` column, else ``org=``, else ``frame.attrs["org"]``.
    Partitions the frame touches are replaced; the others are left as they are.
    """
    if day_column not in frame.columns:
        raise ValueError(f"{day_column!r} is not a column of the frame")
    out = json_text_columns(frame)
    if "org" not in out.columns:
        name = org or frame.attrs.get("org")
        if not isinstance(name, str) or not name:
            raise ValueError("which org? pass org= (or give the frame an 'org' column)")
        out.insert(0, "org", name)
    out["date"] = out[day_column].dt.tz_convert("UTC").dt.strftime("%Y-%m-%d")
    table = pa.Table.from_pandas(out, preserve_index=False)
    ds.write_dataset(
        table,
        Path(root),
        format="parquet",
        partitioning=ds.partitioning(pa.schema([("org", pa.string()), ("date", pa.string())]), flavor="hive"),
        existing_data_behavior="delete_matching",
        basename_template="part-{i}.parquet",
    )
    return Path(root)


def read_dataset(root: str | os.PathLike[str]) -> pd.DataFrame:
    """The whole dataset back as one frame (org and date from the partition folders)."""
    dataset = ds.dataset(Path(root), format="parquet", partitioning="hive")
    frame: pd.DataFrame = dataset.to_table().to_pandas()
    return frame
