"""The catalog reopens consistent, refuses what it does not understand, and keeps odd names."""
import sqlite3

import pytest

from lookalike.engine.catalog import migrations
from lookalike.engine.catalog.store import CATALOG_FILE, Catalog
from lookalike.engine.errors import CatalogError


def test_a_new_catalog_is_at_the_latest_schema_in_wal_mode(library_dir):
    catalog = Catalog(library_dir)
    with catalog.engine.connect() as conn:
        assert migrations.current_version(conn) == migrations.LATEST
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    catalog.close()


def test_every_migration_has_a_number_in_order_and_a_reason():
    numbers = [number for number, _, _ in migrations.MIGRATIONS]
    assert numbers == list(range(1, len(numbers) + 1))
    assert all(reason.strip() for _, reason, _ in migrations.MIGRATIONS)


def test_a_catalog_from_a_newer_app_is_refused_and_left_untouched(library_dir):
    Catalog(library_dir).close()
    path = library_dir / CATALOG_FILE
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 999")
    before = path.read_bytes()
    with pytest.raises(CatalogError, match="newer Lookalike"):
        Catalog(library_dir)
    assert path.read_bytes() == before


def test_a_file_that_is_not_a_catalog_gives_a_clear_error(library_dir):
    library_dir.mkdir()
    (library_dir / CATALOG_FILE).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CatalogError, match="is damaged .*lookalike doctor --repair"):
        Catalog(library_dir)


def test_paths_that_are_not_valid_utf8_round_trip_exactly(library_dir):
    import os

    odd = os.fsdecode(b"/photos/caf\xe9/\xff\xfe.jpg")  # Latin-1 names from an old camera card
    catalog = Catalog(library_dir)
    folder = catalog.add_folder(os.fsdecode(b"/photos/caf\xe9"))
    catalog.insert_files([{"folder_id": folder.id, "path": odd, "size": 1, "mtime_ns": 1,
                           "content_hash": "h", "error": None}])
    assert catalog.file_by_path(odd).path == odd
    assert os.fsencode(catalog.all_files()[0].path) == b"/photos/caf\xe9/\xff\xfe.jpg"
    catalog.close()


def test_removing_a_folder_forgets_its_files_and_their_vectors(library_dir):
    import numpy as np

    catalog = Catalog(library_dir)
    folder = catalog.add_folder("/p")
    [file_id] = catalog.insert_files([{"folder_id": folder.id, "path": "/p/a.jpg", "size": 1,
                                       "mtime_ns": 1, "content_hash": "h", "error": None}])
    catalog.put_embeddings("phash", [(file_id, np.ones(64, np.float32) / 8)])
    assert catalog.remove_folder(folder.id) == 1
    assert catalog.all_files() == [] and catalog.embedding_state("phash", 64) == (0, 0)
    catalog.close()


def test_the_unreadable_files_come_by_path_from_the_partial_index(library_dir):
    catalog = Catalog(library_dir)
    folder = catalog.add_folder("/p")
    rows = [{"folder_id": folder.id, "path": f"/p/{name}", "size": 1, "mtime_ns": 1,
             "content_hash": None if error else name, "error": error}
            for name, error in [("z.jpg", "truncated"), ("a.jpg", None), ("b.jpg", "0 bytes")]]
    catalog.insert_files(rows)
    assert [(r.path, r.error) for r in catalog.unreadable_files()] == [("/p/b.jpg", "0 bytes"), ("/p/z.jpg", "truncated")]
    with catalog.engine.connect() as conn:
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT * FROM files WHERE error IS NOT NULL ORDER BY path"))
    assert "files_unreadable" in plan   # no pass over every good file, at any library size
    catalog.close()
