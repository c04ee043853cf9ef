"""Tags: taught from examples, corrected, deleted, following renamed photos, and sorting photos
into tag folders as one journaled batch that undo and crash recovery put back byte for byte."""
import json
import os

import pytest
from PIL import ImageEnhance

from lookalike.engine import Library
from lookalike.engine.cli import main
from lookalike.engine.errors import LookalikeError, UsageError
from helpers import photo, save, tree_hashes

from .conftest import crash_mid_batch


def variants(seed: int):
    """Edited versions of one picture: what a tag taught by a few of them should find again."""
    base = photo(seed, size=(320, 240))
    yield base
    yield base.resize((256, 192))
    yield ImageEnhance.Brightness(base).enhance(1.12)
    yield ImageEnhance.Contrast(base).enhance(0.9)
    yield ImageEnhance.Sharpness(base).enhance(1.5)   # pHash follows no crop: none here
    yield base.resize((200, 150)).resize((320, 240))
    yield ImageEnhance.Color(base).enhance(0.8)


@pytest.fixture()
def tagged(tmp_path):
    """A library (pHash) of 7 edits of one picture ("kites") among 12 unrelated pictures."""
    photos = tmp_path / "photos"
    kites = [save(img, photos / "kites" / f"kite{i}.jpg", quality=90) for i, img in enumerate(variants(100))]
    others = [save(photo(seed), photos / "other" / f"p{seed}.png") for seed in range(12)]
    library = Library.open(tmp_path / "lib")
    library.add_folder(photos)
    library.scan(model="phash")
    yield library, photos, kites, others
    library.close()


def shown(library, name):
    return {os.path.basename(p.path) for p in library.tag_photos(name)}


def test_a_tag_taught_from_three_examples_finds_the_other_edits_and_nothing_else(tagged):
    library, _photos, kites, _others = tagged
    info = library.define_tag("kites", examples=kites[:3])
    assert info.kind == "example" and info.examples == 3 and info.model == "phash"
    assert info.cutoff is not None and "chosen from data" in info.cutoff_source
    assert info.quality is not None and info.quality.positives == 3 and 0 <= info.quality.f1 <= 1
    assert shown(library, "kites") == {f"kite{i}.jpg" for i in range(7)}
    ranked = library.tag_photos("kites", min_score=0.0)
    assert len(ranked) == 19 and [p.score for p in ranked] == sorted((p.score for p in ranked), reverse=True)
    assert {p.manual for p in ranked if os.path.basename(p.path) in ("kite0.jpg", "kite1.jpg")} == {True}


def test_corrections_go_into_the_tag_at_once(tagged):
    library, _photos, kites, others = tagged
    library.define_tag("kites", examples=kites[:3])
    library.correct_tag("kites", [kites[6]], is_tag=False)
    library.correct_tag("kites", [others[0]], is_tag=True)
    found = shown(library, "kites")
    assert "kite6.jpg" not in found and "p0.png" in found
    info = library.tag("kites")
    assert info.examples == 4 and info.counterexamples == 1


def test_defining_asks_for_three_examples_and_refuses_mixing_kinds(tagged):
    library, _photos, kites, _others = tagged
    with pytest.raises(UsageError, match="at least 3"):
        library.define_tag("kites", examples=kites[:2])
    with pytest.raises(UsageError, match="not both"):
        library.define_tag("kites", phrases=["a kite"], examples=kites[:3])
    library.define_tag("kites", examples=kites[:3])
    with pytest.raises(UsageError, match="example tag"):
        library.define_tag("kites", phrases=["a kite"])
    with pytest.raises(UsageError, match="slashes"):
        library.define_tag("a/b", examples=kites[:3])


def test_a_deleted_tag_is_gone_and_its_photos_stay(tagged):
    library, photos, kites, _others = tagged
    before = tree_hashes(photos)
    library.define_tag("kites", examples=kites[:3])
    library.delete_tag("kites")
    assert "kites" not in {t.name for t in library.tags()}
    with pytest.raises(LookalikeError, match="no tag named"):
        library.tag_photos("kites")
    assert tree_hashes(photos) == before


def test_an_example_outside_the_library_is_embedded_on_the_fly(tagged, tmp_path):
    library, _photos, kites, _others = tagged
    outside = [save(img, tmp_path / "elsewhere" / f"k{i}.jpg") for i, img in enumerate(variants(100)) if i < 3]
    info = library.define_tag("kites", examples=outside)
    assert info.examples == 3
    assert {f"kite{i}.jpg" for i in range(7)} <= shown(library, "kites")


def test_tags_follow_a_renamed_photo(tagged):
    library, photos, kites, _others = tagged
    library.define_tag("kites", examples=kites[:3])
    library.correct_tag("kites", [kites[5]], is_tag=False)
    os.rename(kites[0], photos / "kites" / "renamed example.jpg")
    os.rename(kites[5], photos / "moved-out.jpg")
    assert library.scan(model="phash").moved == 2
    ranked = {os.path.basename(p.path): p for p in library.tag_photos("kites")}
    assert ranked["renamed example.jpg"].manual is True and "moved-out.jpg" not in ranked
    assert library.tag("kites").examples == 3


