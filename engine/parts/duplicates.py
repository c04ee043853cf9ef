"""The Library's duplicates part: the duplicate pipeline (dedup/find.py) run on this library.

Owns: each model's near/similar thresholds (yours, else calibrated or fixed: calibrations.py
decides), taking the candidate pairs from the model's index under its lock (their cache lives
here, per model), and handing them, with the reference folders and the followed roots, to
dedup.find. Must not: run SQL or FAISS itself, or group on its own (dedup/ does).
"""
from __future__ import annotations

import dataclasses
from typing import Callable, Optional, Sequence

from ..dedup import decided, find, series
from ..dedup.units import Units
from ..errors import NotScanned
from ..index.vectors import IndexCorrupt
from ..jobs import CancelToken, ProgressCallback
from ..results import DuplicateGroup
from ..settings import Settings
from .calibrations import Calibrations
from .indexes import Indexes, damaged_vectors


def with_series(groups: Sequence[DuplicateGroup]) -> list[DuplicateGroup]:
    """Each group with .series set: two or more different pictures (content hashes) whose
    capture times chain within series.SERIES_GAP seconds."""
    return [dataclasses.replace(g, series=True)
            if len({f.content_hash for f in g.files}) > 1 and series.is_series(g.files) else g for g in groups]


class Duplicates:
    def __init__(self, catalog, settings: Settings, indexes: Indexes,
                 resolve_model: Callable[[Optional[str]], str],
                 references: Callable[[], list[str]], decisions: Callable[[], list]) -> None:
        """`decisions()`: the user's decisions (catalog/decisions.py records)."""
        self.catalog = catalog
        self.decisions = decisions
        self.settings = settings
        self.indexes = indexes
        self.resolve_model = resolve_model
        self.references = references
        self.pair_caches = find.PairCaches()
        indexes.on_rebuild(self.pair_caches.forget)
        self.calibrations = Calibrations(catalog, indexes.library_dir, lambda: self.settings, resolve_model)

    def thresholds(self, model: str, on_progress=None, cancel=None, measure: bool = True) -> dict[str, float]:
        return self.calibrations.thresholds(model, on_progress, cancel, measure)

    def followed_roots(self) -> Optional[list[str]]:
        """Folders to check real paths against, if links out of them are followed (else none is)."""
        return [f.path for f in self.catalog.folders()] if self.settings.follow_external_links else None

    def groups(self, tier: str = "near", threshold: Optional[float] = None, model: Optional[str] = None,
               on_progress: Optional[ProgressCallback] = None,
               cancel: Optional[CancelToken] = None) -> list[DuplicateGroup]:
        find.check_request(tier, threshold)
        decisions = self.decisions()
        units = Units(self.catalog.file_by_path, self.settings.pair_raw_jpeg)
        if tier == "exact":
            return decided.visible(find.exact_groups(self.catalog.hash_groups(), self.references(),
                                                     self.followed_roots(), units), decisions)
        name = self.resolve_model(model)
        base = self.thresholds(name, on_progress, cancel)
        limit = find.limits(tier, threshold, base["near"], base["similar"])
        with self.indexes.lock:
            index = self._index(name, on_progress, cancel)
            pairs = self.indexes.queried(name, index, lambda ix: self.pair_caches.pairs(self.catalog, name, ix, limit.low),
                                         on_progress, cancel)
        try:
            groups = find.find(self.catalog, name, index.dim, pairs, limit, verify=self.settings.verify_pairs,
                               references=self.references(), roots=self.followed_roots(), units=units,
                               apart=decided.apart_test(decisions), on_progress=on_progress, cancel=cancel)
            return with_series(decided.visible(groups, decisions))
        except IndexCorrupt as exc:
            raise damaged_vectors(name, exc) from exc

    def scored_pairs(self, model: Optional[str] = None, threshold: float = -1.0, verify: Optional[bool] = None,
                     on_progress: Optional[ProgressCallback] = None,
                     cancel: Optional[CancelToken] = None) -> tuple[dict, list[tuple[int, int, float]]]:
        """Every pair at or above `threshold` with the scores grouping uses (cosine from the
        catalog, demoted where the checks found two different shots), and the records of
        their files: what the quality benchmark ranks. No cache is kept for it."""
        name = self.resolve_model(model)
        near = self.thresholds(name)["near"]
        with self.indexes.lock:
            index = self._index(name, on_progress, cancel)
            pairs = self.indexes.queried(name, index, lambda ix: ix.pairs(threshold), on_progress, cancel)
        verify = self.settings.verify_pairs if verify is None else verify
        try:
            records, pairs, _ = find.scored_pairs(self.catalog, name, index.dim, pairs, threshold, near,
                                                  verify, on_progress, cancel)
        except IndexCorrupt as exc:
            raise damaged_vectors(name, exc) from exc
        return records, pairs

    def _index(self, name: str, on_progress, cancel):
        index = self.indexes.get(name, on_progress, cancel)
        if index is None:
            raise NotScanned(name, f"The library has no {name} vectors yet; run `lookalike scan "
                                   f"--model {name}` first.")
        return index
