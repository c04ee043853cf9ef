"""Teaching a tag from examples: the whole procedure, and an honest estimate of what it gives.

Owns: the positive-unlabeled step (the random background sample taken as "not the tag" holds
some photos that are the tag: a background photo whose held-out score is closer to the
examples' typical score than to the background's typical score is left out of the negatives),
the cut-off (the best F1 on held-out scores of what is left), the final fit, and the estimate:
the same procedure run inside each fold of a cross-validation, scoring photos it never saw.
Of the held-out photos it reports the share of examples found (recall) and the share of
background photos taken; precision and F1 count every background photo taken as a mistake,
so they are lower bounds (some background photos may be the tag). Chosen in bench/tags.py
among four rules on copy families and labelled categories. Must not: read the catalog or
choose training photos (parts/tags.py does).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import classifier, cutoff
from .classifier import LinearTag


@dataclass(frozen=True)
class Taught:
    model: LinearTag
    cutoff: float
    negatives: int         # negatives trained on, after the positive-unlabeled step


@dataclass(frozen=True)
class Estimate:
    recall: float          # held-out examples at or above the cut-off
    takes: float           # held-out background photos at or above the cut-off
    precision: float       # lower bound: every background photo taken counts as a mistake
    f1: float              # lower bound, from the two above
    average_precision: float   # lower bound, of the held-out ranking
    folds: int


def train(X: np.ndarray, y: np.ndarray, unlabeled: np.ndarray, folds: int = 5) -> Taught:
    """Needs at least 2 examples and 2 negatives."""
    y, unlabeled = np.asarray(y), np.asarray(unlabeled, dtype=bool)
    held_out = classifier.out_of_fold(X, y, folds)
    typical_tag = np.median(held_out[y == 1])
    typical_other = np.median(held_out[y == 0])
    keep = ~(unlabeled & (held_out >= (typical_tag + typical_other) / 2))
    if (y[keep] == 0).sum() < 2:
        keep = np.ones(len(y), dtype=bool)
    chosen = cutoff.best(held_out[keep], y[keep]).cutoff
    return Taught(classifier.fit(X[keep], y[keep]), chosen, int((y[keep] == 0).sum()))


def estimate(X: np.ndarray, y: np.ndarray, unlabeled: np.ndarray, folds: int = 5) -> Estimate:
    """`train` inside each fold, judged on the fold it never saw. Needs 3 examples (each inner
    training set keeps 2) and 2 negatives."""
    y, unlabeled = np.asarray(y), np.asarray(unlabeled, dtype=bool)
    fold_of, k = classifier.stratified_folds(y, folds, seed=1)
    scores = np.empty(len(y), dtype=np.float32)
    taken = np.zeros(len(y), dtype=bool)
    for fold in range(k):
        held = fold_of == fold
        taught = train(X[~held], y[~held], unlabeled[~held], folds)
        scores[held] = taught.model.predict(X[held])
        taken[held] = scores[held] >= taught.cutoff
    positives, background = y == 1, unlabeled & (y == 0)
    found = int((taken & positives).sum())
    recall = found / max(int(positives.sum()), 1)
    precision = found / max(int(taken.sum()), 1)
    f1 = 2 * precision * recall / (precision + recall) if found else 0.0
    return Estimate(recall, float(taken[background].mean()) if background.any() else 0.0, precision, f1,
                    cutoff.average_precision(scores, y), k)
