"""The catalog store: every query the engine runs against SQLite goes through here.

Owns: opening the database (WAL, foreign keys, migrations), and reads and writes of folders,
files, embeddings and meta values. Must not: walk folders, decode images or touch FAISS.
Writes come from one thread at a time (the library's writer); reads may run beside them.
"""
from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Iterable, Optional, Sequence

import numpy as np
from sqlalchemy import bindparam, create_engine, delete, event, exists, func, insert, or_, select, true, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError

from ..errors import CatalogError
from . import backup, migrations
from .records import FileRecord, FolderRecord
from .schema import embeddings, files, folders, marks, meta, pair_checks

CATALOG_FILE = "catalog.sqlite"


_FILE_COLUMNS = [files.c.id, files.c.folder_id, files.c.path, files.c.size, files.c.mtime_ns,
                 files.c.content_hash, files.c.width, files.c.height, files.c.format,
                 files.c.taken_at, files.c.camera, files.c.error, files.c.exif_fields,
                 files.c.has_gps, files.c.device, files.c.inode]


def _file(row) -> FileRecord:
    return FileRecord(*row)


def _on_connect(dbapi_conn, _record) -> None:
    # Let SQLAlchemy's "begin" hook issue BEGIN itself so DDL in migrations is transactional.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON",
                   "PRAGMA busy_timeout=15000", "PRAGMA synchronous=NORMAL"):
        cursor.execute(pragma)
    cursor.close()


def _on_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN")


