"""Clean-up batches: plan and run trash / move / hardlink actions (recovery.py undoes them).

Owns: which marked files may really be touched (never a reference file, never a group's last
file, hardlinks only onto byte-identical keepers on the same filesystem), the journal protocol
(every entry written before the batch runs, updated after each file), re-checking size and
hash right before touching a file, and moves across filesystems that copy, verify, then
remove. A crash leaves the batch "running"; recovery.py works out what happened from the disk. Must not: run
SQL (the Ledger does) or pick keepers (dedup/keep.py does).
"""
from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from typing import Optional, Sequence

from ..jobs import CancelToken, ProgressCallback, Reporter
from ..paths import inside, inside_any, os_reason
from ..scanning.fingerprint import content_hash
from . import copying, merging, trash

ACTIONS = ("trash", "move", "hardlink")
# Batches whose files moved to a destination path: clean-up's "move to a folder" and sorting
# into tag folders (organise.py). Undo and recovery treat them alike.
MOVES = ("move", "organise")


@dataclass(frozen=True)
class PlannedItem:
    path: str
    size: int
    content_hash: str
    keeper: Optional[str]      # the file kept in its group (the hardlink target)
    destination: Optional[str] = None
    keeper_hash: Optional[str] = None   # the keeper as planned: re-checked before each file
    keeper_size: Optional[int] = None
    counted: bool = True       # False for the other names of a hardlinked file: one file's bytes
    unit: Optional[int] = None  # the photo's number in the batch; its companions share it
    role: str = "photo"        # photo | partner | live | sidecar (they move only with their photo) | metadata
    payload: Optional[str] = None   # metadata: what merging.perform writes


@dataclass
class CleanPlan:
    action: str
    target: Optional[str]
    items: list[PlannedItem] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    merges: list = field(default_factory=list)    # merging.MergeStep, one per keeper that receives metadata
    notes: list[tuple[str, str]] = field(default_factory=list)   # said, but nothing is skipped for them

    @property
    def bytes_freed(self) -> int:
        return sum(i.size for i in self.items if i.counted)

    @property
    def files(self) -> list[PlannedItem]:
        """The files that go (the metadata entries are writes, not removals)."""
        return [i for i in self.items if i.role != merging.ROLE]


@dataclass
class BatchReport:
    batch_id: Optional[int]
    action: str
    done: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    bytes_freed: int = 0
    notes: list[tuple[str, str]] = field(default_factory=list)  # found, reported, left alone
    failed: int = 0            # entries whose action failed (also listed in `skipped`)
    merged: list[str] = field(default_factory=list)   # keepers that received their copies' metadata


def _between_steps(entry_path: str) -> None:
    """Called after a file was touched and before the journal says so: the one moment a crash
    can leave the journal behind the disk (tests raise here to simulate that crash)."""


