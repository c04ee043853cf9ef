"""Bulk selection rules for the duplicates review, and which group is "the same" after a reload.

Owns: the rules that turn the shown groups and their marks into a set of mark changes (mark
all but the keeper, mark everything in a folder, keep everything in a folder and mark its
copies elsewhere, clear the marks of some groups), the folders a rule can be aimed at, and a
group's identity (its files' paths and contents) with the row that best matches it after the
groups are made again. Everything here is plain Python over the engine's value types: no Qt,
no writes. Must not: save marks (the duplicates view does, through the job runner) or touch
files.
"""
from __future__ import annotations

import os

KEEP, REMOVE = "keep", "remove"


def _protected(file, proposal) -> bool:
    """A file no rule may mark for removal: in a reference folder, or protected by the preset."""
    return bool(file.reference) or any(p.file_id == file.file_id for p in proposal.protected)


def inside(path: str, folder: str) -> bool:
    """Whether `path` lies in `folder` or below it (by path, so 'Photos2' is not in 'Photos')."""
    folder = os.path.normpath(folder)
    return os.path.normpath(path).startswith(folder.rstrip(os.sep) + os.sep)


def _changes(marks: dict, wanted: dict) -> dict:
    return {fid: mark for fid, mark in wanted.items() if marks.get(fid, KEEP) != mark}


def all_but_keeper(pairs, marks: dict) -> dict:
    """In every group, the preset's keeper is kept and every other photo marked for removal
    (reference and protected photos stay kept)."""
    wanted = {}
    for group, proposal in pairs:
        for f in group.files:
            keep = f.file_id == proposal.keeper.file_id or _protected(f, proposal)
            wanted[f.file_id] = KEEP if keep else REMOVE
    return _changes(marks, wanted)


def in_folder(pairs, marks: dict, folder: str) -> dict:
    """Every shown photo in `folder` (or below it) marked for removal, protected ones excepted."""
    return _changes(marks, {f.file_id: REMOVE for group, proposal in pairs for f in group.files
                            if inside(f.path, folder) and not _protected(f, proposal)})


def keep_folder(pairs, marks: dict, folder: str) -> dict:
    """Every shown photo in `folder` kept; in the groups that have one there, the copies
    elsewhere are marked for removal (protected ones excepted). Groups with nothing in the
    folder are left as they are."""
    wanted = {}
    for group, proposal in pairs:
        if not any(inside(f.path, folder) for f in group.files):
            continue
        for f in group.files:
            keep = inside(f.path, folder) or _protected(f, proposal)
            wanted[f.file_id] = KEEP if keep else REMOVE
    return _changes(marks, wanted)


def cleared(pairs, marks: dict) -> dict:
    """No photo of these groups marked for removal."""
    return _changes(marks, {f.file_id: KEEP for group, _ in pairs for f in group.files})


def whole_groups_marked(pairs, marks: dict) -> int:
    """How many groups would lose every copy: each of their photos is marked for removal."""
    return sum(1 for group, _ in pairs if all(marks.get(f.file_id, KEEP) == REMOVE for f in group.files))


def folders(pairs, library_folders=()) -> list[str]:
    """The folders a rule can be aimed at: the library's folders and every folder that holds a
    shown duplicate, sorted."""
    found = {os.path.normpath(str(f)) for f in library_folders}
    found.update(os.path.dirname(f.path) for group, _ in pairs for f in group.files)
    return sorted(found, key=lambda p: (p.lower(), p))


# -- following a group across reloads ---------------------------------------------------------
def identity(group) -> frozenset:
    """What a group is, independent of its row: its files' paths and contents."""
    return frozenset([f.path for f in group.files] + [f.content_hash for f in group.files if f.content_hash])


def follow(before, row: int, pairs) -> int:
    """The row to select after the groups were made again: the group with the same photos, or
    the one sharing most of them; with none in common, the row nearest the old one. -1 when
    there are no groups. `before` is identity() of the group selected before, or None."""
    if not pairs:
        return -1
    if before:
        shared = [(len(before & identity(group)), -abs(i - row), i) for i, (group, _) in enumerate(pairs)]
        best = max(shared)
        if best[0]:
            return best[2]
    return min(max(row, 0), len(pairs) - 1)
