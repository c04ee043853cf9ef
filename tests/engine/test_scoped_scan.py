"""Watched changes rescan only the folders they touched, with the same results a full scan
would give there."""
import os
import shutil

import pytest

from lookalike.engine import Library
from lookalike.engine.catalog.store import Catalog
from lookalike.engine.scanning.scope import MAX_SCOPES, Scope, scopes_for
from helpers import photo, save


def test_changed_paths_become_the_fewest_folders_to_list_again(tmp_path):
    root = tmp_path / "photos"
    (root / "a" / "deep").mkdir(parents=True)
    (root / "b").mkdir()
    save(photo(1, size=(40, 30)), root / "a" / "x.jpg")
    roots = [(1, str(root)), (2, str(tmp_path / "other"))]
    scopes = scopes_for([str(root / "a" / "x.jpg"),            # a file changed: its folder alone
                         str(root / "b" / "gone.jpg"),         # vanished: its folder, and below it
                         str(root / "a" / "deep"),             # a folder appeared: all of it
                         str(root / "a" / "deep" / "y.jpg"),   # ...which already covers this
                         "/elsewhere/z.jpg"], roots)           # not in the library: ignored
    assert scopes == [Scope(1, str(root / "a"), False), Scope(1, str(root / "a" / "deep"), True),
                      Scope(1, str(root / "b"), False), Scope(1, str(root / "b" / "gone.jpg"), True)]
    assert scopes_for([str(root)], roots) is None   # a library folder itself: the full walk
    many = [str(root / f"d{i}" / "p.jpg") for i in range(MAX_SCOPES + 1)]
    assert scopes_for(many, roots) is None   # a big import: one full walk instead


def test_the_catalog_lists_a_folder_alone_or_with_everything_below_it(library_dir):
    catalog = Catalog(library_dir)
    folder = catalog.add_folder("/p")
    paths = ["/p/a.jpg", "/p/b/c.jpg", "/p/b/d/e.jpg", "/p/b0.jpg", "/p/b.jpg", "/pb/x.jpg", "/p/b/é 1.jpg"]
    catalog.insert_files([{"folder_id": folder.id, "path": p, "size": 1, "mtime_ns": 1,
                           "content_hash": f"h{i}", "error": None} for i, p in enumerate(paths)])
    assert sorted(r.path for r in catalog.files_in("/p/b")) == ["/p/b/c.jpg", "/p/b/d/e.jpg", "/p/b/é 1.jpg"]
    assert sorted(r.path for r in catalog.files_in("/p/b", recursive=False)) == ["/p/b/c.jpg", "/p/b/é 1.jpg"]
    assert sorted(r.path for r in catalog.files_in("/p", recursive=False)) == ["/p/a.jpg", "/p/b.jpg", "/p/b0.jpg"]
    catalog.close()


@pytest.fixture()
def library(tmp_path):
    root = tmp_path / "photos"
    for rel, seed in [("a/1.png", 1), ("a/2.png", 2), ("b/3.png", 3), ("b/sub/4.png", 4), ("top.png", 5)]:
        save(photo(seed, size=(160, 120)), root / rel)
    with Library.open(tmp_path / "lib") as lib:
        lib.add_folder(root)
        assert lib.scan(model="phash").added == 5
        yield lib, root


def paths(lib, root):
    return sorted(os.path.relpath(r.path, root) for r in lib.catalog.all_files())


def test_a_scoped_scan_sees_changes_in_its_folders_and_leaves_the_rest_alone(library, monkeypatch):
    lib, root = library
    (root / "b" / "3.png").unlink()                      # not reported: out of scope
    save(photo(6, size=(160, 120)), root / "a" / "new.png")
    save(photo(7, size=(160, 120)), root / "a" / "1.png")  # rewritten
    monkeypatch.setattr(Catalog, "all_files", lambda self: pytest.fail("a scoped scan loaded every file"))
    summary = lib.scan(model="phash", changed=[str(root / "a" / "new.png"), str(root / "a" / "1.png")])
    assert (summary.added, summary.changed, summary.removed, summary.embedded) == (1, 1, 0, 2)
    monkeypatch.undo()
    assert "b/3.png" in paths(lib, root)
    assert lib.scan(model="phash").removed == 1           # a full scan notices it


def test_a_vanished_folder_takes_its_files_with_it(library):
    lib, root = library
    shutil.rmtree(root / "b" / "sub")
    summary = lib.scan(model="phash", changed=[str(root / "b" / "sub")])
    assert summary.removed == 1 and "b/sub/4.png" not in paths(lib, root) and "b/3.png" in paths(lib, root)


def test_a_file_moved_between_folders_keeps_its_vectors(library):
    lib, root = library
    shutil.move(root / "a" / "2.png", root / "b" / "2.png")
    summary = lib.scan(model="phash", changed=[str(root / "a" / "2.png"), str(root / "b" / "2.png")])
    assert (summary.moved, summary.added, summary.removed, summary.embedded) == (1, 0, 0, 0)
    assert "b/2.png" in paths(lib, root) and "a/2.png" not in paths(lib, root)


def test_a_new_folder_is_walked_whole_and_exact_copies_share_vectors(library):
    lib, root = library
    save(photo(8, size=(160, 120)), root / "c" / "deeper" / "8.png")
    shutil.copy(root / "top.png", root / "c" / "top-copy.png")   # its original is out of scope
    summary = lib.scan(model="phash", changed=[str(root / "c")])
    assert (summary.added, summary.embedded) == (2, 1)
    copy = lib.catalog.file_by_path(str(root / "c" / "top-copy.png"))
    assert copy.width == 160 and lib.catalog.embedding(copy.id, "phash") is not None


def test_a_scoped_scan_finishes_work_an_earlier_scan_left_anywhere(library):
    lib, root = library
    record = lib.catalog.file_by_path(str(root / "b" / "3.png"))
    lib.catalog.update_files([(record.id, {"width": None})], drop_embeddings=True)   # as if cancelled
    save(photo(9, size=(160, 120)), root / "a" / "9.png")
    summary = lib.scan(model="phash", changed=[str(root / "a" / "9.png")])
    assert summary.embedded == 2 and lib.catalog.embedding(record.id, "phash") is not None


def test_a_library_folder_that_vanishes_keeps_its_catalog_entries(library):
    lib, root = library
    moved_away = root.parent / "elsewhere"
    root.rename(moved_away)   # renamed, or a drive unplugged: the watcher reports the folder itself
    summary = lib.scan(model="phash", changed=[str(root)])
    assert summary.removed == 0 and len(paths(lib, root)) == 5
    assert any("not reachable" in reason for _, reason in summary.errors)
