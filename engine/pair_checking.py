"""Burst-aware near tier: candidate pairs are verified geometrically before they count as near.

Owns: choosing which pairs need a check (near threshold <= cosine < SURE; above SURE the two
pictures are the same to any eye), looking verdicts up in the catalog's cache (keyed by the two
content hashes, so moves and rescans keep them), checking the rest with progress and cancel,
and demoting pairs found to be two different shots to just under the near threshold, where the
similar tier still sees them. Must not: run SQL or OpenCV itself (catalog/ and dedup/verify do).
"""
from __future__ import annotations

from typing import Optional, Sequence

from .jobs import CancelToken, ProgressCallback, Reporter

SURE = 0.97


def verified(catalog, records: dict, pairs: Sequence[tuple[int, int, float]], near: float,
             on_progress: Optional[ProgressCallback] = None,
             cancel: Optional[CancelToken] = None) -> list[tuple[int, int, float]]:
    def key(a: int, b: int) -> Optional[tuple[str, str]]:
        ha, hb = records[a].content_hash, records[b].content_hash
        if not ha or not hb or ha == hb:
            return None
        return (ha, hb) if ha < hb else (hb, ha)

    doubtful = [(a, b) for a, b, s in pairs if near <= s < SURE and key(a, b)]
    if not doubtful:
        return list(pairs)
    keys = {key(a, b): (a, b) for a, b in doubtful}
    verdicts = {k: v[0] for k, v in catalog.pair_checks(list(keys)).items()}
    missing = [k for k in keys if k not in verdicts]
    if missing:
        from .dedup.verify import Verifier

        verifier = Verifier()
        reporter = Reporter("verifying", len(missing), on_progress, cancel)
        batch = []
        for k in sorted(missing, key=lambda k: keys[k]):  # pairs sharing a file run together
            a, b = keys[k]
            verdict = verifier.check(records[a].path, records[b].path)
            verdicts[k] = verdict.kind
            batch.append((k[0], k[1], verdict.kind, verdict.aligned))
            if len(batch) >= 64:
                catalog.put_pair_checks(batch)
                batch = []
            reporter.advance()
        catalog.put_pair_checks(batch)
    demoted = min(near - 1e-4, SURE)
    out = []
    for a, b, score in pairs:
        k = key(a, b)
        if k is not None and near <= score < SURE and verdicts.get(k) == "different":
            score = min(score, demoted)
        out.append((a, b, score))
    return out
