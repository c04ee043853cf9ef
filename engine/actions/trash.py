"""The system trash: sending files there (send2trash) and, where the platform's trash format is
known (the freedesktop.org trash used on Linux), finding and restoring them.

Owns: trash locations and .trashinfo parsing. Must not: decide what to trash.
On macOS and Windows the trash cannot be read back here; undo says so plainly.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional
from urllib.parse import unquote


def send(path: str) -> Optional[str]:
    """Moves `path` to the trash; returns where it now lies, when that can be known."""
    from send2trash import send2trash

    send2trash(path)
    return find(path)


def _mount_point(path: str) -> Path:
    current = Path(os.path.abspath(path))
    while not os.path.ismount(current) and current.parent != current:
        current = current.parent
    return current


def _trash_dirs(original: str) -> list[tuple[Path, Optional[Path]]]:
    """(trash dir, the root its relative paths start from, if any)."""
    data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    mount = _mount_point(os.path.dirname(original) or ".")
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return [(data / "Trash", None), (mount / f".Trash-{uid}", mount), (mount / ".Trash" / str(uid), mount)]


def find(original: str) -> Optional[str]:
    """The newest trashed copy of `original` (freedesktop trash), or None."""
    if not sys.platform.startswith("linux"):
        return None
    best: tuple[str, Optional[str]] = ("", None)
    for trash, root in _trash_dirs(original):
        info_dir = trash / "info"
        if not info_dir.is_dir():
            continue
        for info in info_dir.glob("*.trashinfo"):
            path, when = _read_info(info)
            if path is None:
                continue
            full = path if os.path.isabs(path) or root is None else os.path.join(root, path)
            if os.path.normpath(full) == os.path.normpath(original) and when >= best[0]:
                trashed = trash / "files" / info.name[: -len(".trashinfo")]
                if os.path.lexists(trashed):
                    best = (when, str(trashed))
    return best[1]


def _read_info(info: Path) -> tuple[Optional[str], str]:
    path, when = None, ""
    try:
        for line in info.read_bytes().decode("utf-8", "surrogateescape").splitlines():
            if line.startswith("Path="):
                path = os.fsdecode(unquote(line[5:], errors="surrogateescape").encode("utf-8", "surrogateescape"))
            elif line.startswith("DeletionDate="):
                when = line[13:]
    except OSError:
        return None, ""
    return path, when


def restore(trashed: str, original: str) -> None:
    """Moves a trashed file back to where it was and drops its .trashinfo."""
    if os.path.lexists(original):
        raise FileExistsError(f"something else is now at {original}")
    os.makedirs(os.path.dirname(original), exist_ok=True)
    os.rename(trashed, original)
    info = Path(trashed).parent.parent / "info" / (Path(trashed).name + ".trashinfo")
    info.unlink(missing_ok=True)
