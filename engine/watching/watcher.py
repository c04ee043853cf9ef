"""Watching library folders for changes (watchdog), debounced into one callback.

Owns: the observer, the event filter (only create/delete/move/modify/close events, so big
trees do not overflow inotify's queue), ignoring hidden entries and non-image files, the
debounce timer (bounded: a steady stream of changes still reaches the caller every
`max_wait` seconds), and pausing. The callback gets the changed paths; the caller runs the same
incremental scan the CLI uses (never a second indexing path). Must not: scan or touch the catalog.
"""
from __future__ import annotations

import os
import threading
import time
from typing import Callable, Iterable, Optional

from ..paths import inside_any
from ..scanning.walk import is_image_name


class FolderWatcher:
    def __init__(self, on_change: Callable[[set[str]], None], debounce: float = 2.0,
                 ignore: Iterable[str] = (), max_wait: Optional[float] = None) -> None:
        self._on_change = on_change
        self._debounce = debounce
        # Each event restarts the debounce; without a bound, a folder that keeps changing (a
        # long copy, a sync client) would hold every change back until it goes quiet.
        self._max_wait = max_wait if max_wait is not None else 5 * debounce
        self._first_pending: Optional[float] = None
        self._ignore = [os.path.realpath(p) for p in ignore]
        self._lock = threading.Lock()
        self._pending: set[str] = set()
        self._timer: Optional[threading.Timer] = None
        self._observer = None
        self._paused = False
        self.folders: list[str] = []

    @property
    def paused(self) -> bool:
        return self._paused

    def watch(self, folders: Iterable[str]) -> list[tuple[str, str]]:
        """(Re)starts watching these folders; returns (folder, reason) for any it could not watch."""
        from watchdog.events import (DirCreatedEvent, DirDeletedEvent, DirMovedEvent, FileClosedEvent,
                                     FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent)
        from watchdog.observers import Observer

        self.stop()
        self.folders = list(folders)
        kinds = [FileCreatedEvent, FileDeletedEvent, FileMovedEvent, FileModifiedEvent, FileClosedEvent,
                 DirCreatedEvent, DirDeletedEvent, DirMovedEvent]
        observer = Observer()
        handler = _Handler(self._event)
        problems = []
        for folder in self.folders:
            try:
                observer.schedule(handler, folder, recursive=True, event_filter=kinds)
            except (OSError, RuntimeError) as exc:
                problems.append((folder, str(exc)))
        observer.daemon = True
        observer.start()
        self._observer = observer
        return problems

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None
        with self._lock:
            if self._timer:
                self._timer.cancel()
                self._timer = None

    def pause(self) -> None:
        self._paused = True

    def resume(self) -> None:
        self._paused = False
        with self._lock:
            if self._pending:
                self._arm()

    def _event(self, paths: list[str], is_dir: bool) -> None:
        relevant = [p for p in paths if p and self._relevant(p, is_dir)]
        if not relevant:
            return
        with self._lock:
            if not self._pending:
                self._first_pending = time.monotonic()
            self._pending.update(relevant)
            if not self._paused:
                self._arm()

    def _relevant(self, path: str, is_dir: bool) -> bool:
        real = os.path.realpath(path)
        if inside_any(real, self._ignore):
            return False
        parts = path.split(os.sep)
        if any(part.startswith(".") for part in parts if part):
            return False
        return is_dir or is_image_name(path)

    def _arm(self) -> None:
        if self._timer:
            self._timer.cancel()
        delay = self._debounce
        if self._first_pending is not None:
            delay = max(0.0, min(delay, self._first_pending + self._max_wait - time.monotonic()))
        self._timer = threading.Timer(delay, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            if self._paused or not self._pending:
                return
            changed, self._pending = self._pending, set()
            self._first_pending = None
            self._timer = None
        self._on_change(changed)


class _Handler:
    """A minimal watchdog handler: every event it is given becomes (paths, is_directory)."""

    def __init__(self, sink) -> None:
        self._sink = sink

    def dispatch(self, event) -> None:
        paths = [os.fsdecode(event.src_path)]
        if getattr(event, "dest_path", None):
            paths.append(os.fsdecode(event.dest_path))
        self._sink(paths, event.is_directory)
