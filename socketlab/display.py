"""Quiet, readable output for notebooks: short notes, and tables a person can read.

A note is information, not an error: in a Jupyter kernel it is a small rendered Markdown output
(carrying machine-readable ``metadata`` the report reads), elsewhere one plain line on stdout,
never stderr (Jupyter paints stderr red). Tables show days as ``2026-10-19``, not
``2026-10-19 00:00:00+00:00``, weeks as "week of", counts with thousands separators.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

__all__ = ["in_kernel", "note", "readable"]

_RENAMES = {"week": "week of", "day": "day (UTC)"}


def in_kernel() -> bool:
    """True inside a Jupyter kernel (JupyterLab, Notebook, VS Code, papermill), not a plain shell."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return getattr(get_ipython(), "kernel", None) is not None


def _plain(markdown: str) -> str:
    return re.sub(r"(\*\*|`)", "", markdown)


def note(markdown: str, *, metadata: Mapping[str, Any] | None = None) -> None:
    """Show a short note: rendered Markdown in a kernel (with ``metadata``), else a plain line on stdout."""
    if in_kernel():
        from IPython.display import Markdown, display

        display(Markdown(markdown), metadata=dict(metadata or {}))  # type: ignore[no-untyped-call]
    else:
        print(_plain(markdown), flush=True)


def _is_day(values: pd.Series | pd.Index) -> bool:
    """Timestamps that all fall on midnight: days, shown as dates."""
    stamps = pd.DatetimeIndex(values).dropna()
    return bool(len(stamps) == 0 or (stamps == stamps.normalize()).all())


def _time_format(values: pd.Series | pd.Index) -> Any:
    pattern = "%Y-%m-%d" if _is_day(values) else "%Y-%m-%d %H:%M UTC"
    return lambda v: "" if pd.isna(v) else pd.Timestamp(v).strftime(pattern)


def readable(frame: pd.DataFrame, *, percent: Collection[str] = (), digits: int = 1) -> Styler:
    """``frame`` styled for reading: dates as dates, "week of"/"day (UTC)" labels, formatted numbers.

    Columns named in ``percent`` (shares from 0 to 1) show as percentages; other floats with
    ``digits`` decimals; integers with thousands separators; missing values as a dash. The data
    itself is unchanged (``.data`` of the result).
    """
    shown = frame.rename(columns=_RENAMES)
    shown.index = shown.index.rename(_RENAMES.get(str(frame.index.name), frame.index.name))
    shown.columns = shown.columns.rename(_RENAMES.get(str(frame.columns.name), frame.columns.name))
    formats: dict[Any, Any] = {}
    for position, (original, name) in enumerate(zip(frame.columns, shown.columns, strict=True)):
        column = shown.iloc[:, position]
        if original in percent or name in percent:
            formats[name] = f"{{:.{digits}%}}"
        elif pd.api.types.is_datetime64_any_dtype(column):
            formats[name] = _time_format(column)
        elif pd.api.types.is_bool_dtype(column):
            continue
        elif pd.api.types.is_integer_dtype(column):
            formats[name] = "{:,.0f}"
        elif pd.api.types.is_float_dtype(column):
            formats[name] = f"{{:,.{digits}f}}"
    styler: Styler = shown.style.format(formats, na_rep="–")
    if isinstance(shown.index, pd.DatetimeIndex):
        styler = styler.format_index(_time_format(shown.index), axis=0)
    elif shown.index.name is None and pd.api.types.is_integer_dtype(shown.index):
        styler = styler.hide(axis="index")  # row positions say nothing to a reader
    return styler
