"""The Library's indexes part: each model's vector index, kept in line with the catalog.

Owns: the loaded indexes, the lock held while an index is synced or queried (a scan adding
vectors to a FAISS index while a reader searches it would be undefined behaviour), rebuilding
an index that answers with impossible scores, and saving unsaved ones at close. Must not: run
SQL or FAISS itself (catalog/ and index/ do).
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable, Optional

from ..errors import LookalikeError
from ..index.sync import save_if_unsaved, synced_index
from ..index.vectors import IndexCorrupt, VectorIndex


class Indexes:
    def __init__(self, catalog, library_dir: Path) -> None:
        self.catalog = catalog
        self.library_dir = library_dir
        self.lock = threading.RLock()   # reentrant: a query may rebuild under it
        self._loaded: dict[str, VectorIndex] = {}
        self._on_rebuild: list[Callable[[str], None]] = []

    def on_rebuild(self, callback: Callable[[str], None]) -> None:
        """`callback(model)` runs when a damaged index was rebuilt (caches built on it go)."""
        self._on_rebuild.append(callback)

    def get(self, model: str, on_progress=None, cancel=None, rebuild: bool = False) -> Optional[VectorIndex]:
        """The model's index, caught up with the catalog; None when it has no vectors."""
        dim = self.catalog.embedding_dim(model)
        if dim is None:
            return None
        with self.lock:
            index = synced_index(self.catalog, self.library_dir, model, dim, self._loaded.get(model),
                                 on_progress=on_progress, cancel=cancel, rebuild=rebuild)
            self._loaded[model] = index
            return index

    def queried(self, model: str, index: VectorIndex, query, on_progress=None, cancel=None):
        """query(index) under the lock. An index answering with scores no cosine can have is
        damaged derived data: rebuilt from the catalog and asked once more."""
        with self.lock:
            try:
                return query(index)
            except IndexCorrupt:
                for callback in self._on_rebuild:
                    callback(model)
                index = self.get(model, on_progress, cancel, rebuild=True)
                try:
                    return query(index)
                except IndexCorrupt as exc:
                    raise damaged_vectors(model, exc) from exc

    def close(self) -> None:
        with self.lock:
            for index in self._loaded.values():
                try:
                    save_if_unsaved(index, self.library_dir)
                except OSError:
                    pass  # derived data: the next open catches up from the catalog


def damaged_vectors(model: str, exc: IndexCorrupt) -> LookalikeError:
    return LookalikeError(f"The {model} vector index is damaged and rebuilding it from the catalog "
                          f"did not help ({exc}); run `lookalike doctor --repair`.")
