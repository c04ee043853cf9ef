"""Comparing what is on disk with what the catalog knows: the incremental scan's plan.

Owns: deciding which files are unchanged, changed, new or gone, and which catalog entries
must be kept because their folder could not be listed. Must not: read file contents, touch
the catalog, or decide moves (moves need content hashes; scan.py matches them).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from ..catalog.store import FileRecord
from ..paths import covered_by
from .walk import FoundFile

# Failures about the bytes themselves stand until the file changes; any other (permission
# denied, vanished, out of memory, an I/O or codec error) says nothing about the photo, so the
# next scan tries the file again.
LASTING_FAILURES = ("empty file", "not a readable image", "truncated image data",
                    "corrupt image data", "refused as a possible decompression bomb")


def worth_retrying(record: FileRecord) -> bool:
    if record.content_hash is None:
        return True   # it could not even be read (permissions, I/O)
    return record.error is not None and not record.error.startswith(LASTING_FAILURES)


@dataclass
class Plan:
    unchanged: list[tuple[FoundFile, FileRecord]] = field(default_factory=list)
    changed: list[tuple[FoundFile, FileRecord]] = field(default_factory=list)
    retry: list[tuple[FoundFile, FileRecord]] = field(default_factory=list)  # unreadable last time
    new: list[FoundFile] = field(default_factory=list)
    gone: list[FileRecord] = field(default_factory=list)


def make_plan(found: Sequence[FoundFile], known: Iterable[FileRecord],
              incomplete: Sequence[str]) -> Plan:
    plan = Plan()
    by_path = {record.path: record for record in known}
    seen = set()
    for item in found:
        record = by_path.get(item.path)
        if record is None:
            plan.new.append(item)
            continue
        seen.add(item.path)
        if record.size != item.size or record.mtime_ns != item.mtime_ns:
            plan.changed.append((item, record))
        elif worth_retrying(record):
            plan.retry.append((item, record))
        else:
            plan.unchanged.append((item, record))
    shielded = covered_by(incomplete)
    for path, record in by_path.items():
        if path in seen:
            continue
        if shielded(path):
            continue  # its folder was unreadable or unplugged: absence proves nothing
        plan.gone.append(record)
    return plan
