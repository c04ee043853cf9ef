"""Cut-offs and quality estimates from labelled scores.

Owns: picking the cut-off that best separates scored, labelled photos (highest F1, ties to the
higher cut-off, halfway to the next score down so a slightly weaker photo of the same kind is
not lost), and the precision / recall / F1 / average precision it gives. Must not: train or
score anything.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Estimate:
    cutoff: float
    precision: float
    recall: float
    f1: float
    average_precision: float


def average_precision(scores: np.ndarray, labels: np.ndarray) -> float:
    order = np.argsort(-np.asarray(scores), kind="stable")
    hits = np.asarray(labels)[order] == 1
    if not hits.any():
        return 0.0
    precision_at = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(precision_at[hits].mean())


def best(scores: np.ndarray, labels: np.ndarray) -> Estimate:
    """The cut-off with the highest F1 on these labelled scores, and what it gives."""
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels)
    order = np.argsort(-scores, kind="stable")
    ranked, hits = scores[order], labels[order] == 1
    positives = int(hits.sum())
    tp = np.cumsum(hits)
    taken = np.arange(1, len(ranked) + 1)
    f1 = 2 * tp / (taken + positives) if positives else np.zeros(len(ranked))
    # Only a position where the score drops can be a cut-off (ties are taken together).
    last_of_tie = np.append(ranked[1:] < ranked[:-1], True)
    f1 = np.where(last_of_tie, f1, -1.0)
    i = int(np.argmax(f1))   # the first maximum: the fewest photos, i.e. the higher cut-off
    below = ranked[i + 1] if i + 1 < len(ranked) else max(0.0, ranked[i] - 0.05)
    cutoff = float((ranked[i] + below) / 2)
    precision = float(tp[i] / taken[i])
    recall = float(tp[i] / positives) if positives else 0.0
    return Estimate(cutoff, precision, recall, float(max(f1[i], 0.0)), average_precision(scores, labels))
