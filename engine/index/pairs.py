"""Every pair of a model's vectors above a threshold, kept up to date as vectors come and go.

Owns: the all-pairs result behind the last grouping, and bringing it up to date from what
changed since: pairs of removed or replaced vectors are dropped, and only the vectors added or
replaced are queried against the index. Regrouping after a watched change then costs a few
queries instead of an all-pairs pass (bench/scale.py measures both). Must not: read the
catalog (the library hands it the changed vectors) or group.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from .vectors import VectorIndex, check_scores, unique_pairs

# Past this share of changed vectors one all-pairs pass is about as cheap as the queries.
REBUILD_SHARE = 0.25
# Changed vectors are compared with every stored one (exact) while queries x stored vectors
# stays under this; beyond it they probe as many IVF lists as the all-pairs pass does.
EXHAUSTIVE_BUDGET = 200_000_000


@dataclass(frozen=True)
class PairCache:
    threshold: float        # every pair at or above it is held
    dim: int
    max_seq: int            # the index's catalog sequence number these pairs reflect
    ids: np.ndarray         # sorted ids the pairs were computed over
    a: np.ndarray
    b: np.ndarray
    score: np.ndarray

    @classmethod
    def build(cls, index: VectorIndex, threshold: float) -> "PairCache":
        ids = index.ids()
        if index.count >= 2:
            a, b, s = index.pairs_of(ids, index.stored_vectors(), threshold)
        else:
            a = b = np.zeros(0, dtype=np.int64)
            s = np.zeros(0, dtype=np.float32)
        return cls(float(threshold), index.dim, index.max_seq, np.sort(ids), a, b, s)

    def usable_for(self, index: VectorIndex, threshold: float) -> bool:
        return self.dim == index.dim and threshold >= self.threshold and index.max_seq >= self.max_seq

    def current(self, index: VectorIndex) -> bool:
        return self.max_seq == index.max_seq and len(self.ids) == index.count

    def updated(self, index: VectorIndex, changed_ids: np.ndarray,
                changed_vectors: np.ndarray) -> "PairCache":
        """The pairs after the index took `changed_ids` (new, or replacing their old vectors)
        and lost whatever ids it no longer holds. A rebuild when most of it changed."""
        ids = np.sort(index.ids())
        changed_ids = np.asarray(changed_ids, dtype=np.int64)
        present = np.isin(changed_ids, ids)  # a vector written after the index was synced waits
        changed_ids, changed_vectors = changed_ids[present], changed_vectors[present]
        removed = np.setdiff1d(self.ids, ids, assume_unique=True)
        if len(changed_ids) + len(removed) > REBUILD_SHARE * max(len(ids), 1):
            return PairCache.build(index, self.threshold)
        stale = np.concatenate([removed, changed_ids])
        keep = ~(np.isin(self.a, stale) | np.isin(self.b, stale))
        a, b, s = self.a[keep], self.b[keep], self.score[keep]
        if len(changed_ids):
            exhaustive = len(changed_ids) * index.count <= EXHAUSTIVE_BUDGET
            na, nb, ns = index.pairs_of(changed_ids, changed_vectors, self.threshold, exhaustive)
            a, b, s = unique_pairs(np.concatenate([a, na]), np.concatenate([b, nb]), np.concatenate([s, ns]))
        return PairCache(self.threshold, self.dim, index.max_seq, ids, a, b, s)

    def pairs(self, threshold: Optional[float] = None) -> list[tuple[int, int, float]]:
        """(a, b, cosine) with a < b, for pairs at or above `threshold` (default: all held)."""
        if threshold is None or threshold <= self.threshold:
            a, b, s = self.a, self.b, self.score
        else:
            keep = self.score >= threshold
            a, b, s = self.a[keep], self.b[keep], self.score[keep]
        return list(zip(a.tolist(), b.tolist(), s.tolist()))



def rescored(pairs: list[tuple[int, int, float]], ids: np.ndarray, vectors: np.ndarray,
             threshold: float) -> list[tuple[int, int, float]]:
    """The pairs with their cosine computed again from `vectors` (the catalog's, keyed by the
    sorted `ids`): a pair scoring below `threshold` there, or with an id that has no vector, is
    dropped. The index is derived data; this keeps anything that can lead to a removal on the
    catalog's word. Raises IndexCorrupt for a score no cosine can have."""
    if not pairs or not len(ids):
        return []
    a = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
    b = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=len(pairs))
    ia = np.minimum(np.searchsorted(ids, a), len(ids) - 1)
    ib = np.minimum(np.searchsorted(ids, b), len(ids) - 1)
    known = (ids[ia] == a) & (ids[ib] == b)
    a, b, ia, ib = a[known], b[known], ia[known], ib[known]
    vectors = np.asarray(vectors, dtype=np.float32)
    scores = np.einsum("ij,ij->i", vectors[ia], vectors[ib])
    check_scores(scores)
    keep = scores >= np.float32(threshold)
    return list(zip(a[keep].tolist(), b[keep].tolist(), scores[keep].tolist()))
