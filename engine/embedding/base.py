"""The Embedder interface every model family implements.

Owns: the contract between the scan pipeline and a model: `preprocess` turns one decoded
picture into an array (thread-safe, runs in the decode pool, overlapping inference), and
`embed` turns a batch of those into L2-normalised float32 vectors. Must not: know about the
catalog, files or FAISS.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Sequence

import numpy as np
from PIL import Image


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class Embedder(ABC):
    name: str            # registry name, stored with every vector
    model_id: str        # where the weights came from (hub id or file)
    source: str          # human-readable origin: model folder, cache, package
    dim: int
    input_size: int      # smallest side the decoder must deliver (JPEG draft target)
    batch_size: int = 16
    device: str = "cpu"
    precision: str = "fp32"

    @abstractmethod
    def preprocess(self, image: Image.Image) -> np.ndarray:
        """One RGB picture -> model input array. Called from worker threads."""

    @abstractmethod
    def embed(self, batch: Sequence[np.ndarray]) -> np.ndarray:
        """Preprocessed arrays -> (N, dim) float32, each row L2-normalised."""

    def embed_images(self, images: Sequence[Image.Image]) -> np.ndarray:
        return self.embed([self.preprocess(img) for img in images])

    def describe(self) -> str:
        return f"{self.name} ({self.model_id}) on {self.device}/{self.precision}"


class TextEmbedder(ABC):
    logit_scale: float = 100.0   # the temperature that turns cosines into zero-shot logits

    @abstractmethod
    def embed_text(self, texts: Sequence[str]) -> np.ndarray:
        """Phrases -> (N, dim) float32 in the same space as the image vectors."""


def resize_square(image: Image.Image, size: int) -> Image.Image:
    """Squash the whole frame to size x size: nothing at the borders is cropped away, so a
    cropped copy and its original still share every pixel the copy kept."""
    return image.resize((size, size), Image.BICUBIC, reducing_gap=3.0)


def resize_center_crop(image: Image.Image, shortest: int, crop: int) -> Image.Image:
    w, h = image.size
    scale = shortest / min(w, h)
    image = image.resize((max(crop, round(w * scale)), max(crop, round(h * scale))), Image.BICUBIC,
                         reducing_gap=3.0)
    w, h = image.size
    left, top = (w - crop) // 2, (h - crop) // 2
    return image.crop((left, top, left + crop, top + crop))


def normalise_chw(image: Image.Image, mean: Sequence[float], std: Sequence[float]) -> np.ndarray:
    array = np.asarray(image, dtype=np.float32) / 255.0
    array = (array - np.asarray(mean, dtype=np.float32)) / np.asarray(std, dtype=np.float32)
    return np.ascontiguousarray(array.transpose(2, 0, 1))
