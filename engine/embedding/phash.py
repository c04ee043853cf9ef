"""The perceptual hash as an 'embedding': no weights, the method hash-based peers use.

Owns: turning imagehash's 64-bit DCT pHash into a 64-d vector of +-1/8, so cosine similarity
is 1 - 2 * hamming / 64 and the same index, grouping and thresholds machinery applies.
(Hamming distance 10 of 64, a common peer setting, is cosine 0.6875.) Must not: read the catalog.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from PIL import Image

from .base import Embedder

HASH_SIZE = 8


def hamming_to_cosine(distance: int, bits: int = HASH_SIZE * HASH_SIZE) -> float:
    return 1.0 - 2.0 * distance / bits


class PhashEmbedder(Embedder):
    family = "phash"
    batch_size = 256

    def __init__(self, name: str = "phash") -> None:
        self.name, self.model_id, self.source = name, "imagehash.phash(hash_size=8)", "built in"
        self.dim = HASH_SIZE * HASH_SIZE
        self.input_size = 4 * HASH_SIZE * 2  # pHash reads a 32x32 thumbnail; decode a bit above it
        self.device, self.precision = "cpu", "bits"

    def preprocess(self, image: Image.Image) -> np.ndarray:
        import imagehash

        bits = imagehash.phash(image, hash_size=HASH_SIZE).hash.reshape(-1)
        return np.where(bits, 1.0, -1.0).astype(np.float32) / np.sqrt(self.dim)

    def embed(self, batch: Sequence[np.ndarray]) -> np.ndarray:
        if not len(batch):
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack(batch).astype(np.float32)