def plan(groups: Sequence, marks: dict[int, str], keepers: dict[int, object], action: str,
         target: Optional[str], roots: Sequence[str], references: Sequence[str] = (),
         merge: Optional[str] = None, backups: Optional[str] = None) -> CleanPlan:
    """`groups`: DuplicateGroups; `keepers`: group index -> proposed keeper (DuplicateFile).
    Decided on real files, whatever the catalog says: a file is touched only when each of its
    names is a regular file (never a symlink) whose real path lies inside the library's folders
    (`roots`) and outside every reference folder; a group always keeps one such file; removing
    a hardlinked file removes every name of it. `merge` ('sidecar' | 'file'): what only the
    removed copies carry is written into the keeper first (its earlier bytes kept in `backups`),
    and the copies go only once that worked."""
    result = CleanPlan(action, target)
    planned_dest: set[str] = set()
    places = _Places(roots, references)
    units = 0   # each removed photo's number: its companions share it
    for index, group in enumerate(groups):
        chosen = []
        for f in (f for f in group.files if _mark_of(f, marks) == "remove"):
            why = "in a reference folder: never touched" if f.reference else places.untouchable(f)
            if why:
                result.skipped.append((f.path, why))
            else:
                chosen.append(f)
        survivors = [f for f in group.files if f not in chosen and places.can_keep(f)]
        kept = [f for f in survivors if _mark_of(f, marks) == "keep"] or survivors
        if not kept:
            if not chosen:
                continue
            last = keepers[index] if keepers[index] in chosen else chosen[0]
            chosen = [f for f in chosen if f is not last]
            result.skipped.append((last.path, "kept: a group never loses its last file"))
            kept = [last]
        keeper = keepers[index] if keepers[index] in kept else kept[0]
        start, first_unit, donors = len(result.items), units, []
        for f in chosen:
            if action == "hardlink":
                if f.content_hash != keeper.content_hash:
                    result.skipped.append((f.path, "not byte-identical to the kept file; a hardlink "
                                                   "would replace this photo with another"))
                    continue
                if not _same_filesystem(f.path, keeper.path):
                    result.skipped.append((f.path, "on another filesystem than the kept file; "
                                                   "hardlinks cannot cross filesystems"))
                    continue
            companions = () if action == "hardlink" else getattr(f, "companions", ())
            why = next((f"{c.path}: {places.problem(c.path)}" for c in companions if places.problem(c.path)), None)
            if why:
                result.skipped.append((f.path, f"kept with what belongs to it, which cannot move ({why})"))
                continue
            unit, units = units, units + 1
            donors.append(f.path)
            for name in _names(f):
                destination = _move_destination(name, target, roots, planned_dest) if action == "move" else None
                result.items.append(PlannedItem(name, f.bytes, f.content_hash, keeper.path, destination,
                                                keeper.content_hash, keeper.bytes, counted=name == f.path,
                                                unit=unit))
            for c in companions:
                destination = _move_destination(c.path, target, roots, planned_dest) if action == "move" else None
                result.items.append(PlannedItem(c.path, c.bytes, content_hash(c.path), keeper.path, destination,
                                                unit=unit, role=c.role))
        if merge and donors and action != "hardlink":
            _plan_merge(result, start, keeper, donors, merge, backups, range(first_unit, units), places)
    grouped = {i for g in groups for f in g.files for i in (f.file_id, *getattr(f, "other_ids", ()))}
    for file_id, mark in marks.items():
        if mark == "remove" and file_id not in grouped:
            result.skipped.append((f"file #{file_id}", "marked for removal but no longer in a duplicate group"))
    return result


def _plan_merge(result: CleanPlan, start: int, keeper, donors, merge, backups, units, places) -> None:
    """The group's metadata entry, placed before its removals (they wait for it)."""
    reference = bool(keeper.reference) or places.problem(keeper.path) is not None
    step = merging.plan_step(keeper.path, donors, merge, backups, list(units), reference, result.notes)
    if step is None:
        return
    if any(i.path == step.path for i in result.items):
        result.notes.append((keeper.path, f"its sidecar {step.path} also belongs to a removed copy; "
                                          "nothing is copied into it"))
        return
    result.merges.append(step)
    result.items.insert(start, PlannedItem(step.path, step.size, step.content_hash, keeper.path,
                                           step.destination, counted=False, role=merging.ROLE,
                                           payload=step.payload))


def _names(f) -> tuple[str, ...]:
    return (f.path, *getattr(f, "other_names", ()))


def _mark_of(f, marks: dict[int, str]) -> Optional[str]:
    """A file's mark, set on any of its names."""
    for file_id in (f.file_id, *getattr(f, "other_ids", ())):
        if file_id in marks:
            return marks[file_id]
    return None


class _Places:
    """The library's folders and reference folders, compared by real path."""

    def __init__(self, roots: Sequence[str], references: Sequence[str]) -> None:
        self.roots = [os.path.realpath(r) for r in roots]
        self.references = [os.path.realpath(r) for r in references]

    def problem(self, name: str) -> Optional[str]:
        try:
            info = os.lstat(name)
        except OSError:
            return "vanished since the scan"
        if stat.S_ISLNK(info.st_mode):
            return "a symbolic link, not the photo itself: never touched"
        if not stat.S_ISREG(info.st_mode):
            return "not a regular file: never touched"
        real = os.path.realpath(name)
        if not inside_any(real, self.roots):
            return f"its real file {real} lies outside the library's folders: never touched"
        if inside_any(real, self.references):
            return "in a reference folder: never touched"
        if real != os.path.abspath(name):
            return f"reached through a symbolic link (the file itself is {real}): never touched"
        return None

    def untouchable(self, f) -> Optional[str]:
        """Why no name of this file may be touched, or None."""
        return next((why for why in map(self.problem, _names(f)) if why), None)

    def can_keep(self, f) -> bool:
        """A copy the library really holds: some name of it is a regular file inside its folders."""
        return any(self.problem(n) in (None, "in a reference folder: never touched") for n in _names(f))


