"""Search by example photo and by phrase, and comparing two photos."""
import os
import shutil

import pytest

from lookalike.engine import Library
from lookalike.engine.errors import LookalikeError, ModelUnavailable
from helpers import photo, save


@pytest.fixture()
def indexed(tmp_path, model_dir, hf_home):
    photos = tmp_path / "photos"
    for i in range(6):
        save(photo(i), photos / f"{i}.jpg", quality=92)
    library = Library.open(tmp_path / "lib", model_dir=str(model_dir))
    library.add_folder(photos)
    library.scan(model="dinov2-small")
    yield library, photos
    library.close()


def test_similar_to_a_library_photo_ranks_its_resized_copy_first(indexed):
    library, photos = indexed
    save(photo(3).resize((160, 120)), photos / "3-small.png")
    library.scan()
    results = library.similar(photos / "3.jpg", limit=3)
    assert os.path.basename(results[0].path) == "3-small.png"
    assert results[0].score > 0.999 and len(results) == 3
    assert all(r.path != str(photos / "3.jpg") for r in results)  # never itself


def test_similar_to_a_photo_outside_the_library_embeds_it_on_the_fly(indexed, tmp_path):
    library, _ = indexed
    outside = save(photo(4).resize((200, 150)), tmp_path / "outside" / "query.png")
    [best] = library.similar(outside, limit=1)
    assert os.path.basename(best.path) == "4.jpg"


def test_similar_refuses_a_file_that_is_not_an_image(indexed, tmp_path):
    library, _ = indexed
    bad = tmp_path / "x.jpg"
    bad.write_bytes(b"nope")
    with pytest.raises(LookalikeError, match="cannot be used"):
        library.similar(bad)


def test_text_search_ranks_every_photo_with_a_clip_score(indexed):
    library, photos = indexed
    results = library.search_text("a sunny beach", limit=10)
    assert len(results) == 6
    assert all(-1.0 <= r.score <= 1.0 for r in results)
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)


def test_text_search_without_clip_says_it_needs_clip(tmp_path, hf_home):
    photos = tmp_path / "photos"
    save(photo(1), photos / "a.jpg")
    with Library.open(tmp_path / "lib", model_dir=str(tmp_path / "no-models")) as library:
        library.add_folder(photos)
        summary = library.scan(model="phash")
        assert any("text search is off" in note for note in summary.notes)
        with pytest.raises(ModelUnavailable, match="clip-b32"):
            library.search_text("a dog")


def test_compare_scores_two_photos_with_dinov2_and_clip(indexed, tmp_path):
    library, photos = indexed
    copy = save(photo(2).resize((160, 120)), tmp_path / "copy.png")
    result = library.compare(photos / "2.jpg", copy)
    scores = {s.model: s for s in result.scores}
    assert set(scores) >= {"dinov2-small", "clip-b32"} and not result.identical
    assert scores["dinov2-small"].similarity > 0.999 and scores["dinov2-small"].verdict == "near duplicate"
    shutil.copy(photos / "1.jpg", tmp_path / "same.jpg")
    assert library.compare(photos / "1.jpg", tmp_path / "same.jpg").identical
