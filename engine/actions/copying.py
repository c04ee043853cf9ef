"""Copies that never leave a partial file under a photo's name, and our hidden temporaries.

Owns: copying a file to a hidden temporary name in the destination folder, flushing it to
disk and checking its hash before it gets its final name (without overwriting anything), so
a crash or a full disk mid-copy leaves at most a hidden temporary, never a truncated photo; the
names of those temporaries (one prefix, the kind, the owning process id) and sweeping the ones
a crash left behind. Every temporary is a second copy or a second name of bytes that still
exist elsewhere, so removing one never loses a photo. Must not: decide what to copy, or
delete a file that is not ours.
"""
from __future__ import annotations

import errno
import os
import secrets
import shutil
from typing import Iterable, Optional

from ..scanning.fingerprint import content_hash

PREFIX = ".lookalike-"
KINDS = ("copy", "link", "restore", "meta")   # cross-device copies, hardlinks, their undos, metadata writes


class NotVerified(OSError):
    """The copy does not hold the bytes it should; it was removed."""


def temporary_name(folder: str, kind: str) -> str:
    return os.path.join(folder, f"{PREFIX}{kind}-{os.getpid()}-{secrets.token_hex(4)}")


def copy_verified(source: str, destination: str, digest: str) -> None:
    """Copies `source` to `destination` (which must not exist) through a hidden temporary
    that is flushed and hash-checked first. Raises OSError, leaving nothing, on failure."""
    tmp = _verified_copy(source, os.path.dirname(destination), digest)
    try:
        _place(tmp, destination)
    finally:
        _discard(tmp)
    _sync_folder(os.path.dirname(destination))


def replace_with_copy(path: str, digest: str, mtime_ns: int) -> None:
    """Replaces `path` with an independent copy of its own bytes (its own inode again)."""
    tmp = _verified_copy(path, os.path.dirname(path), digest, copy_stat=False)
    try:
        os.utime(tmp, ns=(mtime_ns, mtime_ns))
        os.replace(tmp, path)
    finally:
        _discard(tmp)
    _sync_folder(os.path.dirname(path))


def put_back(source: str, path: str, digest: str) -> None:
    """Gives `path` (atomically, over what is there) a verified copy of `source`'s bytes and
    times: the undo of a rewrite whose earlier bytes were kept at `source`."""
    tmp = _verified_copy(source, os.path.dirname(path), digest)
    try:
        os.replace(tmp, path)
    finally:
        _discard(tmp)
    _sync_folder(os.path.dirname(path))


def _verified_copy(source: str, folder: str, digest: str, copy_stat: bool = True) -> str:
    tmp = temporary_name(folder, "copy" if copy_stat else "restore")
    try:
        shutil.copyfile(source, tmp)
        if copy_stat:
            shutil.copystat(source, tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        if content_hash(tmp) != digest:
            raise NotVerified("the copy did not verify; the original was left in place")
    except BaseException:
        _discard(tmp)
        raise
    return tmp


def _place(tmp: str, destination: str) -> None:
    """Gives `tmp` the name `destination` unless something already has it."""
    try:
        os.link(tmp, destination)   # fails when the name is taken: nothing is overwritten
    except FileExistsError:
        raise FileExistsError(f"{destination} appeared meanwhile; nothing overwritten") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.EXDEV):
            raise
        # A filesystem without hardlinks (FAT, some network shares): check, then rename.
        if os.path.lexists(destination):
            raise FileExistsError(f"{destination} appeared meanwhile; nothing overwritten") from None
        os.rename(tmp, destination)


def _discard(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass


def _sync_folder(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def sweep(folders: Iterable[Optional[str]]) -> tuple[list[str], list[str]]:
    """Removes the temporaries a crash left in these folders: (removed, left alone because
    a live process other than this one owns them)."""
    removed, alive = [], []
    for folder in sorted({f for f in folders if f}):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            owner = _owner(name)
            if owner is None:
                continue
            path = os.path.join(folder, name)
            if owner != os.getpid() and _alive(owner):
                alive.append(path)
                continue
            try:
                os.unlink(path)
                removed.append(path)
            except FileNotFoundError:
                pass
            except OSError:
                alive.append(path)
    return removed, alive


def _owner(name: str) -> Optional[int]:
    """The process id in one of our temporary names (0 when it has none), None for any
    other name."""
    for kind in KINDS:
        head = f"{PREFIX}{kind}-"
        if name.startswith(head):
            pid = name[len(head):].split("-", 1)[0]
            return int(pid) if pid.isdigit() else 0
    return None


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