def _same_filesystem(a: str, b: str) -> bool:
    try:
        return os.stat(a).st_dev == os.stat(b).st_dev
    except OSError:
        return False


def _move_destination(path: str, target: str, roots: Sequence[str], taken: set[str]) -> str:
    """target/<library folder name>/<path inside it>, never onto an existing file."""
    root = max((r for r in roots if inside(path, r)), key=len, default=None)
    relative = os.path.relpath(path, os.path.dirname(root)) if root else os.path.basename(path)
    return unique_name(os.path.join(target, relative), taken)


def unique_name(candidate: str, taken: set[str]) -> str:
    """`candidate`, or `name (1).ext`, `name (2).ext`...: never an existing or planned path."""
    stem, ext = os.path.splitext(candidate)
    n = 1
    while os.path.lexists(candidate) or candidate in taken:
        candidate = f"{stem} ({n}){ext}"
        n += 1
    taken.add(candidate)
    return candidate


def run(plan_: CleanPlan, ledger, on_progress: Optional[ProgressCallback] = None,
        cancel: Optional[CancelToken] = None) -> BatchReport:
    report = BatchReport(None, plan_.action, skipped=list(plan_.skipped))
    entries = []
    for item in plan_.items:
        try:
            mtime = 0 if item.content_hash == merging.ABSENT else os.stat(item.path).st_mtime_ns
        except OSError as exc:
            report.skipped.append((item.path, os_reason(exc)))
            continue
        entries.append({"path": item.path, "size": item.size, "mtime_ns": mtime,
                        "content_hash": item.content_hash, "keeper": item.keeper,
                        "destination": item.destination, "keeper_hash": item.keeper_hash,
                        "keeper_size": item.keeper_size, "unit": item.unit, "role": item.role,
                        "payload": item.payload})
    if not entries:
        return report
    report.batch_id = ledger.start_batch(plan_.action, plan_.target, entries)
    _run_entries(ledger, report.batch_id, plan_.action, ledger.entries(report.batch_id), report,
                 on_progress, cancel)
    ledger.finish_batch(report.batch_id, "done")
    return report


def _run_entries(ledger, batch_id, action, entries, report, on_progress, cancel) -> None:
    verb = {"move": "moving", "organise": "sorting"}.get(action, f"{action}ing")
    reporter = Reporter(verb, len(entries), on_progress, cancel)
    moved: dict[int, bool] = {}   # unit -> did its photo go (its companions follow it)
    waiting: dict[int, str] = {}  # unit -> why its metadata could not be copied to its keeper
    rewritten: dict[str, str] = {}   # keeper -> its hash after a merge into the file itself
    for entry in entries:
        if entry.role in (None, "photo") and entry.unit is not None:
            moved[entry.unit] = moved.get(entry.unit, False) or entry.state == "done"
        if entry.role == merging.ROLE:
            _merge(ledger, entry, report, waiting, rewritten)
            if entry.state == "planned":
                reporter.advance()
            continue
        if entry.state != "planned":
            continue
        problem = _changed(entry, rewritten.get(entry.keeper))
        if problem is None and entry.unit in waiting and entry.role in (None, "photo"):
            problem = f"kept: its metadata could not be copied into {entry.keeper} first ({waiting[entry.unit]})"
        if problem is None and entry.role not in (None, "photo") and not moved.get(entry.unit):
            problem = "stays with its photo, which was not removed"
        if problem:
            ledger.update_entry(entry.id, "skipped", error=problem)
            report.skipped.append((entry.path, problem))
            reporter.advance()
            continue
        try:
            destination = _perform(action, entry)
        except OSError as exc:
            ledger.update_entry(entry.id, "failed", error=os_reason(exc))
            report.skipped.append((entry.path, os_reason(exc)))
            report.failed += 1
        else:
            _between_steps(entry.path)
            ledger.update_entry(entry.id, "done", destination=destination)
            report.done.append(entry.path)
            report.bytes_freed += entry.size
            if entry.role in (None, "photo") and entry.unit is not None:
                moved[entry.unit] = True
        reporter.advance()


