"""Burst-aware near tier: candidate pairs are verified geometrically before they count as near.

Owns: choosing which pairs need a check (near threshold <= cosine < SURE; above SURE the two
pictures are the same to any eye), looking verdicts up in the catalog's cache (keyed by the two
content hashes, so moves and rescans keep them), checking the rest with progress and cancel
(verdicts reached before a cancel are kept), and demoting pairs found to be two different shots
to just under the near threshold, where the similar tier still sees them.

Copies of one picture are copies of each other: pairs are checked closest first, and a pair
whose two pictures were both verified as copies of a third is not checked itself (a family of
22 copies needs about 21 checks, not 231). Only direct checks count, never an inferred verdict,
so a chain of copies of copies (each allowed to differ a little) never drifts into a match.
A picture is checked directly against at most CHECKS_PER_PICTURE look-alikes. A picture whose checks found NEIGHBOURS different shots
sits in a flat cluster (hundreds of look-alike but distinct pictures): it is not checked
further, and its remaining pairs stay in the similar tier (review-only). A flat cluster of 800
look-alikes (bench/flat_cluster.py) asked for 319k checks, hours of work, before these rules.
Bounding each picture's candidates instead (its 20 closest) split real copy families of more
than 21 and cost the quality benchmark 0.045 of F1. There is no cap per regroup: a cap would make
which copies are found depend on how often the user regrouped. Long checks report progress and
stop when cancelled.
Must not: run SQL or OpenCV itself (catalog/ and verify.py do).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Optional, Sequence

from ..jobs import CancelToken, ProgressCallback, Reporter

SURE = 0.97
COPIES = ("copy", "mirror")   # verdicts that make two pictures one picture
# A picture with this many different shots among its closest look-alikes sits in a flat cluster;
# one checked directly against CHECKS_PER_PICTURE look-alikes has met its copies by then (the
# rest are inferred through them, or stay in the similar tier).
NEIGHBOURS = 20
CHECKS_PER_PICTURE = 2 * NEIGHBOURS


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
    # Byte-identical copies share their keys (content hashes): each pair of pictures once.
    keys = {key(a, b): (a, b, s) for a, b, s in doubtful}
    verdicts = {k: v[0] for k, v in catalog.pair_checks(list(keys)).items()}
    copies_of: dict[str, set] = defaultdict(set)   # directly verified copies of each picture
    rejected, checked = Counter(), Counter()
    for (ha, hb), verdict in verdicts.items():
        checked.update((ha, hb))
        if verdict in COPIES:
            copies_of[ha].add(hb)
            copies_of[hb].add(ha)
        elif verdict == "different":
            rejected.update((ha, hb))
    pending = sorted(set(keys) - set(verdicts), key=lambda k: (-keys[k][2], k))   # closest first
    unchecked = 0
    if pending:
        from .verify import Verifier

        verifier = Verifier()
        reporter = Reporter("verifying", len(pending), on_progress, cancel)
        batch = []
        try:
            for k in pending:
                ha, hb = k
                if not copies_of[ha].isdisjoint(copies_of[hb]):
                    verdicts[k] = "copy"   # both copies of one picture: known without a check
                elif (rejected[ha] >= NEIGHBOURS or rejected[hb] >= NEIGHBOURS
                      or checked[ha] >= CHECKS_PER_PICTURE or checked[hb] >= CHECKS_PER_PICTURE):
                    unchecked += 1
                else:
                    a, b, _ = keys[k]
                    verdict = verifier.check(records[a].path, records[b].path)
                    verdicts[k] = verdict.kind
                    checked.update(k)
                    batch.append((ha, hb, verdict.kind, verdict.aligned))
                    if verdict.kind in COPIES:
                        copies_of[ha].add(hb)
                        copies_of[hb].add(ha)
                    elif verdict.kind == "different":
                        rejected.update(k)
                    if len(batch) >= 64:
                        catalog.put_pair_checks(batch)
                        batch = []
                reporter.advance()
        finally:  # a cancelled regroup keeps the verdicts it reached
            catalog.put_pair_checks(batch)
        if unchecked:
            reporter.report(f"{unchecked} look-alike pairs count as similar, not near, without a geometric "
                            f"check (each picture is checked against at most {CHECKS_PER_PICTURE} look-alikes)",
                            force=True)
    demoted = min(near - 1e-4, SURE)
    out = []
    for a, b, score in pairs:
        k = key(a, b)
        if k is not None and near <= score < SURE and verdicts.get(k, "different") == "different":
            score = min(score, demoted)   # two different shots, or not checked
        out.append((a, b, score))
    return out
