"""`lookalike doctor`: checks a library's catalog and index files, and repairs them.

Owns: the health report (catalog state and schema version, each index file, the backups) and
the repair order: a damaged or vanished catalog is rebuilt from its newest good backup plus
what survives (catalog/repair.py), damaged index files are removed (derived: rebuilt from the
catalog), then the library is rescanned with its last model. Works without opening the library,
since a damaged catalog cannot be. Must not: run SQL or FAISS itself, or print.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .catalog import backup
from .catalog.migrations import LATEST
from .catalog.repair import bad_vectors, drop_bad_vectors
from .catalog.repair import repair as rebuild_catalog
from .catalog.store import CATALOG_FILE
from .errors import CatalogError, ModelUnavailable
from .jobs import CancelToken, ProgressCallback
from .lock import WriterLock


@dataclass
class Health:
    library: str
    catalog: str                    # ok | damaged | missing | unreadable | newer | none
    catalog_problem: Optional[str] = None
    schema_version: Optional[int] = None
    indexes: dict = field(default_factory=dict)   # path -> ok | damaged
    backups: list = field(default_factory=list)   # newest first
    repaired: list = field(default_factory=list)  # sentences: what --repair did
    notes: list = field(default_factory=list)     # what is left for the user to do
    repair: Optional[dict] = None                 # the catalog rebuild's details

    bad_vectors: int = 0                          # stored vectors that are not unit vectors

    @property
    def healthy(self) -> bool:
        return (self.catalog in ("ok", "none") and not self.bad_vectors
                and all(v == "ok" for v in self.indexes.values()))

    def problem(self) -> Optional[str]:
        """The one sentence that says what is wrong and what to run, or None when healthy."""
        if self.catalog not in ("ok", "none"):
            return self.catalog_problem
        if self.bad_vectors:
            return (f"The catalog {self.library}/{CATALOG_FILE} holds {self.bad_vectors} damaged "
                    f"photo vector(s); run `lookalike doctor --repair`.")
        damaged = [p for p, state in self.indexes.items() if state != "ok"]
        if damaged:
            return f"{len(damaged)} index file(s) are damaged ({damaged[0]}); run `lookalike doctor --repair`."
        return None

    def to_dict(self) -> dict:
        return dict(self.__dict__, healthy=self.healthy)


def check(library_dir: Path) -> Health:
    """Reads everything, changes nothing (a full integrity check of the catalog)."""
    library_dir = Path(library_dir)
    path = library_dir / CATALOG_FILE
    health = Health(str(library_dir), "ok", backups=[str(p) for p in backup.backups(library_dir)])
    try:
        backup.require_catalog(library_dir, path)
        present = path.is_file() and path.stat().st_size > 0
    except CatalogError as exc:
        health.catalog, health.catalog_problem = "missing", str(exc)
        present = False
    if health.catalog == "ok" and not present:
        health.catalog = "none"
    elif present:
        health.schema_version = backup.schema_version(path)
        state, problem = backup.inspect(path, full=True)
        if state == "damaged":
            health.catalog, health.catalog_problem = "damaged", backup.damaged_sentence(path, problem)
        elif state == "unreadable":
            health.catalog = "unreadable"
            health.catalog_problem = backup.describe(path, OSError(problem))
        elif (health.schema_version or 0) > LATEST:
            health.catalog = "newer"
            health.catalog_problem = (f"The catalog {path} was written by a newer Lookalike "
                                      f"(schema {health.schema_version}); update Lookalike.")
    if health.catalog == "ok" and present:
        try:
            health.bad_vectors = bad_vectors(path)
        except CatalogError as exc:
            health.catalog, health.catalog_problem = "damaged", str(exc)
    for index_file in _index_files(library_dir):
        health.indexes[str(index_file)] = "ok" if _index_ok(index_file) else "damaged"
    return health


def repair(library_dir: Path, model_dir: Optional[str] = None,
           on_progress: Optional[ProgressCallback] = None,
           cancel: Optional[CancelToken] = None) -> Health:
    """Repairs what `check` finds, then rescans; returns the health afterwards."""
    library_dir = Path(library_dir)
    # Another program writing the library meanwhile would write into the file being replaced.
    with WriterLock(library_dir).hold(on_progress, cancel):
        before, repaired, notes, details = _repair_files(library_dir)
    if before.catalog not in ("newer", "unreadable"):
        notes += _rescan(library_dir, model_dir, on_progress, cancel)
    after = check(library_dir)
    after.repaired, after.notes, after.repair = repaired, notes, details
    return after


def _repair_files(library_dir: Path):
    """Rebuilds a damaged or vanished catalog and removes damaged indexes (under the lock)."""
    before = check(library_dir)
    repaired: list[str] = []
    notes: list[str] = []
    details = None
    if before.catalog in ("damaged", "missing"):
        result = rebuild_catalog(library_dir, CATALOG_FILE)
        details = result.to_dict()
        source = f"the backup {result.backup}" if result.backup else "no backup (none was good)"
        repaired.append(f"Rebuilt the catalog from {source} plus "
                        f"{sum(result.salvaged.values())} rows read from the damaged file.")
        if result.damaged_copy:
            repaired.append(f"The damaged catalog was kept as {result.damaged_copy}.")
        if not result.backup and not result.salvaged:
            notes.append("Nothing could be recovered; add your folders again with `lookalike add`.")
        for index_file in _index_files(library_dir):  # its ids may no longer match the catalog
            _remove_derived(index_file)
    elif before.bad_vectors:
        dropped = drop_bad_vectors(library_dir / CATALOG_FILE)
        repaired.append(f"Dropped {dropped} damaged photo vector(s) from the catalog; the rescan "
                        f"embeds those photos again.")
        for index_file in _index_files(library_dir):  # built from those vectors
            _remove_derived(index_file)
    elif before.catalog in ("newer", "unreadable"):
        notes.append(before.catalog_problem)
    for index_file, state in before.indexes.items():
        if state == "damaged" and Path(index_file).exists():
            _remove_derived(Path(index_file))
            repaired.append(f"Removed the damaged index {index_file}; it is rebuilt from the catalog.")
    return before, repaired, notes, details


def _rescan(library_dir: Path, model_dir, on_progress, cancel) -> list[str]:
    from .library import Library

    with Library.open(library_dir, model_dir=model_dir) as library:
        if not library.folders():
            return []
        try:
            library.scan(on_progress=on_progress, cancel=cancel)
        except ModelUnavailable as exc:
            return [f"The rescan was skipped ({exc}); run `lookalike scan` once the model is there."]
    return []


def _index_files(library_dir: Path) -> list[Path]:
    folder = library_dir / "index"
    try:
        return sorted(p for p in folder.iterdir() if p.name.endswith(".faiss"))
    except OSError:
        return []


def _index_ok(path: Path) -> bool:
    from .index.vectors import VectorIndex

    return path.is_file() and VectorIndex.load(path) is not None


def _remove_derived(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        return  # a folder in the way may be the user's: reported, never cleared
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
