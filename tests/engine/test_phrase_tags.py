"""Phrase tags (CLIP zero-shot) end to end with a tiny random-weight CLIP loaded through the
resolver users hit: scored from the stored CLIP image vectors, the phrases' text vectors cached,
corrections overriding, the cut-off chosen from them; and the two-tag score maths."""
import numpy as np
import pytest

from lookalike.engine import Library
from lookalike.engine.errors import ModelUnavailable
from lookalike.engine.tags import classifier, cutoff, phrase
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


def test_a_photo_scores_highest_for_the_tag_whose_phrase_matches_its_vector():
    rng = np.random.default_rng(0)
    a, b, bg = (v / np.linalg.norm(v) for v in rng.normal(size=(3, 16)))
    images = np.stack([a, b]).astype(np.float32)
    scores = phrase.score_matrix(images, [a[None], b[None]], bg[None], scale=100.0)
    assert scores[0, 0] > 0.9 and scores[1, 1] > 0.9 and (scores.sum(axis=1) <= 1.0 + 1e-6).all()


def test_the_classifier_separates_examples_and_cross_validation_scores_each_one_held_out():
    rng = np.random.default_rng(1)
    direction = rng.normal(size=32)
    positives = rng.normal(size=(6, 32)) + 3 * direction
    negatives = rng.normal(size=(40, 32))
    X = np.vstack([positives, negatives]).astype(np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    y = np.array([1] * 6 + [0] * 40)
    model = classifier.fit(X, y)
    assert model.predict(X[:6]).min() > model.predict(X[6:]).max()
    held_out = classifier.out_of_fold(X, y, folds=5)
    estimate = cutoff.best(held_out, y)
    assert estimate.f1 == 1.0 and estimate.average_precision == 1.0
    assert held_out[:6].min() >= estimate.cutoff > held_out[6:].max()


def test_background_photos_that_look_like_the_examples_are_not_trained_as_negatives():
    rng = np.random.default_rng(2)
    direction = rng.normal(size=32)
    examples = rng.normal(size=(5, 32)) + 3 * direction
    hidden = rng.normal(size=(4, 32)) + 3 * direction      # the tag, but nobody said so
    counter = rng.normal(size=(2, 32)) + 3 * direction     # said to be "not the tag"
    others = rng.normal(size=(60, 32))
    X = np.vstack([examples, counter, hidden, others]).astype(np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)   # unit vectors, as the library stores them
    y = np.array([1] * 5 + [0] * 66)
    unlabeled = np.array([False] * 7 + [True] * 64)
    keep = classifier.reliable(X, y, unlabeled, folds=5)
    assert keep[:7].all()                        # examples and counter-examples always stay
    assert not keep[7:11].any() and keep[11:].mean() > 0.9
