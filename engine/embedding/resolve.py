"""Finding a model's weights on this computer: the user's model folder, the data folder's
downloads, models bundled with the installer, then the Hugging Face cache. Never the network:
only an explicit download (hub.py) fetches anything.

Owns: the resolution order, the checks that a folder really holds weights (config.json and
safetensors: a folder holding only pickle weights is refused, never loaded), where a download
lands, and the one-sentence errors when nothing works. Must not: load or download the weights.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator, Optional

from ..errors import ModelUnavailable
from ..settings import default_data_dir
from .registry import ModelSpec

WEIGHTS = "model.safetensors"
PICKLE_WEIGHTS = "pytorch_model.bin"


def holds_weights(folder: Path) -> bool:
    return (folder / "config.json").is_file() and (folder / WEIGHTS).is_file()


def pickle_only(folder: Path) -> bool:
    return (folder / "config.json").is_file() and (folder / PICKLE_WEIGHTS).is_file() \
        and not (folder / WEIGHTS).is_file()


def data_models_dir() -> Path:
    return default_data_dir() / "models"


def download_target(spec: ModelSpec, model_dir: Optional[str]) -> Path:
    """Where a download of the model lands: <model folder>/<hub id>, the model folder being
    the user's own when set, else <data folder>/models."""
    root = Path(model_dir).expanduser() if model_dir else data_models_dir()
    return root / spec.hub_id


def managed_folders(spec: ModelSpec, model_dir: Optional[str]) -> list[Path]:
    """The folders Lookalike downloads into (and may remove): never the Hugging Face cache
    nor a bundled copy."""
    folders = [data_models_dir() / spec.hub_id]
    if model_dir:
        folders.insert(0, Path(model_dir).expanduser() / spec.hub_id)
    return folders


def _candidates(spec: ModelSpec, model_dir: Optional[str]) -> Iterator[tuple[Path, str]]:
    if model_dir:
        folder = Path(model_dir).expanduser() / spec.hub_id
        yield folder, f"model folder {folder}"
    data = data_models_dir() / spec.hub_id
    yield data, f"downloaded to {data}"
    bundled = os.environ.get("LOOKALIKE_BUNDLED_MODELS")
    if bundled:
        yield Path(bundled) / spec.hub_id, f"bundled with the app ({Path(bundled) / spec.hub_id})"
    cached = _cached_snapshot(spec.hub_id)
    if cached is not None:
        yield cached, f"Hugging Face cache {cached}"


def find_local(spec: ModelSpec, model_dir: Optional[str]) -> Optional[tuple[Path, str]]:
    """(folder, where) for the first place that holds the model's safetensors weights."""
    for folder, where in _candidates(spec, model_dir):
        if holds_weights(folder):
            return folder, where
    return None


def pickle_refusal(spec: ModelSpec, model_dir: Optional[str]) -> Optional[str]:
    """The sentence for a folder that holds only pickle weights, if one is where the model
    would be."""
    for folder, _ in _candidates(spec, model_dir):
        if pickle_only(folder):
            return (f"{folder} holds only pickle weights ({PICKLE_WEIGHTS}), which can run code "
                    f"when loaded; Lookalike loads safetensors only, so download {spec.name} "
                    f"with `lookalike models download {spec.name}` or save it as model.safetensors.")
    return None


def resolve(spec: ModelSpec, model_dir: Optional[str]) -> tuple[Path, str]:
    found = find_local(spec, model_dir)
    if found:
        return found
    refusal = pickle_refusal(spec, model_dir)
    raise ModelUnavailable(spec.name, refusal or missing_sentence(spec, model_dir), downloadable=True)


def missing_sentence(spec: ModelSpec, model_dir: Optional[str]) -> str:
    where = (f"{Path(model_dir).expanduser() / spec.hub_id}" if model_dir
             else f"<model folder>/{spec.hub_id} (set with --model-dir)")
    return (f"The {spec.name} model ({spec.hub_id}) is not on this computer: download it with "
            f"`lookalike models download {spec.name}` (or Download in the model manager), or "
            f"save it to {where}.")


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
    return folder if holds_weights(folder) or pickle_only(folder) else None
