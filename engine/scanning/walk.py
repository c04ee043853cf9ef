"""Walking library folders: which image files exist now, with their size and mtime.

Owns: recursion, the image extension list, skip rules (hidden entries, the library's own data,
NAS thumbnail folders), symlink rules and per-folder error capture. One photo is one real file:
a symlink whose target lies inside the library's folders is skipped (the target is listed under
its own path), and a symlink leading out of them is followed only when the user allowed it.
Must not: open file contents or touch the catalog.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Optional

from ..jobs import CancelToken, ProgressCallback, Reporter
from ..paths import inside, inside_any, os_reason
from .raw import RAW_EXTENSIONS  # only the list: rawpy is imported when a RAW is decoded

if TYPE_CHECKING:
    from .scope import Scope

IMAGE_EXTENSIONS = frozenset({
    ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".webp", ".heic", ".heif", ".hif", ".avif",
    ".tif", ".tiff", ".bmp", ".dib", ".gif",
}) | RAW_EXTENSIONS
# Folders that hold other programs' derived images, never the user's photos.
SKIP_FOLDER_NAMES = frozenset({"@eaDir", "$RECYCLE.BIN", "System Volume Information", "__MACOSX"})


@dataclass(frozen=True)
class FoundFile:
    path: str
    size: int
    mtime_ns: int
    folder_id: int
    device: Optional[int] = None   # (device, inode): several names of one file are one photo
    inode: Optional[int] = None


@dataclass
class WalkResult:
    files: list[FoundFile] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)   # (path, reason)
    # Folders whose contents could not be fully listed: catalog entries below them are kept,
    # so an unplugged drive or a permission change never erases what we know.
    incomplete: list[str] = field(default_factory=list)


def is_image_name(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in IMAGE_EXTENSIONS


class _Links:
    """Where symlinks may lead: the library's folders (by real path), and whether links out of
    them are followed."""

    def __init__(self, roots: Iterable[str], follow_external: bool) -> None:
        self.roots = sorted({os.path.realpath(r) for r in roots} | {os.path.normpath(r) for r in roots})
        self.follow_external = follow_external

    def inside(self, real: str) -> bool:
        return inside_any(real, self.roots)

    def refusal(self, path: str, what: str) -> tuple[bool, Optional[str]]:
        """(skip the symlink at `path`?, the problem to report, if any)."""
        real = os.path.realpath(path)
        if self.inside(real):
            # Listed under its real path anyway: never a second photo, and nothing to report
            # unless a folder link points back above itself.
            loop = what == "folder" and inside(os.path.dirname(path), real)
            return True, "symbolic link loop (folder already visited), skipped" if loop else None
        if self.follow_external:
            return False, None
        return True, (f"symbolic link to a {what} outside the library's folders ({real}); not followed "
                      f"(the follow_external_links setting allows it)")


def walk(roots: Iterable[tuple[int, str]], skip: Iterable[str] = (),
         on_progress: Optional[ProgressCallback] = None,
         cancel: Optional[CancelToken] = None, follow_external: bool = False) -> WalkResult:
    """Lists image files below each (folder id, root path)."""
    roots = list(roots)
    result = WalkResult()
    skip_real = {os.path.realpath(p) for p in skip}
    reporter = Reporter("walking", None, on_progress, cancel)
    links = _Links([path for _, path in roots], follow_external)
    for folder_id, root in roots:
        _walk_tree(folder_id, root, True, skip_real, reporter, result, links)
    return result


def walk_scopes(scopes: Iterable["Scope"], skip: Iterable[str] = (),
                on_progress: Optional[ProgressCallback] = None,
                cancel: Optional[CancelToken] = None, roots: Iterable[str] = (),
                follow_external: bool = False) -> WalkResult:
    """Lists image files of each scope: directly in its folder, or anywhere below it. A
    recursive scope whose folder is gone while its parent is listable simply holds nothing.
    `roots`: every library folder (where symlinks may lead)."""
    scopes = list(scopes)
    result = WalkResult()
    skip_real = {os.path.realpath(p) for p in skip}
    reporter = Reporter("walking", None, on_progress, cancel)
    links = _Links(list(roots) or [s.path for s in scopes], follow_external)
    for scope in scopes:
        if scope.recursive and not os.path.lexists(scope.path) and os.path.isdir(os.path.dirname(scope.path)):
            continue
        if os.path.realpath(scope.path) != os.path.normpath(scope.path) and links.refusal(scope.path, "folder")[0]:
            continue  # reached through a symlinked folder the full walk does not follow either
        _walk_tree(scope.folder_id, scope.path, scope.recursive, skip_real, reporter, result, links)
    return result


def _walk_tree(folder_id: int, root: str, recursive: bool, skip_real: set, reporter: Reporter,
               result: WalkResult, links: _Links) -> None:
    try:
        info = os.stat(root)
    except OSError as exc:
        result.errors.append((root, f"folder not reachable: {os_reason(exc)}"))
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
            result.errors.append((folder, f"folder not readable: {os_reason(exc)}"))
            result.incomplete.append(folder)
            continue
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
            except OSError as exc:
                result.errors.append((entry.path, os_reason(exc)))
                continue
            if is_dir:
                if recursive:
                    _push_folder(entry, stack, visited, skip_real, result, links)
            elif is_image_name(entry.name):
                _add_file(entry, folder_id, result, links)
                reporter.advance()


def _link_refused(entry: os.DirEntry, what: str, result: WalkResult, links: _Links) -> bool:
    if not entry.is_symlink():
        return False
    skip, problem = links.refusal(entry.path, what)
    if problem:
        result.errors.append((entry.path, problem))
    return skip


def _push_folder(entry: os.DirEntry, stack: list, visited: set, skip_real: set,
                 result: WalkResult, links: _Links) -> None:
    if entry.name in SKIP_FOLDER_NAMES:
        return
    if _link_refused(entry, "folder", result, links):
        return
    try:
        info = entry.stat(follow_symlinks=True)
    except OSError as exc:
        result.errors.append((entry.path, f"folder not readable: {os_reason(exc)}"))
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


def _add_file(entry: os.DirEntry, folder_id: int, result: WalkResult, links: _Links) -> None:
    if entry.is_symlink() and os.path.exists(entry.path) and _link_refused(entry, "file", result, links):
        return
    try:
        info = entry.stat(follow_symlinks=True)
    except FileNotFoundError:
        if entry.is_symlink():
            result.errors.append((entry.path, "broken symbolic link"))
        return  # vanished between listing and stat: it is simply not there any more
    except OSError as exc:
        result.errors.append((entry.path, os_reason(exc)))
        return
    if not stat.S_ISREG(info.st_mode):
        return
    result.files.append(FoundFile(entry.path, info.st_size, info.st_mtime_ns, folder_id,
                                  info.st_dev, info.st_ino))
