"""Keeping a model's saved FAISS index in step with the catalog's vectors.

Owns: deciding whether the saved index is current, can catch up by adding the vectors
written since it was saved, or must be rebuilt (vectors removed or replaced, file missing or
corrupt, kind outgrown); and saving it: at once after a rebuild or a large catch-up, when the
library closes after a small one. A file that fails its checksum is rebuilt like a missing one;
an index that cannot be saved (a folder or file in the way, a read-only disk) is used from
memory and says why in `save_problem`: the path is never cleared of what is there, since it may
be the user's. Must not: run SQL (it calls the catalog store) or change any vector.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np

from ..jobs import CancelToken, ProgressCallback, Reporter
from .vectors import IVF_MIN, VectorIndex, lists_for

ADD_CHUNK = 20_000
# A catch-up this small is not written at once: rewriting a 1M-vector index (1.5 GB) for each
# watched change would cost seconds and disk wear. The library saves it on close, and if the
# app dies first, the next open catches up from the catalog again.
SAVE_AFTER = 2_000


def index_path(library_dir: Path, model: str) -> Path:
    return Path(library_dir) / "index" / f"{model}.faiss"


def synced_index(catalog, library_dir: Path, model: str, dim: int,
                 cached: Optional[VectorIndex] = None,
                 on_progress: Optional[ProgressCallback] = None,
                 cancel: Optional[CancelToken] = None, rebuild: bool = False) -> VectorIndex:
    """The model's index in step with the catalog; `rebuild` ignores the cached and saved
    copies (they answered with impossible scores)."""
    count, max_seq = catalog.embedding_state(model, dim)
    path = index_path(library_dir, model)
    if rebuild:
        index = None
    else:
        index = cached if cached is not None and cached.dim == dim else VectorIndex.load(path)
    if index is not None and (index.dim != dim or index.model != model):
        index = None
    if index is not None and index.count == count and index.max_seq == max_seq:
        return index
    if index is not None and index.max_seq <= max_seq and _wrong_kind(index, count) is False:
        ids, vectors, newest = catalog.vectors(model, dim, after_seq=index.max_seq)
        # Only additions can be caught up: any id already present means a replaced vector.
        if index.count + len(ids) == count and not np.isin(ids, index.ids()).any():
            _add(index, ids, vectors, newest, on_progress, cancel)
            if unsaved(index) >= SAVE_AFTER and not index.save_problem:
                _save(index, path)
            return index
    ids, vectors, newest = catalog.vectors(model, dim)
    index = VectorIndex(model, dim, expected=len(ids), sample=vectors)
    _add(index, ids, vectors, newest, on_progress, cancel)
    _save(index, path)
    return index


def unsaved(index: VectorIndex) -> int:
    """How many vectors the copy on disk lacks (catch-ups only add; rebuilds save at once)."""
    return index.count - index.saved_count


def save_if_unsaved(index: VectorIndex, library_dir: Path) -> bool:
    if not unsaved(index):
        return False
    return _save(index, index_path(library_dir, index.model))


def _save(index: VectorIndex, path: Path) -> bool:
    try:
        index.save(path)
    except OSError as exc:
        blocker = next((p for p in (path, path.parent) if p.exists() and
                        (p.is_dir() if p == path else not p.is_dir())), None)
        why = (f"a {'folder' if blocker.is_dir() else 'file'} named {blocker.name} is in the way"
               if blocker is not None else exc.strerror or str(exc))
        index.save_problem = (f"The vector index cannot be saved as {path} ({why}); it is rebuilt "
                              f"from the catalog each time the library opens.")
        return False
    index.save_problem = None
    return True


def _wrong_kind(index: VectorIndex, count: int) -> bool:
    """Flat past IVF_MIN, IVF below it, or IVF lists sized for a library half as big."""
    if (index.kind == "flat") == (count >= IVF_MIN):
        return True
    return index.kind == "ivf" and lists_for(count) > 2 * index.lists


def _add(index: VectorIndex, ids, vectors, newest: int, on_progress, cancel) -> None:
    reporter = Reporter("indexing", len(ids), on_progress, cancel)
    for start in range(0, len(ids), ADD_CHUNK):
        index.add(ids[start:start + ADD_CHUNK], vectors[start:start + ADD_CHUNK], 0)
        reporter.advance(len(ids[start:start + ADD_CHUNK]))
    index.max_seq = max(index.max_seq, newest)
