"""Applying the user's decisions to duplicate groups.

Owns: what "these are different" and "keep them all" mean for grouping. A pair of photos the
user called different is never an edge, so they never group together again; a group every one
of whose photos one decision covers is hidden from review (a new copy of them shows the group
again: it is something the user has not decided about). Decisions name content hashes, so they
hold across renames, moves and rescans. Must not: read or write the catalog (decisions are
handed in as records with `.kind` and `.hashes`).
"""
from __future__ import annotations

from typing import Callable, Optional, Sequence


def apart_test(decisions: Sequence) -> Optional[Callable[[Optional[str], Optional[str]], bool]]:
    """A (hash a, hash b) -> True test for pairs the user called different, or None."""
    sets = [d.hashes for d in decisions if d.kind == "different"]
    if not sets:
        return None
    by_hash: dict[str, list[int]] = {}
    for i, hashes in enumerate(sets):
        for h in hashes:
            by_hash.setdefault(h, []).append(i)

    def apart(a: Optional[str], b: Optional[str]) -> bool:
        if a is None or b is None or a == b:
            return False
        return bool(set(by_hash.get(a, ())) & set(by_hash.get(b, ())))

    return apart


def covering(group, decisions: Sequence):
    """The decision covering every photo of `group`, or None."""
    hashes = {f.content_hash for f in group.files}
    if None in hashes:
        return None
    return next((d for d in decisions if hashes <= d.hashes), None)


def visible(groups: Sequence, decisions: Sequence) -> list:
    """The groups still to review."""
    if not decisions:
        return list(groups)
    return [g for g in groups if covering(g, decisions) is None]
