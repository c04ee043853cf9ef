"""Finding a model's weights: the user's model folder, then the Hugging Face cache, then a
hub download the user allowed.

Owns: the resolution order, the checks that a folder really holds weights, the download
(with progress), and the one-sentence error when nothing works. Must not: load the weights.
"""
from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Optional

from ..errors import ModelUnavailable
from ..jobs import CancelToken, ProgressCallback, Reporter
from .registry import ModelSpec

WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
DOWNLOAD_PATTERNS = ["*.json", "*.txt", "*.safetensors", "*.model"]


def holds_weights(folder: Path) -> bool:
    return (folder / "config.json").is_file() and any((folder / w).is_file() for w in WEIGHT_FILES)


def find_local(spec: ModelSpec, model_dir: Optional[str]) -> Optional[tuple[Path, str]]:
    """(folder, where) for the first place that holds the model's weights, without network:
    the user's model folder, models bundled with the installer, the Hugging Face cache."""
    if model_dir:
        folder = Path(model_dir).expanduser() / spec.hub_id
        if holds_weights(folder):
            return folder, f"model folder {folder}"
    bundled = os.environ.get("LOOKALIKE_BUNDLED_MODELS")
    if bundled and holds_weights(Path(bundled) / spec.hub_id):
        return Path(bundled) / spec.hub_id, f"bundled with the app ({Path(bundled) / spec.hub_id})"
    cached = _cached_snapshot(spec.hub_id)
    if cached is not None:
        return cached, f"Hugging Face cache {cached}"
    return None


def resolve(spec: ModelSpec, model_dir: Optional[str], allow_download: bool,
            on_progress: Optional[ProgressCallback] = None,
            cancel: Optional[CancelToken] = None) -> tuple[Path, str]:
    found = find_local(spec, model_dir)
    if found:
        return found
    if allow_download:
        return download(spec, model_dir, on_progress=on_progress, cancel=cancel)
    raise ModelUnavailable(spec.name, missing_sentence(spec, model_dir))


def missing_sentence(spec: ModelSpec, model_dir: Optional[str]) -> str:
    where = (f"{Path(model_dir).expanduser() / spec.hub_id}" if model_dir
             else f"<model folder>/{spec.hub_id} (set with --model-dir)")
    return (f"The {spec.name} model ({spec.hub_id}) is not available: save it to {where} or the "
            f"Hugging Face cache, or allow the download with `lookalike models download {spec.name}`.")


def download(spec: ModelSpec, model_dir: Optional[str],
             on_progress: Optional[ProgressCallback] = None,
             cancel: Optional[CancelToken] = None) -> tuple[Path, str]:
    """Downloads into the model folder when one is set, else into the Hugging Face cache."""
    from huggingface_hub import snapshot_download
    from tqdm.auto import tqdm

    reporter_box: list[Reporter] = []

    class _Forward(tqdm):  # huggingface_hub reports per-file progress through a tqdm class
        def __init__(self, *args, **kwargs):
            kwargs.update(file=io.StringIO(), mininterval=0, miniters=1, disable=False)
            kwargs.pop("name", None)
            super().__init__(*args, **kwargs)

        def display(self, *args, **kwargs):
            if not reporter_box:
                reporter_box.append(Reporter(f"downloading {spec.name}", self.total, on_progress, cancel))
            box = reporter_box[0]
            box.total, box.done = self.total, int(self.n)
            box.report()
            return True

    target = Path(model_dir).expanduser() / spec.hub_id if model_dir else None
    try:
        path = snapshot_download(spec.hub_id, allow_patterns=DOWNLOAD_PATTERNS,
                                 local_dir=str(target) if target else None, tqdm_class=_Forward)
    except Exception as exc:  # noqa: BLE001 - any hub failure becomes the same clear sentence
        raise ModelUnavailable(spec.name, f"Downloading {spec.name} ({spec.hub_id}) failed "
                               f"({_short(exc)}); check the connection or save the model to a "
                               f"model folder by hand.") from exc
    folder = Path(path)
    if not holds_weights(folder):
        raise ModelUnavailable(spec.name, f"The download of {spec.name} ({spec.hub_id}) holds no "
                               f"weights in the safetensors format.")
    return folder, f"downloaded to {folder}"


def _cached_snapshot(hub_id: str) -> Optional[Path]:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return None
    try:
        config = try_to_load_from_cache(hub_id, "config.json")
    except Exception:  # noqa: BLE001 - a damaged cache is the same as no cache
        return None
    if not isinstance(config, str):
        return None
    folder = Path(config).parent
    return folder if holds_weights(folder) else None


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return text[:160].rstrip(".")
