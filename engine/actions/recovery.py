"""Undo and recovery of clean-up batches: putting files back, and working out after a crash
what really happened and what it left behind.

Owns: restoring each file of a batch with hash verification; recognising a file an earlier,
interrupted undo already put back (so a second undo completes the batch); resolving a crashed
batch's entries from the disk; and clearing what a crash leaves around a batch (our hidden
temporaries, .trashinfo files without their file, a verified stray copy of a cross-device
move) while reporting, never deleting, anything that is not ours. Must not: run SQL (the
Ledger does) or plan batches (cleanup.py does).
"""
from __future__ import annotations

import os
from typing import Optional

from ..jobs import Reporter
from ..paths import os_reason
from ..scanning.fingerprint import content_hash
from . import cleanup, copying, merging, trash
from .cleanup import BatchReport


def undo(ledger, batch, on_progress=None, cancel=None, final_state: str = "undone") -> BatchReport:
    """Puts every file of a batch back, verifying each one's hash; the journal records each."""
    report = BatchReport(batch.id, batch.action, notes=sweep(batch, ledger.entries(batch.id)))
    entries = [e for e in ledger.entries(batch.id) if e.state == "done"]
    reporter = Reporter("restoring", len(entries), on_progress, cancel)
    for entry in reversed(entries):
        try:
            if not _already_back(batch.action, entry):
                _restore(batch.action, entry)
        except OSError as exc:
            ledger.update_entry(entry.id, "done", error=f"undo failed: {os_reason(exc)}")
            report.skipped.append((entry.path, os_reason(exc)))
        else:
            ledger.update_entry(entry.id, "undone")
            report.done.append(entry.path)
        reporter.advance()
    if not report.skipped:
        ledger.finish_batch(batch.id, final_state)
    return report


def _restore(action: str, entry) -> None:
    if entry.role == merging.ROLE:
        merging.restore(entry)
        return
    if action == "hardlink":
        try:  # a fresh copy of the bytes, its own inode again
            copying.replace_with_copy(entry.path, entry.content_hash, entry.mtime_ns)
        except copying.NotVerified:
            raise OSError("the kept file no longer holds the same bytes; not restored") from None
        return
    where = entry.destination
    if not where or not os.path.lexists(where):
        raise OSError("not found in the trash; restore it from the system Trash by hand"
                      if action == "trash" else f"{where} is gone")
    if content_hash(where) != entry.content_hash:
        raise OSError(f"{where} no longer holds the same bytes; not restored")
    if action == "trash":
        trash.restore(where, entry.path)
    else:
        if os.path.lexists(entry.path):
            raise FileExistsError(f"something else is now at {entry.path}")
        os.makedirs(os.path.dirname(entry.path), exist_ok=True)
        cleanup._move_verified(where, entry.path, entry.content_hash)


def _already_back(action: str, entry) -> bool:
    """True when a crash came after this file was put back but before the journal said so:
    its path holds the journaled bytes again. A verified copy left where it had gone (an
    undo across filesystems killed before removing its source) is removed; anything else
    there is left alone."""
    if entry.role == merging.ROLE:
        return merging.already_back(entry)
    if action == "hardlink" or not _holds(entry.path, entry.content_hash):
        return False
    where = entry.destination
    if action == "trash":
        if where and not os.path.lexists(where):
            trash.drop_orphan_infos([entry.path])
        return True
    if where and _holds(where, entry.content_hash) and not os.path.samefile(where, entry.path):
        os.unlink(where)
    return True


def _holds(path: Optional[str], digest: str) -> bool:
    try:
        return bool(path) and os.path.isfile(path) and not os.path.islink(path) \
            and content_hash(path) == digest
    except OSError:
        return False


def sweep(batch, entries) -> list[tuple[str, str]]:
    """What a crash can leave around a batch's files: our hidden temporaries (removed) and
    .trashinfo files whose file never moved (removed). Returns notes on what was left alone."""
    folders = [os.path.dirname(p) for e in entries for p in (e.path, e.destination) if p]
    _removed, alive = copying.sweep(folders)
    if batch.action == "trash":
        trash.drop_orphan_infos(e.path for e in entries if e.role != merging.ROLE and os.path.lexists(e.path))
    return [(path, "a temporary file of another running Lookalike; left alone") for path in alive]


def resolve_interrupted(ledger, batch) -> list[tuple[str, str]]:
    """After a crash: entries still 'planned' whose action did happen are marked done, and
    what the crash left behind is cleaned up. Returns notes on what was found and left alone."""
    entries = ledger.entries(batch.id)
    notes = sweep(batch, entries)
    for entry in entries:
        if entry.state != "planned":
            continue
        happened, where = False, None
        if entry.role == merging.ROLE:
            written = merging.resolve(entry)
            if written is not None:
                ledger.update_entry(entry.id, "done", written_hash=written)
            continue
        if batch.action == "trash" and not os.path.lexists(entry.path):
            where = trash.find(entry.path)
            happened = where is not None
        elif batch.action in cleanup.MOVES and not os.path.lexists(entry.path):
            where = entry.destination
            happened = bool(where) and os.path.exists(where)
        elif batch.action in cleanup.MOVES and entry.destination and os.path.lexists(entry.destination):
            notes += _stray_copy(entry)
        elif batch.action == "hardlink" and entry.keeper and os.path.exists(entry.path):
            happened = os.path.samefile(entry.path, entry.keeper)
            where = entry.keeper
        if happened:
            ledger.update_entry(entry.id, "done", destination=where)
    return notes


def _stray_copy(entry) -> list[tuple[str, str]]:
    """A move across filesystems killed after its copy got its name but before the original
    was removed: both hold the same bytes, so the copy goes and the photo stays where it was.
    Anything else at the destination is not ours."""
    destination = entry.destination
    if (_holds(destination, entry.content_hash) and _holds(entry.path, entry.content_hash)
            and not os.path.samefile(destination, entry.path)):
        os.unlink(destination)
        return []
    return [(destination, f"not ours (it is not a copy of {entry.path}); left alone")]


def complete(ledger, batch, on_progress=None, cancel=None) -> BatchReport:
    report = BatchReport(batch.id, batch.action)
    cleanup._run_entries(ledger, batch.id, batch.action, ledger.entries(batch.id), report, on_progress, cancel)
    ledger.finish_batch(batch.id, "done")
    return report