class Catalog:
    """One library's SQLite catalog."""

    def __init__(self, library_dir: Path) -> None:
        """Opens the catalog; refusals and damage are one CatalogError (see backup.py)."""
        self.path = Path(library_dir) / CATALOG_FILE
        backup.prepare(self.path)
        self.engine: Engine = create_engine(
            f"sqlite:///{self.path}", connect_args={"check_same_thread": False, "timeout": 15})
        event.listen(self.engine, "connect", _on_connect)
        event.listen(self.engine, "begin", _on_begin)
        self._open_marker = None
        try:
            with self.engine.begin() as conn:
                migrations.migrate(conn)
            self._open_marker = backup.opened(self.path)
        except CatalogError:
            self.close()
            raise
        except (DatabaseError, sqlite3.DatabaseError) as exc:
            self.close()
            raise CatalogError(backup.describe(self.path, exc)) from exc

    def close(self) -> None:
        self.engine.dispose()
        backup.clear_markers([self._open_marker])

    def backup(self, required: bool = True, why: str = "") -> Optional[Path]:
        """A checked copy of the catalog's user data in backups/ (see backup.back_up)."""
        return backup.back_up(self.path, required, why)

    # -- meta -------------------------------------------------------------------------------
    def get_meta(self, key: str, default: Optional[str] = None) -> Optional[str]:
        with self.engine.connect() as conn:
            value = conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()
        return default if value is None else value

    def set_meta(self, key: str, value: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(meta).where(meta.c.key == key))
            conn.execute(insert(meta).values(key=key, value=value))

    # -- folders ----------------------------------------------------------------------------
    def folders(self) -> list[FolderRecord]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(folders.c.id, folders.c.path, folders.c.added_at)
                                .order_by(folders.c.path)).all()
        return [FolderRecord(*r) for r in rows]

    def add_folder(self, path: str, absorb: Sequence[int] = ()) -> FolderRecord:
        """Adds a folder; files of the folders in `absorb` (now inside it) move under it."""
        now = time.time()
        with self.engine.begin() as conn:
            folder_id = conn.execute(insert(folders).values(path=path, added_at=now)).inserted_primary_key[0]
            if absorb:
                conn.execute(update(files).where(files.c.folder_id.in_(list(absorb)))
                             .values(folder_id=folder_id))
                conn.execute(delete(folders).where(folders.c.id.in_(list(absorb))))
        return FolderRecord(folder_id, path, now)

    def remove_folder(self, folder_id: int) -> int:
        """Forgets a folder and its files' records (never the files themselves)."""
        with self.engine.begin() as conn:
            count = conn.execute(select(func.count()).select_from(files)
                                 .where(files.c.folder_id == folder_id)).scalar()
            conn.execute(delete(folders).where(folders.c.id == folder_id))
        return int(count or 0)

    # -- files ------------------------------------------------------------------------------
    def all_files(self) -> list[FileRecord]:
        with self.engine.connect() as conn:
            return [_file(r) for r in conn.execute(select(*_FILE_COLUMNS))]

    def files_in(self, folder: str, recursive: bool = True) -> list[FileRecord]:
        """Files directly in `folder`, or anywhere below it (a range over the path index)."""
        base = folder.rstrip(os.sep)
        low, high = base + os.sep, base + chr(ord(os.sep) + 1)
        query = select(*_FILE_COLUMNS).where(files.c.path >= low, files.c.path < high)
        if not recursive:
            sep = os.fsencode(os.sep)
            query = query.where(func.instr(func.substr(files.c.path, len(os.fsencode(low)) + 1), sep) == 0)
        with self.engine.connect() as conn:
            return [_file(r) for r in conn.execute(query)]

    def files_with_hashes(self, hashes: Iterable[str]) -> list[FileRecord]:
        hashes = sorted(set(hashes))
        out: list[FileRecord] = []
        with self.engine.connect() as conn:
            for start in range(0, len(hashes), 900):
                chunk = hashes[start:start + 900]
                out += [_file(r) for r in conn.execute(
                    select(*_FILE_COLUMNS).where(files.c.content_hash.in_(chunk)))]
        return out

    def files_to_decode(self, models: Sequence[tuple[str, int]]) -> list[FileRecord]:
        """Readable files missing metadata or a (model, dim) vector: the work a scan has left."""
        missing = [~exists().where(embeddings.c.file_id == files.c.id, embeddings.c.model == name,
                                   embeddings.c.dim == dim) for name, dim in models]
        query = select(*_FILE_COLUMNS).where(files.c.error.is_(None), files.c.content_hash.is_not(None),
                                             or_(files.c.width.is_(None), *missing))
        with self.engine.connect() as conn:
            return [_file(r) for r in conn.execute(query)]

    def embedded_among(self, model: str, dim: int, ids: Sequence[int]) -> set[int]:
        """Which of these files have a vector of this model and size."""
        ids = list(ids)
        found: set[int] = set()
        with self.engine.connect() as conn:
            for start in range(0, len(ids), 900):
                found.update(conn.execute(select(embeddings.c.file_id).where(
                    embeddings.c.model == model, embeddings.c.dim == dim,
                    embeddings.c.file_id.in_(ids[start:start + 900]))).scalars())
        return found

    def file_counts(self, unreadable: bool = False) -> dict[int, int]:
        """folder id -> how many files the catalog holds under it (`unreadable`: that could not be read)."""
        query = select(files.c.folder_id, func.count()).where(files.c.error.is_not(None) if unreadable else true())
        with self.engine.connect() as conn:
            return {folder_id: int(n) for folder_id, n in conn.execute(query.group_by(files.c.folder_id))}

    def unreadable_files(self) -> list[FileRecord]:
        """The files that could not be read, by path: from the partial index files_unreadable,
        not a pass over every file."""
        query = select(*_FILE_COLUMNS).where(files.c.error.is_not(None)).order_by(files.c.path)
        with self.engine.connect() as conn:
            return [_file(r) for r in conn.execute(query)]

    def files_by_ids(self, ids: Iterable[int]) -> dict[int, FileRecord]:
        ids = list(ids)
        out: dict[int, FileRecord] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(ids), 900):
                chunk = ids[start:start + 900]
                for row in conn.execute(select(*_FILE_COLUMNS).where(files.c.id.in_(chunk))):
                    out[row.id] = _file(row)
        return out

    def file_by_path(self, path: str) -> Optional[FileRecord]:
        with self.engine.connect() as conn:
            row = conn.execute(select(*_FILE_COLUMNS).where(files.c.path == path)).first()
        return _file(row) if row else None

    def files_with_hash(self, content_hash: str) -> list[FileRecord]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(*_FILE_COLUMNS).where(files.c.content_hash == content_hash))
            return [_file(r) for r in rows]

    def insert_files(self, records: Sequence[dict]) -> list[int]:
        """Inserts new files (dicts of column values without id); returns their ids in order."""
        ids = []
        now = time.time()
        with self.engine.begin() as conn:
            for record in records:
                values = dict(record, scanned_at=now)
                ids.append(conn.execute(insert(files).values(**values)).inserted_primary_key[0])
        return ids

    def update_files(self, changes: Sequence[tuple[int, dict]], drop_embeddings: bool) -> None:
        """Updates columns of existing files. A changed file's embeddings and marks are
        dropped in the same transaction, so a crash can never pair new bytes with an old
        vector, and a keep/remove decision never outlives the picture it was made on."""
        now, alike = time.time(), {}   # one executemany per set of columns: 100k rows in ~1 s
        for file_id, values in changes:
            alike.setdefault(tuple(sorted(values)), []).append(
                {"v_id": file_id, "v_scanned_at": now, **{f"v_{c}": v for c, v in values.items()}})
        with self.engine.begin() as conn:
            for columns, rows in alike.items():
                conn.execute(update(files).where(files.c.id == bindparam("v_id")).values(
                    {c: bindparam(f"v_{c}", type_=files.c[c].type) for c in (*columns, "scanned_at")}), rows)
            ids = [file_id for file_id, _ in changes] if drop_embeddings else []
            for start in range(0, len(ids), 900):
                conn.execute(delete(embeddings).where(embeddings.c.file_id.in_(ids[start:start + 900])))
                conn.execute(delete(marks).where(marks.c.file_id.in_(ids[start:start + 900])))

    def delete_files(self, ids: Sequence[int]) -> None:
        ids = list(ids)
        with self.engine.begin() as conn:
            for start in range(0, len(ids), 900):
                conn.execute(delete(files).where(files.c.id.in_(ids[start:start + 900])))

    def hash_groups(self) -> list[list[FileRecord]]:
        """Files sharing their bytes with at least one other file, grouped by content hash."""
        with self.engine.connect() as conn:
            dup_hashes = (select(files.c.content_hash).where(files.c.content_hash.is_not(None))
                          .group_by(files.c.content_hash).having(func.count() > 1)).subquery()
            rows = conn.execute(select(*_FILE_COLUMNS)
                                .where(files.c.content_hash.in_(select(dup_hashes.c.content_hash)))
                                .order_by(files.c.content_hash, files.c.path)).all()
        groups: dict[str, list[FileRecord]] = {}
        for row in rows:
            groups.setdefault(row.content_hash, []).append(_file(row))
        return list(groups.values())

    # -- embeddings -------------------------------------------------------------------------
    def _next_seq(self, conn, count: int) -> int:
        current = conn.execute(select(meta.c.value).where(meta.c.key == "embedding_seq")).scalar()
        start = int(current or 0) + 1
        conn.execute(delete(meta).where(meta.c.key == "embedding_seq"))
        conn.execute(insert(meta).values(key="embedding_seq", value=str(start + count - 1)))
        return start

    def put_embeddings(self, model: str, items: Sequence[tuple[int, np.ndarray]]) -> None:
        """Stores (file id, vector) pairs, replacing older ones; files deleted meanwhile are skipped."""
        if not items:
            return
        with self.engine.begin() as conn:
            seq = self._next_seq(conn, len(items))
            live = set(conn.execute(select(files.c.id).where(
                files.c.id.in_([fid for fid, _ in items]))).scalars())
            rows = [{"file_id": fid, "model": model, "dim": int(vec.shape[0]),
                     "vector": np.ascontiguousarray(vec, dtype=np.float32).tobytes(), "seq": seq + i}
                    for i, (fid, vec) in enumerate(items) if fid in live]
            ids = [r["file_id"] for r in rows]
            if ids:
                conn.execute(delete(embeddings).where(embeddings.c.model == model,
                                                      embeddings.c.file_id.in_(ids)))
                conn.execute(insert(embeddings), rows)

    def embedded_ids(self, model: str, dim: Optional[int] = None) -> set[int]:
        query = select(embeddings.c.file_id).where(embeddings.c.model == model)
        if dim is not None:
            query = query.where(embeddings.c.dim == dim)
        with self.engine.connect() as conn:
            return set(conn.execute(query).scalars())

    def embedding(self, file_id: int, model: str) -> Optional[np.ndarray]:
        with self.engine.connect() as conn:
            blob = conn.execute(select(embeddings.c.vector).where(
                embeddings.c.file_id == file_id, embeddings.c.model == model)).scalar()
        return None if blob is None else np.frombuffer(blob, dtype=np.float32).copy()

    def vectors(self, model: str, dim: int, after_seq: int = 0) -> tuple[np.ndarray, np.ndarray, int]:
        """(ids, vectors, max seq) of a model's embeddings written after `after_seq`."""
        query = (select(embeddings.c.file_id, embeddings.c.vector, embeddings.c.seq)
                 .where(embeddings.c.model == model, embeddings.c.dim == dim,
                        embeddings.c.seq > after_seq)
                 .order_by(embeddings.c.file_id))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros((0, dim), dtype=np.float32), after_seq
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), dim)
        return ids, matrix.copy(), max(r[2] for r in rows)

    def vectors_of(self, model: str, dim: int, ids: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) of these files' embeddings, sorted by id; files without one left out."""
        ids, rows = sorted(set(ids)), []
        with self.engine.connect() as conn:
            for start in range(0, len(ids), 900):
                rows += conn.execute(select(embeddings.c.file_id, embeddings.c.vector).where(
                    embeddings.c.model == model, embeddings.c.dim == dim,
                    embeddings.c.file_id.in_(ids[start:start + 900]))).all()
        rows.sort(key=lambda r: r[0])
        return (np.array([r[0] for r in rows], dtype=np.int64),
                np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), dim).copy())

    def embedding_state(self, model: str, dim: int) -> tuple[int, int]:
        """(count, max seq) of a model's stored vectors: what an index must match."""
        with self.engine.connect() as conn:
            row = conn.execute(select(func.count(), func.max(embeddings.c.seq)).where(
                embeddings.c.model == model, embeddings.c.dim == dim)).first()
        return int(row[0] or 0), int(row[1] or 0)

    def embedding_dim(self, model: str) -> Optional[int]:
        """The dimension of a model's newest vectors, None when it has none."""
        with self.engine.connect() as conn:
            dim = conn.execute(select(embeddings.c.dim).where(embeddings.c.model == model)
                               .order_by(embeddings.c.seq.desc()).limit(1)).scalar()
        return None if dim is None else int(dim)

    def drop_embeddings(self, model: str, keep_dim: int) -> int:
        """Removes a model's vectors of another dimension (the model's weights changed)."""
        with self.engine.begin() as conn:
            result = conn.execute(delete(embeddings).where(
                embeddings.c.model == model, embeddings.c.dim != keep_dim))
        return result.rowcount or 0

    def copy_embeddings(self, pairs: Sequence[tuple[int, int]]) -> int:
        """Gives each target file the vectors of a source file with the same bytes."""
        copied = 0
        with self.engine.begin() as conn:
            for source, target in pairs:
                rows = conn.execute(select(embeddings.c.model, embeddings.c.dim, embeddings.c.vector)
                                    .where(embeddings.c.file_id == source)).all()
                if not rows:
                    continue
                seq = self._next_seq(conn, len(rows))
                conn.execute(delete(embeddings).where(embeddings.c.file_id == target))
                conn.execute(insert(embeddings), [
                    {"file_id": target, "model": m, "dim": d, "vector": v, "seq": seq + i}
                    for i, (m, d, v) in enumerate(rows)])
                copied += 1
        return copied

    def models_with_embeddings(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(embeddings.c.model, func.count()).group_by(embeddings.c.model))
            return {m: int(n) for m, n in rows}

    def pair_checks(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, float]]:
        """Cached geometric verdicts for (hash_a, hash_b) pairs, hash_a < hash_b."""
        wanted = set(keys)
        out = {}
        with self.engine.connect() as conn:
            firsts = sorted({a for a, _ in wanted})
            for start in range(0, len(firsts), 900):
                rows = conn.execute(select(pair_checks).where(pair_checks.c.hash_a.in_(firsts[start:start + 900])))
                for a, b, verdict, aligned in rows:
                    if (a, b) in wanted:
                        out[(a, b)] = (verdict, aligned)
        return out

    def put_pair_checks(self, items: Sequence[tuple[str, str, str, float]]) -> None:
        if not items:
            return
        with self.engine.begin() as conn:
            for a, b, verdict, aligned in items:
                conn.execute(delete(pair_checks).where(pair_checks.c.hash_a == a, pair_checks.c.hash_b == b))
            conn.execute(insert(pair_checks), [{"hash_a": a, "hash_b": b, "verdict": v, "aligned": al}
                                               for a, b, v, al in items])

    def check(self) -> str:
        with self.engine.connect() as conn:
            return str(conn.exec_driver_sql("PRAGMA integrity_check").scalar())
