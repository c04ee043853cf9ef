"""Catalog rows that follow files an action moved inside the library (organise and its undo).

Owns: giving a moved file's row its new path and the library folder that now covers it, in one
transaction, keeping its id, metadata and vectors (so nothing is re-embedded and the index is
untouched). Must not: touch files on disk, or overwrite a row a rescan already made for the
new path (that row wins; the stale one goes).
"""
from __future__ import annotations

from typing import Sequence

from sqlalchemy import delete, select, update

from ..paths import inside
from .schema import files, folders


def follow(catalog, moves: Sequence[tuple[str, str]]) -> int:
    """(old path, new path) of files moved on disk; returns how many rows followed."""
    followed = 0
    with catalog.engine.begin() as conn:
        roots = list(conn.execute(select(folders.c.id, folders.c.path)))
        for old, new in moves:
            row = conn.execute(select(files.c.id).where(files.c.path == old)).first()
            if row is None:
                continue
            covering = [(len(path), fid) for fid, path in roots if inside(new, path)]
            if not covering:   # moved out of every library folder: the next scan forgets it
                continue
            if conn.execute(select(files.c.id).where(files.c.path == new)).first():
                conn.execute(delete(files).where(files.c.id == row.id))
                continue
            conn.execute(update(files).where(files.c.id == row.id)
                         .values(path=new, folder_id=max(covering)[1]))
            followed += 1
    return followed
