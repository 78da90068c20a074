"""Progress bars through tqdm.auto: a widget in Jupyter, text in a terminal.

``progress`` everywhere means: True, always show; False, never; None (the default), show a
bar only once a fetch needs a second page, so a one-page query stays quiet.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from tqdm.auto import tqdm

__all__ = ["PageProgress", "resolve"]


def resolve(call: bool | None, client: bool | None) -> bool | None:
    """The per-call switch wins over the client's; both None means automatic."""
    return client if call is None else call


class PageProgress:
    """Counts pages and rows of one fetch; opens its bar when the mode says so."""

    def __init__(self, mode: bool | None, description: str) -> None:
        self.mode = mode
        self.description = description
        self.pages = 0
        self.rows = 0
        self._bar: Any = None

    def page(self, rows: int, *, more: bool) -> None:
        """Record a page of ``rows``; ``more`` says whether another page will be requested."""
        self.pages += 1
        self.rows += rows
        if self._bar is None and (self.mode is True or (self.mode is None and more)):
            self._bar = tqdm(desc=self.description, unit=" pages", initial=self.pages - 1, leave=True)
        if self._bar is not None:
            self._bar.update(1)
            self._bar.set_postfix(rows=self.rows, refresh=False)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()

    def __enter__(self) -> PageProgress:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
