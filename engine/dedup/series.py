"""Frame quality and burst series: which of several near-identical frames is the sharpest, best
exposed and least noisy, and which similar pictures were shot as one burst.

Owns: measuring a picture at one working size (so a small sharp original and a large blurred
copy are compared at the same scale): sharpness as the fine-detail energy (a Laplacian of
Gaussian's response) less what the picture's noise explains, relative to its contrast (so a
brighter, more contrasted or noisier copy does not look sharper), noise (Immerkær's estimate of
the white-noise sigma, from the median response), exposure (the
share of clipped pixels); the margin beyond which one frame is clearly sharper (measured by
bench/series.py on real photos: re-encodes stay inside it, blurs fall outside); ranking frames;
and finding series (pictures whose capture times chain within SERIES_GAP seconds). Must not:
touch the catalog or pick keepers (keep.py does, with these measures).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime
from typing import Optional, Sequence

import numpy as np

WORKING_SIDE = 2048      # every picture is measured with its long side at this size
SHARPER = 1.4            # a frame whose sharpness is this many times another's is clearly sharper
NOISIER = 2.0            # a frame whose noise sigma is this many times another's, plus
NOISE_FLOOR = 2.0        # this many grey levels, is clearly noisier
SERIES_GAP = 2.0         # seconds between consecutive frames of one burst, at most
CLIPPED = (2 / 255, 253 / 255)
# Names this way of measuring; stored measures under another name are measured again. Change
# it whenever measure_pixels changes what it returns.
MEASURE = "log-energy-less-noise/2048/v3"


@dataclass(frozen=True)
class FrameQuality:
    sharpness: float     # fine-detail energy / contrast: higher is sharper
    exposure: float      # share of clipped (pure black or white) pixels: lower is better
    noise: float         # estimated noise sigma, in 0..255 grey levels: lower is better

    def describe(self) -> str:
        return (f"sharpness {self.sharpness:.3f}, {self.exposure:.1%} clipped, "
                f"noise {self.noise:.1f}")


def grey(rgb) -> np.ndarray:
    """A PIL image as float32 grey, 0..1, at its own size."""
    return np.asarray(rgb.convert("L"), dtype=np.float32) / 255.0


def _resized(pixels: np.ndarray, scale: float) -> np.ndarray:
    import cv2

    if scale == 1:
        return pixels
    h, w = pixels.shape
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(pixels, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)


def working_grey(pixels: np.ndarray) -> np.ndarray:
    """Grey pixels resized so the long side is WORKING_SIDE."""
    return _resized(pixels, WORKING_SIDE / max(pixels.shape))


def _centre(pixels: np.ndarray, side: int) -> np.ndarray:
    h, w = pixels.shape
    top, left = max(0, (h - side) // 2), max(0, (w - side) // 2)
    return pixels[top:top + side, left:left + side]


def noise_sigma(pixels: np.ndarray) -> float:
    """White-noise sigma (0..1 units) from the median of Immerkær's filter response (its
    response to white noise of sigma s has sigma 6s): the median, unlike the mean, is not
    pulled up by edges and texture, which are not noise."""
    import cv2

    kernel = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float32)
    response = np.abs(cv2.filter2D(pixels, cv2.CV_32F, kernel))[1:-1, 1:-1]
    return float(np.median(response)) / (0.6745 * 6) if response.size else 0.0


def _fine(pixels: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.Laplacian(cv2.GaussianBlur(pixels, (0, 0), 0.8), cv2.CV_32F)


@lru_cache(maxsize=64)
def _noise_gain(scale: float) -> float:
    """How much fine-detail energy white noise of sigma 1 at a picture's own size adds once the
    picture is brought to the working size (`scale` times its own): measured by sending a
    noise field through the same resize and filter."""
    side = 512
    field = np.random.default_rng(0).normal(0, 1, (side, side)).astype(np.float32)
    fine = _fine(_resized(field, scale))[8:-8, 8:-8]
    return float(np.mean(fine * fine))


def measure_pixels(pixels: np.ndarray) -> FrameQuality:
    """Sharpness and exposure at the working size, noise at the picture's own size (where it is
    still white). Sharpness has the energy that this noise explains taken out, so a noisy copy
    does not look sharper than its clean original."""
    scale = WORKING_SIDE / max(pixels.shape)
    work = _resized(pixels, scale)
    fine = _fine(work)
    contrast = float(work.var())
    sigma = noise_sigma(_centre(pixels, 2048))
    detail = max(float(np.mean(fine * fine)) - sigma * sigma * _noise_gain(round(scale, 2)), 0.0)
    sharpness = detail / contrast if contrast > 1e-9 else 0.0
    clipped = float(np.mean((work <= CLIPPED[0]) | (work >= CLIPPED[1])))
    return FrameQuality(round(sharpness, 6), round(clipped, 6), round(sigma * 255, 4))


def measure(path: str) -> FrameQuality:
    """Decodes `path` (any format the scanner reads) and measures it. Raises DecodeError."""
    from ..scanning.decode import decode

    return measure_pixels(grey(decode(path, min_side=WORKING_SIDE * 3 // 4).image))


def clearly_sharper(a: FrameQuality, b: FrameQuality) -> bool:
    return a.sharpness > b.sharpness * SHARPER


def clearly_noisier(a: FrameQuality, b: FrameQuality) -> bool:
    return a.noise > b.noise * NOISIER + NOISE_FLOOR


def among_best(qualities: Sequence[FrameQuality]) -> list[bool]:
    """For each frame: is it as good as the best, within the margins? A frame is out when it
    is clearly blurrier than the sharpest (noise is already taken out of sharpness), or, among
    the frames that are not, clearly noisier than the cleanest."""
    if not qualities:
        return []
    top = max(q.sharpness for q in qualities)
    sharp = [q.sharpness * SHARPER >= top for q in qualities]
    cleanest = min(q.noise for q, s in zip(qualities, sharp) if s)
    return [s and not q.noise > cleanest * NOISIER + NOISE_FLOOR for q, s in zip(qualities, sharp)]


def rank(frames: Sequence[tuple[object, FrameQuality]]) -> list[tuple[object, FrameQuality]]:
    """Best first: the frames among the best (ties within the margins go to the better exposed,
    then the less noisy, then the sharper), then the rest, sharpest first."""
    good = among_best([q for _, q in frames])

    def key(i):
        q = frames[i][1]
        if good[i]:
            return (0, round(q.exposure, 3), round(q.noise, 1), -q.sharpness)
        return (1, 0, 0, -q.sharpness)

    order = sorted(range(len(frames)), key=key)
    return [frames[i] for i in order]


def keep_best(ranked: Sequence[tuple[object, Optional[FrameQuality]]], n: int) -> list[tuple[object, str]]:
    """'Keep the best N' of a series ranked best first: (file, 'keep' | 'remove'). Files in
    reference folders or outside the library are never marked for removal."""
    if n < 1:
        raise ValueError("keep at least one frame")
    out = []
    for i, (f, _) in enumerate(ranked):
        untouchable = getattr(f, "reference", False) or getattr(f, "outside", False)
        out.append((f, "keep" if i < n or untouchable else "remove"))
    return out


def when(taken_at: Optional[str]) -> Optional[float]:
    try:
        return datetime.fromisoformat(taken_at).timestamp() if taken_at else None
    except ValueError:
        return None


def is_series(files: Sequence, gap: float = SERIES_GAP) -> bool:
    """Pictures (with `taken_at`) shot as one burst: all have capture times, and sorted by time
    no two consecutive ones are more than `gap` seconds apart."""
    times = sorted(when(getattr(f, "taken_at", None)) or math.nan for f in files)
    if len(times) < 2 or any(math.isnan(t) for t in times):
        return False
    return all(b - a <= gap for a, b in zip(times, times[1:]))
