"""Rebuilding a damaged or vanished catalog from its newest good backup plus what survives.

Owns: moving the damaged file aside (renamed, never deleted), reading every row that can still
be read from it (table by table, around damaged pages), merging them over the backup (a table
read whole replaces the backup's copy; a partly read one adds its rows over it), dropping rows
that lost their parent, and putting the checked result in place. Must not: scan photos or
touch FAISS (the caller rescans and rebuilds indexes).
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np
from sqlalchemy import create_engine

from ..errors import CatalogError
from . import backup, migrations

# Parents before children; user data first. Derived tables come last: worth keeping when
# readable (no re-embedding), never worth failing for.
TABLES = ("meta", "folders", "files", "reference_folders", "marks", "presets", "batches",
          "journal", "removed_files", "removed_embeddings", "tags", "tag_examples", "decisions",
          "decision_members", "embeddings", "pair_checks", "phrase_vectors", "frame_quality")
# removed_files/removed_embeddings let `undo` bring back the catalog rows of a clean-up's files.
USER_TABLES = ("folders", "reference_folders", "marks", "presets", "batches", "journal",
               "removed_files", "removed_embeddings", "tags", "tag_examples", "decisions",
               "decision_members")
_FAR = 2 ** 62


@dataclass
class RepairReport:
    backup: Optional[str] = None            # the backup the rebuild started from
    damaged_copy: Optional[str] = None      # where the damaged file now lies
    rows: dict = field(default_factory=dict)      # table -> rows in the rebuilt catalog
    salvaged: dict = field(default_factory=dict)  # table -> rows read from the damaged file
    partial: list = field(default_factory=list)   # tables only partly readable there
    dropped: dict = field(default_factory=dict)   # table -> rows dropped for a lost parent

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def repair(library_dir: Path, catalog_name: str = "catalog.sqlite") -> RepairReport:
    """Rebuilds the catalog in `library_dir`; the caller has found it damaged or missing."""
    library_dir = Path(library_dir)
    path = library_dir / catalog_name
    report = RepairReport()
    source = backup.newest_good_backup(library_dir)
    report.backup = str(source) if source else None
    with tempfile.TemporaryDirectory(prefix=".repair-", dir=library_dir) as work:
        work = Path(work)
        damaged = _copy_damaged(path, work)
        rebuilt = work / "rebuilt.sqlite"
        _start_from(source, rebuilt)
        if damaged is not None:
            _merge(damaged, rebuilt, report)
        _drop_orphans(rebuilt, report)
        dropped = drop_bad_vectors(rebuilt)
        if dropped:
            report.dropped["embeddings (damaged)"] = dropped
        problem = backup.check(rebuilt, full=True)
        if problem is not None:
            raise CatalogError(f"The rebuilt catalog did not pass its check ({problem}); "
                               f"the damaged one is left in place at {path}.")
        report.rows = _counts(rebuilt)
        if path.exists() or path.with_name(path.name + "-wal").exists():
            report.damaged_copy = str(_set_aside(path))
        backup.make_private_file(path)  # owner-only from the first byte
        shutil.copyfile(rebuilt, path)
        _fsync(path)
    backup.remember_catalog(library_dir, path)
    return report


def _copy_damaged(path: Path, work: Path) -> Optional[Path]:
    """A working copy of the damaged file and its WAL: reading it must not change the
    original, which stays as found."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    copy = work / "damaged.sqlite"
    shutil.copyfile(path, copy)
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
    return copy


def _start_from(source: Optional[Path], rebuilt: Path) -> None:
    """The backup (through the backup API), or an empty catalog; brought to the newest schema."""
    if source is not None:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dst = sqlite3.connect(rebuilt)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
    engine = create_engine(f"sqlite:///{rebuilt}")
    try:
        with engine.begin() as conn:
            migrations.migrate(conn)
    finally:
        engine.dispose()


