"""Content fingerprints, and opening a photo's bytes safely.

Owns: the hash algorithm, chunked reading, and `open_regular`, the one way the engine opens a
file to read a photo (hashing, decoding, thumbnails): a pipe or device swapped in where a
photo was is refused at once, never waited on. Must not: decode images.
"""
from __future__ import annotations

import hashlib
import os
import stat
from typing import BinaryIO

CHUNK = 1 << 20
NOT_REGULAR = "not a regular file (a pipe or device)"
# Opening a FIFO for reading blocks until a writer appears; O_NONBLOCK returns at once.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


class NotRegularFile(OSError):
    """A path that should hold a photo holds a pipe, a device, a socket or a folder."""

    def __init__(self, path: str) -> None:
        super().__init__(0, NOT_REGULAR, path)

    def __str__(self) -> str:
        return NOT_REGULAR


def open_regular(path: str) -> BinaryIO:
    """Opens `path` for reading in binary mode if it is a regular file (symlinks followed:
    which links count is the walk's rule); raises NotRegularFile otherwise, and OSError as
    open() does."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile(path)
        if getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def content_hash(path: str) -> str:
    """BLAKE2b-128 of the whole file: fast, and collision-safe for identifying exact copies."""
    digest = hashlib.blake2b(digest_size=16)
    with open_regular(path) as fh:
        while True:
            chunk = fh.read(CHUNK)
            if not chunk:
                break
            digest.update(chunk)
    return digest.hexdigest()
