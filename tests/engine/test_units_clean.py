"""Each kind of unit moves as one and comes back as one: a RAW and its JPEG, a Live Photo's
still and its video, and name-stem sidecars (.xmp, .aae). A crash between a photo and its
companion leaves nothing behind once rolled back."""
import os

import pytest

from lookalike.engine import Library
from lookalike.engine.actions import cleanup as actions
from helpers import photo, save, tree_hashes
from rawfiles import write_dng
from .test_metadata_merge import exif

MOMENT = "2024:05:01 10:00:00"


def _scan(tmp_path, photos):
    library = Library.open(tmp_path / "lib")
    library.add_folder(photos)
    library.scan(model="sscd")
    return library


def _group_of(library, path):
    return next(g for g in library.duplicates() if any(f.path == str(path) for f in g.files))


def _remove_and_undo(library, photos, marked, companions: dict):
    """Marks `marked` for removal (its group's other photos kept), cleans to the trash and
    undoes: each companion (path -> role) went with it and came back, byte for byte."""
    before = tree_hashes(photos)
    group = _group_of(library, marked)
    library.set_marks([(f.file_id, "remove" if f.path == str(marked) else "keep") for f in group.files])
    plan = library.plan_clean("trash")
    roles = {i.path: i.role for i in plan.items}
    assert roles.pop(str(marked)) == "photo"
    assert roles == {str(p): role for p, role in companions.items()}
    assert len({i.unit for i in plan.items}) == 1
    report = library.clean(plan)
    assert not report.skipped and not os.path.lexists(marked)
    assert not any(os.path.lexists(p) for p in companions)
    undone = library.undo()
    assert undone.skipped == [] and tree_hashes(photos) == before


def test_a_raw_and_its_jpeg_are_one_photo_never_duplicates_of_each_other_and_move_together(tmp_path, private_trash):
    photos = tmp_path / "photos"
    picture = photo(1, size=(400, 300))
    pair = photos / "camera"
    pair.mkdir(parents=True)
    write_dng(pair / "IMG_0001.DNG", picture, taken_at=MOMENT)
    picture.save(pair / "IMG_0001.JPG", quality=92, exif=exif(taken_at=MOMENT))
    save(picture.resize((200, 150)), photos / "phone" / "IMG_0001 small.jpg", quality=80)
    library = _scan(tmp_path, photos)
    try:
        for g in library.duplicates(tier="similar"):
            names = {os.path.basename(f.path) for f in g.files}
            assert not {"IMG_0001.DNG", "IMG_0001.JPG"} <= names     # never each other's duplicate
        group = _group_of(library, photos / "phone" / "IMG_0001 small.jpg")
        [member] = [f for f in group.files if "camera" in f.path]
        partner = ({"IMG_0001.DNG", "IMG_0001.JPG"} - {os.path.basename(member.path)}).pop()
        assert [(os.path.basename(c.path), c.role) for c in member.companions] == [(partner, "partner")]
        _remove_and_undo(library, photos, member.path, {pair / partner: "partner"})
    finally:
        library.close()


def test_a_live_photo_still_takes_its_video_along_and_undo_brings_both_back(tmp_path, private_trash):
    photos = tmp_path / "photos"
    save(photo(2, size=(400, 300)), photos / "IMG_0002.JPG", quality=92)
    (photos / "IMG_0002.MOV").write_bytes(b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00" + os.urandom(4096))
    save(photo(2, size=(400, 300)), photos / "export" / "IMG_0002.png")
    library = _scan(tmp_path, photos)
    try:
        _remove_and_undo(library, photos, photos / "IMG_0002.JPG", {photos / "IMG_0002.MOV": "live"})
    finally:
        library.close()


def test_name_stem_xmp_and_aae_sidecars_move_with_their_photo(tmp_path, private_trash):
    photos = tmp_path / "photos"
    save(photo(3, size=(400, 300)), photos / "IMG_0003.JPG", quality=92)
    (photos / "IMG_0003.xmp").write_text("<x:xmpmeta xmlns:x='adobe:ns:meta/'/>", encoding="utf-8")
    (photos / "IMG_0003.AAE").write_text("<?xml version='1.0'?><plist/>", encoding="utf-8")
    save(photo(3, size=(400, 300)), photos / "export" / "IMG_0003.png")
    library = _scan(tmp_path, photos)
    try:
        _remove_and_undo(library, photos, photos / "IMG_0003.JPG",
                         {photos / "IMG_0003.xmp": "sidecar", photos / "IMG_0003.AAE": "sidecar"})
    finally:
        library.close()


def test_a_crash_after_the_photo_moved_but_before_its_video_rolls_back_both(tmp_path, private_trash, monkeypatch):
    photos = tmp_path / "photos"
    save(photo(4, size=(400, 300)), photos / "IMG_0004.JPG", quality=92)
    (photos / "IMG_0004.MOV").write_bytes(os.urandom(2048))
    save(photo(4, size=(400, 300)), photos / "export" / "IMG_0004.png")
    library = _scan(tmp_path, photos)
    before = tree_hashes(photos)
    group = _group_of(library, photos / "IMG_0004.JPG")
    library.set_marks([(f.file_id, "remove" if f.path == str(photos / "IMG_0004.JPG") else "keep")
                       for f in group.files])
    plan = library.plan_clean("trash")
    assert {i.role for i in plan.items} == {"photo", "live"}
    moved = []

    def crash(path):
        moved.append(path)
        raise KeyboardInterrupt("power cut")   # the first file of the unit moved, the journal not told

    monkeypatch.setattr(actions, "_between_steps", crash)
    with pytest.raises(KeyboardInterrupt):
        library.clean(plan)
    library.close()
    monkeypatch.setattr(actions, "_between_steps", lambda path: None)
    assert len(moved) == 1 and not os.path.lexists(moved[0])
    reopened = Library.open(tmp_path / "lib")
    try:
        assert [b.state for b in reopened.interrupted()] == ["running"]
        reopened.recover("rollback")
        assert reopened.interrupted() == [] and tree_hashes(photos) == before
    finally:
        reopened.close()
