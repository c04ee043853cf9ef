"""Geometric verification: is a candidate pair one picture (a copy) or two shots of a scene?

Owns: the check that keeps burst shots and stereo pairs out of the near tier. A copy, however
re-encoded, resized, cropped, rotated, recoloured, blurred or overlaid, maps onto its original
by one similarity transform, and then its pixels line up; two shots of one scene do not
(parallax, motion). The check matches ORB keypoints, fits a similarity transform with RANSAC,
warps one picture onto the other and counts how many textured blocks correlate. Pictures with
too little texture to judge (fog, sky, heavy blur) are "unsure", and the embedding decides.
Mirrored copies are recognised by checking the flipped picture too. `explain` returns what the
check saw (matched keypoints, the transform, the block grid) for the match overlay.
Must not: touch the catalog or draw anything (explain/ does).
Measured on ../shared/photos (bench/quality.py): the rule and its constants below.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Match:
    """What one check saw, in the matching pictures' pixels (longest side MATCH_SIDE).

    `points_a`/`points_b` are the ratio-test matches, `inliers` marks those the fitted transform
    explains, `transform` maps A's pixels onto B's (2x3, None when none was fitted), already
    undoing the flip for a mirror. `blocks` is the grid compared after warping B onto A: 1 lines
    up, 0 does not, -1 was not counted (flat, or outside the overlap); each cell is `block` px."""
    verdict: Verdict
    size_a: tuple[int, int]
    size_b: tuple[int, int]
    full_a: tuple[int, int]          # the photos' own sizes (upright), to scale the above
    full_b: tuple[int, int]
    points_a: np.ndarray
    points_b: np.ndarray
    inliers: np.ndarray
    transform: Optional[np.ndarray]
    blocks: np.ndarray
    block: tuple[float, float]
    mirrored: bool = False


@dataclass
class _Features:
    gray: np.ndarray
    points: np.ndarray
    descriptors: Optional[np.ndarray]
    full: tuple[int, int] = (0, 0)


@dataclass
class _Fit:
    verdict: Verdict
    points_a: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.float32))
    points_b: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.float32))
    inliers: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    transform: Optional[np.ndarray] = None
    blocks: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.int8))
    block: tuple[float, float] = (0.0, 0.0)


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
        fit, flipped = self._judged(a, b)
        return Verdict("mirror", fit.verdict.aligned) if flipped is not None else fit.verdict

    def explain(self, path_a: str, path_b: str) -> Optional[Match]:
        """The same check as `check`, keeping what it saw; None when a file does not decode."""
        a, b = self._features(path_a), self._features(path_b)
        if a is None or b is None:
            return None
        fit, flipped = self._judged(a, b)
        if flipped is not None:   # the flipped fit is the evidence, in B's own (unflipped) pixels
            fit = flipped
            fit.verdict = Verdict("mirror", flipped.verdict.aligned)
            unflip = np.array([[-1.0, 0.0, b.gray.shape[1] - 1.0], [0.0, 1.0, 0.0], [0, 0, 1]])
            fit.points_b = fit.points_b.copy()
            fit.points_b[:, 0] = b.gray.shape[1] - 1.0 - fit.points_b[:, 0]
            fit.transform = (unflip @ np.vstack([fit.transform, [0, 0, 1]]))[:2]
        return Match(fit.verdict, a.gray.shape[::-1], b.gray.shape[::-1], a.full, b.full,
                     fit.points_a, fit.points_b, fit.inliers, fit.transform, fit.blocks, fit.block,
                     flipped is not None)

    def _judged(self, a: _Features, b: _Features) -> tuple[_Fit, Optional[_Fit]]:
        """The fit of A onto B and, when that says "different" but flipping B makes a copy,
        the flipped fit (a mirror)."""
        fit = self._compare(a, b)
        if fit.verdict.kind == "different":
            flipped = self._compare(a, self._extract(np.ascontiguousarray(b.gray[:, ::-1])))
            if flipped.verdict.kind == "copy":
                return fit, flipped
        return fit, None

    def _features(self, path: str) -> Optional[_Features]:
        if path in self._cache:
            self._cache.move_to_end(path)
            return self._cache[path]
        from ..scanning.decode import DecodeError, decode

        try:
            decoded = decode(path, min_side=MATCH_SIDE)
        except DecodeError:
            found = None
        else:
            picture = decoded.image
            picture.thumbnail((MATCH_SIDE, MATCH_SIDE))
            found = self._extract(np.asarray(picture.convert("L")))
            found.full = (decoded.width or picture.width, decoded.height or picture.height)
        self._cache[path] = found
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return found

    def _extract(self, gray: np.ndarray) -> _Features:
        keypoints, descriptors = self._orb.detectAndCompute(gray, None)
        points = np.float32([k.pt for k in keypoints]) if keypoints else np.zeros((0, 2), np.float32)
        return _Features(gray, points, descriptors)

    def _compare(self, a: _Features, b: _Features) -> _Fit:
        cv2 = self._cv2
        if min(len(a.points), len(b.points)) < MIN_KEYPOINTS or a.descriptors is None or b.descriptors is None:
            return _Fit(Verdict("unsure", 0.0))
        matches = self._matcher.knnMatch(a.descriptors, b.descriptors, k=2)
        good = [m[0] for m in matches if len(m) == 2 and m[0].distance < 0.8 * m[1].distance]
        source = a.points[[g.queryIdx for g in good]].reshape(-1, 2)
        target = b.points[[g.trainIdx for g in good]].reshape(-1, 2)
        fit = _Fit(Verdict("different", 0.0), source, target, np.zeros(len(good), bool))
        if len(good) < MIN_INLIERS:
            return fit
        transform, inliers = cv2.estimateAffinePartial2D(source, target, method=cv2.RANSAC,
                                                         ransacReprojThreshold=3.0)
        if transform is None or int(inliers.sum()) < MIN_INLIERS:
            if inliers is not None:
                fit.inliers = inliers.ravel().astype(bool)
            return fit
        fit.inliers, fit.transform = inliers.ravel().astype(bool), transform
        aligned, blocks, fit.blocks, fit.block = self._aligned_share(a.gray, b.gray,
                                                                     cv2.invertAffineTransform(transform))
        if blocks < MIN_BLOCKS:
            # Both pictures are textured and 15+ inliers were found, yet the overlap holds
            # almost no texture: the inliers came from a chance fit between look-alike shapes.
            fit.verdict = Verdict("different", aligned)
        else:
            fit.verdict = Verdict("copy" if aligned >= ALIGNED else "different", aligned)
        return fit

    def _aligned_share(self, a: np.ndarray, b: np.ndarray, b_to_a):
        """Warps b onto a, then compares 8x8 blocks at a quarter of the matching size (blur,
        noise and JPEG artefacts fade there; parallax does not). Returns the aligned share, the
        blocks counted, the grid (1 aligned, 0 not, -1 not counted) and a block's size in a."""
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
        lined_up = counted & (ncc > BLOCK_NCC)
        aligned = int(lined_up.sum())
        grid = np.where(counted, lined_up.astype(np.int8), np.int8(-1)).astype(np.int8)
        block = (8.0 * w / small[0], 8.0 * h / small[1])
        return (aligned / total if total else 0.0), total, grid, block
