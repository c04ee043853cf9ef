"""Progress reporting and cancellation for long engine calls.

Owns: the `Progress` value, `CancelToken`, `JobCancelled`, and `Reporter`, the helper every
long call uses to turn counts into progress reports. Every report is also a cancellation
point. Must not print or draw anything: the CLI and the GUI render progress themselves.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable, Optional


class JobCancelled(Exception):
    """Raised inside a job when its CancelToken was cancelled."""


class CancelToken:
    """A thread-safe flag a caller sets to ask a running job to stop at its next report."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise JobCancelled("cancelled")


NEVER_CANCELLED = CancelToken()


@dataclass(frozen=True)
class Progress:
    """One progress report: which phase, how far, and how fast."""

    phase: str
    done: int
    total: Optional[int]  # None when the total is not known yet (walking folders)
    elapsed: float = 0.0
    message: str = ""

    @property
    def fraction(self) -> Optional[float]:
        if not self.total:
            return None
        return min(1.0, self.done / self.total)

    @property
    def rate(self) -> Optional[float]:
        """Items per second in this phase, once it has run long enough to say."""
        if self.elapsed < 0.2 or self.done == 0:
            return None
        return self.done / self.elapsed

    @property
    def eta(self) -> Optional[float]:
        rate = self.rate
        if rate is None or self.total is None:
            return None
        return max(0.0, (self.total - self.done) / rate)


ProgressCallback = Callable[[Progress], None]


def no_progress(_: Progress) -> None:
    return None


class Reporter:
    """Reports one phase's progress, throttled, and checks for cancellation at every call."""

    def __init__(self, phase: str, total: Optional[int], on_progress: Optional[ProgressCallback],
                 cancel: Optional[CancelToken], min_interval: float = 0.1) -> None:
        self.phase = phase
        self.total = total
        self.done = 0
        self._on_progress = on_progress or no_progress
        self._cancel = cancel or NEVER_CANCELLED
        self._min_interval = min_interval
        self._start = time.monotonic()
        self._last = 0.0
        self.report(force=True)

    def advance(self, n: int = 1, message: str = "") -> None:
        self.done += n
        self.report(message=message)

    def report(self, message: str = "", force: bool = False) -> None:
        self._cancel.check()
        now = time.monotonic()
        finished = self.total is not None and self.done >= self.total
        if force or finished or now - self._last >= self._min_interval:
            self._last = now
            self._on_progress(Progress(self.phase, self.done, self.total, now - self._start, message))
