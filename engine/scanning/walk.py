"""Walking library folders: which image files exist now, with their size and mtime.

Owns: recursion, the image extension list, skip rules (hidden entries, the library's own data,
NAS thumbnail folders), symlink-loop protection and per-folder error capture.
Must not: open file contents or touch the catalog.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Optional

from ..jobs import CancelToken, ProgressCallback, Reporter

if TYPE_CHECKING:
    from .scope import Scope

IMAGE_EXTENSIONS = frozenset({
    ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".webp", ".heic", ".heif", ".hif", ".avif",
    ".tif", ".tiff", ".bmp", ".dib", ".gif",
})
# Folders that hold other programs' derived images, never the user's photos.
SKIP_FOLDER_NAMES = frozenset({"@eaDir", "$RECYCLE.BIN", "System Volume Information", "__MACOSX"})


@dataclass(frozen=True)
class FoundFile:
    path: str
    size: int
    mtime_ns: int
    folder_id: int


@dataclass
class WalkResult:
    files: list[FoundFile] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)   # (path, reason)
    # Folders whose contents could not be fully listed: catalog entries below them are kept,
    # so an unplugged drive or a permission change never erases what we know.
    incomplete: list[str] = field(default_factory=list)


def is_image_name(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in IMAGE_EXTENSIONS


def walk(roots: Iterable[tuple[int, str]], skip: Iterable[str] = (),
         on_progress: Optional[ProgressCallback] = None,
         cancel: Optional[CancelToken] = None) -> WalkResult:
    """Lists image files below each (folder id, root path)."""
    result = WalkResult()
    skip_real = {os.path.realpath(p) for p in skip}
    reporter = Reporter("walking", None, on_progress, cancel)
    for folder_id, root in roots:
        _walk_tree(folder_id, root, True, skip_real, reporter, result)
    return result


def walk_scopes(scopes: Iterable["Scope"], skip: Iterable[str] = (),
                on_progress: Optional[ProgressCallback] = None,
                cancel: Optional[CancelToken] = None) -> WalkResult:
    """Lists image files of each scope: directly in its folder, or anywhere below it. A
    recursive scope whose folder is gone while its parent is listable simply holds nothing."""
    result = WalkResult()
    skip_real = {os.path.realpath(p) for p in skip}
    reporter = Reporter("walking", None, on_progress, cancel)
    for scope in scopes:
        if scope.recursive and not os.path.lexists(scope.path) and os.path.isdir(os.path.dirname(scope.path)):
            continue
        _walk_tree(scope.folder_id, scope.path, scope.recursive, skip_real, reporter, result)
    return result


def _walk_tree(folder_id: int, root: str, recursive: bool, skip_real: set, reporter: Reporter,
               result: WalkResult) -> None:
    try:
        info = os.stat(root)
    except OSError as exc:
        result.errors.append((root, f"folder not reachable: {_why(exc)}"))
        result.incomplete.append(root)
        return
    if not stat.S_ISDIR(info.st_mode):
        result.errors.append((root, "not a folder"))
        result.incomplete.append(root)
        return
    visited = {(info.st_dev, info.st_ino)}
    stack = [root]
    while stack:
        folder = stack.pop()
        reporter.report(message=folder)
        try:
            with os.scandir(folder) as entries:
                entries = list(entries)
        except OSError as exc:
            result.errors.append((folder, f"folder not readable: {_why(exc)}"))
            result.incomplete.append(folder)
            continue
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
            except OSError as exc:
                result.errors.append((entry.path, _why(exc)))
                continue
            if is_dir:
                if recursive:
                    _push_folder(entry, stack, visited, skip_real, result)
            elif is_image_name(entry.name):
                _add_file(entry, folder_id, result)
                reporter.advance()


def _push_folder(entry: os.DirEntry, stack: list, visited: set, skip_real: set,
                 result: WalkResult) -> None:
    if entry.name in SKIP_FOLDER_NAMES:
        return
    try:
        info = entry.stat(follow_symlinks=True)
    except OSError as exc:
        result.errors.append((entry.path, f"folder not readable: {_why(exc)}"))
        result.incomplete.append(entry.path)
        return
    key = (info.st_dev, info.st_ino)
    if key in visited:
        if entry.is_symlink():
            result.errors.append((entry.path, "symbolic link loop (folder already visited), skipped"))
        return
    visited.add(key)
    if skip_real and os.path.realpath(entry.path) in skip_real:
        return
    stack.append(entry.path)


def _add_file(entry: os.DirEntry, folder_id: int, result: WalkResult) -> None:
    try:
        info = entry.stat(follow_symlinks=True)
    except FileNotFoundError:
        if entry.is_symlink():
            result.errors.append((entry.path, "broken symbolic link"))
        return  # vanished between listing and stat: it is simply not there any more
    except OSError as exc:
        result.errors.append((entry.path, _why(exc)))
        return
    if not stat.S_ISREG(info.st_mode):
        return
    result.files.append(FoundFile(entry.path, info.st_size, info.st_mtime_ns, folder_id))


def _why(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if getattr(exc, "errno", None) == 40:  # ELOOP: a link that points back at itself
        return "symbolic link loop"
    return (exc.strerror or str(exc)).lower()
