"""A FAISS inner-product index over one model's vectors, keyed by catalog file ids.

Owns: choosing exact (flat) or HNSW search, saving atomically beside the catalog, loading,
noticing a stale or corrupt file, and the neighbour queries grouping and search need.
Must not: read the catalog itself (the library hands it ids and vectors).

Flat (exact) search is used below HNSW_MIN vectors. Measured on 2 EPYC cores with 384-d
vectors: at 50k, flat all-pairs range search (what grouping needs) took 9.2 s, while HNSW
(M=32, efConstruction 80) took 10.6 s to build plus 15.1 s for every vector's 33 nearest; one
flat query stays under ~10 ms up to 100k. Past that, HNSW keeps each query under a millisecond
(the vectors' own cost grows linearly with flat search), at a small recall cost.
"""
from __future__ import annotations

import json
import os
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

HNSW_MIN = 100_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
MAGIC = b"LKIDX1\n"


@dataclass
class IndexState:
    """What the index was built from; compared with the catalog to notice staleness."""
    model: str
    dim: int
    count: int
    max_seq: int
    kind: str


class VectorIndex:
    def __init__(self, model: str, dim: int, kind: Optional[str] = None, expected: int = 0) -> None:
        import faiss

        self.model, self.dim = model, dim
        self.kind = kind or ("hnsw" if expected >= HNSW_MIN else "flat")
        if self.kind == "hnsw":
            inner = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            inner.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            inner.hnsw.efSearch = HNSW_EF_SEARCH
        else:
            inner = faiss.IndexFlatIP(dim)
        self._index = faiss.IndexIDMap2(inner)
        self.max_seq = 0

    # -- contents ---------------------------------------------------------------------------
    @property
    def count(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> np.ndarray:
        import faiss

        return faiss.vector_to_array(self._index.id_map).astype(np.int64)

    def add(self, ids: np.ndarray, vectors: np.ndarray, max_seq: int) -> None:
        if len(ids):
            self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32),
                                     np.ascontiguousarray(ids, dtype=np.int64))
        self.max_seq = max(self.max_seq, max_seq)

    def vectors_of(self, ids: np.ndarray) -> np.ndarray:
        return np.stack([self._index.reconstruct(int(i)) for i in ids]) if len(ids) else \
            np.zeros((0, self.dim), dtype=np.float32)

    def state(self) -> IndexState:
        return IndexState(self.model, self.dim, self.count, self.max_seq, self.kind)

    # -- queries ----------------------------------------------------------------------------
    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of the k best matches per query; missing slots have id -1."""
        k = max(1, min(k, self.count))
        if self.count == 0:
            n = len(queries)
            return np.zeros((n, 0), dtype=np.float32), np.zeros((n, 0), dtype=np.int64)
        return self._index.search(np.ascontiguousarray(queries, dtype=np.float32), k)

    def pairs(self, threshold: float, k: int = 64) -> list[tuple[int, int, float]]:
        """Every pair (a < b) of stored ids with cosine >= threshold. Exact for flat indexes;
        for HNSW, each vector's k nearest are checked (bench/speed.py measures the recall)."""
        if self.count < 2:
            return []
        ids = self.ids()
        vectors = self.stored_vectors()
        found: dict[tuple[int, int], float] = {}
        if self.kind == "flat":
            lims, scores, labels = self._index.range_search(vectors, float(threshold))
            for row in range(len(ids)):
                a = int(ids[row])
                for score, b in zip(scores[lims[row]:lims[row + 1]], labels[lims[row]:lims[row + 1]]):
                    _keep(found, a, int(b), float(score))
        else:
            scores, labels = self._index.search(vectors, min(k + 1, self.count))
            for row in range(len(ids)):
                a = int(ids[row])
                for score, b in zip(scores[row], labels[row]):
                    if b >= 0 and score >= threshold:
                        _keep(found, a, int(b), float(score))
        return [(a, b, s) for (a, b), s in found.items()]

    def stored_vectors(self) -> np.ndarray:
        """All vectors, in the order of ids()."""
        return self._index.index.reconstruct_n(0, self.count)

    # -- persistence ------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Writes header + FAISS bytes to a temp file, then renames: never a half-written index."""
        import faiss

        path.parent.mkdir(parents=True, exist_ok=True)
        header = json.dumps(self.state().__dict__).encode("utf-8")
        blob = faiss.serialize_index(self._index)
        fd, tmp = tempfile.mkstemp(prefix=".index-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(MAGIC + struct.pack("<I", len(header)) + header)
                fh.write(blob.tobytes())
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> Optional["VectorIndex"]:
        """The saved index, or None when the file is missing or unreadable (rebuild then)."""
        import faiss

        try:
            data = path.read_bytes()
            if not data.startswith(MAGIC):
                return None
            offset = len(MAGIC)
            (length,) = struct.unpack("<I", data[offset:offset + 4])
            header = json.loads(data[offset + 4:offset + 4 + length])
            blob = np.frombuffer(data, dtype=np.uint8, offset=offset + 4 + length)
            index = faiss.deserialize_index(blob.copy())
        except (OSError, ValueError, struct.error, RuntimeError):
            return None
        obj = cls.__new__(cls)
        obj.model, obj.dim, obj.kind = header["model"], int(header["dim"]), header["kind"]
        obj.max_seq = int(header["max_seq"])
        obj._index = faiss.downcast_index(index) if not isinstance(index, faiss.IndexIDMap2) else index
        if not isinstance(obj._index, faiss.IndexIDMap2) or obj._index.ntotal != header["count"] \
                or obj._index.d != obj.dim:
            return None
        if obj.kind == "hnsw":
            faiss.downcast_index(obj._index.index).hnsw.efSearch = HNSW_EF_SEARCH
        return obj


def _keep(found: dict, a: int, b: int, score: float) -> None:
    if a == b:
        return
    key = (a, b) if a < b else (b, a)
    if score > found.get(key, -2.0):
        found[key] = score
