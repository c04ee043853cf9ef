"""What the catalog knew about each file a clean-up removed, kept with its journal entry, so
that undo brings the file back with its row, metadata and vectors: its groups reappear at once,
with no rescan and no re-embedding.

Owns: the removed_files and removed_embeddings tables; moving a removed file's row and vectors
into them (in the same transaction that deletes the row, so a crash keeps one or the other)
and back. A restored file gets a new id (SQLite may have reused the old one) and new vector
sequence numbers, so the index catches up by adding it. Must not: touch files on disk, or
replace a row a rescan already made for the same path.
"""
from __future__ import annotations

import json
from typing import Iterable, Sequence

from sqlalchemy import delete, insert, select

from ..paths import inside
from .schema import embeddings, files, folders, journal, removed_embeddings, removed_files

_KEPT_APART = ("id", "folder_id", "path")


def set_aside(catalog, entries: Sequence[tuple[int, str]]) -> int:
    """(journal entry id, path) of files a batch removed: each one's catalog row and vectors
    move into the journal's keeping. Returns how many rows moved."""
    moved = 0
    with catalog.engine.begin() as conn:
        for entry_id, path in entries:
            row = conn.execute(select(files).where(files.c.path == path)).mappings().first()
            if row is None or conn.execute(select(removed_files.c.journal_id).where(
                    removed_files.c.journal_id == entry_id)).first():
                continue
            record = {k: v for k, v in row.items()
                      if k not in _KEPT_APART and isinstance(v, (int, float, str, bool, type(None)))}
            conn.execute(insert(removed_files).values(journal_id=entry_id, folder_id=row["folder_id"],
                                                      path=path, record=json.dumps(record)))
            vectors = conn.execute(select(embeddings.c.model, embeddings.c.dim, embeddings.c.vector)
                                   .where(embeddings.c.file_id == row["id"])).all()
            if vectors:
                conn.execute(insert(removed_embeddings), [
                    {"journal_id": entry_id, "model": m, "dim": d, "vector": v} for m, d, v in vectors])
            conn.execute(delete(files).where(files.c.id == row["id"]))
            moved += 1
    return moved


def left_behind(catalog) -> list[int]:
    """Journal entries already undone whose rows are still set aside: an undo that was killed
    after putting its files back but before their rows (the next write brings them back)."""
    with catalog.engine.connect() as conn:
        return list(conn.execute(select(removed_files.c.journal_id).join(
            journal, journal.c.id == removed_files.c.journal_id).where(journal.c.state == "undone")).scalars())


def bring_back(catalog, entry_ids: Iterable[int]) -> int:
    """Re-inserts the rows and vectors kept for these journal entries (files that undo put
    back). A path the catalog already holds keeps its row; a path no library folder covers
    any more is not re-added. Returns how many rows came back."""
    restored = 0
    with catalog.engine.begin() as conn:
        roots = {fid: path for fid, path in conn.execute(select(folders.c.id, folders.c.path))}
        for entry_id in entry_ids:
            kept = conn.execute(select(removed_files).where(
                removed_files.c.journal_id == entry_id)).mappings().first()
            if kept is None:
                continue
            folder_id = _folder_for(kept["path"], kept["folder_id"], roots)
            present = conn.execute(select(files.c.id).where(files.c.path == kept["path"])).first()
            if folder_id is not None and present is None:
                record = {k: v for k, v in json.loads(kept["record"]).items() if k in files.c}
                file_id = conn.execute(insert(files).values(
                    **record, folder_id=folder_id, path=kept["path"])).inserted_primary_key[0]
                vectors = conn.execute(select(removed_embeddings.c.model, removed_embeddings.c.dim,
                                              removed_embeddings.c.vector)
                                       .where(removed_embeddings.c.journal_id == entry_id)).all()
                if vectors:
                    seq = catalog._next_seq(conn, len(vectors))
                    conn.execute(insert(embeddings), [
                        {"file_id": file_id, "model": m, "dim": d, "vector": v, "seq": seq + i}
                        for i, (m, d, v) in enumerate(vectors)])
                restored += 1
            conn.execute(delete(removed_embeddings).where(removed_embeddings.c.journal_id == entry_id))
            conn.execute(delete(removed_files).where(removed_files.c.journal_id == entry_id))
    return restored


def _folder_for(path: str, folder_id: int, roots: dict[int, str]):
    """The folder the file was in, or else the library folder that now covers its path."""
    if folder_id in roots and inside(path, roots[folder_id]):
        return folder_id
    covering = [(len(root), fid) for fid, root in roots.items() if inside(path, root)]
    return max(covering)[1] if covering else None
