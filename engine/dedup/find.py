"""Finding duplicates: candidate pairs -> scores from the catalog -> checks -> names -> groups.

Owns: the duplicate pipeline that `Library.duplicates` runs and the benchmarks and tests call:
the limits a request asks for (tier, threshold), the candidate pairs of a model's index and
their cache (brought up to date between calls), re-scoring every pair from the catalog's own
vectors, the geometric checks (checks.py), hardlinked names collapsing into one photo
(names.py), complete-linkage tiers (groups.py), and the result values (results.py).
Must not: run SQL, FAISS or OpenCV itself (it calls the catalog's and the index's methods it is
handed; checks.py and verify.py do the rest), take locks (the caller holds the index lock while
the index is read), or print.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable, Iterable, Optional, Sequence

from ..errors import UsageError
from ..index.pairs import PairCache, rescored
from ..jobs import CancelToken, ProgressCallback
from ..paths import inside_any
from ..results import TIERS, DuplicateFile, DuplicateGroup
from . import checks
from .groups import group as group_files
from .names import collapse as one_per_file
from ..scanning.raw import is_raw
from .units import Units

Pair = tuple[int, int, float]


@dataclass(frozen=True)
class Limits:
    """The cosine limits of one request: `loosest` is the loosest tier it reports."""
    near: float
    similar: float
    loosest: str            # "near" or "similar"

    @property
    def low(self) -> float:
        """The lowest score any reported pair needs."""
        return self.similar if self.loosest == "similar" else self.near


def check_request(tier: str, threshold: Optional[float]) -> None:
    if tier not in TIERS:
        raise UsageError(f"Unknown tier {tier!r}; choose one of: {', '.join(TIERS)}.")
    if threshold is not None and not -1.0 <= threshold <= 1.0:
        raise UsageError("A threshold is a cosine similarity between -1 and 1.")


def limits(tier: str, threshold: Optional[float], near: float, similar: float) -> Limits:
    """The limits for `tier` ("near" or looser) from the model's `near`/`similar` thresholds; a
    given `threshold` replaces the loosest tier's, and near can never be looser than similar."""
    check_request(tier, threshold)
    loosest = "similar" if tier in ("similar", "all") else "near"
    if threshold is not None:
        if loosest == "similar":
            similar, near = threshold, max(near, threshold)
        else:
            near, similar = threshold, min(similar, threshold)
    return Limits(near, similar, loosest)


class PairCaches:
    """Each model's candidate pairs of the last grouping, brought up to date on the next one
    when they can be (only changed vectors are queried)."""

    def __init__(self) -> None:
        self._by_model: dict[str, PairCache] = {}

    def forget(self, model: str) -> None:
        """After the model's index was rebuilt: the next call makes a full pass."""
        self._by_model.pop(model, None)

    def pairs(self, catalog, model: str, index, threshold: float) -> list[Pair]:
        """Every pair at or above `threshold` (the caller holds the index lock)."""
        cache = self._by_model.get(model)
        if cache is None or not cache.usable_for(index, threshold):
            cache = PairCache.build(index, threshold)
        elif not cache.current(index):
            ids, vectors, _ = catalog.vectors(model, index.dim, after_seq=cache.max_seq)
            cache = cache.updated(index, ids, vectors)
        self._by_model[model] = cache
        return cache.pairs(threshold)


def scored_pairs(catalog, model: str, dim: int, pairs: Sequence[Pair], low: float, near: float,
                 verify: bool = True, on_progress: Optional[ProgressCallback] = None,
                 cancel: Optional[CancelToken] = None) -> tuple[dict, list[Pair], dict]:
    """The candidate pairs scored again from the catalog's own vectors (the index is derived
    data: no group, and no removal proposal, rests on its file's bytes), then, with `verify`,
    doubtful near pairs demoted unless a geometric check found them one picture. Returns
    (records of the files in some pair, the pairs, each pair's cosine before demotion).
    Raises index.vectors.IndexCorrupt when the catalog's vectors are damaged."""
    pairs = rescored(pairs, *catalog.vectors_of(model, dim, {i for p in pairs for i in p[:2]}), low)
    # Only files in some pair can be in a group (byte-identical copies share their vector, so
    # they pair at 1.0): at 1M photos this loads thousands of records, not a million.
    records = catalog.files_by_ids(sorted({a for a, _, _ in pairs} | {b for _, b, _ in pairs}))
    cosine = {(a, b) if a < b else (b, a): s for a, b, s in pairs}
    if verify:
        pairs = checks.verified(catalog, records, pairs, near, on_progress, cancel)
    return records, list(pairs), cosine


