"""Grouping files into duplicate tiers without chaining.

Owns: turning byte-identity and scored neighbour pairs into groups. Tiers:
- exact: the same bytes (same content hash);
- near: every pair in the group scores >= the near threshold (re-encodes, resizes, crops, edits);
- similar: every pair scores >= the similar threshold (same scene, e.g. burst shots), built on
  top of near groups and only when asked.
Method: complete-linkage agglomerative clustering over a sparse graph. Edges are taken in order
of falling similarity; two clusters merge only if *every* cross pair has an edge at or above the
threshold, so A~B and B~C never pull in C unless A~C too. Byte-identical files form one unit
first. Must not: read the catalog or the index (the library hands in ids, hashes and pairs).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence

@dataclass
class Member:
    file_id: int
    similarity: float   # to the group's anchor (1.0 for the anchor and its byte copies)
    match: str          # reference (the anchor itself) | exact | near | similar, relative to it


@dataclass
class Group:
    tier: str
    members: list[Member] = field(default_factory=list)

    @property
    def file_ids(self) -> list[int]:
        return [m.file_id for m in self.members]


def group(files: Sequence[tuple[int, Optional[str]]], pairs: Iterable[tuple[int, int, float]],
          near: float, similar: Optional[float] = None) -> list[Group]:
    """`files`: (file id, content hash) for every file with a vector; `pairs`: (a, b, cosine)
    candidate pairs at or above the lowest threshold in use. Returns groups of >= 2 files."""
    unit_of, units = _units(files)
    edges: dict[tuple[int, int], float] = {}
    for a, b, score in pairs:
        ua, ub = unit_of.get(a), unit_of.get(b)
        if ua is None or ub is None or ua == ub:
            continue
        key = (ua, ub) if ua < ub else (ub, ua)
        if score > edges.get(key, -2.0):
            edges[key] = score

    clusters = _agglomerate({u: [u] for u in units}, edges, near)
    if similar is not None and similar < near:
        clusters = _agglomerate(clusters, edges, similar, keep_levels=True)
    else:
        clusters = {k: [v] for k, v in clusters.items()}

    groups = []
    for levels in clusters.values():
        members_units = [u for level in levels for u in level]
        if sum(len(units[u]) for u in members_units) < 2:
            continue
        tier = "similar" if len(levels) > 1 else ("near" if len(members_units) > 1 else "exact")
        groups.append(_describe(tier, members_units, units, edges, near))
    return groups


def _units(files: Sequence[tuple[int, Optional[str]]]) -> tuple[dict[int, int], dict[int, list[int]]]:
    """Byte-identical files collapse into one unit, named by its smallest file id."""
    by_hash: dict[str, list[int]] = {}
    units: dict[int, list[int]] = {}
    for file_id, content_hash in files:
        if content_hash is None:
            units[file_id] = [file_id]
        else:
            by_hash.setdefault(content_hash, []).append(file_id)
    for ids in by_hash.values():
        ids.sort()
        units[ids[0]] = ids
    unit_of = {f: u for u, ids in units.items() for f in ids}
    return unit_of, units


def _agglomerate(start: dict, edges: dict[tuple[int, int], float], threshold: float,
                 keep_levels: bool = False) -> dict:
    """Complete-linkage merging. `start` maps cluster key -> list of units (or, with
    keep_levels, the result holds lists of the starting clusters)."""
    clusters = {k: ([list(v)] if keep_levels else list(v)) for k, v in start.items()}
    owner = {u: k for k, v in start.items() for u in v}

    def units_of(key):
        return [u for level in clusters[key] for u in level] if keep_levels else clusters[key]

    for (a, b), score in sorted(edges.items(), key=lambda kv: (-kv[1], kv[0])):
        if score < threshold:
            break
        ka, kb = owner[a], owner[b]
        if ka == kb:
            continue
        ua, ub = units_of(ka), units_of(kb)
        if all(edges.get((x, y) if x < y else (y, x), -2.0) >= threshold for x in ua for y in ub):
            keep, gone = (ka, kb) if ka < kb else (kb, ka)
            clusters[keep].extend(clusters.pop(gone))
            for u in (ub if gone == kb else ua):
                owner[u] = keep
    return clusters


def _describe(tier: str, member_units: list[int], units: dict[int, list[int]],
              edges: dict[tuple[int, int], float], near: float) -> Group:
    def score(x: int, y: int) -> float:
        return 1.0 if x == y else edges.get((x, y) if x < y else (y, x), 0.0)

    # The anchor is the unit most similar to all others (the medoid).
    anchor = max(member_units, key=lambda u: (sum(score(u, v) for v in member_units), -u))
    out = Group(tier)
    for u in sorted(member_units, key=lambda u: (u != anchor, -score(anchor, u), u)):
        s = score(anchor, u)
        match = "exact" if u == anchor else ("near" if s >= near else "similar")
        for file_id in units[u]:
            is_anchor = not out.members
            out.members.append(Member(file_id, round(s, 4), "reference" if is_anchor else match))
    return out
