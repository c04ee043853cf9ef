"""Running engine jobs off the GUI thread.

Owns: one writer thread (scans, clean-ups, marks: jobs that change the catalog run one at a
time, in order), a small pool for reads (grouping, search, compare), cancellation, and
delivering progress, results and errors back on the GUI thread through queued signals.
A failing job whose caller gave no `on_error` still reaches the user as the standard error
notice. Reads given a `key` are "latest request wins": a newer read of the same key cancels
the older one, whose result, error or cancellation is then dropped, never shown over the newer.
Shutting down never waits on a long job: every running job is cancelled (what it finished is
kept) and the threads get SHUTDOWN_WAIT seconds to stop at their next progress report.
Must not: touch widgets from a worker thread, or call the engine for the caller.
"""
from __future__ import annotations

import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Optional

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

from lookalike.engine import CancelToken, JobCancelled, Progress, wait_reports

from .dialogs.notice import show_error

SHUTDOWN_WAIT = 1.5   # seconds: closing the window stays under 2 s whatever is running


class JobRunner(QObject):
    progress = Signal(str, object)        # job label, engine Progress
    job_started = Signal(str)
    job_finished = Signal(str)            # whatever the outcome
    _deliver = Signal(object, object)     # (callback, value), run on the GUI thread

    def __init__(self, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lookalike-writer")
        self._readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="lookalike-reader")
        self._deliver.connect(self._call)
        self.current: Optional[tuple[str, CancelToken]] = None
        self._queued_writes = 0
        self._pending_reads = 0
        self._reading: set[CancelToken] = set()   # tokens of the long reads now running
        self._latest: dict[str, CancelToken] = {}  # per key, the read whose result is wanted
        self._tokens_lock = threading.Lock()
        self._closed = False
        self.error_shown = None   # the last notice shown for a job without its own on_error

    @Slot(object, object)
    def _call(self, callback, value) -> None:
        callback(value)

    @property
    def busy(self) -> bool:
        return self._queued_writes > 0

    @property
    def idle(self) -> bool:
        """No write queued and no read in flight (results delivered)."""
        return self._queued_writes == 0 and self._pending_reads == 0

    def write(self, label: str, job: Callable, on_done: Callable = lambda r: None,
              on_error: Optional[Callable] = None, on_cancel: Callable = lambda: None) -> CancelToken:
        """`job(on_progress=, cancel=)` runs on the writer thread, after earlier writes."""
        token = CancelToken()
        if self._closed:  # the window is closing: late timers must not start jobs
            return token
        self._queued_writes += 1

        def run():
            self.current = (label, token)
            self._deliver.emit(lambda _: self.job_started.emit(label), None)
            try:
                report = lambda p: self.progress.emit(label, p)  # noqa: E731
                with wait_reports(report):   # "waiting for the library (in use by …)" is shown
                    result = job(on_progress=report, cancel=token)
            except JobCancelled:
                self._deliver.emit(lambda _: on_cancel(), None)
            except BaseException as exc:  # noqa: BLE001 - every failure reaches the user as a notice
                self._report(on_error, exc, label)
            else:
                self._deliver.emit(on_done, result)
            finally:
                self.current = None
                self._deliver.emit(self._write_finished, label)

        self._writer.submit(run)
        return token

    def _write_finished(self, label: str) -> None:
        self._queued_writes -= 1
        self.job_finished.emit(label)

    def read(self, job: Callable, on_done: Callable, on_error: Optional[Callable] = None,
             label: Optional[str] = None, on_cancel: Callable = lambda: None,
             key: Optional[str] = None) -> CancelToken:
        """`job()` runs on a reader thread; reads may run beside a write. A long read names
        itself with `label`: it is then called as `job(on_progress=, cancel=)`, shows its
        progress in the status bar, and Cancel or closing the window stops it. With `key`, the
        latest request wins: an older read of the same key is cancelled and its outcome dropped."""
        token = CancelToken()
        if self._closed:
            return token
        self._pending_reads += 1
        if label:
            with self._tokens_lock:
                self._reading.add(token)
        if key is not None:
            older = self._latest.get(key)
            if older is not None:
                older.cancel()   # a long read stops at its next report; a short one is dropped
            self._latest[key] = token

        def wanted(callback):
            """Runs `callback` on the GUI thread only if no newer read of `key` replaced this one."""
            if key is None:
                return callback

            def deliver(value):
                if self._latest.get(key) is token:
                    del self._latest[key]
                    callback(value)
            return deliver

        def run():
            try:
                if label:
                    self._deliver.emit(lambda _: self.job_started.emit(label), None)
                    result = job(on_progress=lambda p: self.progress.emit(label, p), cancel=token)
                else:
                    result = job()
            except JobCancelled:
                self._deliver.emit(wanted(lambda _: on_cancel()), None)
            except BaseException as exc:  # noqa: BLE001
                self._report(wanted(on_error) if on_error is not None else None, exc, label,
                             wanted=wanted)
            else:
                if not token.cancelled:   # a newer request replaced this one
                    self._deliver.emit(wanted(on_done), result)
            finally:
                with self._tokens_lock:
                    self._reading.discard(token)
                self._deliver.emit(self._read_finished, label)

        self._readers.submit(run)
        return token

    def _read_finished(self, label: Optional[str]) -> None:
        self._pending_reads -= 1
        if label:
            self.job_finished.emit(label)

    @property
    def reading(self) -> bool:
        """A long (labelled) read is running."""
        with self._tokens_lock:
            return bool(self._reading)

    def cancel(self) -> None:
        """Stops the running write and every long read at their next progress report."""
        if self.current:
            self.current[1].cancel()
        with self._tokens_lock:
            for token in self._reading:
                token.cancel()

    def _report(self, on_error, exc: BaseException, label: Optional[str] = None,
                wanted: Callable = lambda callback: callback) -> None:
        """Delivers a failure to `on_error`, or, when the caller gave none, shows the standard
        error notice: no job fails silently."""
        exc.details = "".join(traceback.format_exception(exc))  # shown on demand only
        if on_error is None:
            on_error = wanted(lambda error: self._notice(label, error))
        self._deliver.emit(on_error, exc)

    def _notice(self, label: Optional[str], exc: BaseException) -> None:
        parent = self.parent()
        window = parent if isinstance(parent, QWidget) else None
        self.error_shown = show_error(window, f"{label} failed" if label else "Something went wrong", exc)

    def shutdown(self, wait: float = SHUTDOWN_WAIT) -> bool:
        """Cancels everything and waits at most `wait` seconds for the threads to stop (jobs
        stop at their next progress report). Returns whether they all did."""
        self._closed = True
        self.cancel()
        self._writer.shutdown(wait=False, cancel_futures=True)
        self._readers.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + wait
        threads = list(self._writer._threads) + list(self._readers._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in threads)


def describe(progress: Progress) -> str:
    """'embedding 27/108 · 9.0/s · 9s left' for the status bar."""
    if progress.phase == "waiting" and progress.message:
        return progress.message   # "waiting for the library (in use by lookalike scan, pid 1234)"
    text = progress.phase
    text += f" {progress.done}/{progress.total}" if progress.total else f" {progress.done}"
    if progress.rate:
        text += f" · {progress.rate:.1f}/s"
    if progress.eta is not None and progress.total and progress.done < progress.total:
        eta = int(progress.eta)
        text += f" · {eta // 60}m{eta % 60:02d}s left" if eta >= 60 else f" · {eta}s left"
    return text
