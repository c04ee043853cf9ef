"""Patch maps: DINOv2's patch tokens as colours, by a two-step PCA.

Owns: the maths and the pictures. Step one: the first principal component of every patch of
every photo asked for together splits foreground from background (its sign is chosen so that
the photos' border patches fall on the background side, its cut by Otsu's method on the
projections, so no constant is tuned to a photo). Step two: a PCA with three components on the
foreground patches alone, jointly across the photos, scaled per component between its 1st and
99th percentile, gives each foreground patch an RGB colour; the same kind of part gets the
same colour in every photo of the group. Must not: load models or read files (parts/explain.py
feeds it tokens).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from PIL import Image

SEPARATED = (0.03, 0.97)   # a foreground share outside this: no split, every patch is coloured


@dataclass(frozen=True)
class Colouring:
    rgb: np.ndarray        # (rows, cols, 3) float32 in [0, 1]
    foreground: np.ndarray  # (rows, cols) bool


def _principal(data: np.ndarray, k: int) -> np.ndarray:
    """(D, k) principal axes of `data` (rows are samples), signs fixed so runs agree: each
    axis points where its largest loading is positive."""
    centred = data - data.mean(axis=0, keepdims=True)
    _, _, vt = np.linalg.svd(centred.astype(np.float64), full_matrices=False)
    axes = vt[:k].T
    for j in range(axes.shape[1]):
        if axes[np.argmax(np.abs(axes[:, j])), j] < 0:
            axes[:, j] = -axes[:, j]
    return axes


def otsu(values: np.ndarray, bins: int = 128) -> float:
    """The cut between two groups of `values` that maximises the between-group variance."""
    counts, edges = np.histogram(values, bins=bins)
    centres = (edges[:-1] + edges[1:]) / 2
    weight = np.cumsum(counts).astype(np.float64)
    total = weight[-1]
    mean_low = np.cumsum(counts * centres) / np.maximum(weight, 1)
    mean_all = (counts * centres).sum() / total
    rest = total - weight
    mean_high = (mean_all * total - mean_low * weight) / np.maximum(rest, 1)
    between = weight * rest * (mean_low - mean_high) ** 2
    return float(edges[int(np.argmax(between[:-1])) + 1])


def _border(rows: int, cols: int) -> np.ndarray:
    edge = np.zeros((rows, cols), bool)
    edge[0, :] = edge[-1, :] = edge[:, 0] = edge[:, -1] = True
    return edge


def foreground_masks(grids: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Step one: each photo's foreground patches, from one first component for them all."""
    flat = np.concatenate([g.reshape(-1, g.shape[-1]) for g in grids])
    axis = _principal(flat, 1)[:, 0]
    projected = (flat - flat.mean(axis=0)) @ axis
    borders = np.concatenate([_border(*g.shape[:2]).ravel() for g in grids])
    inner = ~borders
    if inner.any() and projected[borders].mean() > projected[inner].mean():
        projected = -projected   # the background is what the borders mostly show
    mask = projected > otsu(projected)
    share = mask.mean()
    if not SEPARATED[0] <= share <= SEPARATED[1]:
        mask = np.ones_like(mask)   # no clear subject (a texture, a wall): colour it all
    out, start = [], 0
    for g in grids:
        n = g.shape[0] * g.shape[1]
        out.append(mask[start:start + n].reshape(g.shape[:2]))
        start += n
    return out


def colour(grids: Sequence[np.ndarray]) -> list[Colouring]:
    """Both steps for photos asked for together: one shared foreground split and one shared
    colour basis, so colours correspond across the photos."""
    masks = foreground_masks(grids)
    fore = np.concatenate([g[m] for g, m in zip(grids, masks)])
    k = min(3, fore.shape[0] - 1, fore.shape[1]) if fore.shape[0] > 1 else 0
    if k < 1:
        return [Colouring(np.zeros(g.shape[:2] + (3,), np.float32), m) for g, m in zip(grids, masks)]
    mean = fore.mean(axis=0)
    axes = _principal(fore, k)
    projected = (fore - mean) @ axes
    low, high = np.percentile(projected, 1, axis=0), np.percentile(projected, 99, axis=0)
    span = np.where(high - low > 1e-9, high - low, 1.0)
    out = []
    for g, m in zip(grids, masks):
        rgb = np.zeros(g.shape[:2] + (3,), np.float32)
        values = np.clip(((g[m] - mean) @ axes - low) / span, 0, 1)
        rgb[m, :k] = values
        out.append(Colouring(rgb, m))
    return out


def layer(colouring: Colouring, size: tuple[int, int]) -> Image.Image:
    """The colours as an RGBA picture of `size`, one flat square per patch (what the model saw
    is a grid; smoothing it would show detail it never had), background transparent."""
    rgba = np.zeros(colouring.rgb.shape[:2] + (4,), np.uint8)
    rgba[..., :3] = np.round(colouring.rgb * 255).astype(np.uint8)
    rgba[..., 3] = np.where(colouring.foreground, 255, 0)
    return Image.fromarray(rgba, "RGBA").resize(size, Image.NEAREST)


def blended(picture: Image.Image, over: Image.Image, strength: float = 0.65) -> Image.Image:
    """The map over the photo: foreground in its colours, background dimmed."""
    base = picture.convert("RGB")
    dimmed = Image.blend(base, Image.new("RGB", base.size, (0, 0, 0)), 0.55)
    alpha = over.getchannel("A").point(lambda v: round(v * strength))
    tinted = Image.composite(over.convert("RGB"), base, alpha)
    return Image.composite(tinted, dimmed, over.getchannel("A"))


def beside(picture: Image.Image, over: Image.Image, gap: int = 8) -> Image.Image:
    """The photo and its map side by side (background black)."""
    w, h = picture.size
    canvas = Image.new("RGB", (w * 2 + gap, h), (24, 24, 24))
    canvas.paste(picture.convert("RGB"), (0, 0))
    flat = Image.new("RGB", (w, h), (0, 0, 0))
    flat.paste(over.convert("RGB"), (0, 0), over.getchannel("A"))
    canvas.paste(flat, (w + gap, 0))
    return canvas


def strip(pictures: Sequence[Image.Image], height: int, gap: int = 8) -> Image.Image:
    """Several rendered maps in one row, each scaled to `height`."""
    scaled = [p.resize((max(1, round(p.width * height / p.height)), height), Image.LANCZOS) for p in pictures]
    canvas = Image.new("RGB", (sum(p.width for p in scaled) + gap * (len(scaled) - 1), height), (24, 24, 24))
    x = 0
    for p in scaled:
        canvas.paste(p, (x, 0))
        x += p.width + gap
    return canvas
