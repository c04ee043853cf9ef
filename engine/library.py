"""The Library: the one door to the engine for the CLI and the desktop app.

Owns: opening a library folder (catalog + settings + indexes), folders, scans, duplicate
groups, similar-photo and text search, and comparisons, expressed in the value types of
results.py. Every long call takes `on_progress=` and `cancel=`. Calls that change the catalog
or the indexes hold the writer lock, so they run one at a time; reads may run beside them.
Must not: print, import Qt, or run SQL / FAISS / torch directly (catalog/, index/, embedding/ do).
"""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Iterable, Optional, Sequence

from .catalog.backup import due as backup_due
from .catalog.ledger import Ledger
from .catalog.store import Catalog, FileRecord
from .dedup.groups import group as group_files
from .dedup.names import collapse as one_per_file
from .embedding import loader
from .embedding.base import Embedder
from .embedding.registry import MODELS, TEXT_MODEL, spec
from .errors import LookalikeError, ModelUnavailable, UsageError
from .index.pairs import PairCache, rescored
from .index.sync import save_if_unsaved, synced_index
from .index.vectors import IndexCorrupt, VectorIndex
from .jobs import CancelToken, ProgressCallback
from .lock import WriterLock
from .library_cleanup import CleanupMixin
from .library_search import SearchMixin
from .results import TIERS, DuplicateFile, DuplicateGroup, Folder, ModelInfo, Photo
from .scanning.scan import ScanSummary, run_scan
from .scanning.scope import scopes_for
from .settings import Settings, default_library_dir

