"""The ledger: the catalog's record of the user's decisions and of every clean-up action.

Owns: reference folders, keep/remove marks, saved keep-best presets, and the action journal
(batches and their entries). All of it is precious user data, never derived, never rebuilt.
A journal entry is written before its action runs and updated after, so the journal is always
at least as far along as the disk. Must not: touch files on disk (engine/actions does).
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

from sqlalchemy import delete, insert, select, update

from .schema import batches, journal, marks, presets, reference_folders


@dataclass(frozen=True)
class Batch:
    id: int
    action: str
    target: Optional[str]
    started_at: float
    finished_at: Optional[float]
    state: str


@dataclass(frozen=True)
class Entry:
    id: int
    batch_id: int
    path: str
    size: int
    mtime_ns: int
    content_hash: str
    keeper: Optional[str]
    destination: Optional[str]
    state: str
    error: Optional[str]
    keeper_hash: Optional[str] = None   # the keeper as planned (None in batches before v4)
    keeper_size: Optional[int] = None
    unit: Optional[int] = None          # entries of one unit move together (None before v7)
    role: Optional[str] = None          # photo | partner | live | sidecar | metadata
    written_hash: Optional[str] = None  # metadata: the file's hash once written
    payload: Optional[str] = None       # metadata: the JSON fields it writes


_BATCH = [batches.c.id, batches.c.action, batches.c.target, batches.c.started_at,
          batches.c.finished_at, batches.c.state]
_ENTRY = [journal.c.id, journal.c.batch_id, journal.c.path, journal.c.size, journal.c.mtime_ns,
          journal.c.content_hash, journal.c.keeper, journal.c.destination, journal.c.state,
          journal.c.error, journal.c.keeper_hash, journal.c.keeper_size, journal.c.unit,
          journal.c.role, journal.c.written_hash, journal.c.payload]


class Ledger:
    def __init__(self, engine) -> None:
        self.engine = engine

    # -- reference folders -------------------------------------------------------------------
    def reference_folders(self) -> list[str]:
        with self.engine.connect() as conn:
            return sorted(conn.execute(select(reference_folders.c.path)).scalars())

    def add_reference_folder(self, path: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(reference_folders).where(reference_folders.c.path == path))
            conn.execute(insert(reference_folders).values(path=path, added_at=time.time()))

    def remove_reference_folder(self, path: str) -> bool:
        with self.engine.begin() as conn:
            return bool(conn.execute(delete(reference_folders)
                                     .where(reference_folders.c.path == path)).rowcount)

    # -- marks -------------------------------------------------------------------------------
    def marks(self) -> dict[int, str]:
        with self.engine.connect() as conn:
            return {fid: mark for fid, mark in conn.execute(select(marks.c.file_id, marks.c.mark))}

    def set_marks(self, items: Sequence[tuple[int, Optional[str]]]) -> None:
        """(file id, 'keep' | 'remove' | None to clear)."""
        now = time.time()
        with self.engine.begin() as conn:
            for file_id, mark in items:
                conn.execute(delete(marks).where(marks.c.file_id == file_id))
                if mark is not None:
                    conn.execute(insert(marks).values(file_id=file_id, mark=mark, marked_at=now))

    def clear_marks(self) -> int:
        with self.engine.begin() as conn:
            return conn.execute(delete(marks)).rowcount or 0

    # -- presets -----------------------------------------------------------------------------
    def presets(self) -> dict[str, list]:
        with self.engine.connect() as conn:
            return {name: json.loads(rules) for name, rules in
                    conn.execute(select(presets.c.name, presets.c.rules))}

    def save_preset(self, name: str, rules: list) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(presets).where(presets.c.name == name))
            conn.execute(insert(presets).values(name=name, rules=json.dumps(rules)))

    def delete_preset(self, name: str) -> bool:
        with self.engine.begin() as conn:
            return bool(conn.execute(delete(presets).where(presets.c.name == name)).rowcount)

    # -- journal -----------------------------------------------------------------------------
    def start_batch(self, action: str, target: Optional[str], entries: Iterable[dict]) -> int:
        """Writes the batch and every planned entry in one transaction, before any file moves."""
        now = time.time()
        with self.engine.begin() as conn:
            batch_id = conn.execute(insert(batches).values(
                action=action, target=target, started_at=now, state="running")).inserted_primary_key[0]
            rows = [dict(e, batch_id=batch_id, state="planned", updated_at=now) for e in entries]
            if rows:
                conn.execute(insert(journal), rows)
        return batch_id

    def update_entry(self, entry_id: int, state: str, destination: Optional[str] = None,
                     error: Optional[str] = None, written_hash: Optional[str] = None) -> None:
        values = {"state": state, "error": error, "updated_at": time.time()}
        if destination is not None:
            values["destination"] = destination
        if written_hash is not None:
            values["written_hash"] = written_hash
        with self.engine.begin() as conn:
            conn.execute(update(journal).where(journal.c.id == entry_id).values(**values))

    def finish_batch(self, batch_id: int, state: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(batches).where(batches.c.id == batch_id)
                         .values(state=state, finished_at=time.time()))

    def batches(self, states: Optional[Sequence[str]] = None) -> list[Batch]:
        query = select(*_BATCH).order_by(batches.c.id.desc())
        if states:
            query = query.where(batches.c.state.in_(list(states)))
        with self.engine.connect() as conn:
            return [Batch(*row) for row in conn.execute(query)]

    def entries(self, batch_id: int) -> list[Entry]:
        with self.engine.connect() as conn:
            return [Entry(*row) for row in conn.execute(
                select(*_ENTRY).where(journal.c.batch_id == batch_id).order_by(journal.c.id))]
