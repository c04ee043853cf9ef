"""Sorting photos into tag folders: planning a batch that moves each photo to DEST/<tag>/.

Owns: where each photo goes (DEST/<its highest-scoring tag>/<its name>, never onto an existing
or already planned file: " (1)" is added instead), and which photos are never moved: those in
reference folders, links, files whose real path is outside the library's folders, files
already in their tag's folder. The batch itself runs through cleanup.run and the one journal,
so dry run, undo and crash recovery are clean-up's. Must not: score tags or run SQL.
"""
from __future__ import annotations

import os
from typing import Sequence

from ..paths import inside
from . import cleanup
from .cleanup import CleanPlan, PlannedItem

ACTION = "organise"


class _Photo:
    """What cleanup's place checks look at: a path (and no other names)."""

    def __init__(self, path: str) -> None:
        self.path = path


def plan(choices: Sequence[tuple[object, str, float]], target: str, roots: Sequence[str],
         references: Sequence[str] = ()) -> CleanPlan:
    """`choices`: (catalog FileRecord, tag, score) for each photo to sort, best score first."""
    result = CleanPlan(ACTION, target)
    places = cleanup._Places(roots, references)
    taken: set[str] = set()
    for record, tag, _score in choices:
        folder = os.path.join(target, tag)
        if inside(record.path, folder):
            result.skipped.append((record.path, f"already in {folder}"))
            continue
        why = places.untouchable(_Photo(record.path))
        if why:
            result.skipped.append((record.path, why))
            continue
        if not record.content_hash:
            result.skipped.append((record.path, "could not be read when scanned; not moved"))
            continue
        destination = cleanup.unique_name(os.path.join(folder, os.path.basename(record.path)), taken)
        result.items.append(PlannedItem(record.path, record.size, record.content_hash, None, destination))
    return result


def prune(batch_entries) -> None:
    """After an undo: the tag folders the batch filled and that are empty again go (rmdir
    removes only empty folders, never a file)."""
    for folder in sorted({os.path.dirname(e.destination) for e in batch_entries if e.destination},
                         key=len, reverse=True):
        try:
            os.rmdir(folder)
        except OSError:
            pass
