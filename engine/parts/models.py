"""The Library's models part: which models exist, where they come from, and the loaded ones.

Owns: the model folder in use, resolving "auto", the model manager's calls (list, download on
request, remove), and the cache of loaded models,
locked per (model, device): two threads asking for the same model load it once, while two
different models load side by side. Must not: import torch/transformers itself (embedding/
does) or touch the catalog.
"""
from __future__ import annotations

import threading
from typing import Optional

from ..embedding import loader, manager
from ..embedding.base import Embedder
from ..embedding.registry import spec
from ..jobs import CancelToken, ProgressCallback
from ..results import ModelInfo
from ..settings import Settings


class Models:
    def __init__(self, settings: Settings, model_dir: Optional[str] = None) -> None:
        self.settings = settings
        self._model_dir_override = model_dir
        self._loaded: dict[tuple[str, str], Embedder] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._locks_lock = threading.Lock()

    @property
    def model_dir(self) -> Optional[str]:
        return self._model_dir_override or self.settings.model_dir

    def infos(self, vector_counts: dict[str, int]) -> list[ModelInfo]:
        return manager.infos(self.model_dir, vector_counts)

    def download(self, name: str, on_progress: Optional[ProgressCallback] = None,
                 cancel: Optional[CancelToken] = None) -> str:
        """The user asked for it (a click, `lookalike models download`): the only way a model
        reaches the network. Hub models download, SSCD's package installs."""
        where = manager.download(name, self.model_dir, on_progress=on_progress, cancel=cancel)
        self._forget(name)
        return where

    def remove(self, name: str) -> str:
        said = manager.remove(name, self.model_dir)
        self._forget(name)
        return said

    def _forget(self, name: str) -> None:
        """Drops loaded copies so the next use sees what is on disk now."""
        for key in [k for k in self._loaded if k[0] == name]:
            self._loaded.pop(key, None)

    def embedder(self, name: str, device: Optional[str] = None,
                 on_progress: Optional[ProgressCallback] = None,
                 cancel: Optional[CancelToken] = None) -> Embedder:
        """A loaded model, cached for the life of the Library; loaded once however many
        threads ask for it at the same time."""
        key = (name, device or self.settings.device)
        loaded = self._loaded.get(key)
        if loaded is not None:
            return loaded
        with self._locks_lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._loaded:
                self._loaded[key] = loader.load(name, self.model_dir, device=key[1],
                                                on_progress=on_progress, cancel=cancel)
            return self._loaded[key]

    @staticmethod
    def detected_devices() -> list[str]:
        from ..embedding.device import detected_devices   # lazy: loads torch

        return detected_devices()

    def resolve(self, name: Optional[str]) -> str:
        name = name or self.settings.model
        if name == "auto":
            return loader.pick_auto(self.model_dir)
        spec(name)
        return name