def find(catalog, model: str, dim: int, candidates: Sequence[Pair], limit: Limits, *,
         verify: bool = True, references: Sequence[str] = (), roots: Optional[Sequence[str]] = None,
         units: Optional[Units] = None, apart: Optional[Callable[[str, str], bool]] = None,
         on_progress: Optional[ProgressCallback] = None,
         cancel: Optional[CancelToken] = None) -> list[DuplicateGroup]:
    """The near (and, when `limit.loosest` is similar, similar) groups among `candidates`
    (pairs at or above `limit.low`), largest reclaimable space first. `references`: reference
    folders; `roots`: the library's folders when links out of them are followed, else None;
    `units`: finds each photo's companions (a RAW and its JPEG group as one photo, led by the
    RAW); `apart(hash a, hash b)`: pairs the user called different, never grouped."""
    records, pairs, cosine = scored_pairs(catalog, model, dim, candidates, limit.low, limit.near,
                                          verify, on_progress, cancel)
    units = units or Units(catalog.file_by_path)
    files, names = one_per_file(list(records.values()))   # hardlinked names: one photo
    pairs = names.pairs(pairs)
    if apart is not None:
        pairs = [p for p in pairs if not apart(records[p[0]].content_hash, records[p[1]].content_hash)]
    files, pairs = _one_per_unit(files, pairs, units)
    raw = group_files([(r.id, r.content_hash) for r in files], pairs, near=limit.near,
                      similar=limit.similar if limit.loosest == "similar" else None)
    groups = []
    for g in raw:
        anchor = g.members[0].file_id
        # Show the embedding's own cosine; grouping may have used a demoted score.
        shown = [cosine.get((min(anchor, m.file_id), max(anchor, m.file_id)), m.similarity)
                 if m.match not in ("reference", "exact") else m.similarity for m in g.members]
        groups.append(DuplicateGroup(g.tier, tuple(
            duplicate_file(records[m.file_id], round(s, 4), m.match, references, names.of(m.file_id), roots,
                           units.companions(records[m.file_id]))
            for m, s in zip(g.members, shown))))
    return sorted(groups, key=order)


def _one_per_unit(files: list, pairs: list[Pair], units: Units) -> tuple[list, list[Pair]]:
    """A RAW and its JPEG are one photo: the JPEG's pairs become the RAW's, and the pair
    between them (a copy by every measure) is dropped."""
    present = {r.id for r in files}
    lead_of = {}
    for r in files:
        partner = units.partner(r) if is_raw(r.path) else None
        if partner is not None and partner.id in present:
            lead_of[partner.id] = r.id
    if not lead_of:
        return files, pairs
    moved = [(lead_of.get(a, a), lead_of.get(b, b), s) for a, b, s in pairs]
    return [r for r in files if r.id not in lead_of], [(a, b, s) for a, b, s in moved if a != b]


def exact_groups(hash_groups: Iterable[Sequence], references: Sequence[str] = (),
                 roots: Optional[Sequence[str]] = None, units: Optional[Units] = None) -> list[DuplicateGroup]:
    """Groups of byte-identical files (catalog records sharing a content hash)."""
    groups = [exact_group(records, references, roots, units) for records in hash_groups]
    return sorted((g for g in groups if len(g.files) > 1), key=order)


def exact_group(records: Sequence, references: Sequence[str] = (),
                roots: Optional[Sequence[str]] = None, units: Optional[Units] = None) -> DuplicateGroup:
    files, names = one_per_file(records)
    return DuplicateGroup("exact", tuple(duplicate_file(r, 1.0, "exact" if i else "reference", references,
                                                        names.of(r.id), roots,
                                                        units.companions(r) if units else ())
                                         for i, r in enumerate(files)))


def duplicate_file(record, similarity: float, match: str, references: Sequence[str],
                   others: Sequence = (), roots: Optional[Sequence[str]] = None,
                   companions: Sequence = ()) -> DuplicateFile:
    """`others`: the other names of this file; `roots`: the library's folders, against which
    the file's real path is checked (a followed link can lead out of them)."""
    paths = [record.path, *(o.path for o in others)]
    reference = any(inside_any(p, references) for p in paths)
    outside = roots is not None and not any(inside_any(os.path.realpath(p), roots) for p in paths)
    return DuplicateFile(record.id, record.path, similarity, match, record.width, record.height,
                         record.size, record.format, record.taken_at, record.camera,
                         record.exif_fields, record.has_gps, reference, record.content_hash,
                         tuple(o.path for o in others), tuple(o.id for o in others), outside,
                         tuple(companions))


def order(group: DuplicateGroup):
    """Largest reclaimable space first, then by the first file's path."""
    return (-group.reclaimable_bytes, group.files[0].path)
