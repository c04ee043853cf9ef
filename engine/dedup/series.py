"""Frame quality and burst series: which of several near-identical frames is the sharpest, best
exposed and least noisy, and which similar pictures were shot as one burst.

Owns: measuring a picture at one working size (so a small sharp original and a large blurred
copy are compared at the same scale): sharpness as the fine-detail energy (a Laplacian of
Gaussian's response) relative to the picture's contrast (so a brighter or more contrasted copy
does not look sharper), noise (Immerkær's estimate of the white-noise sigma), exposure (the
share of clipped pixels); the margin beyond which one frame is clearly sharper (measured by
bench/series.py on real photos: re-encodes stay inside it, blurs fall outside); ranking frames;
and finding series (pictures whose capture times chain within SERIES_GAP seconds). Must not:
touch the catalog or pick keepers (keep.py does, with these measures).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Optional, Sequence

import numpy as np

WORKING_SIDE = 2048      # every picture is measured with its long side at this size
SHARPER = 1.4            # a frame whose sharpness is this many times another's is clearly sharper
SERIES_GAP = 2.0         # seconds between consecutive frames of one burst, at most
CLIPPED = (2 / 255, 253 / 255)


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


def working_grey(pixels: np.ndarray) -> np.ndarray:
    """Grey pixels resized so the long side is WORKING_SIDE."""
    import cv2

    h, w = pixels.shape
    scale = WORKING_SIDE / max(h, w)
    if scale == 1:
        return pixels
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(pixels, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)


def noise_sigma(pixels: np.ndarray) -> float:
    """Immerkær's fast estimate of white-noise sigma (grey levels, 0..255), on the picture's
    own pixels (resizing would average the noise away), from its central 1024 x 1024 at most."""
    import cv2

    h, w = pixels.shape
    top, left = max(0, (h - 1024) // 2), max(0, (w - 1024) // 2)
    centre = pixels[top:top + 1024, left:left + 1024]
    kernel = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float32)
    response = np.abs(cv2.filter2D(centre, cv2.CV_32F, kernel))[1:-1, 1:-1]
    return float(response.mean()) * math.sqrt(math.pi / 2) / 6 * 255 if response.size else 0.0


def measure_pixels(pixels: np.ndarray) -> FrameQuality:
    """Sharpness and exposure at the working size, noise at the picture's own size."""
    import cv2

    work = working_grey(pixels)
    fine = cv2.Laplacian(cv2.GaussianBlur(work, (0, 0), 0.8), cv2.CV_32F)
    contrast = float(work.var())
    sharpness = float(np.mean(fine * fine)) / contrast if contrast > 1e-9 else 0.0
    clipped = float(np.mean((work <= CLIPPED[0]) | (work >= CLIPPED[1])))
    return FrameQuality(round(sharpness, 6), round(clipped, 6), round(noise_sigma(pixels), 4))


def measure(path: str) -> FrameQuality:
    """Decodes `path` (any format the scanner reads) and measures it. Raises DecodeError."""
    from ..scanning.decode import decode

    return measure_pixels(grey(decode(path, min_side=WORKING_SIDE * 3 // 4).image))


def clearly_sharper(a: FrameQuality, b: FrameQuality) -> bool:
    return a.sharpness > b.sharpness * SHARPER


def rank(frames: Sequence[tuple[object, FrameQuality]]) -> list[tuple[object, FrameQuality]]:
    """Best first: the sharpest (ties within the margin go to the better exposed, then the
    less noisy, then the sharper)."""
    if not frames:
        return []
    top = max(q.sharpness for _, q in frames)
    return sorted(frames, key=lambda fq: (fq[1].sharpness * SHARPER < top, round(fq[1].exposure, 3),
                                          round(fq[1].noise, 1), -fq[1].sharpness))


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
