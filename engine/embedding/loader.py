"""Turning a model name into a ready Embedder: resolve the weights, pick the device, load.

Owns: the one code path from a name (plus model folder, download permission, device) to a
loaded model, used by scans, searches, the CLI's `models` listing and the tests alike.
Must not: touch the catalog.
"""
from __future__ import annotations

from typing import Optional

from ..errors import ModelUnavailable
from ..jobs import CancelToken, ProgressCallback
from . import resolve as resolving
from . import sscd
from .base import Embedder
from .registry import AUTO_ORDER, spec


def availability(name: str, model_dir: Optional[str]) -> tuple[bool, str]:
    """(present, where from or why not) without loading or downloading anything."""
    model = spec(name)
    if model.family == "phash":
        return True, "built in"
    if model.family == "sscd":
        path = sscd.locate()
        return (True, f"package {path}") if path else (False, "optional extra not installed")
    found = resolving.find_local(model, model_dir)
    return (True, found[1]) if found else (False, "weights not found (model folder, Hugging Face cache)")


def pick_auto(model_dir: Optional[str]) -> str:
    for name in AUTO_ORDER:
        if availability(name, model_dir)[0]:
            return name
    return "phash"


def load(name: str, model_dir: Optional[str] = None, allow_download: bool = False,
         device: str = "auto", precision: str = "auto",
         on_progress: Optional[ProgressCallback] = None,
         cancel: Optional[CancelToken] = None) -> Embedder:
    model = spec(name)
    if model.family == "phash":
        from .phash import PhashEmbedder

        return PhashEmbedder(name)
    if model.family == "sscd":
        return sscd.SscdEmbedder(name, device="cuda" if device == "cuda" else "cpu")
    folder, where = resolving.resolve(model, model_dir, allow_download, on_progress, cancel)
    from .device import choose_device

    target = choose_device(device)
    try:
        if model.family == "dinov2":
            from .dinov2 import Dinov2Embedder

            return Dinov2Embedder(name, folder, model.hub_id, where, target, precision)
        from .clip import ClipEmbedder

        return ClipEmbedder(name, folder, model.hub_id, where, target, precision)
    except ImportError as exc:
        raise ModelUnavailable(name, f"The {name} model needs a Python package that is missing "
                               f"({exc.name}).") from exc
