"""Catalog safety: private files, rotating backups, damage checks and one-sentence reasons.

Owns: creating the catalog file owner-only, the `library.json` marker that remembers a library
had a catalog (so a vanished or emptied one is reported, never silently recreated), the
open-markers that reveal an unclean shutdown, backups through SQLite's online backup API
(`backups/catalog-*.sqlite`, the newest KEEP kept, each checked before older ones are pruned),
quick and full checks, and the sentences that name a damaged catalog and the command to run.
Must not: repair anything (repair.py does) or read the user's photos.
"""
from __future__ import annotations

import json
import os
import secrets
import sqlite3
import time
from pathlib import Path
from typing import Optional

from sqlalchemy.exc import DatabaseError

from ..errors import CatalogError

BACKUP_DIR = "backups"
KEEP = 5
DAY = 24 * 3600
MARKER_FILE = "library.json"
REPAIR_COMMAND = "`lookalike doctor --repair`"
# Derived tables, rebuilt by a scan: left out of backups so a 1M-photo library's backups
# hold its user data (a few hundred MB), not 1.5 GB of vectors each.
DERIVED_TABLES = ("embeddings", "pair_checks", "phrase_vectors", "frame_quality")
DATABASE_ERRORS = (DatabaseError, sqlite3.DatabaseError)


def reason(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc) or exc.__class__.__name__
    return " ".join(text.split()).rstrip(".")


def damaged_sentence(path: Path, why: str) -> str:
    return f"The catalog {path} is damaged ({why}); run {REPAIR_COMMAND}."


def describe(path: Path, exc: BaseException) -> str:
    """One sentence for a database error met while using the catalog at `path`."""
    why = reason(exc)
    low = why.lower()
    if "disk is full" in low or "no space" in low or ("disk i/o" in low and _full(path)):
        return f"The disk holding the catalog {path} is full ({why}); free some space and try again."
    if "locked" in low or "busy" in low:
        return f"The catalog {path} is busy ({why}); another program is writing to it, try again."
    if "readonly" in low or "read-only" in low or "unable to open" in low or "disk i/o" in low:
        return (f"The catalog {path} cannot be read or written ({why}); check the library "
                f"folder's permissions and disk.")
    return damaged_sentence(path, why)


def _full(path: Path) -> bool:
    try:
        st = os.statvfs(path.parent)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 1 << 20


# -- private files -----------------------------------------------------------------------------
def make_private_dir(folder: Path) -> None:
    """Creates `folder` (0700) or takes group/other access away from one we own."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    _restrict(folder, 0o700)


def make_private_file(path: Path) -> None:
    """Creates `path` empty (0600) if missing, else takes group/other access away."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        _restrict(path, 0o600)


def _restrict(path: Path, mode: int) -> None:
    try:
        st = os.stat(path)
        if st.st_mode & 0o077 and st.st_uid == os.getuid():
            os.chmod(path, mode)
    except OSError:
        pass  # not ours to change, or gone: the open that follows reports what matters


# -- opening -----------------------------------------------------------------------------------
def prepare(path: Path) -> None:
    """Before the catalog at `path` opens: a private folder and file, and a refusal when the
    library had a catalog that is now missing or empty."""
    try:
        make_private_dir(path.parent)
        require_catalog(path.parent, path)
        make_private_file(path)
        for suffix in ("-wal", "-shm"):
            if path.with_name(path.name + suffix).exists():
                make_private_file(path.with_name(path.name + suffix))
    except OSError as exc:
        raise CatalogError(f"The catalog {path} cannot be created ({exc.strerror}).") from exc


def opened(path: Path) -> Optional[Path]:
    """Once the catalog opened: this process's open-marker (returned), a quick check when a
    process died with it open, and the library's note that it has a catalog."""
    marker, stale = mark_open(path.parent)
    if stale:
        state, problem = inspect(path)
        if state == "damaged":
            clear_markers([marker])
            raise CatalogError(damaged_sentence(path, problem))
        clear_markers(stale)
    remember_catalog(path.parent, path)
    return marker


def back_up(path: Path, required: bool = True, why: str = "") -> Optional[Path]:
    """make_backup for the catalog at `path`. Damage found on the way is always a
    CatalogError; a copy that cannot be written (full disk) is one too when `required`,
    else it is skipped (None)."""
    try:
        return make_backup(path, path.parent)
    except (OSError, sqlite3.Error) as exc:
        if not required:
            return None
        raise CatalogError(f"The catalog {path} could not be backed up{' ' + why if why else ''} "
                           f"({reason(exc)}); free some space or check the library folder, "
                           f"then try again.") from exc


