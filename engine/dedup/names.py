"""Several names of one file: hardlinks (same device and inode) are one photo.

Owns: collapsing catalog records that name the same file into one entry (the lowest catalog
id speaks for it, so marks stay put) with its other names beside it, and mapping scored pairs
onto those entries. Two names of one file are never a duplicate of each other and free nothing
when one goes. Must not: touch files or the catalog (the library hands in records).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence


@dataclass
class Names:
    alias: dict[int, int] = field(default_factory=dict)     # another name's id -> the entry's id
    others: dict[int, list] = field(default_factory=dict)   # entry id -> records of its other names

    def of(self, file_id: int) -> list:
        return self.others.get(file_id, [])

    def pairs(self, pairs: Iterable[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
        """Pairs between entries; a pair of two names of one file is dropped."""
        out = []
        for a, b, score in pairs:
            a, b = self.alias.get(a, a), self.alias.get(b, b)
            if a != b:
                out.append((a, b, score))
        return out


def _key(record):
    # Size and content hash too: an inode the filesystem reused for another photo after a
    # delete the catalog has not seen yet must not make two photos one.
    if record.device is None or record.inode is None or record.content_hash is None:
        return None
    return record.device, record.inode, record.size, record.content_hash


def collapse(records: Sequence) -> tuple[list, Names]:
    """One record per file, in the order given (the lowest id of each file's names)."""
    primary: dict[tuple, object] = {}
    for record in records:
        key = _key(record)
        if key is not None and (key not in primary or record.id < primary[key].id):
            primary[key] = record
    names = Names()
    kept = []
    for record in records:
        key = _key(record)
        first = primary.get(key) if key is not None else None
        if first is None or first is record:
            kept.append(record)
        else:
            names.alias[record.id] = first.id
            names.others.setdefault(first.id, []).append(record)
    return kept, names
