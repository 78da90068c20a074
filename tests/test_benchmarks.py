"""The benchmark's two sides compute the same thing (the figures themselves are in RESULTS.md)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

from socketlab._schema import SNAPSHOTS

PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


def _load() -> object:
    spec = importlib.util.spec_from_file_location("socketlab_benchmarks", PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_framing_benchmark_compares_like_with_like() -> None:
    bench = _load()
    pages = bench.snapshot_pages(total=3000, per_page=700)  # type: ignore[attr-defined]
    ours = bench.socketlab_framing(pages)  # type: ignore[attr-defined]
    naive = bench.naive_framing(pages)  # type: ignore[attr-defined]
    assert len(ours) == len(naive) == 3000
    assert ours["id"].tolist() == naive["id"].tolist()
    assert [str(t) for t in ours.dtypes[: len(SNAPSHOTS)]] == [
        str(c.dtype) if not isinstance(c.dtype, pd.CategoricalDtype) else "category" for c in SNAPSHOTS
    ]
    assert (ours["num_low_alerts"].astype(int).to_numpy() == naive["numLowAlerts"].to_numpy()).all()
