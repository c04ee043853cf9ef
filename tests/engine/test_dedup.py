"""Duplicate tiers: exact copies, near copies that survive edits, and no chaining."""
import io
import os
import shutil

import pytest
from PIL import Image, ImageEnhance

from lookalike.engine import Library
from lookalike.engine.dedup.groups import group
from helpers import photo, save


def test_groups_never_chain_photos_that_are_not_alike_themselves():
    # A~B and B~C but A is not like C: B joins one of them, never both.
    groups = group([(1, "a"), (2, "b"), (3, "c")], [(1, 2, 0.95), (2, 3, 0.93), (1, 3, 0.40)], near=0.9)
    assert [sorted(g.file_ids) for g in groups] == [[1, 2]]


def test_byte_identical_files_are_one_exact_group():
    groups = group([(1, "same"), (2, "same"), (3, "other")], [], near=0.9)
    assert len(groups) == 1 and groups[0].tier == "exact" and sorted(groups[0].file_ids) == [1, 2]


def test_near_groups_include_exact_copies_and_say_how_each_file_matches():
    files = [(1, "x"), (2, "x"), (3, "y")]
    [g] = group(files, [(1, 3, 0.95), (2, 3, 0.95)], near=0.9)
    assert g.tier == "near"
    assert [(m.file_id, m.match) for m in g.members] == [(1, "reference"), (2, "exact"), (3, "near")]


def test_the_similar_tier_joins_near_groups_only_when_asked():
    files = [(1, "a"), (2, "b"), (3, "c")]
    pairs = [(1, 2, 0.95), (1, 3, 0.80), (2, 3, 0.78)]
    assert [sorted(g.file_ids) for g in group(files, pairs, near=0.9)] == [[1, 2]]
    [g] = group(files, pairs, near=0.9, similar=0.7)
    assert g.tier == "similar" and sorted(g.file_ids) == [1, 2, 3]
    assert {m.file_id: m.match for m in g.members}[3] == "similar"


def edits(img: Image.Image) -> dict[str, Image.Image]:
    w, h = img.size
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=30)
    return {
        "reencoded.jpg": Image.open(io.BytesIO(buf.getvalue())).convert("RGB"),
        "half.png": img.resize((w // 2, h // 2), Image.LANCZOS),
        "crop.png": img.crop((w // 10, h // 10, w - w // 10, h - h // 10)),
        "rot90.png": img.rotate(90, expand=True),
        "brighter.png": ImageEnhance.Brightness(img).enhance(1.3),
    }


@pytest.fixture(scope="module")
def sscd_library(tmp_path_factory):
    """Five distinct pictures, one of them copied with five common edits, indexed with SSCD."""
    root = tmp_path_factory.mktemp("sscd")
    photos = root / "photos"
    for seed in range(5):
        save(photo(seed + 100, size=(480, 360)), photos / f"distinct-{seed}.png")
    for name, edited in edits(photo(100, size=(480, 360))).items():
        save(edited, photos / "edited" / name)
    shutil.copy(photos / "distinct-0.png", photos / "exact copy.png")
    library = Library.open(root / "lib")
    library.add_folder(photos)
    library.scan(model="sscd")
    yield library, photos
    library.close()


def test_sscd_groups_every_edited_copy_with_its_original_and_nothing_else(sscd_library):
    library, photos = sscd_library
    groups = library.duplicates(tier="near")
    assert len(groups) == 1
    names = sorted(os.path.relpath(f.path, photos) for f in groups[0].files)
    assert names == sorted(["distinct-0.png", "exact copy.png"] +
                           [f"edited/{n}" for n in edits(photo(0)).keys()] )


def test_the_exact_tier_lists_only_byte_identical_files(sscd_library):
    library, photos = sscd_library
    [g] = library.duplicates(tier="exact")
    assert sorted(os.path.basename(f.path) for f in g.files) == ["distinct-0.png", "exact copy.png"]


def test_a_stricter_threshold_splits_what_a_looser_one_groups(sscd_library):
    library, _ = sscd_library
    loose = library.duplicates(tier="near", threshold=0.5)
    strict = library.duplicates(tier="near", threshold=0.999)
    assert sum(len(g.files) for g in strict) < sum(len(g.files) for g in loose)
    assert all(g.tier == "exact" for g in strict)


def test_phash_finds_resized_and_reencoded_copies(tmp_path):
    photos = tmp_path / "photos"
    original = photo(7, size=(640, 480))
    save(original, photos / "original.png")
    save(original.resize((320, 240)), photos / "small.jpg", quality=70)
    save(photo(8, size=(640, 480)), photos / "other.png")
    with Library.open(tmp_path / "lib") as library:
        library.add_folder(photos)
        library.scan(model="phash")
        [g] = library.duplicates()
    assert sorted(os.path.basename(f.path) for f in g.files) == ["original.png", "small.jpg"]


def test_a_near_threshold_below_the_similar_default_is_honoured(sscd_library):
    library, _ = sscd_library
    default = sum(len(g.files) for g in library.duplicates(tier="near"))
    library.settings.thresholds["sscd"] = {"similar": 0.9}
    try:
        looser = sum(len(g.files) for g in library.duplicates(tier="near", threshold=0.5))
    finally:
        library.settings.thresholds.pop("sscd")
    assert looser >= default > 0  # a looser near threshold never finds fewer files
