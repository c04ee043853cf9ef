"""Burst-aware near tier: candidate pairs are verified geometrically before they count as near.

Owns: choosing which pairs need a check (near threshold <= cosine < SURE; above SURE the two
pictures are the same to any eye), looking verdicts up in the catalog's cache (keyed by the two
content hashes, so moves and rescans keep them), checking the rest with progress and cancel
(verdicts reached before a cancel are kept), and demoting pairs found to be two different shots
to just under the near threshold, where the similar tier still sees them. The checks are
bounded: a file is checked against its NEIGHBOURS closest look-alikes only; a pair left
unchecked is not near, it stays in the similar tier (review-only). A flat cluster of 800
look-alike pictures (bench/flat_cluster.py) asked for 319k checks, hours of work, before this
bound; 12k after it. There is no cap per regroup: a cap would make which copies are found
depend on how often the user regrouped. Long checks report progress and stop when cancelled.
Must not: run SQL or OpenCV itself (catalog/ and verify.py do).
"""
from __future__ import annotations

from typing import Optional, Sequence

from ..jobs import CancelToken, ProgressCallback, Reporter

SURE = 0.97
# A copy is among a photo's closest look-alikes; a photo with hundreds of pairs above the near
# threshold sits in a flat cluster (texture-less or templated pictures), not among hundreds of copies.
NEIGHBOURS = 20


def verified(catalog, records: dict, pairs: Sequence[tuple[int, int, float]], near: float,
             on_progress: Optional[ProgressCallback] = None,
             cancel: Optional[CancelToken] = None) -> list[tuple[int, int, float]]:
    def key(a: int, b: int) -> Optional[tuple[str, str]]:
        ha, hb = records[a].content_hash, records[b].content_hash
        if not ha or not hb or ha == hb:
            return None
        return (ha, hb) if ha < hb else (hb, ha)

    doubtful = [(a, b, s) for a, b, s in pairs if near <= s < SURE and key(a, b)]
    if not doubtful:
        return list(pairs)
    keys = {key(a, b): (a, b, s) for a, b, s in doubtful}
    verdicts = {k: v[0] for k, v in catalog.pair_checks(list(keys)).items()}
    candidates = _closest(doubtful)
    # Byte-identical copies share their keys: each pair of pictures is checked once.
    missing = sorted({key(a, b) for a, b, _ in candidates} - set(verdicts), key=lambda k: (-keys[k][2], k))
    if missing:
        from .verify import Verifier

        verifier = Verifier()
        reporter = Reporter("verifying", len(missing), on_progress, cancel)
        batch = []
        try:
            for k in sorted(missing, key=lambda k: keys[k][:2]):  # pairs sharing a file run together
                a, b, _ = keys[k]
                verdict = verifier.check(records[a].path, records[b].path)
                verdicts[k] = verdict.kind
                batch.append((k[0], k[1], verdict.kind, verdict.aligned))
                if len(batch) >= 64:
                    catalog.put_pair_checks(batch)
                    batch = []
                reporter.advance()
        finally:  # a cancelled regroup keeps the verdicts it reached
            catalog.put_pair_checks(batch)
        unchecked = len(keys) - len(verdicts)
        if unchecked:
            reporter.report(f"{unchecked} look-alike pairs count as similar, not near, without a geometric "
                            f"check (each photo is checked against its {NEIGHBOURS} closest look-alikes)", force=True)
    demoted = min(near - 1e-4, SURE)
    out = []
    for a, b, score in pairs:
        k = key(a, b)
        if k is not None and near <= score < SURE and verdicts.get(k, "different") == "different":
            score = min(score, demoted)   # two different shots, or not checked (yet)
        out.append((a, b, score))
    return out


def _closest(doubtful: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """The pairs among each file's NEIGHBOURS highest-scoring doubtful pairs (either end)."""
    by_file: dict[int, list[int]] = {}
    for i, (a, b, _) in enumerate(doubtful):
        by_file.setdefault(a, []).append(i)
        by_file.setdefault(b, []).append(i)
    chosen: set[int] = set()
    for indices in by_file.values():
        if len(indices) > NEIGHBOURS:
            indices = sorted(indices, key=lambda i: -doubtful[i][2])[:NEIGHBOURS]
        chosen.update(indices)
    return [doubtful[i] for i in sorted(chosen)]
