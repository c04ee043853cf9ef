"""The image tower through ONNX Runtime on the CPU, chosen only where it is accurate and faster.

Owns: the ORT sessions (telemetry off before the import, as sscd.py explains; threads = cores,
sequential, every graph optimisation, no spinning so the decode threads keep their cores), the
two agreement checks (ORT fp32 within cosine 0.999 of torch fp32 on calibration pictures, else
ORT is not used; int8 kept only where every cosine to fp32 on the user's own photos is >= 0.99),
timing the accurate candidates on one batch of those photos, and remembering the winner beside
the export so later loads skip the measurement.
Must not: know the model family (the embedder hands in its torch forward), or touch the catalog.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

from . import onnx_export
from .onnx_export import TowerFiles

RUNTIMES = ("auto", "torch", "onnx-fp32", "onnx-int8")
FP32_AGREEMENT = 0.999
INT8_AGREEMENT = 0.99
DECIDE_MIN_BATCH = 8     # a decision needs this many of the user's photos in one batch
RUNTIME_ENV = "LOOKALIKE_RUNTIME"


def requested_runtime(precision: str) -> str:
    """The loader's precision argument names a runtime when it is one; otherwise the
    LOOKALIKE_RUNTIME environment variable (benchmarks, support) may, else "auto"."""
    if precision in RUNTIMES[1:]:
        return precision
    if precision in ("fp32", "bf16"):
        return "torch"
    wanted = os.environ.get(RUNTIME_ENV, "auto").strip().lower() or "auto"
    return wanted if wanted in RUNTIMES else "auto"


def min_cosine(a: np.ndarray, b: np.ndarray) -> float:
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return float((a * b).sum(axis=1).min())


def open_session(path: Path):
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
    import onnxruntime as ort

    if hasattr(ort, "disable_telemetry_events"):
        ort.disable_telemetry_events()
    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, os.cpu_count() or 1)
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Spinning workers burn the cores the decode pool needs between batches.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class OnnxPath:
    """One embedder's ONNX side. `choice` is "onnx-fp32", "onnx-int8" or "torch"; `pending`
    while the choice waits for a batch of the user's photos (ORT fp32 runs meanwhile)."""

    def __init__(self, files: TowerFiles, export: Callable[[Path], None],
                 torch_run: Callable[[np.ndarray], np.ndarray], torch_label: str) -> None:
        self.files, self._export, self._torch_run = files, export, torch_run
        self.torch_label = torch_label
        self._sessions: dict[str, object] = {}
        self.choice, self.pending = "torch", False
        self.decidable = False   # "auto", and ORT fp32 agreed with torch
        self.report: dict = {}

    # -- building -------------------------------------------------------------------------
    def session(self, kind: str):
        """The fp32 or int8 session; a missing, truncated or corrupt file is made again."""
        if kind in self._sessions:
            return self._sessions[kind]
        path = self.files.int8 if kind == "onnx-int8" else self.files.fp32
        for attempt in (0, 1):
            if not path.is_file() or attempt:
                if kind == "onnx-int8":
                    self.session("onnx-fp32")
                    onnx_export.quantise_int8(self.files.fp32, path)
                else:
                    self._export(path)
            try:
                self._sessions[kind] = open_session(path)
                return self._sessions[kind]
            except Exception:  # noqa: BLE001 - a damaged cached file: export it again
                if attempt:
                    raise
                path.unlink(missing_ok=True)
        raise AssertionError("unreachable")

    def run(self, kind: str, pixels: np.ndarray) -> np.ndarray:
        session = self.session(kind)
        return session.run(None, {"pixel_values": np.ascontiguousarray(pixels, dtype=np.float32)})[0]

    def start(self, runtime: str, calibration: np.ndarray, torch_fp32: np.ndarray) -> None:
        """At load: a forced runtime is taken as asked; "auto" reuses a remembered decision,
        else checks ORT fp32 against torch fp32 and waits for the user's photos."""
        if runtime in ("onnx-fp32", "onnx-int8"):
            self.session(runtime)
            self.choice, self.report = runtime, {"choice": runtime, "why": "asked for"}
            return
        remembered = onnx_export.read_decision(self.files)
        if remembered and remembered.get("choice") in RUNTIMES[1:]:
            self.report, self.choice = remembered, remembered["choice"]
            self.decidable = "fp32_cosine" in remembered and remembered["fp32_cosine"] >= FP32_AGREEMENT
            if self.choice != "torch":
                self.session(self.choice)
            return
        cosine = min_cosine(torch_fp32, self.run("onnx-fp32", calibration))
        if cosine < FP32_AGREEMENT:
            self.choice = "torch"
            self.report = {"choice": "torch", "fp32_cosine": round(cosine, 6),
                           "why": f"ONNX fp32 disagreed with torch (cosine {cosine:.4f} < {FP32_AGREEMENT})"}
            onnx_export.write_decision(self.files, self.report)
            self._sessions.clear()
            return
        self.report = {"fp32_cosine": round(cosine, 6)}
        self.choice, self.pending, self.decidable = "onnx-fp32", True, True

    # -- deciding -------------------------------------------------------------------------
    def decide(self, pixels: np.ndarray, source: str = "the first batch of photos") -> str:
        """int8 agreement on these pictures, then the fastest accurate runtime on them."""
        reference = self.run("onnx-fp32", pixels)
        cosine = min_cosine(reference, self.run("onnx-int8", pixels))
        candidates = {"torch": lambda p: self._torch_run(p),
                      "onnx-fp32": lambda p: self.run("onnx-fp32", p)}
        if cosine >= INT8_AGREEMENT:
            candidates["onnx-int8"] = lambda p: self.run("onnx-int8", p)
        rates = _rates(candidates, pixels)
        choice = max(rates, key=rates.get)
        self.report.update({
            "choice": choice, "int8_cosine": round(cosine, 6), "samples": source,
            "pictures": int(len(pixels)), "torch_precision": self.torch_label,
            "per_second": {k: round(v, 2) for k, v in rates.items()},
            "why": ("fastest of the accurate runtimes" if cosine >= INT8_AGREEMENT else
                    f"int8 refused (cosine {cosine:.4f} < {INT8_AGREEMENT}); fastest of the rest")})
        onnx_export.write_decision(self.files, self.report)
        for kind in [k for k in self._sessions if k != choice]:
            del self._sessions[kind]   # free the losers' memory
        self.choice, self.pending = choice, False
        return choice

    def embed(self, pixels: np.ndarray) -> Optional[np.ndarray]:
        """Features through ORT, or None when torch is the choice."""
        if self.pending and len(pixels) >= DECIDE_MIN_BATCH:
            self.decide(pixels)
        return None if self.choice == "torch" else self.run(self.choice, pixels)


def _rates(candidates: dict[str, Callable[[np.ndarray], object]], pixels: np.ndarray) -> dict[str, float]:
    """Pictures per second of each candidate on this batch, after a warm-up on two of them
    (first calls pay for kernel selection and memory planning)."""
    rates = {}
    for name, fn in candidates.items():
        fn(pixels[:2])
        start = time.perf_counter()
        fn(pixels)
        rates[name] = len(pixels) / max(time.perf_counter() - start, 1e-9)
    return rates


def stack(batch: Sequence[np.ndarray]) -> np.ndarray:
    return np.ascontiguousarray(np.stack(batch), dtype=np.float32)
