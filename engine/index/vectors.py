"""A FAISS inner-product index over one model's vectors, keyed by catalog file ids.

Owns: choosing exact (flat) or inverted-list (IVF) search, saving atomically beside the
catalog, loading, noticing a stale or corrupt file, and the neighbour queries grouping and
search need. Must not: read the catalog itself (the library hands it ids and vectors).

Grouping needs every pair above a threshold, so the index is chosen for all-pairs range
search. Measured on 2 EPYC cores, 384-d vectors: flat (exact) took 1.4 s at 20k and 9.2 s at
50k (quadratic); HNSW (M=32) took 10.6 s to build plus 15.1 s for every vector's neighbours at
50k. IVF (4*sqrt(n) lists, trained on a sample, 8 lists probed) took 3.1 s to build plus 3.1 s
for all pairs at 100k, finding 100% of planted near-duplicates (bench/scale.py). So flat up to
IVF_MIN vectors, IVF above; an IVF index is rebuilt when the library outgrows its lists.

The file is derived data and is never trusted blindly: its header carries a BLAKE2b digest of
the FAISS bytes (a mismatch, or the older format without one, loads as None: rebuild), and a
query that yields a score no cosine can have (outside [-1, 1], or NaN) raises IndexCorrupt.
"""
from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

IVF_MIN = 30_000
PROBES_PAIRS = 8          # lists probed per vector when grouping
PROBES_QUERY = 16         # lists probed for a single search
TRAIN_PER_LIST = 40
MAGIC = b"LKIDX2\n"       # LKIDX1 files had no checksum: they load as None and are rebuilt
# Cosines of unit vectors lie in [-1, 1]; float32 sums may overshoot by a few ulps.
SCORE_SLACK = 1e-3


class IndexCorrupt(Exception):
    """The index answered with scores no cosine can have: its vectors are damaged."""


def check_scores(scores: np.ndarray) -> None:
    scores = np.asarray(scores, dtype=np.float64)
    bad = ~np.isfinite(scores) | (np.abs(scores) > 1.0 + SCORE_SLACK)
    if bad.any():
        raise IndexCorrupt(f"the vector index returned a similarity of {scores[bad][0]:.4g}")


def digest(blob) -> str:
    """BLAKE2b of any buffer (no copy: a 1M-vector index is 1.5 GB; ~0.5 GB/s on 2 EPYC cores)."""
    return hashlib.blake2b(memoryview(blob), digest_size=32).hexdigest()


def lists_for(count: int) -> int:
    return max(16, int(4 * count ** 0.5))


@dataclass
class IndexState:
    """What the index was built from; compared with the catalog to notice staleness."""
    model: str
    dim: int
    count: int
    max_seq: int
    kind: str


