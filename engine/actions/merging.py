"""Metadata merges inside the clean-up journal: one entry per group, run before its copies go.

Owns: planning a group's merge as a journal entry (role "metadata": its path is the file that
gets written, the keeper itself or its XMP sidecar; its content_hash that file's bytes before,
or ABSENT for a sidecar that does not exist yet; its destination the verified copy of those
bytes kept until undo; its payload the fields, the mode and the units that wait for it), the
fall-backs (a sidecar for formats Lookalike does not write into, nothing for a keeper in a
reference folder), writing it with the original bytes copied aside first, undoing it only
when the file still holds what was written, and working out after a crash whether a planned
merge happened. Must not: run SQL, choose keepers or donors (dedup/keep.py does), or write
metadata itself (metadata.py does).
"""
from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from typing import Optional, Sequence

from ..scanning.fingerprint import content_hash
from ..scanning.raw import is_raw
from . import copying, metadata
from .xmp import MetadataError

ROLE = "metadata"
ABSENT = "absent"          # the content_hash of a sidecar that did not exist before the merge
MODES = ("sidecar", "file")
IN_FILE = {".jpg", ".jpeg", ".jpe", ".png", ".webp", ".tif", ".tiff"}   # metadata.WRITABLE's files


@dataclass(frozen=True)
class MergeStep:
    """A planned merge: what the journal entry holds, and the plan to show the user."""
    path: str                  # the file that gets written
    size: int
    content_hash: str          # its bytes now, or ABSENT
    destination: Optional[str]  # where its bytes are kept until undo (None for a new sidecar)
    payload: str
    plan: metadata.MergePlan
    mode: str                  # what is really written: 'sidecar' or 'file'


def plan_step(keeper: str, donors: Sequence[str], mode: str, backups: str, units: Sequence[int],
              reference: bool, notes: list) -> Optional[MergeStep]:
    """The merge of what `donors` carry into `keeper`, or None (nothing to copy, or a reason,
    appended to `notes` as (path, sentence), why nothing is written)."""
    name = os.path.basename(keeper)
    if reference:
        notes.append((keeper, "kept in a reference folder, which is never written to: the metadata of "
                              "its removed copies was not copied into it"))
        return None
    try:
        plan = metadata.plan_merge(keeper, donors)
    except MetadataError as exc:
        notes.append((keeper, f"its metadata cannot be read ({exc.reason}); nothing is copied into it"))
        return None
    notes.extend((donor, f"its metadata cannot be read ({why}); it gives nothing to {name}")
                 for donor, why in plan.skipped)
    if plan.empty:
        return None
    if mode == "file" and (is_raw(keeper) or os.path.splitext(keeper)[1].lower() not in IN_FILE):
        notes.append((keeper, "Lookalike does not write into this kind of file; its metadata goes to an "
                              "XMP sidecar instead"))
        mode = "sidecar"
    target = keeper if mode == "file" else metadata.sidecar_path(keeper)
    try:
        size, digest = os.path.getsize(target), content_hash(target)
        destination: Optional[str] = os.path.join(backups, f"{secrets.token_hex(8)}-{os.path.basename(target)}")
    except FileNotFoundError:
        size, digest, destination = 0, ABSENT, None
    payload = {"mode": mode, "units": list(units),
               "fields": {k: list(v) if isinstance(v, tuple) else v for k, v in plan.fields.items()}}
    return MergeStep(target, size, digest, destination, json.dumps(payload), plan, mode)


def units(entry) -> list[int]:
    """The units (removed photos) that wait for this merge."""
    return list(json.loads(entry.payload or "{}").get("units", ()))


def in_file(entry) -> bool:
    return json.loads(entry.payload or "{}").get("mode") == "file"


def _plan_of(entry) -> metadata.MergePlan:
    fields = json.loads(entry.payload)["fields"]
    return metadata.MergePlan(entry.keeper, {k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()})


def state(path: str) -> str:
    """The hash of what is at `path` now, or ABSENT."""
    if not os.path.lexists(path):
        return ABSENT
    return content_hash(path)


def perform(entry) -> str:
    """Writes the merge, its file's earlier bytes copied aside (verified) first; returns the
    file's hash afterwards. Raises OSError with a sentence when nothing could be written."""
    name = os.path.basename(entry.path)
    if state(entry.path) != entry.content_hash:
        raise OSError(f"{name} changed since the plan; nothing was copied into it")
    if entry.path != entry.keeper and metadata.sidecar_path(entry.keeper) != entry.path:
        raise OSError(f"another sidecar of {os.path.basename(entry.keeper)} appeared; nothing was copied into it")
    if entry.destination:
        os.makedirs(os.path.dirname(entry.destination), exist_ok=True)
        copying.copy_verified(entry.path, entry.destination, entry.content_hash)
    try:
        if in_file(entry):
            metadata.write_in_file(_plan_of(entry))
        else:
            metadata.write_sidecar(_plan_of(entry))
    except MetadataError as exc:
        _drop_copy(entry)   # the file is as it was: its copy is not needed
        raise OSError(str(exc)) from exc
    return state(entry.path)


def resolve(entry) -> Optional[str]:
    """After a crash, for a merge still 'planned': its file's hash when the write happened
    (its earlier bytes are safe in their copy), else None (a copy made before the crash goes)."""
    now = state(entry.path)
    if now == entry.content_hash:
        _drop_copy(entry)
        return None
    kept = entry.destination is None or _holds(entry.destination, entry.content_hash)
    return now if kept and now != ABSENT else None


def already_back(entry) -> bool:
    """The file holds its earlier bytes again (an undo killed before the journal said so)."""
    if state(entry.path) != entry.content_hash:
        return False
    _drop_copy(entry)
    return True


def restore(entry) -> None:
    """Puts the file's earlier bytes back (or removes the sidecar the merge created), only
    when it still holds exactly what the merge wrote."""
    name = os.path.basename(entry.path)
    if state(entry.path) != entry.written_hash:
        kept = f" (its bytes from before the merge are kept at {entry.destination})" if entry.destination else ""
        raise OSError(f"{name} changed after the merge; left as it is{kept}")
    if entry.content_hash == ABSENT:
        os.unlink(entry.path)   # the sidecar the merge made, unchanged since
        return
    if not _holds(entry.destination, entry.content_hash):
        raise OSError(f"the copy of {name} from before the merge is missing or changed; left as it is")
    copying.put_back(entry.destination, entry.path, entry.content_hash)
    _drop_copy(entry)


def _holds(path: Optional[str], digest: str) -> bool:
    try:
        return bool(path) and os.path.isfile(path) and content_hash(path) == digest
    except OSError:
        return False


def _drop_copy(entry) -> None:
    """Removes our copy of the file's earlier bytes once the file itself holds them again, so
    it is never the last copy of anything."""
    if entry.destination and _holds(entry.destination, entry.content_hash) \
            and state(entry.path) == entry.content_hash:
        os.unlink(entry.destination)
