"""The Library's folders part: the photo folders it covers and the photos cataloged in them.

Owns: adding (absorbing folders inside a new one, refusing the library's own data) and
forgetting folders, listing photos, and cached thumbnails. Folder changes hold the writer
lock. Must not: walk or embed photos (scanning/ does) or run SQL (catalog/ does).
"""
from __future__ import annotations

import os
from pathlib import Path

from ..catalog.store import FileRecord
from ..errors import LookalikeError
from ..lock import WriterLock
from ..paths import inside
from ..results import Folder, Photo
from ..scanning.decode import DecodeError
from ..thumbnails import cached_thumbnail, thumbnail_path


class Folders:
    def __init__(self, catalog, library_dir: Path, write_lock: WriterLock) -> None:
        self.catalog = catalog
        self.library_dir = library_dir
        self._write_lock = write_lock

    def list(self) -> list[Folder]:
        counts, bad = self.catalog.file_counts(), self.catalog.file_counts(unreadable=True)
        return [Folder(f.path, counts.get(f.id, 0), bad.get(f.id, 0)) for f in self.catalog.folders()]

    def add(self, path: os.PathLike | str) -> tuple[Folder, str]:
        """Adds a photo folder; returns it and a note ("added", or why nothing changed)."""
        real = os.path.realpath(os.path.expanduser(os.fspath(path)))
        if not os.path.isdir(real):
            raise LookalikeError(f"{os.fspath(path)} is not a folder.")
        if inside(real, str(self.library_dir)):
            raise LookalikeError(f"{real} holds Lookalike's own library data; choose a photo folder.")
        with self._write_lock:
            existing = self.catalog.folders()
            for folder in existing:
                if inside(real, folder.path):
                    same = real == folder.path
                    return Folder(folder.path), ("already in the library" if same
                                                 else f"already in the library (inside {folder.path})")
            absorbed = [f.id for f in existing if inside(f.path, real)]
            record = self.catalog.add_folder(real, absorb=absorbed)
            note = "added" if not absorbed else f"added (now includes {len(absorbed)} folder(s) inside it)"
            return Folder(record.path), note

    def remove(self, path: os.PathLike | str) -> int:
        """Forgets a folder (the photos on disk are untouched); returns how many files it held."""
        real = os.path.realpath(os.path.expanduser(os.fspath(path)))
        with self._write_lock:
            for folder in self.catalog.folders():
                if folder.path in (real, os.path.abspath(os.fspath(path))):
                    return self.catalog.remove_folder(folder.id)
        raise LookalikeError(f"{os.fspath(path)} is not one of the library's folders.")

    def photos(self, unreadable: bool = False) -> list[Photo]:
        """Every cataloged file, sorted by path (bad files included, with their reason); with
        `unreadable`, only the files that could not be read (one indexed query at any size)."""
        if unreadable:
            return [photo(r) for r in self.catalog.unreadable_files()]
        return [photo(r) for r in sorted(self.catalog.all_files(), key=lambda r: r.path)]

    def photos_for(self, file_ids) -> dict[int, Photo]:
        """The photos with these catalog ids (ids no longer in the library are left out)."""
        return {i: photo(r) for i, r in self.catalog.files_by_ids(file_ids).items()}

    def thumbnail(self, photo: Photo, size: int = 256) -> str:
        """A cached JPEG thumbnail's path (made on first use). Raises LookalikeError for
        files that cannot be decoded."""
        if not photo.content_hash:
            raise LookalikeError(f"{photo.path} could not be read ({photo.error or 'unknown reason'}).")
        cached = thumbnail_path(self.library_dir, photo.content_hash, size)
        try:
            return str(cached_thumbnail(photo.path, cached, size))
        except DecodeError as exc:
            raise LookalikeError(f"{photo.path}: {exc}.") from exc


def photo(r: FileRecord) -> Photo:
    return Photo(r.id, r.path, r.width, r.height, r.size, r.format, r.taken_at, r.content_hash, r.error)
