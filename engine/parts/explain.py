"""The Library's explain part: patch maps of photos, and why two photos match.

Owns: choosing the DINOv2 model for patch maps, the patch-token cache
(<library>/patches/<model>/<hash[:2]>/<hash>-<cols>x<rows>.npy, float16, keyed by content hash
so moved files keep theirs; derived, pruned to the newest CACHE_FILES), and running the
geometric check with its evidence kept. Must not: run torch (embedding/ does), do the PCA or
draw (explain/ does), or touch the catalog.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

from ..embedding.registry import spec
from ..errors import LookalikeError, UsageError
from ..jobs import CancelToken, ProgressCallback, Reporter
from ..results import Comparison, MatchExplanation, PatchMap, PhotoDetails
from ..scanning.decode import DecodeError, decode
from ..scanning.fingerprint import content_hash
from .models import Models

MAP_SIDE = 2048          # patch maps are drawn at the photo's size, at most this on the longest side
CACHE_FILES = 400        # patch-token files kept (about 0.6 MB each for ViT-S)


class Explain:
    def __init__(self, library_dir: Path, models: Models, compare: Callable[[str, str], Comparison]) -> None:
        self.library_dir = Path(library_dir)
        self.models = models
        self.compare = compare

    def patch_model(self, model: Optional[str]) -> str:
        """The DINOv2 model patch maps use: the one asked for, the library's when it is a DINOv2,
        else DINOv2-small."""
        if model:
            if spec(model).family != "dinov2":
                raise UsageError(f"Patch maps come from DINOv2's patch tokens; {model} has none. "
                                 f"Choose dinov2-small or dinov2-base.")
            return model
        name = self.models.resolve(None)
        return name if spec(name).family == "dinov2" else "dinov2-small"

    def patch_maps(self, paths: Sequence[os.PathLike | str], model: Optional[str] = None,
                   longest: int = MAP_SIDE, on_progress: Optional[ProgressCallback] = None,
                   cancel: Optional[CancelToken] = None) -> list[PatchMap]:
        """One map per photo, their colours from one shared PCA."""
        from ..explain import patchmap

        if not paths:
            raise UsageError("Name at least one photo.")
        name = self.patch_model(model)
        embedder = self.models.embedder(name, on_progress=on_progress, cancel=cancel)
        reporter = Reporter("patch maps", len(paths), on_progress, cancel)
        pictures, grids = [], []
        for path in paths:
            real = os.path.realpath(os.fspath(path))
            picture = _picture(real, path, longest)
            grids.append(self._tokens(embedder, name, real, picture))
            pictures.append(picture)
            reporter.advance(message=os.path.basename(real))
        out = []
        for path, picture, grid, colours in zip(paths, pictures, grids, patchmap.colour(grids)):
            out.append(PatchMap(os.fspath(path), name, picture.size, (grid.shape[1], grid.shape[0]),
                                float(colours.foreground.mean()), patchmap.layer(colours, picture.size), picture))
        return out

    def _tokens(self, embedder, name: str, real: str, picture) -> np.ndarray:
        cols, rows = embedder.patch_grid(picture.width, picture.height)
        try:
            digest = content_hash(real)
        except OSError:
            digest = None
        cached = self.library_dir / "patches" / name / (digest or "")[:2] / f"{digest}-{cols}x{rows}.npy"
        if digest and cached.is_file():
            try:
                grid = np.load(cached, allow_pickle=False)
                if grid.shape[:2] == (rows, cols):
                    return grid.astype(np.float32)
            except (OSError, ValueError):
                pass   # damaged: computed again below
        # Rounded as the cache keeps them, so a map looks the same whether cached or not.
        grid = embedder.patch_tokens(picture).astype(np.float16)
        if digest:
            _store(cached, grid)
        return grid.astype(np.float32)

    @staticmethod
    def picture(path: os.PathLike | str, longest: Optional[int] = None):
        """The photo upright (EXIF orientation applied, HEIC and RAW decoded), at most `longest`."""
        return _picture(os.path.realpath(os.fspath(path)), path, longest)

    @staticmethod
    def details(path: os.PathLike | str) -> PhotoDetails:
        from ..scanning.details import details

        return details(os.path.realpath(os.fspath(path)))

    def match(self, a: os.PathLike | str, b: os.PathLike | str) -> MatchExplanation:
        """The geometric check's evidence for a pair, with every model's similarity."""
        from ..dedup.verify import Verifier
        from ..explain.overlay import explanation

        comparison = self.compare(a, b)    # says which file is missing, if one is
        found = Verifier(cache_size=2).explain(os.path.realpath(os.fspath(a)), os.path.realpath(os.fspath(b)))
        if found is None:
            for path in (a, b):
                _picture(os.path.realpath(os.fspath(path)), path, 64)   # raises the reason
            raise LookalikeError("One of the two photos could not be decoded.")
        return explanation(os.fspath(a), os.fspath(b), found, comparison.scores, comparison.identical)


def _picture(real: str, given, longest: Optional[int]):
    if not os.path.isfile(real):
        raise LookalikeError(f"{os.fspath(given)} is not a file.")
    try:
        picture = decode(real, min_side=longest).image
    except DecodeError as exc:
        raise LookalikeError(f"{os.fspath(given)} cannot be used: {exc}.") from exc
    if longest:
        picture.thumbnail((longest, longest))
    return picture


def _store(path: Path, grid: np.ndarray) -> None:
    """Writes atomically, then keeps the cache to its newest CACHE_FILES."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".patches-", suffix=".npy", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            np.save(fh, grid, allow_pickle=False)
        os.replace(tmp, path)
        files = sorted(path.parents[1].glob("*/*.npy"), key=lambda p: p.stat().st_mtime)
        for old in files[:-CACHE_FILES]:
            old.unlink(missing_ok=True)
    except OSError:
        pass   # a cache that cannot be written only costs time
