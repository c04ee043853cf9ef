"""Path rules written once: whether a path lies inside a folder, and why an OS call failed.

Owns: containment as the OS compares names (separators and case: case-insensitive on Windows
and macOS, whose default volumes ignore case), and the one-phrase reason for an OSError that
scans, clean-ups and the CLI show. Must not: touch the disk (callers resolve real paths first
when links matter) or decide policy (what may be walked or touched).
"""
from __future__ import annotations

import errno
import os
import sys
from typing import Callable, Iterable


def _key(path: str) -> str:
    key = os.path.normcase(os.path.normpath(os.fspath(path)))
    return key.casefold() if sys.platform == "darwin" else key


def inside(path: str, folder: str) -> bool:
    """True when `path` is `folder` itself or lies anywhere below it ("/a/bc" is not in "/a/b")."""
    p, f = _key(path), _key(folder)
    return p == f or p.startswith(f if f.endswith(os.sep) else f + os.sep)


def inside_any(path: str, folders: Iterable[str]) -> bool:
    return any(inside(path, folder) for folder in folders)


def covered_by(folders: Iterable[str]) -> Callable[[str], bool]:
    """`inside_any` for many paths against the same folders: the folders' keys are worked out
    once, and each path costs one key and one prefix test."""
    keys = {_key(folder) for folder in folders}
    if not keys:
        return lambda path: False
    prefixes = tuple(k if k.endswith(os.sep) else k + os.sep for k in keys)
    return lambda path: (p := _key(path)) in keys or p.startswith(prefixes)


def os_reason(exc: BaseException) -> str:
    """'permission denied', 'the disk is full', ...: what went wrong, in a few words."""
    if isinstance(exc, PermissionError):
        return "permission denied"
    code = getattr(exc, "errno", None)
    known = {errno.ENOSPC: "the disk is full", errno.EROFS: "read-only filesystem",
             errno.ELOOP: "symbolic link loop", errno.ENOENT: "no such file or folder"}
    if code in known:
        return known[code]
    text = getattr(exc, "strerror", None) or str(exc) or exc.__class__.__name__
    return text.rstrip(".").lower()
