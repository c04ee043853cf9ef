"""The Library's search part: photos by example image, by typed phrase, and two photos compared.

Owns: turning a path or a phrase into a query vector (a stored vector when the file is in the
library, else a fresh decode), ranking against the model's index, and scoring two photos with
every available model. Index queries hold the indexes part's lock. Must not: run SQL (catalog/
does) or touch FAISS directly (index/ does).
"""
from __future__ import annotations

import os
from typing import Callable, Optional

import numpy as np

from ..embedding.base import Embedder
from ..embedding.registry import TEXT_MODEL
from ..errors import LookalikeError, ModelUnavailable, NotScanned, UsageError
from ..index.vectors import VectorIndex
from ..jobs import CancelToken, ProgressCallback
from ..results import Comparison, ModelScore, SearchResult
from ..scanning.decode import DecodeError, decode
from ..scanning.fingerprint import content_hash
from .indexes import Indexes
from .models import Models


class Search:
    def __init__(self, catalog, indexes: Indexes, models: Models,
                 thresholds: Callable[[str], dict[str, float]]) -> None:
        self.catalog = catalog
        self.indexes = indexes
        self.models = models
        self.thresholds = thresholds

    def vector_for(self, path: os.PathLike | str, embedder: Embedder) -> tuple[np.ndarray, Optional[int]]:
        """The stored vector of a library file, else a fresh one from decoding the file."""
        real = os.path.realpath(os.fspath(path))
        record = self.catalog.file_by_path(real)
        if record is not None:
            stored = self.catalog.embedding(record.id, embedder.name)
            if stored is not None and stored.shape[0] == embedder.dim:
                return stored, record.id
        if not os.path.isfile(real):
            raise LookalikeError(f"{os.fspath(path)} is not a file.")
        try:
            decoded = decode(real, min_side=embedder.input_size)
        except DecodeError as exc:
            raise LookalikeError(f"{os.fspath(path)} cannot be used: {exc}.") from exc
        return embedder.embed_images([decoded.image])[0], record.id if record else None

    def similar(self, image: os.PathLike | str, limit: int = 20, model: Optional[str] = None,
                on_progress: Optional[ProgressCallback] = None,
                cancel: Optional[CancelToken] = None) -> list[SearchResult]:
        name = self.models.resolve(model)
        index = self.indexes.get(name, on_progress, cancel)
        if index is None:
            raise NotScanned(name, f"The library has no {name} vectors yet; run `lookalike scan` first.")
        real = os.path.realpath(os.fspath(image))
        record = self.catalog.file_by_path(real)
        stored = self.catalog.embedding(record.id, name) if record else None
        if stored is not None:
            vector, own_id = stored, record.id
        else:
            vector, own_id = self.vector_for(image, self.models.embedder(name))
        return self._ranked(index, vector, limit, exclude=own_id)

    def search_text(self, text: str, limit: int = 20,
                    on_progress: Optional[ProgressCallback] = None,
                    cancel: Optional[CancelToken] = None) -> list[SearchResult]:
        if not text.strip():
            raise UsageError("Type a few words to search for.")
        clip = self.models.embedder(TEXT_MODEL)
        index = self.indexes.get(TEXT_MODEL, on_progress, cancel)
        if index is None:
            raise LookalikeError("Text search needs CLIP vectors of the photos; run `lookalike scan` "
                                 "now that CLIP is available.")
        return self._ranked(index, clip.embed_text([text])[0], limit)

    def _ranked(self, index: VectorIndex, vector: np.ndarray, limit: int,
                exclude: Optional[int] = None) -> list[SearchResult]:
        if limit < 1:
            raise UsageError("The result limit must be at least 1.")
        k = limit + (1 if exclude is not None else 0)
        scores, ids = self.indexes.queried(index.model, index, lambda ix: ix.search(vector[None, :], k))
        pairs = [(int(i), float(s)) for s, i in zip(scores[0], ids[0]) if i >= 0 and i != exclude]
        records = self.catalog.files_by_ids(i for i, _ in pairs)
        return [SearchResult(records[i].path, s, i) for i, s in pairs if i in records][:limit]

    def compare(self, a: os.PathLike | str, b: os.PathLike | str) -> Comparison:
        """Scores two photos with the library's model, DINOv2, SSCD, pHash and CLIP (those
        available), each with the library's thresholds for it."""
        paths = [os.path.realpath(os.fspath(p)) for p in (a, b)]
        for given, real in zip((a, b), paths):
            if not os.path.isfile(real):
                raise LookalikeError(f"{os.fspath(given)} is not a file.")
        identical = content_hash(paths[0]) == content_hash(paths[1])
        names = list(dict.fromkeys([self.models.resolve(None), "dinov2-small", "sscd", "phash", TEXT_MODEL]))
        scores = []
        for name in names:
            try:
                embedder = self.models.embedder(name)
            except ModelUnavailable as exc:
                scores.append(ModelScore(name, None, f"unavailable: {exc}"))
                continue
            va, _ = self.vector_for(paths[0], embedder)
            vb, _ = self.vector_for(paths[1], embedder)
            similarity = float(np.dot(va, vb))
            limits = self.thresholds(name)
            verdict = ("near duplicate" if similarity >= limits["near"] else
                       "similar" if similarity >= limits["similar"] else "different")
            scores.append(ModelScore(name, similarity, verdict, limits["near"], limits["similar"]))
        if all(s.similarity is None for s in scores):
            raise ModelUnavailable(names[0], scores[0].verdict.removeprefix("unavailable: "))
        return Comparison(os.fspath(a), os.fspath(b), identical, tuple(scores))