def test_sorting_into_tag_folders_then_undo_leaves_the_tree_byte_identical(tagged, tmp_path):
    library, photos, kites, _others = tagged
    before = tree_hashes(photos)
    library.define_tag("kites", examples=kites[:3])
    dest = tmp_path / "sorted"
    plan = library.plan_organise(dest, tags=["kites"])
    assert sorted(os.path.basename(i.destination) for i in plan.items) == sorted(f"kite{i}.jpg" for i in range(7))
    assert all(os.path.dirname(i.destination) == str(dest / "kites") for i in plan.items)
    report = library.organise(plan)
    assert len(report.done) == 7 and report.notes  # the destination joined the library
    assert len(tree_hashes(dest / "kites")) == 7 and list((photos / "kites").glob("*.jpg")) == []
    assert shown(library, "kites") == {f"kite{i}.jpg" for i in range(7)}   # rows followed the files
    assert all(p.path.startswith(str(dest)) for p in library.tag_photos("kites"))
    assert library.scan(model="phash").line().startswith("0 added, 0 changed, 0 moved, 0 removed")
    undone = library.undo()
    assert len(undone.done) == 7 and tree_hashes(photos) == before
    assert not dest.exists()   # the tag folder and the destination the sort made go, nothing else
    assert [f.path for f in library.folders()] == [str(photos)]   # and the library forgets it
    assert all(p.path.startswith(str(photos)) for p in library.tag_photos("kites"))
    [(batch, counts)] = library.history()
    assert batch.action == "organise" and batch.state == "undone" and counts == {"undone": 7}


def test_undoing_a_sort_into_a_folder_that_was_there_keeps_that_folder(tagged, tmp_path):
    library, photos, kites, _others = tagged
    library.define_tag("kites", examples=kites[:3])
    dest = tmp_path / "mine"
    dest.mkdir()
    library.organise(library.plan_organise(dest, tags=["kites"]))
    library.undo()
    assert dest.is_dir() and list(dest.iterdir()) == []
    assert sorted(f.path for f in library.folders()) == [str(photos)]   # the sort added it, undo forgets it


def test_sorting_never_overwrites_and_a_photo_goes_to_its_best_tag(tagged, tmp_path):
    library, _photos, kites, others = tagged
    library.define_tag("kites", examples=kites[:3])
    library.define_tag("odd", examples=others[:3])
    library.correct_tag("odd", [kites[4]], is_tag=True)   # kite4 carries both tags
    dest = tmp_path / "sorted"
    save(photo(999), dest / "kites" / "kite1.jpg")         # already taken
    plan = library.plan_organise(dest)
    where = {os.path.basename(i.path): i.destination for i in plan.items}
    assert where["kite1.jpg"] == str(dest / "kites" / "kite1 (1).jpg")
    scores = {t: {p.path: p.score for p in library.tag_photos(t)} for t in ("kites", "odd")}
    best = "kites" if scores["kites"][str(kites[4])] >= scores["odd"][str(kites[4])] else "odd"
    assert os.path.dirname(where["kite4.jpg"]) == str(dest / best)


def test_a_sort_that_crashed_mid_batch_rolls_back_byte_for_byte(tagged, tmp_path, monkeypatch):
    library, photos, kites, _others = tagged
    before = tree_hashes(photos)
    library.define_tag("kites", examples=kites[:3])
    plan = library.plan_organise(tmp_path / "sorted")
    crash_mid_batch(library, plan, monkeypatch)
    with pytest.raises(LookalikeError, match="interrupted"):
        library.organise(library.plan_organise(tmp_path / "sorted"))
    report = library.recover("rollback")
    assert report.skipped == [] and tree_hashes(photos) == before
    assert len(library.tag_photos("kites")) == 7


def test_the_tag_and_organise_commands_keep_their_json_contract(tagged, tmp_path, capsys):
    library, photos, kites, _others = tagged
    lib = ["--library", str(library.path)]
    before = tree_hashes(photos)
    define = ["tag", "define", "kites", *sum((["--example", str(k)] for k in kites[:3]), [])]
    assert main(lib + define) == 0
    capsys.readouterr()
    assert main(lib + ["tag", "list", "--json"]) == 0
    listed = {t["name"]: t for t in json.loads(capsys.readouterr().out)["tags"]}
    assert listed["kites"]["kind"] == "example" and listed["kites"]["photos"] == 7
    assert {"screenshots", "documents", "pets"} <= set(listed)   # the starter set
    assert main(lib + ["tag", "show", "kites", "--limit", "3", "--json"]) == 0
    shown_ = json.loads(capsys.readouterr().out)["photos"]
    assert len(shown_) == 3 and {"path", "score"} <= set(shown_[0])
    assert main(lib + ["tag", "unset", "kites", str(kites[6])]) == 0
    assert main(lib + ["tag", "set", "kites", str(kites[6])]) == 0
    assert main(lib + ["organise", "--into", str(tmp_path / "out"), "--tag", "kites", "--dry-run", "--json"]) == 0
    capsys.readouterr()
    assert tree_hashes(photos) == before
    assert main(lib + ["organise", "--into", str(tmp_path / "out"), "--tag", "kites"]) == 1  # no --yes, no terminal
    assert main(lib + ["organise", "--into", str(tmp_path / "out"), "--tag", "kites", "--yes", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["done"]) == 7
    assert main(lib + ["undo"]) == 0 and tree_hashes(photos) == before
    assert main(lib + ["tag", "delete", "kites"]) == 0
    assert main(lib + ["tag", "show", "kites"]) == 1
    assert "no tag named" in capsys.readouterr().err
