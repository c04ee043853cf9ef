"""Running transformers vision models with torch: device placement, precision, batching.

Owns: the shared machinery of the DINOv2 and CLIP embedders (moving a model to a device,
fp16 on GPUs, the bf16 check on CPUs, handing the image tower to ONNX Runtime on CPUs where
onnx_runtime.py finds it accurate and faster, inference mode, reading the preprocessing config).
Must not: know which model family it runs (dinov2.py and clip.py say that).
"""
from __future__ import annotations

import json
from abc import abstractmethod
import threading
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
from PIL import Image

from .base import Embedder, l2_normalise
from . import onnx_export
from .device import pick_cpu_precision
from .onnx_runtime import OnnxPath, requested_runtime, stack

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# GPUs run the torch model in fp16 and never the ONNX path (a test adds "cpu" here to run that
# branch where no GPU is lent).
HALF_DEVICES = ("cuda", "mps")
_precision_cache: dict[tuple[str, str], str] = {}
_precision_lock = threading.Lock()


def read_processor_config(folder: Path) -> dict:
    path = folder / "preprocessor_config.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def config_size(config: dict, key: str, default: int) -> int:
    value = config.get(key)
    if isinstance(value, dict):
        for field in ("height", "shortest_edge", "width"):
            if field in value:
                return int(value[field])
    if isinstance(value, (int, float)):
        return int(value)
    return default


def calibration_images(size: int, count: int = 4) -> list[Image.Image]:
    """Deterministic photo-like pictures (smooth gradients and shapes) for the bf16 check."""
    rng = np.random.default_rng(7)
    images = []
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    for _ in range(count):
        a, b, c = rng.uniform(0.2, 1.0, 3)
        base = np.stack([a * xx, b * yy, c * (1 - xx * yy)], axis=-1)
        cx, cy, r = rng.uniform(0.2, 0.8, 3) * np.array([1, 1, 0.4])
        disk = ((xx - cx) ** 2 + (yy - cy) ** 2) < r ** 2
        base[disk] = rng.uniform(0, 1, 3)
        images.append(Image.fromarray((base * 255).clip(0, 255).astype(np.uint8)))
    return images


class TorchEmbedder(Embedder):
    """A torch module `self.model` whose `_forward(pixel_values)` returns (N, D) features."""

    def __init__(self, name: str, model_id: str, source: str, device: str) -> None:
        self.name, self.model_id, self.source, self.device = name, model_id, source, device
        self._lock = threading.Lock()  # one inference at a time per model

    def _finish_loading(self, precision: str = "auto", folder: Optional[Path] = None) -> None:
        import torch

        self.model.eval()
        self.model.to(self.device)
        self._onnx = None
        if self.device in HALF_DEVICES:
            self.model.half()
            self.precision = "fp16"
            self._dtype = torch.float16
        else:
            self._dtype = torch.float32
            self.precision = "fp32"
            runtime = requested_runtime(precision)
            if folder is not None and runtime != "torch":
                self._onnx = self._start_onnx(folder, runtime)  # while the weights are fp32
            settled = self._onnx is not None and not self._onnx.pending and self._onnx.choice != "torch"
            # torch then only makes patch maps: the bf16 measurement would be wasted
            choice = precision if precision in ("fp32", "bf16") or settled else self._measured_cpu_precision()
            if choice == "bf16":
                self.model.to(torch.bfloat16)
                self._dtype = torch.bfloat16
                self.precision = "bf16"
        self._torch_precision = self.precision
        self._sync_precision()
        with torch.inference_mode():
            probe = self._forward(self._tensor([self.preprocess(calibration_images(self.input_size, 1)[0])]))
        self.dim = int(probe.shape[1])

    def _measured_cpu_precision(self) -> str:
        import torch

        key = (self.name, self.model_id)
        with _precision_lock:
            if key in _precision_cache:
                return _precision_cache[key]
            sample = [self.preprocess(img) for img in calibration_images(self.input_size)]

            def run(dtype):
                self.model.to(dtype)
                with torch.inference_mode():
                    return self._forward(torch.from_numpy(np.stack(sample)).to(dtype))

            choice = pick_cpu_precision(run, sample)
            self.model.to(torch.float32)
            _precision_cache[key] = choice
            return choice

    def _start_onnx(self, folder: Path, runtime: str) -> Optional[OnnxPath]:
        import torch

        pixels = stack([self.preprocess(img) for img in calibration_images(self.input_size)])

        def export(path: Path) -> None:
            dtype = next(self.model.parameters()).dtype
            self.model.to(torch.float32)
            try:
                onnx_export.export_tower(self.model, lambda _model, x: self._forward(x),
                                         torch.from_numpy(pixels[:2]), path)
            finally:
                self.model.to(dtype)

        with torch.inference_mode():
            reference = self._forward(torch.from_numpy(pixels)).float().numpy()
        try:
            onnx = OnnxPath(onnx_export.tower_files(folder, self.model_id), export, self._torch_features, "fp32")
            onnx.start(runtime, pixels, reference)
        except Exception:  # noqa: BLE001 - no writable cache, an export ORT cannot run: torch stays
            if runtime != "auto":
                raise
            return None
        return onnx

    def _torch_features(self, pixels: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            return self._forward(torch.from_numpy(pixels).to(self.device, dtype=self._dtype)).float().numpy()

    def _sync_precision(self) -> None:
        onnx = self._onnx
        if onnx is not None:
            onnx.torch_label = self._torch_precision
        self.precision = onnx.choice if onnx is not None and onnx.choice != "torch" else self._torch_precision

    def calibrate(self, images: Sequence[Image.Image]) -> str:
        """Chooses the CPU runtime on these pictures (the user's own photos) now, instead of
        on the first batch; returns `precision`. A no-op on GPUs or with a forced runtime."""
        if self._onnx is not None and self._onnx.decidable:
            with self._lock:
                self._onnx.decide(stack([self.preprocess(img) for img in images]), "pictures passed in")
                self._sync_precision()
        return self.precision

    def _tensor(self, batch: Sequence[np.ndarray]):
        import torch

        return torch.from_numpy(np.stack(batch)).to(self.device, dtype=self._dtype)

    def embed(self, batch: Sequence[np.ndarray]) -> np.ndarray:
        import torch

        if not len(batch):
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            if self._onnx is not None:
                onnx_features = self._onnx.embed(stack(batch))
                self._sync_precision()
                if onnx_features is not None:
                    return l2_normalise(onnx_features)
            with torch.inference_mode():
                features = self._forward(self._tensor(batch))
        return l2_normalise(features.float().cpu().numpy())

    @abstractmethod
    def _forward(self, pixel_values):
        """(N, 3, H, W) tensor -> (N, D) features, before normalisation."""
