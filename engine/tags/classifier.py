"""Example tags: an L2-regularised logistic regression on image vectors, trained in-process.

Owns: fitting (Newton's method in the dual: with a few hundred training photos and 384-768-d
vectors, the n x n system is the small one, so a fit takes milliseconds), prediction (one
matrix product), and stratified cross-validation that yields an out-of-fold score for every
training photo. Must not: read the catalog, pick training photos (parts/tags.py does) or
decide cut-offs (teach.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

# sklearn's default C = 1 (loss summed over class-balanced samples + |w|^2 / 2); bench/tags.py
# --l2 measured 0.1 and 10 within 0.02 F1 of it.
L2 = 1.0
_ITERATIONS = 30


@dataclass(frozen=True)
class LinearTag:
    weights: np.ndarray   # (d,)
    bias: float

    def predict(self, images: np.ndarray) -> np.ndarray:
        """P(tag) for each row of `images` (n, d)."""
        logits = np.asarray(images, dtype=np.float32) @ self.weights.astype(np.float32) + np.float32(self.bias)
        return (1.0 / (1.0 + np.exp(-np.clip(logits, -40, 40)))).astype(np.float32)


def balanced_weights(y: np.ndarray) -> np.ndarray:
    """Each class carries half the total weight, whatever its count."""
    y = np.asarray(y)
    n, positives = len(y), int(y.sum())
    negatives = n - positives
    return np.where(y == 1, n / (2.0 * max(positives, 1)), n / (2.0 * max(negatives, 1)))


def fit(X: np.ndarray, y: np.ndarray, sample_weight: Optional[np.ndarray] = None, l2: float = L2) -> LinearTag:
    """Minimises sum_i c_i logloss(y_i, w.x_i + b) + l2/2 |(w, b)|^2 (balanced c by default)."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    c = balanced_weights(y) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    augmented = np.hstack([X, np.ones((len(X), 1))])   # the bias as a constant feature
    K = augmented @ augmented.T
    a = np.zeros(len(X))
    for _ in range(_ITERATIONS):
        f = K @ a
        p = 1.0 / (1.0 + np.exp(-np.clip(f, -40, 40)))
        g = c * (p - y) + l2 * a
        w = c * p * (1.0 - p)
        step = np.linalg.solve(w[:, None] * K + l2 * np.eye(len(X)), g)
        a -= step
        if np.max(np.abs(step)) < 1e-7:
            break
    coef = augmented.T @ a
    return LinearTag(coef[:-1].astype(np.float32), float(coef[-1]))


def stratified_folds(y: np.ndarray, folds: int = 5, seed: int = 0) -> tuple[np.ndarray, int]:
    """(fold of each row, fold count): k is at most the smaller class's count, so every fold
    holds out at least one photo of each class."""
    y = np.asarray(y)
    k = max(2, min(folds, int(y.sum()), int(len(y) - y.sum())))
    rng = np.random.default_rng(seed)
    fold_of = np.empty(len(y), dtype=np.int64)
    for label in (0, 1):
        members = np.flatnonzero(y == label)
        rng.shuffle(members)
        fold_of[members] = np.arange(len(members)) % k
    return fold_of, k


def out_of_fold(X: np.ndarray, y: np.ndarray, folds: int = 5, seed: int = 0) -> np.ndarray:
    """Each training photo's score from a model that never saw it (stratified k-fold)."""
    fold_of, k = stratified_folds(y, folds, seed)
    scores = np.empty(len(y), dtype=np.float32)
    for fold in range(k):
        held = fold_of == fold
        scores[held] = fit(X[~held], y[~held]).predict(X[held])
    return scores
