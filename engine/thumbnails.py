"""Thumbnails cached on disk, keyed by content hash so moved files keep theirs.

Owns: the cache layout (<library>/thumbs/<size>/<hash[:2]>/<hash>.jpg), making a thumbnail
with draft decoding, writing it atomically (temp + rename), and rebuilding a damaged one.
Derived data: safe to delete at any time. Must not: know about Qt; the desktop turns the file into a pixmap off the GUI thread.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .scanning.decode import decode


def thumbnail_path(library_dir: Path, content_hash: str, size: int) -> Path:
    return Path(library_dir) / "thumbs" / str(size) / content_hash[:2] / f"{content_hash}.jpg"


def readable(path: Path) -> bool:
    """Whether a cached thumbnail decodes completely (a disk error or a killed writer of an
    older version can leave garbage or a truncated file under the final name)."""
    from PIL import Image

    try:
        with Image.open(path) as picture:
            picture.load()
        return True
    except Exception:  # noqa: BLE001 - whatever Pillow says, the file is not a usable thumbnail
        return False


def cached_thumbnail(source: str, destination: Path, size: int) -> Path:
    """The cached thumbnail at `destination`, rebuilt from `source` when missing or damaged."""
    if destination.is_file() and readable(destination):
        return destination
    return make_thumbnail(source, destination, size)


def make_thumbnail(source: str, destination: Path, size: int) -> Path:
    """Decodes `source` (raises DecodeError) and writes a size-bounded JPEG to `destination`."""
    picture = decode(source, min_side=size).image
    picture.thumbnail((size, size))
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".thumb-", suffix=".jpg", dir=destination.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            picture.save(fh, "JPEG", quality=85)
        os.replace(tmp, destination)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return destination
