"""The user's decisions about groups, by content hash: "these are different photos" and "they
are copies, but keep them all".

Owns: the decisions and decision_members tables (user data, never rebuilt). A decision holds
the content hashes of the photos it covers, so it follows them through renames, moves and
rescans; the path is only what listings show. Must not: group photos or hide anything itself
(dedup/ applies decisions to groups).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Optional, Sequence

from sqlalchemy import delete, insert, select

from .schema import decision_members, decisions

KINDS = ("different", "keep_all")


@dataclass(frozen=True)
class DecisionRecord:
    id: int
    kind: str                                   # different | keep_all
    created_at: float
    members: tuple[tuple[str, Optional[str]], ...]   # (content hash, path when decided)

    @property
    def hashes(self) -> frozenset[str]:
        return frozenset(h for h, _ in self.members)


class Decisions:
    def __init__(self, engine) -> None:
        self.engine = engine

    def all(self) -> list[DecisionRecord]:
        with self.engine.connect() as conn:
            heads = conn.execute(select(decisions.c.id, decisions.c.kind, decisions.c.created_at)
                                 .order_by(decisions.c.id)).all()
            members: dict[int, list] = {}
            for did, digest, path in conn.execute(select(
                    decision_members.c.decision_id, decision_members.c.content_hash, decision_members.c.path)
                    .order_by(decision_members.c.decision_id, decision_members.c.path)):
                members.setdefault(did, []).append((digest, path))
        return [DecisionRecord(i, k, t, tuple(members.get(i, ()))) for i, k, t in heads]

    def add(self, kind: str, members: Sequence[tuple[str, Optional[str]]]) -> int:
        """One decision over these (hash, path) members; an earlier decision over exactly the
        same photos is replaced, so deciding again never leaves two that disagree."""
        hashes = frozenset(h for h, _ in members)
        with self.engine.begin() as conn:
            for old in self.all():
                if old.hashes == hashes:
                    conn.execute(delete(decision_members).where(decision_members.c.decision_id == old.id))
                    conn.execute(delete(decisions).where(decisions.c.id == old.id))
            did = conn.execute(insert(decisions).values(kind=kind, created_at=time.time())).inserted_primary_key[0]
            seen: set[str] = set()
            rows = []
            for digest, path in members:
                if digest not in seen:
                    seen.add(digest)
                    rows.append({"decision_id": did, "content_hash": digest, "path": path})
            conn.execute(insert(decision_members), rows)
        return did

    def remove(self, ids: Sequence[int]) -> int:
        with self.engine.begin() as conn:
            conn.execute(delete(decision_members).where(decision_members.c.decision_id.in_(list(ids))))
            return conn.execute(delete(decisions).where(decisions.c.id.in_(list(ids)))).rowcount or 0
