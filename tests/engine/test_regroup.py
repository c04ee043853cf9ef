"""Regrouping after changes: only new vectors are compared with the library."""
import os

import pytest

from engine import Library
from engine.index.vectors import VectorIndex
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

