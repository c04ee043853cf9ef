"""The similar tier is for review: different pictures of one scene are never marked for removal."""
import os

import pytest

from lookalike.engine import Library
from lookalike.engine.dedup.keep import BUILTIN_PRESETS, propose
from lookalike.engine.results import DuplicateFile, DuplicateGroup
from helpers import photo, save


@pytest.fixture()
def library_with_tiers(tmp_path, monkeypatch):
    """A scanned library whose grouping returns one near group (a kite and its crop) and one
    similar group (grass and gravel, appleflower and butterfly: four distinct pictures)."""
    folder = tmp_path / "photos"
    names = ["kite", "kite-crop", "grass", "gravel", "appleflower", "butterfly"]
    for seed, name in enumerate(names):
        save(photo(seed, size=(64, 48)), folder / f"{name}.png")
    library = Library.open(tmp_path / "lib")
    library.add_folder(folder)
    library.scan(model="phash")
    ids = {os.path.basename(p.path)[:-4]: p for p in library.photos()}

    def member(name, match, side, similarity=0.9):
        p = ids[name]
        return DuplicateFile(p.file_id, p.path, similarity, match, side, side, 1000 * side, "PNG", None, None,
                             content_hash=p.content_hash)

    near = DuplicateGroup("near", (member("kite", "reference", 400), member("kite-crop", "near", 200)))
    similar = DuplicateGroup("similar", (member("grass", "reference", 300), member("gravel", "similar", 200, 0.27),
                                         member("appleflower", "similar", 100, 0.35),
                                         member("butterfly", "similar", 50, 0.35)))
    monkeypatch.setattr(library, "duplicates",
                        lambda **kw: [near, similar] if kw.get("tier") == "similar" else [near])
    library.ids = {name: p.file_id for name, p in ids.items()}
    yield library
    library.close()


def test_a_similar_group_keeps_every_picture_and_proposes_nothing_for_removal():
    files = [DuplicateFile(3, "/p/grass.jpg", 1.0, "reference", 300, 300, 9000, "JPEG", None, None),
             DuplicateFile(4, "/p/gravel.jpg", 0.27, "similar", 200, 200, 4000, "JPEG", None, None)]
    proposal = propose(files, BUILTIN_PRESETS["default"], lambda p: False, review_only=True)
    assert proposal.remove == () and proposal.keeper.path == "/p/grass.jpg"
    assert "review" in proposal.reason


def test_showing_similar_scenes_proposes_only_the_near_copy_for_removal(library_with_tiers):
    pairs = library_with_tiers.proposals(tier="similar")
    removed = [os.path.basename(f.path) for _, p in pairs for f in p.remove]
    assert removed == ["kite-crop.png"]


def test_marking_with_similar_scenes_shown_marks_no_distinct_picture_for_removal(library_with_tiers):
    kept, removing = library_with_tiers.mark_proposals(tier="similar")
    marks = library_with_tiers.marks()
    ids = library_with_tiers.ids
    assert removing == 1 and [fid for fid, m in marks.items() if m == "remove"] == [ids["kite-crop"]]


def test_a_file_the_user_marks_in_a_similar_group_is_still_cleaned_up(library_with_tiers):
    # The user's own decision stands: a similar-group file marked by hand is in the plan.
    ids = library_with_tiers.ids
    library_with_tiers.set_marks([(ids["grass"], "keep"), (ids["gravel"], "remove")])
    plan = library_with_tiers.plan_clean("trash", tier="similar")
    assert [os.path.basename(item.path) for item in plan.items] == ["gravel.png"]


def test_a_copy_inside_a_similar_group_is_still_proposed_for_removal(tmp_path):
    """The GUI walk: appleflower and its q30 re-encode (near) chained with a butterfly (similar)
    into one similar group; 'also similar scenes' then offered one photo fewer than 'near'."""
    folder = tmp_path / "photos"
    save(photo(1, size=(400, 300)), folder / "appleflower.png")
    save(photo(1, size=(400, 300)), folder / "appleflower-q30.jpg", quality=30)
    save(photo(2, size=(400, 300)), folder / "butterfly.png")
    save(photo(3, size=(400, 300)), folder / "kite.png")
    with Library.open(tmp_path / "lib") as library:
        library.add_folder(folder)
        library.scan(model="phash")
        near_removed = sorted(os.path.basename(f.path) for _, p in library.proposals(tier="near")
                              for f in p.remove)
        assert near_removed == ["appleflower-q30.jpg"]
        pairs = library.proposals(tier="similar", threshold=-1.0)   # every picture one "scene"
        assert [g.tier for g, _ in pairs] == ["similar"] and len(pairs[0][0].files) == 4
        removed = sorted(os.path.basename(f.path) for _, p in pairs for f in p.remove)
        assert removed == near_removed
        assert library.mark_proposals(tier="similar", threshold=-1.0)[1] == 1