# -- the library remembers its catalog ---------------------------------------------------------
def remember_catalog(library_dir: Path, catalog: Path) -> None:
    marker = Path(library_dir) / MARKER_FILE
    if marker.exists():
        return
    tmp = marker.with_name(f".{MARKER_FILE}-{secrets.token_hex(4)}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"catalog": catalog.name, "created_at": time.time()}, fh)
        os.replace(tmp, marker)
    except OSError:
        tmp.unlink(missing_ok=True)  # best effort: a full disk must not stop the open


def require_catalog(library_dir: Path, catalog: Path) -> None:
    """Refuses to start afresh where the library had a catalog that vanished or was emptied."""
    if not (Path(library_dir) / MARKER_FILE).exists():
        return
    try:
        size = catalog.stat().st_size
    except FileNotFoundError:
        raise CatalogError(f"The catalog {catalog} is missing, though this library had one; "
                           f"run {REPAIR_COMMAND} to restore it from its newest backup.") from None
    if size == 0:
        raise CatalogError(f"The catalog {catalog} is empty (0 bytes), though this library had "
                           f"one; run {REPAIR_COMMAND} to restore it from its newest backup.")


# -- unclean shutdown --------------------------------------------------------------------------
def mark_open(library_dir: Path) -> tuple[Optional[Path], list[Path]]:
    """Writes this process's open-marker; returns it and the markers of processes that died
    with the catalog open (an unclean shutdown, worth a quick check)."""
    stale = []
    for marker in Path(library_dir).glob(".catalog-open-*"):
        try:
            pid = int(marker.name.split("-")[2])
        except (IndexError, ValueError):
            continue
        if not _alive(pid):
            stale.append(marker)
    mine = Path(library_dir) / f".catalog-open-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        os.close(os.open(mine, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError:
        mine = None
    return mine, stale


def clear_markers(markers) -> None:
    for marker in markers:
        if marker is not None:
            try:
                marker.unlink(missing_ok=True)
            except OSError:
                pass


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's live process
    return True


# -- checks ------------------------------------------------------------------------------------
def check(path: Path, full: bool = False) -> Optional[str]:
    """None when the SQLite file at `path` passes quick_check (integrity_check when `full`),
    else the first problem found (damage, or why it could not be read)."""
    return inspect(path, full)[1]


def inspect(path: Path, full: bool = False) -> tuple[str, Optional[str]]:
    """("ok", None), ("damaged", problem) or ("unreadable", reason): a full disk or a
    permission problem is not damage, and no repair should be tried for it."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=15)
        try:
            rows = conn.execute("PRAGMA integrity_check" if full else "PRAGMA quick_check").fetchall()
        finally:
            conn.close()
    except sqlite3.OperationalError as exc:
        return "unreadable", reason(exc)
    except sqlite3.Error as exc:
        return "damaged", reason(exc)
    problem = first_problem(rows)
    return ("ok", None) if problem is None else ("damaged", problem)


def first_problem(rows) -> Optional[str]:
    """The first line of a quick_check / integrity_check answer that names a problem."""
    lines = [line for r in rows if r and r[0] != "ok" for line in str(r[0]).splitlines()]
    lines = [line for line in lines if line.strip() and not line.startswith("***")]
    return None if not lines else lines[0]


def schema_version(path: Path) -> Optional[int]:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=15)
        try:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return None


# -- backups -----------------------------------------------------------------------------------
def backups(library_dir: Path) -> list[Path]:
    """The library's catalog backups, newest first."""
    folder = Path(library_dir) / BACKUP_DIR
    try:
        return sorted(folder.glob("catalog-*.sqlite"), key=lambda p: p.name, reverse=True)
    except OSError:
        return []


def newest_good_backup(library_dir: Path) -> Optional[Path]:
    for candidate in backups(library_dir):
        if check(candidate) is None:
            return candidate
    return None


def due(library_dir: Path, now: Optional[float] = None) -> bool:
    """True when the newest backup is missing or older than a day."""
    found = backups(library_dir)
    if not found:
        return True
    try:
        return (now or time.time()) - found[0].stat().st_mtime > DAY
    except OSError:
        return True


def make_backup(catalog: Path, library_dir: Path, keep: int = KEEP) -> Path:
    """Copies the catalog's user data into backups/ with the online backup API (consistent
    while others write), drops derived tables, checks the copy, then prunes to the newest
    `keep`. Raises CatalogError when the catalog turns out damaged and OSError / sqlite3
    errors when the copy cannot be written; a failed copy never replaces a good one."""
    folder = Path(library_dir) / BACKUP_DIR
    make_private_dir(folder)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    final = folder / f"catalog-{stamp}-{int(time.time() * 1e6) % 1_000_000:06d}.sqlite"
    tmp = folder / f".partial-{secrets.token_hex(4)}.sqlite"
    make_private_file(tmp)
    try:
        source = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True, timeout=15)
        try:
            target = sqlite3.connect(tmp)
            try:
                source.backup(target)
                for table in DERIVED_TABLES:
                    if target.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                                      (table,)).fetchone():
                        target.execute(f"DELETE FROM {table}")
                target.commit()
                target.execute("VACUUM")
                problem = target.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                target.close()
        finally:
            source.close()
        if problem != "ok":
            raise sqlite3.DatabaseError(problem)
        os.replace(tmp, final)
    except sqlite3.DatabaseError as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, sqlite3.OperationalError) and "malformed" not in str(exc):
            raise
        raise CatalogError(damaged_sentence(catalog, reason(exc))) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    for old in backups(library_dir)[keep:]:
        old.unlink(missing_ok=True)
    return final
