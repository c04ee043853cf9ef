"""The maths of tags: zero-shot scores, the classifier, cross-validation, and teaching a tag
with a background that holds unlabelled photos of it."""
import numpy as np

from lookalike.engine.tags import classifier, cutoff, phrase, teach


def unit(rows):
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


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
    others = rng.normal(size=(60, 32))
    X = unit(np.vstack([examples, hidden, others]))
    y = np.array([1] * 5 + [0] * 64)
    taught = teach.train(X, y, unlabeled=y == 0, folds=5)
    assert taught.negatives == 60
    assert (taught.model.predict(X[5:9]) >= taught.cutoff).all()
    assert (taught.model.predict(X[9:]) < taught.cutoff).mean() > 0.95


def test_counter_examples_always_stay_negatives():
    rng = np.random.default_rng(3)
    direction = rng.normal(size=32)
    X = unit(np.vstack([rng.normal(size=(5, 32)) + 3 * direction,
                        rng.normal(size=(3, 32)) + 3 * direction, rng.normal(size=(40, 32))]))
    y = np.array([1] * 5 + [0] * 43)
    unlabeled = np.array([False] * 8 + [True] * 40)
    assert teach.train(X, y, unlabeled, folds=5).negatives == 43


def test_the_estimate_judges_photos_the_procedure_never_saw():
    rng = np.random.default_rng(4)
    direction = rng.normal(size=32)
    X = unit(np.vstack([rng.normal(size=(8, 32)) + 3 * direction, rng.normal(size=(80, 32))]))
    y = np.array([1] * 8 + [0] * 80)
    good = teach.estimate(X, y, y == 0, folds=5)
    assert good.recall >= 0.75 and good.takes < 0.1 and good.precision > 0.5
    noise = unit(rng.normal(size=(88, 32)))                 # nothing tells the examples apart
    bad = teach.estimate(noise, y, y == 0, folds=5)
    assert bad.f1 < good.f1 and bad.average_precision < 0.5
