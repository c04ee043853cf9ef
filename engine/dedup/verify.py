"""Geometric verification: is a candidate pair one picture (a copy) or two shots of a scene?

Owns: the check that keeps burst shots and stereo pairs out of the near tier. A copy, however
re-encoded, resized, cropped, rotated, recoloured, blurred or overlaid, maps onto its original
by one similarity transform, and then its pixels line up; two shots of one scene do not
(parallax, motion). The check matches ORB keypoints, fits a similarity transform with RANSAC,
warps one picture onto the other and counts how many textured blocks correlate. Pictures with
too little texture to judge (fog, sky, heavy blur) are "unsure", and the embedding decides.
Mirrored copies are recognised by checking the flipped picture too. Must not: touch the catalog.
Measured on ../shared/photos (bench/quality.py): the rule and its constants below.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Optional

import numpy as np

MATCH_SIDE = 512          # pictures are matched at this longest side
MIN_KEYPOINTS = 100       # fewer in either picture: too little texture to judge
MIN_INLIERS = 15          # fewer RANSAC inliers on textured pictures: no single transform
MIN_BLOCKS = 4            # fewer textured blocks in the overlap: a chance fit, not a copy
ALIGNED = 0.55            # share of textured blocks that must correlate (copies 0.6+, stereo pair 0.45)
BLOCK_NCC = 0.80


@dataclass(frozen=True)
class Verdict:
    kind: str            # copy | mirror | different | unsure
    aligned: float       # share of aligned blocks (0 when no transform was found)


@dataclass
class _Features:
    gray: np.ndarray
    points: np.ndarray
    descriptors: Optional[np.ndarray]


class Verifier:
    """Checks pairs of files, caching each file's keypoints for the batch."""

    def __init__(self, cache_size: int = 256) -> None:
        import cv2

        self._cv2 = cv2
        self._orb = cv2.ORB_create(nfeatures=1500)
        self._matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
        self._cache: OrderedDict[str, Optional[_Features]] = OrderedDict()
        self._cache_size = cache_size

    def check(self, path_a: str, path_b: str) -> Verdict:
        a, b = self._features(path_a), self._features(path_b)
        if a is None or b is None:
            return Verdict("unsure", 0.0)
        verdict = self._compare(a, b)
        if verdict.kind == "different":
            flipped = self._extract(np.ascontiguousarray(b.gray[:, ::-1]))
            if self._compare(a, flipped).kind == "copy":
                return Verdict("mirror", verdict.aligned)
        return verdict

    def _features(self, path: str) -> Optional[_Features]:
        if path in self._cache:
            self._cache.move_to_end(path)
            return self._cache[path]
        from ..scanning.decode import DecodeError, decode

        try:
            picture = decode(path, min_side=MATCH_SIDE).image
        except DecodeError:
            found = None
        else:
            picture.thumbnail((MATCH_SIDE, MATCH_SIDE))
            found = self._extract(np.asarray(picture.convert("L")))
        self._cache[path] = found
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return found

    def _extract(self, gray: np.ndarray) -> _Features:
        keypoints, descriptors = self._orb.detectAndCompute(gray, None)
        points = np.float32([k.pt for k in keypoints]) if keypoints else np.zeros((0, 2), np.float32)
        return _Features(gray, points, descriptors)

    def _compare(self, a: _Features, b: _Features) -> Verdict:
        cv2 = self._cv2
        if min(len(a.points), len(b.points)) < MIN_KEYPOINTS or a.descriptors is None or b.descriptors is None:
            return Verdict("unsure", 0.0)
        matches = self._matcher.knnMatch(a.descriptors, b.descriptors, k=2)
        good = [m[0] for m in matches if len(m) == 2 and m[0].distance < 0.8 * m[1].distance]
        if len(good) < MIN_INLIERS:
            return Verdict("different", 0.0)
        source = a.points[[g.queryIdx for g in good]]
        target = b.points[[g.trainIdx for g in good]]
        transform, inliers = cv2.estimateAffinePartial2D(source, target, method=cv2.RANSAC,
                                                         ransacReprojThreshold=3.0)
        if transform is None or int(inliers.sum()) < MIN_INLIERS:
            return Verdict("different", 0.0)
        aligned, blocks = self._aligned_share(a.gray, b.gray, cv2.invertAffineTransform(transform))
        if blocks < MIN_BLOCKS:
            # Both pictures are textured and 15+ inliers were found, yet the overlap holds
            # almost no texture: the inliers came from a chance fit between look-alike shapes.
            return Verdict("different", aligned)
        return Verdict("copy" if aligned >= ALIGNED else "different", aligned)

    def _aligned_share(self, a: np.ndarray, b: np.ndarray, b_to_a) -> tuple[float, int]:
        """Warps b onto a, then compares 8x8 blocks at a quarter of the matching size (blur,
        noise and JPEG artefacts fade there; parallax does not)."""
        cv2 = self._cv2
        h, w = a.shape
        warped = cv2.warpAffine(b, b_to_a, (w, h), flags=cv2.INTER_AREA)
        inside = cv2.warpAffine(np.full_like(b, 255), b_to_a, (w, h), flags=cv2.INTER_NEAREST)
        small = (max(8, w // 4), max(8, h // 4))
        fa = cv2.resize(cv2.GaussianBlur(a.astype(np.float32), (0, 0), 2.0), small, interpolation=cv2.INTER_AREA)
        fb = cv2.resize(cv2.GaussianBlur(warped.astype(np.float32), (0, 0), 2.0), small, interpolation=cv2.INTER_AREA)
        mask = cv2.resize(inside, small, interpolation=cv2.INTER_NEAREST) > 0
        # All 8x8 blocks at once (a per-block loop was 3/4 of a check's time on a flat cluster).
        rows, cols = fa.shape[0] // 8, fa.shape[1] // 8

        def blocks(x: np.ndarray) -> np.ndarray:
            return x[:rows * 8, :cols * 8].reshape(rows, 8, cols, 8).swapaxes(1, 2).reshape(rows, cols, 64)

        block_a, block_b = blocks(fa), blocks(fb)
        counted = (blocks(mask).all(axis=-1) & (block_a.std(axis=-1) >= 2) & (block_b.std(axis=-1) >= 2))
        da = block_a.astype(np.float64) - block_a.mean(axis=-1, dtype=np.float64, keepdims=True)
        db = block_b.astype(np.float64) - block_b.mean(axis=-1, dtype=np.float64, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            ncc = (da * db).sum(axis=-1) / np.sqrt((da * da).sum(axis=-1) * (db * db).sum(axis=-1))
        total = int(counted.sum())
        aligned = int((counted & (ncc > BLOCK_NCC)).sum())
        return (aligned / total if total else 0.0), total
