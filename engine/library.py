"""The Library: the one door to the engine for the CLI and the desktop app.

Owns: opening a library folder (catalog + settings + writer lock), building its parts and
delegating to them, and scanning, which joins them: parts/models.py (loaded models, locked per
model), parts/indexes.py (vector indexes and their lock), parts/folders.py (folders, photos,
thumbnails), parts/duplicates.py (the duplicate pipeline of dedup/find.py), parts/search.py
(similar photos, text search, comparisons), parts/cleanup.py (references, presets, marks,
clean, sorting into folders, undo, recovery), parts/tags.py (tags by phrase and by example),
parts/explain.py (patch maps, match evidence). Results are the value types of results.py.
Every long call takes `on_progress=` and `cancel=`. Calls that change the catalog or the indexes hold the writer
lock, so they run one at a time; reads may run beside them.
Must not: print, import Qt, or run SQL / FAISS / torch directly (catalog/, index/, embedding/ do).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Optional, Sequence

from .actions.cleanup import BatchReport, CleanPlan
from .catalog.backup import due as backup_due
from .catalog.ledger import Batch, Ledger
from .catalog.store import Catalog
from .dedup.keep import Proposal
from .embedding.base import Embedder
from .embedding.registry import TEXT_MODEL
from .errors import LookalikeError, ModelUnavailable
from .jobs import CancelToken, ProgressCallback
from .lock import WriterLock
from .parts.cleanup import Cleanup
from .parts.decisions import Decisions
from .parts.duplicates import Duplicates
from .parts.explain import Explain
from .parts.folders import Folders
from .parts.indexes import Indexes
from .parts.models import Models
from .parts.search import Search
from .parts.tags import Tags
from .results import (Calibration, Comparison, DuplicateGroup, Folder, MatchExplanation, ModelInfo, PatchMap, Photo, PhotoDetails,
                      SearchResult, TagInfo, TagPhoto)
from .scanning.scan import ScanSummary, run_scan
from .scanning.scope import scopes_for
from .settings import Settings, default_library_dir
from .watching.watcher import FolderWatcher

Progress = Optional[ProgressCallback]
Cancel = Optional[CancelToken]


class Library:
    def __init__(self, path: Path, catalog: Catalog, settings: Settings,
                 model_dir: Optional[str] = None) -> None:
        self.path = path
        self.catalog = catalog
        self.ledger = Ledger(catalog.engine)
        self._settings = settings
        # Whoever writes the library holds it: one writer across threads and processes.
        self.write_lock = WriterLock(path, timeout=settings.writer_wait)
        self._models = Models(settings, model_dir)
        self._indexes = Indexes(catalog, path)
        self._folders = Folders(catalog, path, self.write_lock)
        # "Not duplicates" / "keep all", by content hash: library.decisions.decide/all/clear.
        self.decisions = Decisions(catalog, self.write_lock)
        self._duplicates = Duplicates(catalog, settings, self._indexes, self._models.resolve,
                                      self.ledger.reference_folders, self.decisions.records)
        self._search = Search(catalog, self._indexes, self._models, self._duplicates.thresholds)
        # Clean-up proposes from what the door's `duplicates` answers (late-bound on purpose).
        self._cleanup = Cleanup(catalog, self.ledger, self.write_lock, self._folders,
                                lambda **kw: self.duplicates(**kw), self._duplicates.thresholds,
                                self._models.resolve)
        self._tags = Tags(catalog, self.write_lock, self._models, self._search.vector_for)
        self._explain = Explain(path, self._models, self._search.compare)

    @property
    def settings(self) -> Settings:
        return self._settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        """New settings (the preferences dialog's) reach every part that reads them."""
        self._settings = settings
        self._models.settings = self._duplicates.settings = settings

    @classmethod
    def open(cls, path: Optional[os.PathLike | str] = None,
             model_dir: Optional[str] = None, backup: bool = True) -> "Library":
        """Opens (creating if needed) the library at `path`, default: the per-user data dir;
        `backup=False` leaves the daily backup to `back_up_if_due` (the app's background job)."""
        folder = Path(path).expanduser() if path else default_library_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            folder = folder.resolve()
        except OSError as exc:
            raise LookalikeError(f"The library folder {folder} cannot be created ({exc.strerror}).") from exc
        catalog = Catalog(folder)
        try:
            if backup and backup_due(folder):
                catalog.backup(required=False)  # daily; a full disk must not stop reading
            settings = Settings.load(folder)
        except BaseException:
            catalog.close()
            raise
        return cls(folder, catalog, settings, model_dir)

    def back_up_if_due(self) -> None:
        if backup_due(self.path):   # the newest backup is a day old
            self.catalog.backup(required=False)

    def backup_catalog(self, why: str) -> None:
        """A checked backup before a change to the user's files (a full disk stops it)."""
        self._cleanup.backup_catalog(why)

    def close(self) -> None:
        self._indexes.close()
        self.catalog.close()

    def __enter__(self) -> "Library":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def writing(self, on_progress: Progress = None, cancel: Cancel = None):
        """Holds the library for a write ("waiting" reports meanwhile); reentrant."""
        return self.write_lock.hold(on_progress, cancel)

    @property
    def model_dir(self) -> Optional[str]:
        return self._models.model_dir

    def save_settings(self) -> None:
        self.settings.save(self.path)

    # -- folders and photos --------------------------------------------------------------------
    def folders(self) -> list[Folder]:
        return self._folders.list()

    def add_folder(self, path: os.PathLike | str) -> tuple[Folder, str]:
        """Adds a photo folder; returns it and a note ("added", or why nothing changed)."""
        return self._folders.add(path)

    def remove_folder(self, path: os.PathLike | str) -> int:
        """Forgets a folder (the photos on disk are untouched); returns how many files it held."""
        return self._folders.remove(path)

    def vector_counts(self) -> dict[str, int]:
        """How many photos each model has vectors for."""
        return self.catalog.models_with_embeddings()

    def photos(self, unreadable: bool = False) -> list[Photo]:
        """Every cataloged file by path, bad ones with their reason (`unreadable`: only those)."""
        return self._folders.photos(unreadable)

    def photos_for(self, file_ids) -> dict[int, Photo]:
        """The photos with these catalog ids (ids no longer in the library are left out)."""
        return self._folders.photos_for(file_ids)

    def thumbnail(self, photo: Photo, size: int = 256) -> str:
        """A cached JPEG thumbnail's path (made on first use); LookalikeError if undecodable."""
        return self._folders.thumbnail(photo, size)

    def watcher(self, on_change, debounce: float = 2.0) -> FolderWatcher:
        """A folder watcher for this library's folders (its own data is ignored); the
        caller feeds changes back into `scan`, the one indexing path."""
        return FolderWatcher(on_change, debounce=debounce, ignore=[str(self.path)])

    # -- models --------------------------------------------------------------------------------
    def models(self) -> list[ModelInfo]:
        return self._models.infos(self.catalog.models_with_embeddings())

    def download_model(self, name: str, on_progress: Progress = None, cancel: Cancel = None) -> str:
        """Downloads (resuming) a hub model or installs SSCD's package; returns where it went.
        Only this call touches the network: the user's click or command is the consent."""
        return self._models.download(name, on_progress, cancel)

    def remove_model(self, name: str) -> str:   # deletes what Lookalike downloaded; says what
        return self._models.remove(name)

    def embedder(self, name: str, device: Optional[str] = None, on_progress: Progress = None,
                 cancel: Cancel = None) -> Embedder:
        """A loaded model (cached for the life of the Library, loaded once across threads)."""
        return self._models.embedder(name, device, on_progress, cancel)

    def detected_devices(self) -> list[str]:
        """Devices the models can run on here, best first (loads torch, not a model)."""
        return self._models.detected_devices()

    def resolve_model_name(self, name: Optional[str]) -> str:
        return self._models.resolve(name)

    # -- scanning ------------------------------------------------------------------------------
    def scan(self, model: Optional[str] = None, device: Optional[str] = None, on_progress: Progress = None,
             cancel: Cancel = None, changed: Optional[Iterable[str]] = None) -> ScanSummary:
        """Brings the catalog in line with the folders and embeds new or changed photos. The
        model loads before anything is written: a missing model changes nothing. `changed`
        (paths a watcher reported) limits the walk to the folders they are in."""
        name = self.resolve_model_name(model)
        embedders = [self.embedder(name, device, on_progress, cancel)]
        notes = []
        if self.settings.text_search and name != TEXT_MODEL:
            try:
                embedders.append(self.embedder(TEXT_MODEL, device))
            except ModelUnavailable as exc:
                notes.append(f"text search is off: {exc}")
        with self.writing(on_progress, cancel):
            self.finish_returns()   # rows a killed undo left aside: no re-embedding for them
            roots = [(f.id, f.path) for f in self.catalog.folders()]
            scopes = scopes_for(changed, roots) if changed is not None else None
            summary = run_scan(self.catalog, roots, [str(self.path)], embedders,
                               threads=self.settings.decode_threads,
                               on_progress=on_progress, cancel=cancel, scopes=scopes,
                               follow_external=self.settings.follow_external_links)
            summary.notes[:0] = notes
            if self.settings.model != name:
                self.settings.model = name
                self.save_settings()
            for embedder in embedders:
                index = self._indexes.get(embedder.name, on_progress=on_progress, cancel=cancel)
                if index is not None and index.save_problem:
                    summary.notes.append(index.save_problem)
        return summary

    # -- duplicates ----------------------------------------------------------------------------
    def thresholds(self, model: str) -> dict[str, float]:   # as last calibrated: never measures
        return self._duplicates.thresholds(model, measure=False)

    def calibration(self, model: Optional[str] = None, on_progress: Progress = None, cancel: Cancel = None,
                    refresh: bool = False) -> Calibration:   # where chance similarity ends, the thresholds used
        return self._duplicates.calibrations.calibration(model, on_progress, cancel, refresh)

    def duplicates(self, tier: str = "near", threshold: Optional[float] = None, model: Optional[str] = None,
                   on_progress: Progress = None, cancel: Cancel = None) -> list[DuplicateGroup]:
        """Groups, largest reclaimable space first. `tier` is the loosest tier reported:
        exact, near (also lists exact copies) or similar/all (also near and exact)."""
        return self._duplicates.groups(tier, threshold, model, on_progress, cancel)

    def scored_pairs(self, model: Optional[str] = None, threshold: float = -1.0, verify: Optional[bool] = None,
                     on_progress: Progress = None, cancel: Cancel = None) -> tuple[dict, list[tuple[int, int, float]]]:
        """(records, pairs): every pair at or above `threshold` with the scores grouping uses."""
        return self._duplicates.scored_pairs(model, threshold, verify, on_progress, cancel)

    # -- search --------------------------------------------------------------------------------
    def vector_for(self, path: os.PathLike | str, embedder: Embedder):
        """The stored vector of a library file, else a fresh one from decoding the file."""
        return self._search.vector_for(path, embedder)

    def similar(self, image: os.PathLike | str, limit: int = 20, model: Optional[str] = None,
                on_progress: Progress = None, cancel: Cancel = None) -> list[SearchResult]:
        return self._search.similar(image, limit, model, on_progress, cancel)

    def search_text(self, text: str, limit: int = 20, on_progress: Progress = None, cancel: Cancel = None) -> list[SearchResult]:
        return self._search.search_text(text, limit, on_progress, cancel)

    def compare(self, a: os.PathLike | str, b: os.PathLike | str) -> Comparison:
        """Scores two photos with the library's model, DINOv2 and CLIP (those available)."""
        return self._search.compare(a, b)

    def patch_maps(self, paths: Sequence, model: Optional[str] = None, on_progress: Progress = None, cancel: Cancel = None) -> list[PatchMap]:
        """What DINOv2 sees in each photo, in colours shared across them (a two-step PCA)."""
        return self._explain.patch_maps(paths, model, on_progress=on_progress, cancel=cancel)

    def picture(self, path: os.PathLike | str, longest: Optional[int] = None):
        """The photo as a PIL image, upright, at most `longest` px on its longest side."""
        return self._explain.picture(path, longest)

    def details(self, path: os.PathLike | str) -> PhotoDetails:
        """What the file carries (resolution, size, format, capture, camera, GPS, edits)."""
        return self._explain.details(path)

    def explain_match(self, a: os.PathLike | str, b: os.PathLike | str) -> MatchExplanation:
        """Why two photos are one picture or not: the geometric check's evidence."""
        return self._explain.match(a, b)

    # -- reference folders and presets ---------------------------------------------------------
    def reference_folders(self) -> list[str]:
        return self._cleanup.reference_folders()

    def add_reference_folder(self, path) -> str:
        """Marks a folder (adding it to the library if no library folder covers it) as a
        reference: its files are never proposed for removal and never touched."""
        return self._cleanup.add_reference_folder(path)

    def remove_reference_folder(self, path) -> bool:
        return self._cleanup.remove_reference_folder(path)

    def is_reference(self, path: str) -> bool:
        return self._cleanup.is_reference(path)

    def presets(self) -> dict[str, list]:
        return self._cleanup.presets()

    @staticmethod
    def keep_rules() -> dict[str, str]:   # rule name -> what it keeps, for preset editors
        return Cleanup.keep_rules()

    @staticmethod
    def parse_keep_rule(text: str) -> dict:   # 'formats=HEIF,JPEG' -> a rule spec (or UsageError)
        return Cleanup.parse_keep_rule(text)

    def saved_presets(self) -> dict[str, list]:   # the user's own (built-in ones are not editable)
        return self._cleanup.saved_presets()

    def save_preset(self, name: str, rules: list) -> None:
        self._cleanup.save_preset(name, rules)

    def delete_preset(self, name: str) -> None:
        self._cleanup.delete_preset(name)

    def preset(self, name: Optional[str]) -> list:
        return self._cleanup.preset(name)

    # -- proposals and marks -------------------------------------------------------------------
    def proposals(self, preset: Optional[str] = None, tier: str = "near", threshold: Optional[float] = None,
                  model: Optional[str] = None, on_progress: Progress = None,
                  cancel: Cancel = None) -> list[tuple[object, Proposal]]:
        return self._cleanup.proposals(preset, tier, threshold, model, on_progress, cancel)

    def series(self, threshold: Optional[float] = None, model: Optional[str] = None, on_progress: Progress = None,
               cancel: Cancel = None) -> list:   # burst series, frames best first: (file, quality)
        return self._cleanup.series(threshold, model, on_progress, cancel)

    def marks(self) -> dict[int, str]:
        return self._cleanup.marks()

    def mark(self, paths: Sequence, mark: Optional[str]) -> int:
        """Marks files 'keep' or 'remove' (None clears); returns how many were marked."""
        return self._cleanup.mark(paths, mark)

    def set_marks(self, items: Sequence[tuple[int, Optional[str]]]) -> None:
        """(file id, 'keep' | 'remove' | None): what the GUI's toggles decide."""
        self._cleanup.set_marks(items)

    def mark_proposals(self, preset: Optional[str] = None, tier: str = "near", threshold: Optional[float] = None,
                       on_progress: Progress = None, cancel: Cancel = None) -> tuple[int, int]:
        """Marks every group as the preset proposes: (kept, marked for removal)."""
        return self._cleanup.mark_proposals(preset, tier, threshold, on_progress, cancel)

    def clear_marks(self) -> int:
        return self._cleanup.clear_marks()

    # -- clean, undo, history ------------------------------------------------------------------
    def plan_clean(self, action: str, target: Optional[str] = None, preset: Optional[str] = None,
                   tier: str = "near", threshold: Optional[float] = None,
                   merge_metadata: Optional[str] = None) -> CleanPlan:
        return self._cleanup.plan_clean(action, target, preset, tier, threshold, merge_metadata)

    def clean(self, plan: CleanPlan, on_progress: Progress = None, cancel: Cancel = None) -> BatchReport:
        return self._cleanup.clean(plan, on_progress, cancel)

    def finish_returns(self) -> int:
        """Rows of undone files that a killed undo left set aside come back (idempotent)."""
        return self._cleanup.finish_returns()

    def history(self) -> list[tuple[Batch, dict[str, int]]]:
        return self._cleanup.history()

    def undo(self, on_progress: Progress = None, cancel: Cancel = None) -> BatchReport:
        """Restores the last finished batch (an interrupted one is rolled back instead)."""
        return self._cleanup.undo(on_progress, cancel)

    def interrupted(self) -> list[Batch]:
        """Batches a crash left unfinished; none while another program writes the library."""
        return self._cleanup.interrupted()

    def recover(self, mode: str, on_progress: Progress = None, cancel: Cancel = None) -> BatchReport:
        """Finishes ('complete') or undoes ('rollback') a batch a crash interrupted."""
        return self._cleanup.recover(mode, on_progress, cancel)

    # -- tags and sorting into folders ---------------------------------------------------------
    def tags(self) -> list[TagInfo]:
        """Every tag with how many photos carry it (phrase tags need CLIP vectors)."""
        return self._tags.list()

    def tag(self, name: str) -> TagInfo:
        return self._tags.info(name)

    def define_tag(self, name: str, phrases: Sequence[str] = (), examples: Sequence = (), not_examples: Sequence = (),
                   cutoff: Optional[float] = None, on_progress: Progress = None, cancel: Cancel = None) -> TagInfo:
        """A tag by phrases (CLIP zero-shot) or by at least 3 example photos (a classifier on the library's
        vectors); defining an existing tag adds examples or replaces phrases. Outside examples are embedded now."""
        return self._tags.define(name, phrases, examples, not_examples, cutoff, on_progress, cancel)

    def tag_photos(self, name: str, limit: Optional[int] = None, min_score: Optional[float] = None) -> list[TagPhoto]:
        """Photos carrying the tag, best first; `min_score` lists every photo scoring that much."""
        return self._tags.photos(name, limit, min_score)

    def correct_tag(self, name: str, paths: Sequence, is_tag: bool) -> TagInfo:
        """"These photos are (not) NAME": retrains an example tag, overrides a phrase tag."""
        return self._tags.correct(name, paths, is_tag)

    def delete_tag(self, name: str) -> None:
        self._tags.delete(name)

    def plan_organise(self, into: os.PathLike | str, tags: Optional[Sequence[str]] = None) -> CleanPlan:
        """Moves sorting the photos of `tags` (default: all) into `into`/<tag>/, each to its best tag."""
        return self._cleanup.plan_organise(into, self._tags.best_tags(tags))

    def organise(self, plan: CleanPlan, on_progress: Progress = None, cancel: Cancel = None) -> BatchReport:
        """Runs a sorting plan as one journaled batch (`undo` puts every photo back)."""
        return self._cleanup.organise(plan, on_progress, cancel)
