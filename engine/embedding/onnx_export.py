"""Exporting a model's image tower to ONNX once, and its int8 twin, cached on disk.

Owns: where the exported files live (<model folder>/onnx/ when that folder can be written,
else <data folder>/models/onnx/<hub id>/; never inside the Hugging Face cache), their names
(keyed by the weights' names, sizes and times and the config, so new weights export anew),
writing them atomically (a killed export leaves no half file under the final name), the
int8 dynamic quantisation, and the remembered runtime decision beside them.
Must not: decide which runtime runs (onnx_runtime.py does), or run inference.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

EXPORT_VERSION = 1     # bump when the wrapper or the export options change
OPSET = 17
WEIGHT_SUFFIXES = (".safetensors", ".bin")


@dataclass(frozen=True)
class TowerFiles:
    folder: Path
    key: str

    @property
    def fp32(self) -> Path:
        return self.folder / f"image-{self.key}.onnx"

    @property
    def int8(self) -> Path:
        return self.folder / f"image-{self.key}-int8.onnx"

    @property
    def decision(self) -> Path:
        return self.folder / f"image-{self.key}.json"


def weights_key(model_folder: Path) -> str:
    """Changes whenever the weights or the config change (size and modification time of each
    weight file; the config's bytes), and with the export code's version."""
    digest = hashlib.sha256(f"export v{EXPORT_VERSION} opset {OPSET}".encode())
    for path in sorted(model_folder.iterdir()):
        if path.name == "config.json":
            digest.update(path.read_bytes())
        elif path.suffix in WEIGHT_SUFFIXES and path.is_file():
            stat = path.stat()  # follows the Hugging Face cache's symlinks to the blobs
            digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def tower_files(model_folder: Path, hub_id: str) -> TowerFiles:
    return TowerFiles(cache_folder(model_folder, hub_id), weights_key(model_folder))


def cache_folder(model_folder: Path, hub_id: str) -> Path:
    """<model folder>/onnx when it can be written (tried, not guessed: root passes access
    checks that a write then fails); the data folder otherwise, and always for a Hugging
    Face cache snapshot, whose folders belong to the hub client."""
    if model_folder.parent.name != "snapshots" and _writable(model_folder / "onnx"):
        return model_folder / "onnx"
    from ..settings import default_data_dir

    folder = default_data_dir() / "models" / "onnx" / hub_id
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _writable(folder: Path) -> bool:
    probe = folder / f".probe-{os.getpid()}-{threading.get_ident()}"
    try:
        folder.mkdir(exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
        return True
    except OSError:
        return False


def write_atomically(target: Path, produce: Callable[[Path], None]) -> None:
    """`produce(tmp)` writes the file at a temporary name beside `target`; only a finished
    file is renamed into place."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        produce(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def export_tower(model, forward: Callable, example, target: Path) -> None:
    """Traces `forward(model, pixel_values) -> (N, D) features` into an ONNX graph with a
    dynamic batch axis (the TorchScript exporter: the dynamo one needs onnxscript)."""
    import torch

    class Tower(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, pixel_values):
            return forward(self.model, pixel_values)

    _quiet_exporters()

    def produce(tmp: Path) -> None:
        with torch.inference_mode(False), torch.no_grad():
            torch.onnx.export(Tower().eval(), (example,), str(tmp), input_names=["pixel_values"],
                              output_names=["features"], opset_version=OPSET, dynamo=False,
                              dynamic_axes={"pixel_values": {0: "batch"}, "features": {0: "batch"}},
                              do_constant_folding=True)

    write_atomically(target, produce)


def quantise_int8(source: Path, target: Path) -> None:
    """Dynamic int8 quantisation of the weights of MatMul/Gemm (activations quantised per
    batch at run time): signed weights, per tensor, the combination that measured both the
    fastest and the closest to fp32 here (see the README's CPU section)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    _quiet_exporters()
    write_atomically(target, lambda tmp: quantize_dynamic(
        str(source), str(tmp), weight_type=QuantType.QInt8, per_channel=False,
        op_types_to_quantize=["MatMul", "Gemm"]))


def machine() -> str:
    """The decision holds for this CPU only (a model folder may be shared between machines)."""
    import platform

    return f"{platform.node()} {platform.machine()} x{os.cpu_count()}"


def read_decision(files: TowerFiles) -> Optional[dict]:
    try:
        decision = json.loads(files.decision.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(decision, dict) or decision.get("key") != files.key:
        return None
    return decision if decision.get("machine") == machine() else None


def write_decision(files: TowerFiles, decision: dict) -> None:
    text = json.dumps({**decision, "key": files.key, "machine": machine()}, indent=2)
    try:
        write_atomically(files.decision, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    except OSError:
        pass  # remembering is an optimisation: the next load measures again


class _DropAdvice(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "pre-processing before quantization" not in record.getMessage()


_quiet_lock = threading.Lock()
_quieted = False


def _quiet_exporters() -> None:
    """The TorchScript exporter warns about traced Python conditionals (the input shape is
    fixed per model, so the trace is right) and the quantiser logs advice on the root logger:
    neither means anything to a user. Filters, not catch_warnings: loads run in threads."""
    global _quieted
    with _quiet_lock:
        if _quieted:
            return
        import torch

        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
        warnings.filterwarnings("ignore", message=".*legacy TorchScript-based ONNX export.*")
        warnings.filterwarnings("ignore", message=".*torch.onnx.export.*dynamo.*")
        logging.getLogger().addFilter(_DropAdvice())
        _quieted = True