class VectorIndex:
    def __init__(self, model: str, dim: int, kind: Optional[str] = None, expected: int = 0,
                 sample: Optional[np.ndarray] = None) -> None:
        """For an IVF index, `sample` (vectors like the ones to come) trains the lists."""
        import faiss

        self.model, self.dim = model, dim
        self.kind = kind or ("ivf" if expected >= IVF_MIN else "flat")
        if self.kind == "ivf":
            lists = lists_for(expected)
            quantizer = faiss.IndexFlatIP(dim)
            inner = faiss.IndexIVFFlat(quantizer, dim, lists, faiss.METRIC_INNER_PRODUCT)
            inner.own_fields = True
            quantizer.this.disown()
            rng = np.random.default_rng(0)
            take = min(len(sample), TRAIN_PER_LIST * lists)
            inner.train(np.ascontiguousarray(sample[rng.choice(len(sample), take, replace=False)]))
            inner.make_direct_map()
        else:
            inner = faiss.IndexFlatIP(dim)
        self._index = faiss.IndexIDMap2(inner)
        self.max_seq = 0
        self.saved_count = 0   # vectors in the copy on disk (an index only grows between saves)
        self.save_problem: Optional[str] = None   # why the last save failed, in one sentence

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
        if not len(ids):
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.kind == "ivf":  # IDMap2 keeps its own id -> slot map; the IVF one, slot -> vector
            import faiss

            slots = {int(i): n for n, i in enumerate(self.ids())}
            inner = faiss.downcast_index(self._index.index)
            return np.stack([inner.reconstruct(slots[int(i)]) for i in ids])
        return np.stack([self._index.reconstruct(int(i)) for i in ids])

    def state(self) -> IndexState:
        return IndexState(self.model, self.dim, self.count, self.max_seq, self.kind)

    # -- queries ----------------------------------------------------------------------------
    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of the k best matches per query; missing slots have id -1."""
        k = max(1, min(k, self.count))
        if self.count == 0:
            n = len(queries)
            return np.zeros((n, 0), dtype=np.float32), np.zeros((n, 0), dtype=np.int64)
        self._probes(PROBES_QUERY)
        scores, ids = self._index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
        check_scores(scores[ids >= 0])
        return scores, ids

    def _probes(self, count: int) -> None:
        if self.kind == "ivf":
            import faiss

            faiss.downcast_index(self._index.index).nprobe = count

    @property
    def lists(self) -> int:
        if self.kind != "ivf":
            return 0
        import faiss

        return int(faiss.downcast_index(self._index.index).nlist)

    def pairs(self, threshold: float) -> list[tuple[int, int, float]]:
        """Every pair (a < b) of stored ids with cosine >= threshold: exact for flat indexes;
        for IVF, pairs whose vectors fall in lists more than 8 probes apart are missed (none of
        the planted near-duplicates in bench/scale.py were)."""
        if self.count < 2:
            return []
        a, b, s = self.pairs_of(self.ids(), self.stored_vectors(), threshold)
        return list(zip(a.tolist(), b.tolist(), s.tolist()))

    def pairs_of(self, ids: np.ndarray, queries: np.ndarray, threshold: float,
                 exhaustive: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pairs between the given (id, vector) queries and the stored vectors with cosine >=
        threshold, as arrays (a, b, score) with a < b, each pair once (its best score), never an
        id with itself, sorted by (a, b). `exhaustive` probes every IVF list: exact, and
        affordable for a few queries."""
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        if self.count == 0 or not len(ids):
            return empty
        self._probes(self.lists if exhaustive and self.kind == "ivf" else PROBES_PAIRS)
        # FAISS keeps scores strictly above the radius; a pair exactly at the threshold counts
        # (pHash scores are multiples of 1/32, so 0.50 is Hamming distance 16 exactly).
        radius = float(np.nextafter(np.float32(threshold), np.float32(-np.inf)))
        lims, scores, labels = self._index.range_search(
            np.ascontiguousarray(queries, dtype=np.float32), radius)
        check_scores(scores)
        rows = np.repeat(np.asarray(ids, dtype=np.int64), np.diff(lims).astype(np.int64))
        valid = (labels >= 0) & (labels != rows) & (scores >= np.float32(threshold))
        rows, labels, scores = rows[valid], labels[valid], scores[valid]
        return unique_pairs(np.minimum(rows, labels), np.maximum(rows, labels), scores)

    def stored_vectors(self) -> np.ndarray:
        """All vectors, in the order of ids() (IVF keeps a direct map for this)."""
        return self._index.index.reconstruct_n(0, self.count)

    # -- persistence ------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Writes header (with the FAISS bytes' digest) + FAISS bytes to a temp file, then
        renames: never a half-written index. Raises OSError when it cannot be written."""
        import faiss

        path.parent.mkdir(parents=True, exist_ok=True)
        blob = faiss.serialize_index(self._index)
        header = json.dumps({**self.state().__dict__, "blake2b": digest(blob)}).encode("utf-8")
        fd, tmp = tempfile.mkstemp(prefix=".index-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(MAGIC + struct.pack("<I", len(header)) + header)
                fh.write(memoryview(blob))
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.saved_count = self.count

    @classmethod
    def load(cls, path: Path) -> Optional["VectorIndex"]:
        """The saved index, or None when the file is missing, unreadable, not a file, of an
        older format, or its bytes do not match their checksum (rebuild then)."""
        import faiss

        try:
            data = path.read_bytes()
            if not data.startswith(MAGIC):
                return None
            offset = len(MAGIC)
            (length,) = struct.unpack("<I", data[offset:offset + 4])
            header = json.loads(data[offset + 4:offset + 4 + length])
            start = offset + 4 + length
            if not isinstance(header, dict) or header.get("blake2b") != digest(memoryview(data)[start:]):
                return None
            index = faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8, offset=start).copy())
        except (OSError, ValueError, struct.error, RuntimeError):
            return None
        obj = cls.__new__(cls)
        obj.model, obj.dim, obj.kind = header["model"], int(header["dim"]), header["kind"]
        obj.max_seq = int(header["max_seq"])
        obj.saved_count = int(header["count"])
        obj.save_problem = None
        obj._index = faiss.downcast_index(index) if not isinstance(index, faiss.IndexIDMap2) else index
        if not isinstance(obj._index, faiss.IndexIDMap2) or obj._index.ntotal != header["count"] \
                or obj._index.d != obj.dim:
            return None
        if obj.kind == "ivf":
            faiss.downcast_index(obj._index.index).make_direct_map()
        elif obj.kind != "flat":
            return None  # an index kind this version no longer builds: rebuild
        return obj


def unique_pairs(a: np.ndarray, b: np.ndarray, score: np.ndarray):
    """Pairs (a < b) sorted by (a, b), each once with its best score."""
    if not len(a):
        return a.astype(np.int64), b.astype(np.int64), score.astype(np.float32)
    order = np.lexsort((-score, b, a))
    a, b, score = a[order], b[order], score[order]
    first = np.ones(len(a), dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    return a[first], b[first], score[first]
