"""The one fan-out: independent fetches (backfill windows, several orgs) on threads, stoppable.

One policy for every concurrent fetch in socketlab:

- the tasks run on a thread pool sharing the client's connections (and, for Snyk, its rate
  limiter); a finished task may queue more (a window whose answer covered fewer days than
  asked queues the days it missed);
- on Ctrl-C in the caller, or the first error of any task, the pending tasks are cancelled, a
  shared Cancel flag stops the running ones before their next request (the client shell
  checks it before every request and while it waits), and the caller gets control back at
  once: it never waits for requests already on the wire;
- the error that ends the run (the KeyboardInterrupt included) is handed to ``fail`` with
  every finished task's result and the tasks left unfinished, so the caller can attach the
  rows fetched so far (``partial``) and say how to resume, before it is re-raised.

``executor.shutdown(cancel_futures=True)`` plus a stop flag between requests is what STYLE.md
asks for; the pool's threads drain on their own (a cancelled request never starts).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

__all__ = ["Cancel", "Cancelled", "run_concurrently"]

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")


class Cancelled(Exception):
    """Raised inside a task whose run was stopped; the fan-out never lets it reach the caller."""


class Cancel:
    """A flag set when a fan-out stops: every request checks it first, every wait ends on it."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise Cancelled if the work was stopped: called before every request."""
        if self._event.is_set():
            raise Cancelled

    def wait(self, seconds: float) -> None:
        """Sleep ``seconds``, or less if the work is stopped meanwhile (then raise Cancelled)."""
        if self._event.wait(seconds):
            raise Cancelled


def run_concurrently(
    tasks: Sequence[K],
    work: Callable[[K, Cancel], R],
    *,
    max_workers: int,
    then: Callable[[K, R], Iterable[K]] | None = None,
    fail: Callable[[BaseException, list[tuple[K, R]], list[K]], None] | None = None,
) -> list[tuple[K, R]]:
    """Run ``work(task, cancel)`` for every task on up to ``max_workers`` threads.

    Returns ``(task, result)`` pairs in the order the tasks finished. ``then(task, result)``
    may return more tasks to run. If any task fails, or the caller is interrupted, nothing
    new starts, ``fail(error, finished, unfinished)`` is called, and the error is re-raised.
    """
    cancel = Cancel()
    finished: list[tuple[K, R]] = []
    running: dict[Future[R], K] = {}
    pool = ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix="socketlab")

    def guarded(task: K) -> R:
        try:
            return work(task, cancel)
        except BaseException:
            cancel.set()  # at once, from the failing thread: its next task must not start a request
            raise

    stopped: list[K] = []  # tasks that unwound with Cancelled once another had failed
    try:
        for task in tasks:
            running[pool.submit(guarded, task)] = task
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            failures = [f for f in done if f.exception() is not None]
            for future in done:  # every success first: what finished beside a failure is kept
                if future not in failures:
                    task = running.pop(future)
                    result = future.result()
                    finished.append((task, result))
                    for more in then(task, result) if then is not None else ():
                        running[pool.submit(guarded, more)] = more
            for future in failures:
                failure = future.exception()
                if not isinstance(failure, Cancelled):
                    raise failure  # type: ignore[misc]  # a task's error ends the run (the task stays unfinished)
                stopped.append(running.pop(future))  # Cancelled: the failing task's own error is on its way
    except BaseException as error:  # KeyboardInterrupt included: stop everything, keep what arrived
        cancel.set()
        pool.shutdown(wait=False, cancel_futures=True)
        if fail is not None:
            fail(error, finished, [*running.values(), *stopped])
        raise
    pool.shutdown(wait=True)
    return finished
