"""The catalog's tags: what each tag means, its example photos and the user's corrections.

Owns: the tags and tag_examples tables (user data: a definition, its examples and every
"is / is not NAME" correction, kept by content hash so they follow a photo across moves and
renames) and phrase_vectors (derived: a phrase's text vector, rebuilt from the phrase by the
text model). Must not: score photos or train anything (engine/tags/ does).
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
from sqlalchemy import delete, insert, select, update

from .schema import phrase_vectors, tag_examples, tags


@dataclass(frozen=True)
class TagRecord:
    id: int
    name: str
    kind: str                  # phrase | example
    phrases: tuple[str, ...]
    cutoff: Optional[float]    # the user's cut-off; None: chosen from data
    created_at: float


@dataclass(frozen=True)
class ExampleRecord:
    content_hash: str
    label: int                 # 1: is the tag, 0: is not
    origin: str                # example | correction
    path: Optional[str]
    model: Optional[str]       # set for a photo outside the library: its vector, kept
    vector: Optional[np.ndarray]


def _tag(row) -> TagRecord:
    return TagRecord(row.id, row.name, row.kind, tuple(json.loads(row.phrases)), row.cutoff, row.created_at)


class TagStore:
    def __init__(self, engine) -> None:
        self.engine = engine

    def all(self) -> list[TagRecord]:
        with self.engine.connect() as conn:
            return [_tag(r) for r in conn.execute(select(tags).order_by(tags.c.name))]

    def get(self, name: str) -> Optional[TagRecord]:
        with self.engine.connect() as conn:
            row = conn.execute(select(tags).where(tags.c.name == name)).first()
        return _tag(row) if row else None

    def create(self, name: str, kind: str, phrases: Sequence[str], cutoff: Optional[float]) -> TagRecord:
        now = time.time()
        with self.engine.begin() as conn:
            tag_id = conn.execute(insert(tags).values(
                name=name, kind=kind, phrases=json.dumps(list(phrases)), cutoff=cutoff,
                created_at=now)).inserted_primary_key[0]
        return TagRecord(tag_id, name, kind, tuple(phrases), cutoff, now)

    def update(self, tag_id: int, phrases: Optional[Sequence[str]] = None,
               cutoff: Optional[float] = None, clear_cutoff: bool = False) -> None:
        values: dict = {}
        if phrases is not None:
            values["phrases"] = json.dumps(list(phrases))
        if cutoff is not None or clear_cutoff:
            values["cutoff"] = cutoff
        if values:
            with self.engine.begin() as conn:
                conn.execute(update(tags).where(tags.c.id == tag_id).values(**values))

    def delete(self, tag_id: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(tag_examples).where(tag_examples.c.tag_id == tag_id))
            conn.execute(delete(tags).where(tags.c.id == tag_id))

    # -- examples and corrections ----------------------------------------------------------
    def examples(self, tag_id: Optional[int] = None) -> dict[int, list[ExampleRecord]]:
        """tag id -> its examples and corrections (every tag's, or one tag's)."""
        query = select(tag_examples).order_by(tag_examples.c.added_at)
        if tag_id is not None:
            query = query.where(tag_examples.c.tag_id == tag_id)
        out: dict[int, list[ExampleRecord]] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(query):
                vector = None if r.vector is None else np.frombuffer(r.vector, dtype=np.float32).copy()
                out.setdefault(r.tag_id, []).append(
                    ExampleRecord(r.content_hash, r.label, r.origin, r.path, r.model, vector))
        return out

    def put_examples(self, tag_id: int, items: Sequence[dict]) -> None:
        """Each item: content_hash, label, origin, path, and model + vector for a photo outside
        the library. A photo given again replaces what was said of it before."""
        if not items:
            return
        now = time.time()
        rows = []
        for item in items:
            vector = item.get("vector")
            rows.append({"tag_id": tag_id, "content_hash": item["content_hash"], "label": int(item["label"]),
                         "origin": item["origin"], "path": item.get("path"), "model": item.get("model"),
                         "vector": None if vector is None else
                         np.ascontiguousarray(vector, dtype=np.float32).tobytes(),
                         "added_at": now})
        with self.engine.begin() as conn:
            for row in rows:
                conn.execute(delete(tag_examples).where(tag_examples.c.tag_id == tag_id,
                                                        tag_examples.c.content_hash == row["content_hash"]))
            conn.execute(insert(tag_examples), rows)

    # -- phrase vectors (derived) ----------------------------------------------------------
    def phrase_vectors(self, model: str, phrases: Sequence[str]) -> dict[str, np.ndarray]:
        wanted = sorted(set(phrases))
        out = {}
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 900):
                for phrase, vector in conn.execute(select(phrase_vectors.c.phrase, phrase_vectors.c.vector).where(
                        phrase_vectors.c.model == model, phrase_vectors.c.phrase.in_(wanted[start:start + 900]))):
                    out[phrase] = np.frombuffer(vector, dtype=np.float32).copy()
        return out

    def put_phrase_vectors(self, model: str, items: dict[str, np.ndarray]) -> None:
        if not items:
            return
        with self.engine.begin() as conn:
            conn.execute(delete(phrase_vectors).where(phrase_vectors.c.model == model,
                                                      phrase_vectors.c.phrase.in_(list(items))))
            conn.execute(insert(phrase_vectors), [
                {"phrase": p, "model": model, "dim": int(v.shape[0]),
                 "vector": np.ascontiguousarray(v, dtype=np.float32).tobytes()} for p, v in items.items()])
