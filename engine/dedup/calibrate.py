"""Thresholds that calibrate themselves: where chance similarity ends, for one model and one library.

Owns: sampling unrelated pairs of a library's vectors (distinct pictures only), estimating from
their cosines where chance similarity ends for a library of that size, and the candidate
near/similar thresholds placed beyond it. Pure numpy.
Must not: run SQL or FAISS, read files, decide whether the estimate is used (parts/ does), or
print.

The rule. Most pairs of photos in a library are unrelated; their cosines form the model's chance
distribution for this library. Its top is fitted with an exponential tail (the Gumbel domain:
the maximum of many such pairs grows with the log of their number): between the BODY and TOP
quantiles, P(score > x) = (1 - BODY) * exp(-(x - q_BODY) / scale). The chance end is the level
one pair of the whole library (N photos: N(N-1)/2 pairs) is expected to reach by chance.
True duplicates in the sample sit far above the body; pairs beyond the chance end are set aside
and the fit is made again, until it holds (the quality benchmark's library has 2.5 % copy pairs,
a real one far fewer). The thresholds are placed in `scale`s, the distribution's own spread, so
the rule carries over between models and libraries: near candidates start at the chance end (one
chance pair expected in the whole library) and geometric verification decides which are copies;
the review-only similar tier reaches one scale lower. bench/quality.py --compare chose this:
every scale further out lost recall with precision already 1.000 (README, "Thresholds that
calibrate themselves").
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np

MIN_PHOTOS = 50          # fewer distinct pictures: too few pairs to know the tail; fixed defaults
MAX_PHOTOS = 4000        # pictures sampled (their vectors are loaded)
MAX_PAIRS = 200_000      # unrelated pairs scored
BODY, TOP = 0.90, 0.99   # the tail is fitted between these quantiles of the unrelated pairs
FIRST_TOP = 0.95         # the first fit's upper quantile: robust to up to ~5 % copy pairs
ROUNDS = 10
NEAR_MARGIN = 0.0        # near = chance end + NEAR_MARGIN * scale
SIMILAR_MARGIN = -1.0    # similar = chance end + SIMILAR_MARGIN * scale
SEED = 20240615
CEILING = 0.99           # a chance end this high leaves nothing beyond chance to calibrate on
# Changes when the estimate itself changes (a stored chance end made by another rule is redone).
RULE = f"exp-tail {BODY}-{TOP} first {FIRST_TOP} seed {SEED}"


@dataclass(frozen=True)
class Estimate:
    chance_end: float        # cosine one unrelated pair of the library reaches by chance
    scale: float             # the tail's spread (cosine units)
    similar: float
    near: float
    pairs: int               # unrelated pairs scored
    photos: int              # distinct pictures in the library


def sample_rows(count: int, seed: int = SEED, limit: int = MAX_PHOTOS) -> np.ndarray:
    """Which of `count` vectors to load: all of them, or `limit` chosen at random (sorted)."""
    if count <= limit:
        return np.arange(count)
    return np.sort(np.random.default_rng(seed).choice(count, size=limit, replace=False))


def unrelated_scores(vectors: np.ndarray, labels: np.ndarray, seed: int = SEED,
                     max_pairs: int = MAX_PAIRS) -> np.ndarray:
    """Cosines of pairs of rows with different `labels` (a label is one picture: its content
    hash, or its unit), one row per label so byte-identical copies count once; every pair
    when there are few, else `max_pairs` drawn at random (seeded: the same library gives the
    same sample)."""
    _, first = np.unique(labels, return_index=True)
    v = np.asarray(vectors, dtype=np.float32)[np.sort(first)]
    v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
    n = len(v)
    if n < 2:
        return np.zeros(0, dtype=np.float32)
    if n * (n - 1) // 2 <= max_pairs:
        i, j = np.triu_indices(n, 1)
    else:
        rng = np.random.default_rng(seed)
        i = rng.integers(0, n, size=max_pairs)
        j = (i + rng.integers(1, n, size=max_pairs)) % n   # never i itself
    return np.einsum("ij,ij->i", v[i], v[j]).astype(np.float32)


def _fit(scores: np.ndarray, top: float) -> tuple[float, float]:
    """(q_BODY, scale) of the exponential tail through the BODY and `top` quantiles."""
    low, high = np.quantile(scores, [BODY, top])
    # Coarse scores (a 64-bit hash moves in steps of 1/32) can tie both quantiles.
    scale = max(float(high - low), 1e-6) / math.log((1 - BODY) / (1 - top))
    return float(low), scale


def chance_end(scores: np.ndarray, photos: int) -> tuple[float, float]:
    """(chance end, scale): the cosine one of the N(N-1)/2 unrelated pairs of `photos`
    pictures is expected to reach, from the tail of `scores`; copies among them are set aside
    round by round."""
    everything = photos * (photos - 1) / 2
    kept, top = np.sort(np.asarray(scores, dtype=np.float64)), FIRST_TOP
    for _ in range(ROUNDS):
        low, scale = _fit(kept, top)
        # What the sample itself reaches by chance: pairs beyond it are copies, not chance.
        beyond = low + scale * math.log(max((1 - BODY) * len(kept), 1.0))
        inside = kept[: int(np.searchsorted(kept, beyond, side="left"))]
        if len(inside) == len(kept) and top == TOP:
            break
        kept, top = inside, TOP
    return low + scale * math.log(max((1 - BODY) * everything, 1.0)), scale


def thresholds(end: float, scale: float) -> tuple[float, float]:
    """(near, similar) for a chance end and its tail's scale."""
    near = min(end + NEAR_MARGIN * scale, 0.995)
    return round(near, 4), round(min(end + SIMILAR_MARGIN * scale, near), 4)


def estimate(scores: np.ndarray, photos: int) -> Optional[Estimate]:
    """The chance end and the thresholds at it, or None below MIN_PHOTOS pictures (or with
    too few scores to read a tail from)."""
    if photos < MIN_PHOTOS or len(scores) < 1000:
        return None
    end, scale = chance_end(scores, photos)
    near, similar = thresholds(end, scale)
    return Estimate(round(min(end, 1.0), 4), round(scale, 5), similar, near, len(scores), photos)