class Library(SearchMixin, CleanupMixin):
    def __init__(self, path: Path, catalog: Catalog, settings: Settings,
                 model_dir: Optional[str] = None) -> None:
        self.path = path
        self.catalog = catalog
        self.ledger = Ledger(catalog.engine)
        self.settings = settings
        self._model_dir_override = model_dir
        # Whoever writes the library holds it: one writer across threads and processes.
        self._write_lock = WriterLock(path, timeout=settings.writer_wait)
        # Held while an index is synced or queried: a scan adding vectors to a FAISS index
        # while a reader searches it would be undefined behaviour.
        self._index_lock = threading.RLock()
        self._embedders: dict[tuple[str, str], Embedder] = {}
        self._indexes: dict[str, VectorIndex] = {}
        self._pair_caches: dict[str, PairCache] = {}

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

    def _backup_catalog(self, why: str) -> None:
        """A checked backup before a change to the user's files (a full disk stops it)."""
        with self._write_lock:
            self.catalog.backup(required=True, why=why)

    def close(self) -> None:
        with self._index_lock:
            for index in self._indexes.values():
                try:
                    save_if_unsaved(index, self.path)
                except OSError:
                    pass  # derived data: the next open catches up from the catalog
        self.catalog.close()

    def __enter__(self) -> "Library":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def writing(self, on_progress: Optional[ProgressCallback] = None,
                cancel: Optional[CancelToken] = None):
        """Holds the library for a write ("waiting" reports meanwhile); reentrant."""
        return self._write_lock.hold(on_progress, cancel)

    @property
    def model_dir(self) -> Optional[str]:
        return self._model_dir_override or self.settings.model_dir

    def save_settings(self) -> None:
        self.settings.save(self.path)

    # -- folders ------------------------------------------------------------------------------
    def folders(self) -> list[Folder]:
        counts = self.catalog.file_counts()
        return [Folder(f.path, counts.get(f.id, 0)) for f in self.catalog.folders()]

    def add_folder(self, path: os.PathLike | str) -> tuple[Folder, str]:
        """Adds a photo folder; returns it and a note ("added", or why nothing changed)."""
        real = os.path.realpath(os.path.expanduser(os.fspath(path)))
        if not os.path.isdir(real):
            raise LookalikeError(f"{os.fspath(path)} is not a folder.")
        if _inside(real, str(self.path)):
            raise LookalikeError(f"{real} holds Lookalike's own library data; choose a photo folder.")
        with self._write_lock:
            existing = self.catalog.folders()
            for folder in existing:
                if _inside(real, folder.path):
                    same = real == folder.path
                    return Folder(folder.path), ("already in the library" if same
                                                 else f"already in the library (inside {folder.path})")
            absorbed = [f.id for f in existing if _inside(f.path, real)]
            record = self.catalog.add_folder(real, absorb=absorbed)
            note = "added" if not absorbed else f"added (now includes {len(absorbed)} folder(s) inside it)"
            return Folder(record.path), note

    def remove_folder(self, path: os.PathLike | str) -> int:
        """Forgets a folder (the photos on disk are untouched); returns how many files it held."""
        real = os.path.realpath(os.path.expanduser(os.fspath(path)))
        with self._write_lock:
            for folder in self.catalog.folders():
                if folder.path in (real, os.path.abspath(os.fspath(path))):
                    return self.catalog.remove_folder(folder.id)
        raise LookalikeError(f"{os.fspath(path)} is not one of the library's folders.")

    def vector_counts(self) -> dict[str, int]:
        """How many photos each model has vectors for."""
        return self.catalog.models_with_embeddings()

    def photos(self) -> list[Photo]:
        """Every cataloged file, sorted by path (bad files included, with their reason)."""
        return [_photo(r) for r in sorted(self.catalog.all_files(), key=lambda r: r.path)]

    def photos_for(self, file_ids) -> dict[int, Photo]:
        """The photos with these catalog ids (ids no longer in the library are left out)."""
        return {i: _photo(r) for i, r in self.catalog.files_by_ids(file_ids).items()}

    def thumbnail(self, photo: Photo, size: int = 256) -> str:
        """A cached JPEG thumbnail's path (made on first use). Raises LookalikeError for
        files that cannot be decoded."""
        from .scanning.decode import DecodeError
        from .thumbnails import cached_thumbnail, thumbnail_path

        if not photo.content_hash:
            raise LookalikeError(f"{photo.path} could not be read ({photo.error or 'unknown reason'}).")
        cached = thumbnail_path(self.path, photo.content_hash, size)
        try:
            return str(cached_thumbnail(photo.path, cached, size))
        except DecodeError as exc:
            raise LookalikeError(f"{photo.path}: {exc}.") from exc

    # -- models -------------------------------------------------------------------------------
    def models(self) -> list[ModelInfo]:
        counts = self.catalog.models_with_embeddings()
        out = []
        for name, model in MODELS.items():
            present, source = loader.availability(name, self.model_dir)
            out.append(ModelInfo(name, model.family, model.hub_id, present, source,
                                 model.description, counts.get(name, 0)))
        return out

    def download_model(self, name: str, on_progress: Optional[ProgressCallback] = None,
                       cancel: Optional[CancelToken] = None) -> str:
        from .embedding.resolve import download

        model = spec(name)
        if not model.hub_id:
            raise UsageError(f"The {name} model is not downloaded from the hub; "
                             f"`lookalike models` says how to get it.")
        folder, _ = download(model, self.model_dir, on_progress=on_progress, cancel=cancel)
        return str(folder)

    def embedder(self, name: str, device: Optional[str] = None,
                 on_progress: Optional[ProgressCallback] = None,
                 cancel: Optional[CancelToken] = None) -> Embedder:
        """A loaded model (cached for the life of the Library)."""
        device = device or self.settings.device
        key = (name, device)
        if key not in self._embedders:
            self._embedders[key] = loader.load(
                name, self.model_dir, self.settings.allow_download, device,
                on_progress=on_progress, cancel=cancel)
        return self._embedders[key]

    def detected_devices(self) -> list[str]:
        """Devices the models can run on here, best first (loads torch, not a model)."""
        from .embedding.device import detected_devices

        return detected_devices()

    def watcher(self, on_change, debounce: float = 2.0):
        """A folder watcher for this library's folders (its own data is ignored); the
        caller feeds changes back into `scan`, the one indexing path."""
        from .watching.watcher import FolderWatcher

        return FolderWatcher(on_change, debounce=debounce, ignore=[str(self.path)])

    def resolve_model_name(self, name: Optional[str]) -> str:
        name = name or self.settings.model
        if name == "auto":
            return loader.pick_auto(self.model_dir)
        spec(name)
        return name

    # -- scanning -----------------------------------------------------------------------------
    def scan(self, model: Optional[str] = None, device: Optional[str] = None,
             on_progress: Optional[ProgressCallback] = None,
             cancel: Optional[CancelToken] = None,
             changed: Optional[Iterable[str]] = None) -> ScanSummary:
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
                index = self._index(embedder.name, on_progress=on_progress, cancel=cancel)
                if index is not None and index.save_problem:
                    summary.notes.append(index.save_problem)
        return summary

    def _index(self, model: str, on_progress=None, cancel=None,
               rebuild: bool = False) -> Optional[VectorIndex]:
        dim = self.catalog.embedding_dim(model)
        if dim is None:
            return None
        with self._index_lock:
            index = synced_index(self.catalog, self.path, model, dim, self._indexes.get(model),
                                 on_progress=on_progress, cancel=cancel, rebuild=rebuild)
            self._indexes[model] = index
            return index

    def _queried(self, model: str, index: VectorIndex, query, on_progress=None, cancel=None):
        """query(index) under the index lock. An index answering with scores no cosine can
        have is damaged derived data: rebuilt from the catalog and asked once more."""
        with self._index_lock:
            try:
                return query(index)
            except IndexCorrupt:
                self._pair_caches.pop(model, None)
                index = self._index(model, on_progress, cancel, rebuild=True)
                try:
                    return query(index)
                except IndexCorrupt as exc:
                    raise _damaged_vectors(model, exc) from exc

    # -- duplicates ---------------------------------------------------------------------------
    def thresholds(self, model: str) -> dict[str, float]:
        defaults = spec(model)
        return {"near": self.settings.threshold(model, "near", defaults.near),
                "similar": self.settings.threshold(model, "similar", defaults.similar)}

    def duplicates(self, tier: str = "near", threshold: Optional[float] = None,
                   model: Optional[str] = None, on_progress: Optional[ProgressCallback] = None,
                   cancel: Optional[CancelToken] = None) -> list[DuplicateGroup]:
        """Groups, largest reclaimable space first. `tier` is the loosest tier reported:
        exact, near (also lists exact copies) or similar/all (also near and exact)."""
        if tier not in TIERS:
            raise UsageError(f"Unknown tier {tier!r}; choose one of: {', '.join(TIERS)}.")
        if threshold is not None and not -1.0 <= threshold <= 1.0:
            raise UsageError("A threshold is a cosine similarity between -1 and 1.")
        if tier == "exact":
            groups = [self._exact_group(records) for records in self.catalog.hash_groups()]
            return sorted((g for g in groups if len(g.files) > 1), key=_group_order)
        name = self.resolve_model_name(model)
        limits = self.thresholds(name)
        loosest = "similar" if tier in ("similar", "all") else "near"
        if threshold is not None:
            limits[loosest] = threshold
            if loosest == "similar":
                limits["near"] = max(limits["near"], threshold)   # near can never be looser
            else:
                limits["similar"] = min(limits["similar"], threshold)
        low = limits["similar"] if loosest == "similar" else limits["near"]
        with self._index_lock:
            index = self._index(name, on_progress, cancel)
            if index is None:
                raise LookalikeError(f"The library has no {name} vectors yet; run `lookalike scan "
                                     f"--model {name}` first.")
            pairs = self._queried(name, index, lambda ix: self._pairs(name, ix, low), on_progress, cancel)
        # The index is derived data: every pair is scored again from the catalog's own vectors,
        # so no group (and no removal proposal) rests on the index file's bytes.
        try:
            pairs = rescored(pairs, *self.catalog.vectors_of(name, index.dim, {i for p in pairs for i in p[:2]}), low)
        except IndexCorrupt as exc:
            raise _damaged_vectors(name, exc) from exc
        # Only files in some pair can be in a group (byte-identical copies share their vector,
        # so they pair at 1.0): at 1M photos this loads thousands of records, not a million.
        records = self.catalog.files_by_ids(sorted({a for a, _, _ in pairs} | {b for _, b, _ in pairs}))
        cosine = {(a, b) if a < b else (b, a): s for a, b, s in pairs}
        if self.settings.verify_pairs:
            from .pair_checking import verified

            pairs = verified(self.catalog, records, pairs, limits["near"], on_progress, cancel)
        refs, roots = self._references(), self._followed_roots()
        files, names = one_per_file(list(records.values()))   # hardlinked names: one photo
        raw = group_files([(r.id, r.content_hash) for r in files], names.pairs(pairs),
                          near=limits["near"], similar=limits["similar"] if loosest == "similar" else None)
        groups = []
        for g in raw:
            anchor = g.members[0].file_id
            # Show the embedding's own cosine; grouping may have used a demoted score.
            shown = [cosine.get((min(anchor, m.file_id), max(anchor, m.file_id)), m.similarity)
                     if m.match not in ("reference", "exact") else m.similarity for m in g.members]
            groups.append(DuplicateGroup(g.tier, tuple(
                _dup_file(records[m.file_id], round(s, 4), m.match, refs, names.of(m.file_id), roots)
                for m, s in zip(g.members, shown))))
        return sorted(groups, key=_group_order)

    def _pairs(self, model: str, index: VectorIndex, threshold: float) -> list[tuple[int, int, float]]:
        """Every pair at or above `threshold`; the cached pairs of the last call brought up to
        date when they can be (the caller holds the index lock)."""
        cache = self._pair_caches.get(model)
        if cache is None or not cache.usable_for(index, threshold):
            cache = PairCache.build(index, threshold)
        elif not cache.current(index):
            ids, vectors, _ = self.catalog.vectors(model, index.dim, after_seq=cache.max_seq)
            cache = cache.updated(index, ids, vectors)
        self._pair_caches[model] = cache
        return cache.pairs(threshold)

    def _followed_roots(self) -> Optional[list[str]]:
        """Folders to check real paths against, if links out of them are followed (else none is)."""
        return [f.path for f in self.catalog.folders()] if self.settings.follow_external_links else None

    def _exact_group(self, records: Sequence[FileRecord]) -> DuplicateGroup:
        refs, roots = self._references(), self._followed_roots()
        files, names = one_per_file(records)
        return DuplicateGroup("exact", tuple(_dup_file(r, 1.0, "exact" if i else "reference", refs,
                                                       names.of(r.id), roots)
                                             for i, r in enumerate(files)))


