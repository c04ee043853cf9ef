"""The duplicate pipeline as one module (dedup/find.py): the limits a request asks for, and
the groups it finds from candidate pairs are the ones the Library shows."""
import os

import pytest

from lookalike.engine import Library
from lookalike.engine.dedup import find
from lookalike.engine.errors import UsageError
from helpers import photo, save


def test_a_threshold_replaces_the_loosest_tier_and_near_is_never_looser_than_similar():
    assert find.limits("near", None, 0.9, 0.7) == find.Limits(0.9, 0.7, "near")
    assert find.limits("near", 0.5, 0.9, 0.7) == find.Limits(0.5, 0.5, "near")
    assert find.limits("all", 0.95, 0.9, 0.7) == find.Limits(0.95, 0.95, "similar")
    assert find.limits("similar", 0.5, 0.9, 0.7).low == 0.5
    with pytest.raises(UsageError, match="Unknown tier"):
        find.limits("close", None, 0.9, 0.7)
    with pytest.raises(UsageError, match="between -1 and 1"):
        find.limits("near", 1.5, 0.9, 0.7)


def test_the_library_shows_the_groups_the_pipeline_finds(tmp_path):
    photos = tmp_path / "photos"
    for i in range(4):
        save(photo(40 + i, size=(480, 360)), photos / f"p{i}.png")
    save(photo(40, size=(480, 360)).resize((240, 180)), photos / "p0-small.jpg", quality=80)
    with Library.open(tmp_path / "lib") as library:
        library.add_folder(photos)
        library.scan(model="phash")
        base = library.thresholds("phash")
        limit = find.limits("near", None, base["near"], base["similar"])
        records, candidates = library.scored_pairs("phash", threshold=limit.low, verify=False)
        groups = find.find(library.catalog, "phash", library.catalog.embedding_dim("phash"), candidates,
                           limit, verify=library.settings.verify_pairs)
        assert groups == library.duplicates(model="phash")
        assert [sorted(os.path.basename(f.path) for f in g.files) for g in groups] == [["p0-small.jpg", "p0.png"]]
