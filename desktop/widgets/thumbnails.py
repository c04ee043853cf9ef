"""Loading thumbnails off the GUI thread, newest requests first, with an in-memory cache.

Owns: two loader threads that ask the Library for a cached thumbnail file and decode it to RGB
bytes with Pillow, a LIFO queue so what is on screen now loads first while scrolling, and the
QPixmap cache. No Qt object is made on a loader thread (pixmaps must not be, and keeping
the threads Qt-free keeps them simple); the GUI thread wraps the bytes (a copy, no decoding).
Everything is keyed by content (hash and size in bytes), never by catalog id: SQLite hands a
deleted photo's id to the next new one, and a cache keyed by id showed the old picture under the
new name. Must not: touch the catalog directly or block the GUI thread.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage, QPixmap

CACHE_ITEMS = 2000


def thumbnail_key(photo, size: int) -> tuple:
    """What a thumbnail is cached under: the picture's content and the thumbnail size. A file
    without a hash (unreadable) is keyed by its path, never by its reusable catalog id."""
    if photo.content_hash:
        return (photo.content_hash, photo.bytes, size)
    return (None, photo.path, photo.bytes, size)


class ThumbnailLoader(QObject):
    ready = Signal(object)               # a thumbnail_key: its pixmap is now cached (or failed)
    _loaded = Signal(object, object)     # key, (width, height, RGB bytes) or None

    def __init__(self, library, threads: int = 2, parent=None) -> None:
        super().__init__(parent)
        self.library = library
        self._cache: OrderedDict[tuple, QPixmap] = OrderedDict()
        self._failed: set[tuple] = set()
        self._stack: list = []
        self._queued: set[tuple] = set()
        self._cond = threading.Condition()
        self._stopping = False
        self._loaded.connect(self._store)
        self._threads = [threading.Thread(target=self._work, daemon=True, name=f"lookalike-thumbs-{i}")
                         for i in range(threads)]
        for t in self._threads:
            t.start()

    def pixmap(self, photo, size: int):
        """The cached pixmap, or None after queueing a load (ready fires when it lands)."""
        key = thumbnail_key(photo, size)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        if key not in self._failed and key not in self._queued:
            with self._cond:
                self._queued.add(key)
                self._stack.append((key, photo, size))
                self._cond.notify()
        return None

    def failed(self, photo, size: int) -> bool:
        return thumbnail_key(photo, size) in self._failed

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._stack and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                key, photo, size = self._stack.pop()  # LIFO: the latest request is what is on screen
            try:
                from PIL import Image

                with Image.open(self.library.thumbnail(photo, size)) as picture:
                    rgb = picture.convert("RGB")
                    pixels = (rgb.width, rgb.height, rgb.tobytes())
            except Exception:  # noqa: BLE001 - an unreadable photo shows a placeholder
                pixels = None
            self._loaded.emit(key, pixels)

    def _store(self, key: tuple, pixels) -> None:
        self._queued.discard(key)
        if pixels is None:
            self._failed.add(key)
        else:
            width, height, data = pixels
            image = QImage(data, width, height, 3 * width, QImage.Format.Format_RGB888)
            self._cache[key] = QPixmap.fromImage(image.copy())
            while len(self._cache) > CACHE_ITEMS:
                self._cache.popitem(last=False)
        self.ready.emit(key)

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._stack.clear()
            self._cond.notify_all()
        for t in self._threads:   # daemon threads: a slow decode must not hold up closing
            t.join(timeout=0.2)
