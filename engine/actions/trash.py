"""The system trash: sending files there and, where the platform's trash format is known (the
freedesktop.org trash used on Linux), finding and restoring them. On Linux we write the trash
ourselves (an O_EXCL .trashinfo, then a rename), so we know exactly where each file went;
elsewhere send2trash does it.

Owns: trash locations and .trashinfo parsing. Must not: decide what to trash.
On macOS and Windows the trash cannot be read back here; undo says so plainly.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Iterable, Optional
from urllib.parse import quote, unquote


def send(path: str) -> Optional[str]:
    """Moves `path` to the trash; returns where it now lies, when that can be known."""
    if sys.platform.startswith("linux"):
        return _send_freedesktop(os.path.abspath(path))
    from send2trash import send2trash

    send2trash(path)
    return None


def _send_freedesktop(path: str) -> str:
    home, _ = _trash_dirs(path)[0]
    device = os.lstat(path).st_dev
    if _device_of(home) == device:
        trash, root = home, None
    else:
        mount = _mount_point(os.path.dirname(path))
        trash, root = mount / f".Trash-{os.getuid()}", mount
    (trash / "files").mkdir(parents=True, exist_ok=True, mode=0o700)
    (trash / "info").mkdir(parents=True, exist_ok=True, mode=0o700)
    stem, ext = os.path.splitext(os.path.basename(path))
    recorded = path if root is None else os.path.relpath(path, root)
    for n in range(1, 10_000):
        name = f"{stem}{ext}" if n == 1 else f"{stem}.{n}{ext}"
        info = trash / "info" / f"{name}.trashinfo"
        try:
            fd = os.open(info, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"[Trash Info]\nPath={quote(os.fsencode(recorded))}\n"
                     f"DeletionDate={time.strftime('%Y-%m-%dT%H:%M:%S')}\n")
        destination = trash / "files" / name
        if os.path.lexists(destination):
            info.unlink()
            continue
        try:
            os.rename(path, destination)
        except OSError:
            info.unlink()
            raise
        return str(destination)
    raise OSError("the trash holds too many files of this name")


def _device_of(folder: Path) -> Optional[int]:
    probe = folder
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    try:
        return os.stat(probe).st_dev
    except OSError:
        return None


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
    wanted = os.path.normpath(original)
    found = [(when, str(trashed)) for _info, full, trashed, when in _recorded(set(_trash_dirs(original)))
             if full == wanted and os.path.lexists(trashed)]
    return max(found)[1] if found else None


def drop_orphan_infos(originals: Iterable[str]) -> list[str]:
    """Removes the .trashinfo files recorded for these paths whose trashed file does not
    exist (a crash between writing the info and moving the file, or between restoring the
    file and dropping its info). An info without its file restores nothing, so nothing is
    lost. Each trash folder is read once, whatever the number of paths."""
    wanted = {os.path.normpath(o) for o in originals}
    if not sys.platform.startswith("linux") or not wanted:
        return []
    places = {place for original in wanted for place in _trash_dirs(original)}
    dropped = []
    for info, full, trashed, _when in _recorded(places):
        if full in wanted and not os.path.lexists(trashed):
            info.unlink(missing_ok=True)
            dropped.append(str(info))
    return dropped


def _recorded(places):
    """(info file, the original path it records, where the trashed file lies, deletion date)
    for every readable .trashinfo in these (trash dir, root) places."""
    for trash, root in places:
        info_dir = trash / "info"
        if not info_dir.is_dir():
            continue
        for info in info_dir.glob("*.trashinfo"):
            path, when = _read_info(info)
            if path is None:
                continue
            full = path if os.path.isabs(path) or root is None else os.path.join(root, path)
            yield info, os.path.normpath(full), trash / "files" / info.name[: -len(".trashinfo")], when


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
