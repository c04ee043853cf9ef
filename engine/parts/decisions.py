"""The Library's decisions part: "these are different" and "keep them all", remembered.

Owns: turning the paths a user points at into a decision by content hash (so it survives
renames, moves and rescans), listing decisions with where their photos are now, and clearing
them; the writer lock around every change. Must not: run SQL (catalog/decisions.py does) or
hide groups itself (dedup/decided.py does, inside the duplicates pipeline).
"""
from __future__ import annotations

import os
from typing import Sequence

from ..catalog.decisions import KINDS, DecisionRecord
from ..catalog.decisions import Decisions as Store
from ..errors import LookalikeError, UsageError
from ..results import Decision

KIND_WORDS = {"different": "not duplicates", "keep_all": "keep all"}


class Decisions:
    def __init__(self, catalog, write_lock) -> None:
        self.catalog = catalog
        self.store = Store(catalog.engine)
        self._write_lock = write_lock

    def records(self) -> list[DecisionRecord]:
        """What the duplicates pipeline applies."""
        return self.store.all()

    def _members(self, paths: Sequence) -> list[tuple[str, str]]:
        members = []
        for path in paths:
            real = os.path.realpath(os.path.expanduser(os.fspath(path)))
            record = self.catalog.file_by_path(real)
            if record is None:
                raise LookalikeError(f"{os.fspath(path)} is not in the library; scan first.")
            if not record.content_hash:
                raise LookalikeError(f"{record.path} could not be read, so there is nothing to decide about it.")
            members.append((record.content_hash, record.path))
        return members

    def decide(self, paths: Sequence, kind: str = "different") -> Decision:
        """Remembers that these photos are different (`different`) or copies to keep (`keep_all`)."""
        if kind not in KINDS:
            raise UsageError(f"A decision is one of: {', '.join(KINDS)}.")
        members = self._members(paths)
        if len(members) < 2:
            raise UsageError("A decision is about two or more photos.")
        if kind == "different" and len({h for h, _ in members}) < 2:
            raise LookalikeError("These files hold the same bytes: they are one picture, not different "
                                 "photos. Choose \"keep all\" to keep every copy.")
        with self._write_lock:
            did = self.store.add(kind, members)
        return next(d for d in self.all() if d.id == did)

    def all(self) -> list[Decision]:
        out = []
        for record in self.store.all():
            now, missing = [], 0
            for digest, then in record.members:
                here = self.catalog.files_with_hash(digest)
                if here:
                    now.extend(sorted(r.path for r in here))
                else:
                    now.append(then or digest)
                    missing += 1
            out.append(Decision(record.id, record.kind, record.created_at, tuple(now), missing))
        return out

    def clear(self, paths: Sequence = (), ids: Sequence[int] = ()) -> int:
        """Forgets the decisions covering all of `paths` (or those with these ids); returns
        how many went. The photos' groups show again."""
        wanted = set(ids)
        if paths:
            hashes = {h for h, _ in self._members(paths)}
            wanted |= {d.id for d in self.store.all() if hashes <= d.hashes}
        if not wanted:
            raise LookalikeError("No decision covers these photos." if paths else "Name the decision to clear.")
        with self._write_lock:
            return self.store.remove(sorted(wanted))
