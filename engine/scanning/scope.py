"""Which parts of the library a watched change can have touched: the scan's scopes.

Owns: turning changed paths (from the folder watcher) into the fewest folders to list again,
each either alone (a file in it changed) or with everything below it (a folder appeared or
vanished), so a change in a 1M-photo library rescans one folder rather than all of them.
Must not: read file contents or touch the catalog.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

from ..paths import inside

# Past this many folders one full walk is about as cheap and far simpler to reason about.
MAX_SCOPES = 256


@dataclass(frozen=True)
class Scope:
    folder_id: int
    path: str
    recursive: bool


def scopes_for(changed: Iterable[str], roots: Sequence[tuple[int, str]]) -> Optional[list[Scope]]:
    """The scopes covering these changed paths, or None when the whole library must be walked:
    past MAX_SCOPES folders, or when a library folder itself changed (the full walk tells a
    vanished or unplugged library folder, whose entries are kept, from an emptied one). Paths
    outside every library folder are ignored."""
    roots = [(folder_id, os.path.normpath(path)) for folder_id, path in roots]
    wanted: dict[str, tuple[int, bool]] = {}

    def want(folder_id: int, path: str, recursive: bool) -> None:
        _, already = wanted.get(path, (folder_id, False))
        wanted[path] = (folder_id, recursive or already)

    for raw in changed:
        path = os.path.normpath(raw)
        root = next(((i, r) for i, r in roots if inside(path, r)), None)
        if root is None:
            continue
        folder_id, root_path = root
        if path == root_path:
            return None
        if os.path.isdir(path):
            want(folder_id, path, True)
        elif os.path.lexists(path):
            want(folder_id, os.path.dirname(path), False)
        else:
            # Gone: a file (its folder is listed again) or a whole folder (what the catalog
            # held below it goes too).
            want(folder_id, os.path.dirname(path), False)
            want(folder_id, path, True)
    if len(wanted) > 4 * MAX_SCOPES:
        return None
    deep = sorted(p for p, (_, recursive) in wanted.items() if recursive)
    scopes = [Scope(folder_id, path, recursive) for path, (folder_id, recursive) in sorted(wanted.items())
              if not any(path != d and inside(path, d) for d in deep)]
    return scopes if len(scopes) <= MAX_SCOPES else None