def _merge(ledger, entry, report, waiting: dict, rewritten: dict) -> None:
    """Runs a group's metadata entry (a done one only tells what its keeper holds now)."""
    if entry.state == "planned":
        try:
            written = merging.perform(entry)
        except OSError as exc:
            ledger.update_entry(entry.id, "failed", error=os_reason(exc))
            report.skipped.append((entry.path, os_reason(exc)))
            report.failed += 1
            waiting.update(dict.fromkeys(merging.units(entry), os_reason(exc)))
            return
        _between_steps(entry.path)
        ledger.update_entry(entry.id, "done", written_hash=written)
        report.merged.append(entry.keeper)
        if entry.path == entry.keeper:
            rewritten[entry.keeper] = written
    elif entry.state == "done" and entry.path == entry.keeper:
        rewritten[entry.keeper] = entry.written_hash
    elif entry.state in ("failed", "skipped"):
        waiting.update(dict.fromkeys(merging.units(entry), entry.error or "it failed"))


def _changed(entry, keeper_now: Optional[str] = None) -> Optional[str]:
    """Re-checks a file right before touching it: a regular file with the same size and bytes
    as when scanned, and (in every mode) its keeper still a regular file, another file than
    this one, holding the bytes it was planned with (`keeper_now` once a merge rewrote it):
    removing the copies of a picture whose keeper was overwritten or replaced by a link would
    lose that picture."""
    try:
        info = os.lstat(entry.path)
        if not stat.S_ISREG(info.st_mode):
            return "no longer a regular file (a link or something else is in its place); skipped"
        if info.st_size != entry.size or content_hash(entry.path) != entry.content_hash:
            return "changed since the scan; skipped (scan again to review it)"
    except FileNotFoundError:
        return "vanished since the scan"
    except OSError as exc:
        return os_reason(exc)
    if not entry.keeper or entry.keeper == entry.path:
        return None
    try:
        kept = os.lstat(entry.keeper)
        if not stat.S_ISREG(kept.st_mode):
            return f"the kept file {entry.keeper} is no longer a regular file; skipped"
        if os.path.samestat(kept, info):
            return f"the same file as the kept {entry.keeper} (another name of it); nothing to do"
        digest, size = getattr(entry, "keeper_hash", None), getattr(entry, "keeper_size", None)
        if keeper_now is not None:
            digest, size = keeper_now, kept.st_size
        if digest is not None and (kept.st_size != size or content_hash(entry.keeper) != digest):
            return f"the kept file {entry.keeper} changed since the scan; skipped (scan again to review it)"
    except FileNotFoundError:
        return f"the kept file {entry.keeper} is gone; skipped"
    except OSError as exc:
        return f"the kept file {entry.keeper} cannot be checked ({os_reason(exc)}); skipped"
    return None


def _perform(action: str, entry) -> Optional[str]:
    if action == "trash":
        return trash.send(entry.path)
    if action in MOVES:
        os.makedirs(os.path.dirname(entry.destination), exist_ok=True)
        if os.path.lexists(entry.destination):
            raise FileExistsError(f"{entry.destination} appeared meanwhile; nothing overwritten")
        _move_verified(entry.path, entry.destination, entry.content_hash)
        return entry.destination
    if content_hash(entry.keeper) != entry.content_hash:
        raise OSError(f"the kept file {entry.keeper} changed; no hardlink made")
    if not all(stat.S_ISREG(os.lstat(p).st_mode) for p in (entry.keeper, entry.path)):
        raise OSError("only a regular file is linked onto a regular file; no hardlink made")
    tmp = os.path.join(os.path.dirname(entry.path), f".lookalike-link-{os.getpid()}-{entry.id}")
    os.link(entry.keeper, tmp)
    os.replace(tmp, entry.path)  # atomic: the path always holds the photo's bytes
    return entry.keeper


def _move_verified(source: str, destination: str, digest: str) -> None:
    try:
        os.rename(source, destination)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:  # another filesystem: copy, verify, then remove
            raise
    copying.copy_verified(source, destination, digest)
    os.unlink(source)  # only once the copy holds the same bytes under its final name