def _damaged_vectors(model: str, exc: IndexCorrupt) -> LookalikeError:
    return LookalikeError(f"The {model} vector index is damaged and rebuilding it from the catalog "
                          f"did not help ({exc}); run `lookalike doctor --repair`.")


def _inside(path: str, folder: str) -> bool:
    path, folder = os.path.normpath(path), os.path.normpath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _photo(r: FileRecord) -> Photo:
    return Photo(r.id, r.path, r.width, r.height, r.size, r.format, r.taken_at, r.content_hash, r.error)


def _dup_file(record: FileRecord, similarity: float, match: str, refs: Sequence[str],
              others: Sequence[FileRecord] = (), roots: Optional[Sequence[str]] = None) -> DuplicateFile:
    """`others`: the other names of this file; `roots`: the library's folders, against which
    the file's real path is checked (a followed link can lead out of them)."""
    paths = [record.path, *(o.path for o in others)]
    reference = any(_inside(p, r) for p in paths for r in refs)
    outside = roots is not None and not any(_inside(os.path.realpath(p), r) for p in paths for r in roots)
    return DuplicateFile(record.id, record.path, similarity, match, record.width, record.height,
                         record.size, record.format, record.taken_at, record.camera,
                         record.exif_fields, record.has_gps, reference, record.content_hash,
                         tuple(o.path for o in others), tuple(o.id for o in others), outside)


def _group_order(group: DuplicateGroup):
    return (-group.reclaimable_bytes, group.files[0].path)