def _merge(damaged: Path, rebuilt: Path, report: RepairReport) -> None:
    try:
        old = sqlite3.connect(damaged)
    except sqlite3.Error:
        return
    try:
        names = {r[0] for r in old.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.Error:
        old.close()
        return  # the schema itself is unreadable: the backup is all there is
    new = sqlite3.connect(rebuilt)
    try:
        new.execute("PRAGMA foreign_keys=OFF")
        for table in TABLES:
            if table not in names:
                continue
            columns = _common_columns(old, new, table)
            if not columns:
                report.partial.append(table)
                continue
            rows, complete = read_rows(old, table, columns)
            report.salvaged[table] = len(rows)
            if not complete:
                report.partial.append(table)
            _write(new, table, columns, rows, replace_all=complete)
        _fix_sequence(new)
        new.commit()
    finally:
        new.close()
        old.close()


def _common_columns(old, new, table: str) -> list[str]:
    try:
        theirs = [r[1] for r in old.execute(f'PRAGMA table_info("{table}")')]
    except sqlite3.Error:
        return []
    ours = [r[1] for r in new.execute(f'PRAGMA table_info("{table}")')]
    return [c for c in ours if c in theirs]


def read_rows(conn, table: str, columns: list[str]) -> tuple[list[tuple], bool]:
    """Every row of `table` that can be read, and whether that was all of them. Reads in
    rowid order; past a damaged page it seeks further (doubling the jump), then reads back
    from the end, so rows on both sides of the damage are kept."""
    cols = ", ".join(f'"{c}"' for c in columns)
    found: dict[int, tuple] = {}
    low, step, complete = -_FAR, 1, True
    while low < _FAR:
        progressed = False
        try:
            for row in conn.execute(f'SELECT rowid, {cols} FROM "{table}" WHERE rowid >= ? '
                                    f'ORDER BY rowid', (low,)):
                found[row[0]] = row[1:]
                low, progressed = row[0] + 1, True
            break
        except sqlite3.DatabaseError:
            complete = False
            if progressed:
                step = 1     # seek once more right where the damage began
            else:
                low, step = (max(low, 0) + step), step * 2
    if not complete:
        try:
            for row in conn.execute(f'SELECT rowid, {cols} FROM "{table}" ORDER BY rowid DESC'):
                if row[0] in found:
                    break
                found[row[0]] = row[1:]
        except sqlite3.DatabaseError:
            pass
    return [found[k] for k in sorted(found)], complete


def _write(new, table: str, columns: list[str], rows: list[tuple], replace_all: bool) -> None:
    cols = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    if replace_all:
        new.execute(f'DELETE FROM "{table}"')
    for row in rows:
        try:
            new.execute(f'INSERT OR REPLACE INTO "{table}" ({cols}) VALUES ({marks})', row)
        except sqlite3.Error:
            pass  # a row the damage garbled (wrong type, broken constraint): not user data


def _fix_sequence(new) -> None:
    """Embedding write order must stay ahead of every stored vector's sequence number."""
    top = new.execute("SELECT max(seq) FROM embeddings").fetchone()[0] or 0
    row = new.execute("SELECT value FROM meta WHERE key='embedding_seq'").fetchone()
    current = int(row[0]) if row and str(row[0]).isdigit() else 0
    new.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('embedding_seq', ?)",
                (str(max(top, current)),))


def _drop_orphans(rebuilt: Path, report: RepairReport) -> None:
    """Rows whose parent was lost to the damage in both copies: a file without its folder
    is found again by the next scan; a mark or vector without its file means nothing."""
    conn = sqlite3.connect(rebuilt)
    try:
        for table, query in (
                ("files", "DELETE FROM files WHERE folder_id NOT IN (SELECT id FROM folders)"),
                ("marks", "DELETE FROM marks WHERE file_id NOT IN (SELECT id FROM files)"),
                ("embeddings", "DELETE FROM embeddings WHERE file_id NOT IN (SELECT id FROM files)"),
                ("tag_examples", "DELETE FROM tag_examples WHERE tag_id NOT IN (SELECT id FROM tags)"),
                ("decision_members", "DELETE FROM decision_members WHERE decision_id NOT IN "
                                     "(SELECT id FROM decisions)")):
            count = conn.execute(query).rowcount
            if count:
                report.dropped[table] = count
        conn.commit()
    finally:
        conn.close()


# A stored vector is L2-normalised (or all zeros, for a blank picture): anything else is
# damage that SQLite's own checks cannot see (random bytes inside a row's blob).
_NORM_SLACK = 1e-2


def _vector_ok(blob, dim) -> bool:
    if not isinstance(blob, (bytes, bytearray, memoryview)) or not isinstance(dim, int) \
            or dim <= 0 or len(blob) != 4 * dim:
        return False
    vector = np.frombuffer(blob, dtype=np.float32)
    if not np.isfinite(vector).all():
        return False
    norm = float(np.linalg.norm(vector.astype(np.float64)))
    return norm == 0.0 or abs(norm - 1.0) <= _NORM_SLACK


def bad_vectors(path: Path) -> int:
    """How many stored vectors (live, or kept for undo) are damaged; reads, changes nothing."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return sum(1 for table in _vector_tables(conn)
                       for dim, blob in conn.execute(f'SELECT dim, vector FROM "{table}"')
                       if not _vector_ok(blob, dim))
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise CatalogError(backup.damaged_sentence(path, str(exc))) from exc


def _vector_tables(conn) -> list[str]:
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return [t for t in ("embeddings", "removed_embeddings") if t in present]


def drop_bad_vectors(path: Path) -> int:
    """Deletes damaged vectors (derived data: the next scan embeds those photos again; a
    restored file without its vector is embedded by the next scan too)."""
    conn = sqlite3.connect(path)
    try:
        dropped = 0
        for table in _vector_tables(conn):
            bad = [rowid for rowid, dim, blob in conn.execute(f'SELECT rowid, dim, vector FROM "{table}"')
                   if not _vector_ok(blob, dim)]
            conn.executemany(f'DELETE FROM "{table}" WHERE rowid = ?', [(r,) for r in bad])
            dropped += len(bad)
        conn.commit()
        return dropped
    finally:
        conn.close()


def _counts(path: Path) -> dict:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def _set_aside(path: Path) -> Path:
    """Renames the damaged catalog (and its WAL and shared memory) beside itself."""
    aside = path.with_name(f"{path.stem}-damaged-{time.strftime('%Y%m%d-%H%M%S')}{path.suffix}")
    n = 1
    while aside.exists():
        n += 1
        aside = aside.with_name(f"{path.stem}-damaged-{time.strftime('%Y%m%d-%H%M%S')}-{n}{path.suffix}")
    for suffix in ("-wal", "-shm"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            os.replace(extra, aside.with_name(aside.name + suffix))
    if path.exists():
        os.replace(path, aside)
    return aside


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
