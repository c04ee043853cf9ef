"""The Library's clean-up part: reference folders, keep-best proposals, marks, clean, undo.

Owns: joining duplicate groups, presets, marks and the journal into the calls the CLI and the
GUI make, and the checked catalog backup before a change to the user's files. Every call that
changes files or the ledger holds the writer lock. Must not: touch files itself (actions/
does), run SQL (catalog/ does) or group (it asks the Library's door for groups, so what it
proposes is what `Library.duplicates` shows).
"""
from __future__ import annotations

import contextlib
import json
import os
from typing import Callable, Optional, Sequence

from ..actions import cleanup as actions
from ..actions import merging, organise, recovery
from ..catalog import moves, removed
from ..catalog.ledger import Batch
from ..dedup import keep
from ..errors import LookalikeError, UsageError
from ..jobs import CancelToken, ProgressCallback
from ..lock import WriterLock
from ..paths import inside, inside_any
from ..scanning.scan import identity
from .folders import Folders
from .proposing import Proposing

MADE_BY_SORT = "organise_made:"   # meta key + batch id: {created, added}, the sort folder's own undo
MERGE_ORIGINALS = "merge-originals"   # in the library folder: a merged file's earlier bytes, until undo


class Cleanup:
    def __init__(self, catalog, ledger, write_lock: WriterLock, folders: Folders,
                 groups: Callable[..., list], thresholds: Callable[[str], dict[str, float]],
                 resolve_model: Callable[[Optional[str]], str]) -> None:
        """`groups(tier=, threshold=, model=, on_progress=, cancel=)`: the door's duplicate groups."""
        self.catalog = catalog
        self.ledger = ledger
        self._write_lock = write_lock
        self.folders = folders
        self._proposing = Proposing(catalog, write_lock, groups, thresholds, resolve_model,
                                    self.preset, self.reference_test)

    def backup_catalog(self, why: str) -> None:
        """A checked backup before a change to the user's files (a full disk stops it)."""
        with self._write_lock:
            self.catalog.backup(required=True, why=why)

    # -- reference folders -------------------------------------------------------------------
    def reference_folders(self) -> list[str]:
        return self.ledger.reference_folders()

    def add_reference_folder(self, path) -> str:
        """Marks a folder (adding it to the library if no library folder covers it) as a
        reference: its files are never proposed for removal and never touched."""
        folder, note = self.folders.add(path)
        real = os.path.realpath(os.path.expanduser(os.fspath(path)))
        with self._write_lock:
            self.ledger.add_reference_folder(real)
        return note

    def remove_reference_folder(self, path) -> bool:
        with self._write_lock:
            return self.ledger.remove_reference_folder(os.path.realpath(os.fspath(path)))

    def is_reference(self, path: str) -> bool:
        return self.reference_test()(path)

    def reference_test(self):
        """A path -> bool test over the reference folders, read from the catalog once."""
        refs = self.reference_folders()
        return lambda path: inside_any(path, refs)

    # -- presets -------------------------------------------------------------------------------
    def presets(self) -> dict[str, list]:
        return {**keep.BUILTIN_PRESETS, **self.ledger.presets()}

    @staticmethod
    def keep_rules() -> dict[str, str]:
        """Rule name -> what it keeps, for preset editors."""
        return {name: rule.description for name, rule in keep.RULES.items()}

    @staticmethod
    def parse_keep_rule(text: str) -> dict:
        """'formats=HEIF,JPEG' -> a rule spec (UsageError for unknown rules)."""
        return keep.parse_rule(text)

    def saved_presets(self) -> dict[str, list]:
        """The user's own presets (the built-in ones are not editable)."""
        return self.ledger.presets()

    def save_preset(self, name: str, rules: list) -> None:
        if name in keep.BUILTIN_PRESETS:
            raise UsageError(f"{name!r} is a built-in preset; save yours under another name.")
        with self._write_lock:
            self.ledger.save_preset(name, keep.validate(rules))

    def delete_preset(self, name: str) -> None:
        with self._write_lock:
            deleted = self.ledger.delete_preset(name)
        if not deleted:
            raise UsageError(f"There is no saved preset named {name!r}.")

    def preset(self, name: Optional[str]) -> list:
        name = name or "default"
        found = self.presets().get(name)
        if found is None:
            raise UsageError(f"Unknown preset {name!r}; `lookalike presets` lists them.")
        return found

    # -- proposals and marks -------------------------------------------------------------------
    def proposals(self, preset: Optional[str] = None, tier: str = "near",
                  threshold: Optional[float] = None, model: Optional[str] = None,
                  on_progress: Optional[ProgressCallback] = None,
                  cancel: Optional[CancelToken] = None) -> list[tuple[object, keep.Proposal]]:
        return self._proposing.proposals(preset, tier, threshold, model, on_progress, cancel)

    def series(self, threshold: Optional[float] = None, model: Optional[str] = None,
               on_progress: Optional[ProgressCallback] = None, cancel: Optional[CancelToken] = None) -> list:
        return self._proposing.series(threshold, model, on_progress, cancel)

    def marks(self) -> dict[int, str]:
        return self.ledger.marks()

    def mark(self, paths: Sequence, mark: Optional[str]) -> int:
        """Marks files 'keep' or 'remove' (None clears); returns how many were marked."""
        if mark not in ("keep", "remove", None):
            raise UsageError("A mark is keep or remove.")
        items = []
        is_reference = self.reference_test()
        for path in paths:
            record = self.catalog.file_by_path(os.path.realpath(os.fspath(path)))
            if record is None:
                raise LookalikeError(f"{os.fspath(path)} is not in the library; scan first.")
            if mark == "remove" and is_reference(record.path):
                raise LookalikeError(f"{record.path} is in a reference folder and cannot be marked for removal.")
            items.append((record.id, mark))
        with self._write_lock:
            self.ledger.set_marks(items)
        return len(items)

    def set_marks(self, items: Sequence[tuple[int, Optional[str]]]) -> None:
        """(file id, 'keep' | 'remove' | None): what the GUI's toggles decide."""
        refs = self.catalog.files_by_ids(fid for fid, m in items if m == "remove")
        is_reference = self.reference_test()
        if any(is_reference(r.path) for r in refs.values()):
            raise LookalikeError("Files in reference folders cannot be marked for removal.")
        with self._write_lock:
            self.ledger.set_marks(items)

    def mark_proposals(self, preset: Optional[str] = None, tier: str = "near",
                       threshold: Optional[float] = None, on_progress: Optional[ProgressCallback] = None,
                       cancel: Optional[CancelToken] = None) -> tuple[int, int]:
        """Marks every group as the preset proposes: (kept, marked for removal)."""
        items = []
        for _group, proposal in self.proposals(preset, tier, threshold, on_progress=on_progress, cancel=cancel):
            items.append((proposal.keeper.file_id, "keep"))
            items += [(f.file_id, "remove") for f in proposal.remove]
        with self._write_lock:
            self.ledger.set_marks(items)
        removing = sum(1 for _, m in items if m == "remove")
        return len(items) - removing, removing

    def clear_marks(self) -> int:
        with self._write_lock:
            return self.ledger.clear_marks()

    # -- clean, undo, history ------------------------------------------------------------------
    def plan_clean(self, action: str, target: Optional[str] = None, preset: Optional[str] = None,
                   tier: str = "near", threshold: Optional[float] = None,
                   merge_metadata: Optional[str] = None) -> actions.CleanPlan:
        """`merge_metadata` ('sidecar' | 'file'): each keeper first receives what only its
        removed copies carry, in its XMP sidecar or in the file itself."""
        if action not in actions.ACTIONS:
            raise UsageError(f"Unknown action {action!r}; choose one of: {', '.join(actions.ACTIONS)}.")
        if merge_metadata not in (None, *merging.MODES):
            raise UsageError("Metadata is merged into a sidecar or into the file.")
        if merge_metadata and action == "hardlink":
            raise UsageError("Metadata is merged when copies go to the trash or to a folder; a hardlinked "
                             "copy becomes the kept file itself.")
        if action == "move":
            if not target:
                raise UsageError("Moving needs a destination folder.")
            target = os.path.realpath(os.path.expanduser(os.fspath(target)))
            if any(inside(target, f.path) for f in self.folders.list()):
                raise UsageError("The move-to folder must be outside the library's folders.")
        marks = self.marks()
        if not any(m == "remove" for m in marks.values()):
            raise LookalikeError("Nothing is marked for removal; run `lookalike mark --auto` or mark files.")
        pairs = self.proposals(preset, tier, threshold)
        groups = [g for g, _ in pairs]
        keepers = {i: p.keeper for i, (_, p) in enumerate(pairs)}
        return actions.plan(groups, marks, keepers, action, target, [f.path for f in self.folders.list()],
                            references=self.reference_folders(), merge=merge_metadata,
                            backups=str(self.catalog.path.parent / MERGE_ORIGINALS))

    def clean(self, plan: actions.CleanPlan, on_progress: Optional[ProgressCallback] = None,
              cancel: Optional[CancelToken] = None) -> actions.BatchReport:
        with self._write_lock.hold(on_progress, cancel):
            self._refuse_if_interrupted()
            self.backup_catalog("before clean-up")
            report = actions.run(plan, self.ledger, on_progress, cancel)
            self._after_batch(report.batch_id, plan.action, report.done)
            return report

    # -- sorting into tag folders --------------------------------------------------------------
    def plan_organise(self, into, choices: dict[int, tuple[str, float]]) -> actions.CleanPlan:
        """`choices`: file id -> (tag, score) of the photos to sort into `into`/<tag>/."""
        target = os.path.realpath(os.path.expanduser(os.fspath(into)))
        roots = [f.path for f in self.folders.list()]
        if any(inside(root, target) and root != target for root in roots):
            raise UsageError(f"{target} holds library folders; sort into a folder inside one of "
                             "them, or outside all of them.")
        references = self.reference_folders()
        if inside_any(target, references):
            raise UsageError(f"{target} is in a reference folder, which is never changed.")
        records = self.catalog.files_by_ids(choices)
        ordered = sorted(((records[i], *choices[i]) for i in records), key=lambda c: (-c[2], c[0].path))
        return organise.plan(ordered, target, roots, references)

    def organise(self, plan: actions.CleanPlan, on_progress: Optional[ProgressCallback] = None,
                 cancel: Optional[CancelToken] = None) -> actions.BatchReport:
        """Moves the planned photos into their tag folders (one journaled batch: `undo` puts
        them back). A destination outside the library's folders becomes one of them, so the
        sorted photos stay in the library with their vectors and tags."""
        with self._write_lock.hold(on_progress, cancel):
            self._refuse_if_interrupted()
            self.backup_catalog("before sorting into folders")
            notes, made = [], {"created": not os.path.exists(plan.target), "added": False}
            if plan.items and not inside_any(plan.target, [f.path for f in self.folders.list()]):
                os.makedirs(plan.target, exist_ok=True)
                self.folders.add(plan.target)
                made["added"] = True
                notes.append((plan.target, "added to the library's folders, so the sorted photos stay in it"))
            report = actions.run(plan, self.ledger, on_progress, cancel)
            report.notes[:0] = notes
            if report.batch_id is not None and (made["created"] or made["added"]):
                self.catalog.set_meta(f"{MADE_BY_SORT}{report.batch_id}", json.dumps(made))
            self._after_batch(report.batch_id, plan.action, report.done)
            return report

    def _after_batch(self, batch_id: Optional[int], action: str, done: Sequence[str]) -> None:
        """The catalog follows what a batch did: hardlinked names become one file, sorted
        photos keep their rows under their new paths, removed files are set aside for undo."""
        if action == "hardlink":
            self._relinked(done)
        elif action == organise.ACTION:
            if batch_id is not None:
                moves.follow(self.catalog, [(e.path, e.destination) for e in self.ledger.entries(batch_id)
                                            if e.state == "done"])
        else:
            self._set_aside(batch_id)
            self._rewritten(batch_id, "done")

    def _set_aside(self, batch_id: Optional[int]) -> None:
        """The catalog forgets the files a batch removed, keeping each one's row and vectors
        with its journal entry, for undo."""
        if batch_id is not None:
            removed.set_aside(self.catalog, [(e.id, e.path) for e in self.ledger.entries(batch_id)
                                             if e.state == "done" and e.role != merging.ROLE])

    def _rewritten(self, batch_id: Optional[int], state: str) -> None:
        """Keepers a merge wrote into (state 'done') or an undo gave back their bytes ('undone')
        keep their rows and vectors (only metadata changed) with their new size, time and hash."""
        changes = []
        for e in self.ledger.entries(batch_id) if batch_id is not None else ():
            if (e.role, e.path, e.state) != (merging.ROLE, e.keeper, state):
                continue
            record = self.catalog.file_by_path(e.path)
            with contextlib.suppress(OSError):
                info = os.stat(e.path)
                if record is not None:
                    changes.append((record.id, {"size": info.st_size, "mtime_ns": info.st_mtime_ns, "content_hash":
                                                e.written_hash if state == "done" else e.content_hash}))
        self.catalog.update_files(changes, drop_embeddings=False)

    def _back_in_catalog(self, batch: Batch, report: actions.BatchReport) -> None:
        """Files an undo put back return with their rows and vectors (hardlinked names get their
        own identity again), so their groups show at once, without a rescan."""
        if batch.action == "hardlink":
            self._relinked(report.done)
        elif batch.action == organise.ACTION:
            entries = [e for e in self.ledger.entries(batch.id) if e.state == "undone"]
            moves.follow(self.catalog, [(e.destination, e.path) for e in entries])
            organise.prune(entries)
            self._unmake_sort_folder(batch)
        else:
            removed.bring_back(self.catalog, [e.id for e in self.ledger.entries(batch.id)
                                              if e.state == "undone" and e.role != merging.ROLE])
            self._rewritten(batch.id, "undone")

    def _unmake_sort_folder(self, batch: Batch) -> None:
        """After undoing a sort: a destination the sort created goes once it is empty again, and
        one it made a library folder is forgotten once no file is left in it."""
        made = json.loads(self.catalog.get_meta(f"{MADE_BY_SORT}{batch.id}") or "{}")
        if not made or any(files for _, _, files in os.walk(batch.target)):
            return
        if made.get("added") and any(f.path == batch.target for f in self.folders.list()):
            self.folders.remove(batch.target)
        if made.get("created"):
            with contextlib.suppress(OSError):
                os.rmdir(batch.target)

    def finish_returns(self) -> int:
        """Rows of undone files that a killed undo left set aside come back (idempotent; run
        before each scan and undo, under the writer lock)."""
        with self._write_lock:
            pending = removed.left_behind(self.catalog)
            return removed.bring_back(self.catalog, pending) if pending else 0

    def _relinked(self, paths: Sequence[str]) -> None:
        """Names just hardlinked onto their keeper are one file now: the catalog says so at
        once, so `duplicates` stops offering them without a rescan."""
        changes = []
        for path in paths:
            record = self.catalog.file_by_path(path)
            try:
                info = os.stat(path)
            except OSError:
                continue  # the next scan looks again
            if record is not None:
                changes.append((record.id, {"mtime_ns": info.st_mtime_ns,
                                            **identity(info.st_dev, info.st_ino)}))
        self.catalog.update_files(changes, drop_embeddings=False)

    def history(self) -> list[tuple[Batch, dict[str, int]]]:
        out = []
        for batch in self.ledger.batches():
            counts: dict[str, int] = {}
            for entry in self.ledger.entries(batch.id):
                counts[entry.state] = counts.get(entry.state, 0) + 1
            out.append((batch, counts))
        return out

    def undo(self, on_progress: Optional[ProgressCallback] = None,
             cancel: Optional[CancelToken] = None) -> actions.BatchReport:
        """Restores the last finished batch (an interrupted one is rolled back instead).
        Under the writer lock a 'running' batch is a crashed one: a live clean-up holds it."""
        with self._write_lock.hold(on_progress, cancel):
            self.finish_returns()
            interrupted = self.ledger.batches(["running"])
            if interrupted:
                return self.recover("rollback", on_progress, cancel)
            done = self.ledger.batches(["done"])
            if not done:
                raise LookalikeError("There is nothing to undo.")
            report = recovery.undo(self.ledger, done[0], on_progress, cancel)
            self._back_in_catalog(done[0], report)
            return report

    def interrupted(self) -> list[Batch]:
        """Batches a crash left unfinished; none while another program writes the library
        (its batch may be live)."""
        if self._write_lock.held_elsewhere():
            return []
        return self.ledger.batches(["running"])

    def recover(self, mode: str, on_progress: Optional[ProgressCallback] = None,
                cancel: Optional[CancelToken] = None) -> actions.BatchReport:
        """Finishes ('complete') or undoes ('rollback') a batch a crash interrupted."""
        if mode not in ("complete", "rollback"):
            raise UsageError("Recover with complete or rollback.")
        with self._write_lock.hold(on_progress, cancel):
            batches = self.ledger.batches(["running"])
            if not batches:
                raise LookalikeError("No clean-up was interrupted.")
            batch = batches[0]
            notes = recovery.resolve_interrupted(self.ledger, batch)
            if mode == "complete":
                report = recovery.complete(self.ledger, batch, on_progress, cancel)
                # Also the files done before the crash (set aside, or followed, twice is harmless).
                self._after_batch(batch.id, batch.action,
                                  [e.path for e in self.ledger.entries(batch.id) if e.state == "done"])
            else:
                report = recovery.undo(self.ledger, batch, on_progress, cancel, final_state="rolled_back")
                self._back_in_catalog(batch, report)
            report.notes[:0] = notes
            return report

    def _refuse_if_interrupted(self) -> None:
        if self.ledger.batches(["running"]):
            raise LookalikeError("An earlier clean-up was interrupted; finish it with `lookalike "
                                 "recover --complete` or undo it with `lookalike recover --rollback` first.")
