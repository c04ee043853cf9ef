"""The library's writer lock: one writer at a time, across threads and across processes.

Owns: the lock files beside the catalog (`writer.lock` held by whoever writes the library,
`app.lock` held by the desktop app for its whole life), the side file naming the writer
(`writer.owner`: "lookalike scan, pid 1234"), and waiting for a busy library with a visible
"waiting" progress report and a timeout. Readers never take it. The cross-process part is the
`filelock` package (flock on POSIX, LockFileEx on Windows): the kernel frees it when a holder
dies, so a crash never leaves the library locked.
Must not: decide what counts as a write (the Library does) or print anything.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

from filelock import FileLock, Timeout

from .errors import LibraryBusy
from .jobs import NEVER_CANCELLED, CancelToken, Progress, ProgressCallback, no_progress

WRITER_LOCK = "writer.lock"
WRITER_OWNER = "writer.owner"
APP_LOCK = "app.lock"
DEFAULT_TIMEOUT = 600.0   # seconds a second writer waits before giving up
POLL = 0.25               # seconds between attempts: each one is also a cancellation point

_label: Optional[str] = None
_on_wait: Optional[ProgressCallback] = None
_thread_wait = threading.local()   # the reporter of the job running on this thread, if any


def describe_process(label: str, on_wait: Optional[ProgressCallback] = None) -> None:
    """Names this process in the owner file ("lookalike scan", "Lookalike app"); `on_wait`
    hears the "waiting" reports of writes that were given no progress callback of their own."""
    global _label, _on_wait
    _label, _on_wait = label, on_wait


@contextmanager
def wait_reports(on_wait: ProgressCallback) -> Iterator[None]:
    """Within the block, on this thread, a write that must wait for the library reports its
    "waiting" progress to `on_wait` even when the call itself takes no progress callback
    (the app's writer thread shows it in the status bar for marks, folders and settings)."""
    previous = getattr(_thread_wait, "callback", None)
    _thread_wait.callback = on_wait
    try:
        yield
    finally:
        _thread_wait.callback = previous


def _holder_text() -> str:
    label = _label or os.path.basename(sys.argv[0] or "python") or "python"
    return f"{label}, pid {os.getpid()}"


def timeout_from_env(default: float = DEFAULT_TIMEOUT) -> float:
    """LOOKALIKE_LOCK_TIMEOUT (seconds) when set, else `default`."""
    raw = os.environ.get("LOOKALIKE_LOCK_TIMEOUT")
    try:
        return max(0.0, float(raw)) if raw else default
    except ValueError:
        return default


class WriterLock:
    """Reentrant within a process (a thread lock first, then the file lock, counted)."""

    def __init__(self, folder: Path, timeout: Optional[float] = None) -> None:
        self.folder = Path(folder)
        self.timeout = timeout
        self._thread = threading.RLock()
        self._file = FileLock(str(self.folder / WRITER_LOCK), mode=0o600, thread_local=False)
        self._depth = 0

    @contextmanager
    def hold(self, on_progress: Optional[ProgressCallback] = None,
             cancel: Optional[CancelToken] = None) -> Iterator[None]:
        """Waits for the library (reporting phase "waiting"), then holds it for the block.
        Raises LibraryBusy after the timeout, JobCancelled when cancelled meanwhile."""
        self.acquire(on_progress, cancel)
        try:
            yield
        finally:
            self.release()

    @contextmanager
    def try_hold(self) -> Iterator[bool]:
        """Holds the library for the block only if nobody else does now (yields whether it
        does): for writes that may be skipped, such as a cache, and must never wait."""
        if not self._thread.acquire(blocking=False):
            yield False
            return
        held = self._depth > 0
        if not held:
            try:
                self._file.acquire(timeout=0)
                held = True
            except (Timeout, OSError):
                pass
        if not held:
            self._thread.release()
            yield False
            return
        self._depth += 1
        try:
            yield True
        finally:
            self.release()

    def __enter__(self) -> "WriterLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def acquire(self, on_progress: Optional[ProgressCallback] = None,
                cancel: Optional[CancelToken] = None) -> None:
        self._thread.acquire()
        try:
            if self._depth == 0:
                self._acquire(on_progress or getattr(_thread_wait, "callback", None) or _on_wait
                              or no_progress, cancel or NEVER_CANCELLED)
        except BaseException:
            self._thread.release()
            raise
        self._depth += 1

    def release(self) -> None:
        self._depth -= 1
        try:
            if self._depth == 0:
                self._release()
        finally:
            self._thread.release()

    def held_elsewhere(self) -> bool:
        """True while another process writes the library (this one never waits to ask)."""
        if self._depth:
            return False
        probe = FileLock(str(self.folder / WRITER_LOCK), mode=0o600, thread_local=False)
        try:
            probe.acquire(timeout=0)
        except Timeout:
            return True
        except OSError:
            return False
        probe.release()
        return False

    def _acquire(self, on_progress: ProgressCallback, cancel: CancelToken) -> None:
        limit = timeout_from_env(self.timeout if self.timeout is not None else DEFAULT_TIMEOUT)
        started = time.monotonic()
        told = False
        while True:
            cancel.check()
            try:
                self._file.acquire(timeout=0 if not told else min(POLL, limit))
                break
            except Timeout:
                pass
            waited = time.monotonic() - started
            who = self.owner() or "another program"
            if waited >= limit:
                raise LibraryBusy(f"The library at {self.folder} is in use by {who}; "
                                  f"gave up after waiting {waited:.0f} s, try again when it has finished.")
            on_progress(Progress("waiting", 0, None, waited,
                                 f"waiting for the library (in use by {who})"))
            told = True
        try:
            _write_atomically(self.folder / WRITER_OWNER, _holder_text())
        except OSError:
            pass  # only the waiting message loses its name

    def _release(self) -> None:
        try:
            (self.folder / WRITER_OWNER).unlink(missing_ok=True)
        except OSError:
            pass
        self._file.release()

    def owner(self) -> Optional[str]:
        try:
            return (self.folder / WRITER_OWNER).read_text(encoding="utf-8").strip() or None
        except (OSError, ValueError):
            return None


def app_instance_lock(folder: Path) -> Optional[FileLock]:
    """The desktop app's lock on this library, held for its life; None when another app
    instance holds it. Separate from the writer lock, which the app takes per write job."""
    lock = FileLock(str(Path(folder) / APP_LOCK), mode=0o600, thread_local=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return None
    return lock


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}-{os.getpid()}")
    tmp.write_text(text + "\n", encoding="utf-8")
    os.replace(tmp, path)
