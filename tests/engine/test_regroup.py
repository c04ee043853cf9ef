"""After changes: only new vectors are compared when regrouping, scans never update an index
that a reader is querying, and small index updates reach the disk when the library closes."""
import os
import threading

import pytest

from lookalike.engine import Library, library as library_module
from lookalike.engine.parts import indexes as indexes_module
from lookalike.engine.index.sync import index_path
from lookalike.engine.index.vectors import VectorIndex
from helpers import photo, save


def names(groups):
    return sorted(sorted(os.path.basename(f.path) for f in g.files) for g in groups)


@pytest.fixture()
def scanned(tmp_path):
    photos = tmp_path / "photos"
    for i in range(6):
        save(photo(20 + i, size=(480, 360)), photos / f"p{i}.png")
    save(photo(20, size=(480, 360)).resize((240, 180)), photos / "p0-small.jpg", quality=80)
    with Library.open(tmp_path / "lib") as library:
        library.add_folder(photos)
        library.scan(model="phash")
        yield library, photos


def test_a_regroup_after_a_new_copy_compares_only_the_new_photo(scanned, monkeypatch):
    library, photos = scanned
    first = library.duplicates(model="phash")
    assert names(first) == [["p0-small.jpg", "p0.png"]]
    save(photo(23, size=(480, 360)).resize((240, 180)), photos / "p3-small.jpg", quality=80)
    library.scan(model="phash")

    queried = []
    original = VectorIndex.pairs_of

    def spy(self, ids, queries, threshold, exhaustive=False):
        queried.append(len(ids))
        return original(self, ids, queries, threshold, exhaustive)

    monkeypatch.setattr(VectorIndex, "pairs_of", spy)
    after = library.duplicates(model="phash")
    assert queried == [1]  # the new photo alone, not all eight
    assert names(after) == [["p0-small.jpg", "p0.png"], ["p3-small.jpg", "p3.png"]]
    with Library.open(library.path) as fresh:   # no cached pairs: the full pass agrees
        assert names(fresh.duplicates(model="phash")) == names(after)


def test_a_scan_waits_to_update_the_index_while_a_grouping_reads_it(scanned, monkeypatch):
    library, photos = scanned
    library.duplicates(model="phash")
    reading, release, scanned_files = threading.Event(), threading.Event(), threading.Event()
    synced_by_scan = []
    original_pairs, original_sync, original_scan = (VectorIndex.pairs_of, indexes_module.synced_index,
                                                     library_module.run_scan)

    def slow_pairs(self, *args, **kwargs):
        if threading.current_thread().name == "reader":
            reading.set()
            release.wait(10)
        return original_pairs(self, *args, **kwargs)

    def sync(*args, **kwargs):
        if threading.current_thread().name == "writer":
            synced_by_scan.append(release.is_set())
        return original_sync(*args, **kwargs)

    def scan(*args, **kwargs):
        summary = original_scan(*args, **kwargs)
        scanned_files.set()
        return summary

    monkeypatch.setattr(VectorIndex, "pairs_of", slow_pairs)
    monkeypatch.setattr(indexes_module, "synced_index", sync)
    monkeypatch.setattr(library_module, "run_scan", scan)
    save(photo(24, size=(480, 360)).resize((240, 180)), photos / "p4-small.jpg", quality=80)
    results = {}
    reader = threading.Thread(name="reader", target=lambda: results.setdefault(
        "groups", library.duplicates(model="phash", threshold=0.3)))  # a looser threshold: a full pass
    writer = threading.Thread(name="writer", target=lambda: results.setdefault(
        "scan", library.scan(model="phash")))
    reader.start()
    assert reading.wait(10)
    writer.start()
    assert scanned_files.wait(30)
    writer.join(0.5)
    assert writer.is_alive() and synced_by_scan == []   # blocked at the index, files written
    release.set()
    reader.join(30)
    writer.join(30)
    assert synced_by_scan == [True] and results["scan"].added == 1
    assert ["p4-small.jpg", "p4.png"] in names(library.duplicates(model="phash"))


def test_a_small_index_update_is_saved_when_the_library_closes(scanned):
    library, photos = scanned
    path = index_path(library.path, "phash")
    assert VectorIndex.load(path).count == 7
    save(photo(30, size=(480, 360)), photos / "new.png")
    library.scan(model="phash")
    assert VectorIndex.load(path).count == 7   # one new vector: not worth rewriting the file yet
    library.close()
    assert VectorIndex.load(path).count == 8
