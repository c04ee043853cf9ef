"""Phrase tags: CLIP zero-shot scores from stored image vectors and phrase text vectors.

Owns: the prompt templates a phrase is averaged over, the neutral background set every tag
competes with, and the score: for each photo, a softmax over every
tag's best phrase and the neutral set, at the text model's own logit scale, so a tag's score
is the share of belief it wins against everything else it could be. Recomputing all tags is
one matrix product (the starter tags are seeded by catalog migration 6). Must not: load models, read the catalog, or decide cut-offs (cutoff.py).
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

# The phrase fills each template; the text vectors are averaged (CLIP's prompt ensembling).
TEMPLATES = ("a photo of {}.", "a picture of {}.", "a close-up photo of {}.", "a photo of the {}.",
             "a cropped photo of {}.", "{}")
# What a photo that is none of the tags looks like to CLIP: the rival that keeps a single tag
# from winning every photo by default.
BACKGROUND = ("a photo.", "a picture.", "an image.", "a photo of something.", "a photo of an object.",
              "a photo of a scene.", "a photo of a place.", "a blurry photo.")


def prompts(phrase: str) -> list[str]:
    return [t.format(phrase.strip()) for t in TEMPLATES]


def phrase_vectors(embed_text: Callable[[Sequence[str]], np.ndarray],
                   phrases: Sequence[str]) -> dict[str, np.ndarray]:
    """phrase -> its unit text vector, the templates' vectors averaged (one text batch)."""
    phrases = list(dict.fromkeys(phrases))
    if not phrases:
        return {}
    texts = [p for phrase in phrases for p in prompts(phrase)]
    vectors = embed_text(texts).reshape(len(phrases), len(TEMPLATES), -1).mean(axis=1)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return {p: v.astype(np.float32) for p, v in zip(phrases, vectors)}


def background_vectors(embed_text: Callable[[Sequence[str]], np.ndarray]) -> np.ndarray:
    """The neutral set's text vectors (each background sentence used as it is)."""
    vectors = np.asarray(embed_text(list(BACKGROUND)), dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def score_matrix(images: np.ndarray, prototypes: Sequence[np.ndarray], background: np.ndarray,
                 scale: float) -> np.ndarray:
    """(n, m) scores of n unit image vectors for m tags, each tag given as its phrases' vectors
    (p_i, d). A tag's logit is its best phrase's; the neutral set counts as one rival whose
    logit is its sentences' log-mean-exp. Rows sum to at most 1 (the rest: none of them)."""
    images = np.asarray(images, dtype=np.float32)
    m = len(prototypes)
    if m == 0 or images.shape[0] == 0:
        return np.zeros((images.shape[0], m), dtype=np.float32)
    columns = np.concatenate([*prototypes, background], axis=0).astype(np.float32)
    logits = (images @ columns.T) * np.float32(scale)
    tags = np.empty((images.shape[0], m + 1), dtype=np.float32)
    start = 0
    for j, proto in enumerate(prototypes):
        tags[:, j] = logits[:, start:start + len(proto)].max(axis=1)
        start += len(proto)
    rest = logits[:, start:]
    top = rest.max(axis=1)
    tags[:, m] = top + np.log(np.exp(rest - top[:, None]).mean(axis=1))
    tags -= tags.max(axis=1, keepdims=True)
    np.exp(tags, out=tags)
    tags /= tags.sum(axis=1, keepdims=True)
    return tags[:, :m]
