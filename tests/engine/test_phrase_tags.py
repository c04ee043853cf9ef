"""Phrase tags (CLIP zero-shot) end to end with a tiny random-weight CLIP loaded through the
resolver users hit: scored from the stored CLIP image vectors, the phrases' text vectors cached,
corrections overriding, the cut-off chosen from them."""
import pytest

from lookalike.engine import Library
from lookalike.engine.errors import ModelUnavailable
from helpers import photo, save


@pytest.fixture()
def clip_library(tmp_path, model_dir, hf_home):
    photos = tmp_path / "photos"
    paths = [save(photo(seed), photos / f"p{seed}.png") for seed in range(10)]
    library = Library.open(tmp_path / "lib", model_dir=str(model_dir))
    library.add_folder(photos)
    library.scan(model="dinov2-small")          # CLIP vectors come with it (text search on)
    yield library, paths
    library.close()


def test_a_phrase_tag_scores_every_photo_from_stored_clip_vectors(clip_library):
    library, paths = clip_library
    info = library.define_tag("red things", phrases=["something red", "a red object"])
    assert info.kind == "phrase" and info.model == "clip-b32" and info.problem == ""
    assert info.cutoff == 0.5 and info.cutoff_source == "default"
    ranked = library.tag_photos("red things", min_score=0.0)
    assert len(ranked) == len(paths)
    scores = [p.score for p in ranked]
    assert scores == sorted(scores, reverse=True) and all(0.0 <= s <= 1.0 for s in scores)
    assert {t.name for t in library.tags()} >= {"red things", "screenshots", "pets"}
    assert all(t.problem == "" for t in library.tags())


def test_phrase_vectors_are_cached_so_tags_score_without_loading_clip_again(clip_library, tmp_path):
    library, _paths = clip_library
    library.define_tag("red things", phrases=["something red"])
    before = {p.path: p.score for p in library.tag_photos("red things", min_score=0.0)}
    library.close()
    with Library.open(tmp_path / "lib", model_dir=str(tmp_path / "no-models")) as offline:
        after = {p.path: p.score for p in offline.tag_photos("red things", min_score=0.0)}
        assert after == pytest.approx(before)
        offline.define_tag("blue things", phrases=["something blue"])   # a new phrase needs CLIP
        with pytest.raises(ModelUnavailable):
            offline.tag_photos("blue things")
        assert "clip-b32" in {t.name: t for t in offline.tags()}["blue things"].problem


def test_corrections_override_a_phrase_tag_and_choose_its_cut_off(clip_library):
    library, paths = clip_library
    library.define_tag("red things", phrases=["something red"])
    ranked = library.tag_photos("red things", min_score=0.0)
    top, bottom = ranked[0].path, ranked[-1].path
    library.correct_tag("red things", [bottom], is_tag=True)
    library.correct_tag("red things", [top], is_tag=False)
    carried = {p.path: p for p in library.tag_photos("red things")}
    assert bottom in carried and carried[bottom].manual is True and top not in carried
    assert library.tag("red things").cutoff_source == "chosen from data (your corrections)"
