"""Match overlays: the geometric check's evidence, in words and drawn over both photos.

Owns: turning the verifier's `Match` (in its matching pictures' pixels) into a
MatchExplanation in each photo's own pixels, the verdict as a sentence, and the overlay
picture the CLI writes: both photos side by side, the blocks that line up in green and those
that do not in red (on A, and where the fitted transform puts them on B), the keypoint matches
that fit the transform as lines, and the verdict and similarities underneath.
Must not: run the check itself (dedup/verify.py does) or read files.
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..dedup.verify import ALIGNED, MIN_INLIERS, Match
from ..results import MatchBlock, MatchExplanation, ModelScore

GREEN, RED, GREY = (46, 204, 113), (231, 76, 60), (150, 150, 150)
MAX_LINES = 120


def words(match: Match, inliers: int) -> str:
    kind, aligned = match.verdict.kind, match.verdict.aligned
    if kind == "copy":
        return (f"Copy: one transform maps A onto B and {aligned:.0%} of the textured blocks line up "
                f"({ALIGNED:.0%} needed).")
    if kind == "mirror":
        return (f"Mirrored copy: flipped, A maps onto B by one transform and {aligned:.0%} of the "
                f"textured blocks line up ({ALIGNED:.0%} needed).")
    if kind == "unsure":
        return ("Unsure: too little texture to judge (fog, sky, blur or a tiny picture); "
                "the similarity scores decide.")
    if match.transform is None:
        return (f"Different scene: only {inliers} keypoint matches agree on one transform "
                f"({MIN_INLIERS} needed), so these are not one picture.")
    return (f"Different shots: the best single transform lines up only {aligned:.0%} of the textured "
            f"blocks ({ALIGNED:.0%} needed), as with two shots of a scene (parallax, motion).")


def explanation(a: str, b: str, match: Match, scores: Sequence[ModelScore],
                identical: bool) -> MatchExplanation:
    """The match in each photo's own pixels."""
    sa = np.array(match.full_a, float) / np.array(match.size_a, float)
    sb = np.array(match.full_b, float) / np.array(match.size_b, float)
    inliers = int(match.inliers.sum())
    transform, blocks = None, []
    if match.transform is not None:
        full = np.diag([sb[0], sb[1], 1.0]) @ np.vstack([match.transform, [0, 0, 1]]) @ np.diag(
            [1 / sa[0], 1 / sa[1], 1.0])
        transform = tuple(tuple(float(v) for v in row) for row in full[:2])
        bw, bh = match.block
        for r, c in zip(*np.nonzero(match.blocks >= 0)):
            corners = np.array([[c * bw, r * bh], [(c + 1) * bw, r * bh], [(c + 1) * bw, (r + 1) * bh],
                                [c * bw, (r + 1) * bh]])
            in_b = corners @ match.transform[:, :2].T + match.transform[:, 2]
            blocks.append(MatchBlock(_points(corners * sa), _points(in_b * sb), bool(match.blocks[r, c] == 1)))
    counted = int((match.blocks >= 0).sum())
    return MatchExplanation(
        a, b, tuple(match.full_a), tuple(match.full_b), match.verdict.kind, words(match, inliers),
        float(match.verdict.aligned), counted, len(match.points_a), inliers,
        _points(match.points_a * sa), _points(match.points_b * sb), tuple(bool(v) for v in match.inliers),
        transform, tuple(blocks), match.mirrored, identical, tuple(scores))


def _points(array: np.ndarray) -> tuple[tuple[float, float], ...]:
    return tuple((float(x), float(y)) for x, y in np.asarray(array).reshape(-1, 2))


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:   # a Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


def draw(expl: MatchExplanation, picture_a: Image.Image, picture_b: Image.Image,
         height: int = 560, gap: int = 16) -> Image.Image:
    """Both photos at `height`, the evidence drawn over them, the verdict underneath."""
    ka, kb = height / expl.size_a[1], height / expl.size_b[1]
    wa, wb = max(1, round(expl.size_a[0] * ka)), max(1, round(expl.size_b[0] * kb))
    font = _font(15)
    lines = [expl.words] + ([expl.transform_words] if expl.transform_words else [])
    lines.append(f"{sum(b.aligned for b in expl.blocks)} of {expl.blocks_counted} textured blocks line up · "
                 f"{expl.inliers} of {expl.matches} keypoint matches fit one transform")
    lines += [f"{s.model}: {s.meaning}" for s in expl.scores if s.similarity is not None]
    text_h = 22 * len(lines) + 16
    canvas = Image.new("RGB", (wa + gap + wb, height + text_h), (28, 28, 30))
    for picture, size, x in ((picture_a, (wa, height), 0), (picture_b, (wb, height), wa + gap)):
        shown = picture.convert("RGB").resize(size, Image.LANCZOS)
        # Dimmed a little, so the blocks and lines stay readable over busy pictures.
        canvas.paste(Image.blend(shown, Image.new("RGB", size, (0, 0, 0)), 0.3), (x, 0))
    shade = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    pen = ImageDraw.Draw(shade)
    offset_b = wa + gap
    for block in expl.blocks:
        fill = GREEN + (80,) if block.aligned else RED + (95,)
        edge = GREEN + (220,) if block.aligned else RED + (230,)
        pen.polygon([(x * ka, y * ka) for x, y in block.corners_a], fill=fill, outline=edge)
        pen.polygon([(offset_b + x * kb, y * kb) for x, y in block.corners_b], fill=fill, outline=edge)
    canvas = Image.alpha_composite(canvas.convert("RGBA"), shade)
    pen = ImageDraw.Draw(canvas)
    pen.rectangle([wa, 0, wa + gap - 1, height], fill=(28, 28, 30))
    for (xa, ya), (xb, yb), fits in _sampled(expl):
        a_at, b_at = (xa * ka, ya * ka), (offset_b + xb * kb, yb * kb)
        if fits:
            pen.line([a_at, b_at], fill=GREEN + (150,), width=1)
        for x, y in (a_at, b_at):
            colour = GREEN if fits else GREY
            pen.ellipse([x - 2, y - 2, x + 2, y + 2], outline=colour + (230,))
    for x, label in ((6, "A"), (offset_b + 6, "B")):
        pen.rectangle([x - 2, 4, x + 16, 24], fill=(0, 0, 0, 170))
        pen.text((x + 2, 6), label, fill=(255, 255, 255), font=font)
    y = height + 8
    for i, line in enumerate(lines):
        colour = _verdict_colour(expl.verdict) if i == 0 else (225, 225, 225)
        pen.text((10, y), line, fill=colour, font=font)
        y += 22
    return canvas.convert("RGB")


def _verdict_colour(kind: str) -> tuple[int, int, int]:
    return {"copy": GREEN, "mirror": GREEN, "different": RED}.get(kind, (241, 196, 15))


def _sampled(expl: MatchExplanation, limit: Optional[int] = MAX_LINES):
    """Matches to draw: the fitting ones first, evenly thinned to `limit` (hundreds of lines
    hide the photos)."""
    rows = list(zip(expl.points_a, expl.points_b, expl.inlier_flags))
    rows.sort(key=lambda r: not r[2])
    if limit is None or len(rows) <= limit:
        return rows
    step = len(rows) / limit
    return [rows[int(i * step)] for i in range(limit)]
