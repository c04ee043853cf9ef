"""Choosing where models run: CUDA, then Apple MPS, then CPU; and at what precision.

Owns: device detection and the precision decision (fp16 on GPUs; bf16 on CPUs only where it
measures faster and stays within cosine 0.999 of fp32). Must not: load weights.
"""
from __future__ import annotations

import time
from typing import Callable

from ..errors import UsageError

DEVICES = ("auto", "cpu", "cuda", "mps")


def detected_devices() -> list[str]:
    """Devices torch can use here, best first."""
    import torch

    found = []
    if torch.cuda.is_available():
        found.append("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        found.append("mps")
    found.append("cpu")
    return found


def choose_device(preference: str = "auto") -> str:
    if preference not in DEVICES:
        raise UsageError(f"Unknown device {preference!r}; choose one of: {', '.join(DEVICES)}.")
    found = detected_devices()
    if preference == "auto":
        return found[0]
    if preference not in found:
        raise UsageError(f"The {preference.upper()} device was asked for, but torch cannot use one "
                         f"on this machine (found: {', '.join(found)}).")
    return preference


def pick_cpu_precision(run: Callable[[object], "object"], sample, min_cosine: float = 0.999) -> str:
    """Runs `run(dtype)` (which returns an (N, D) tensor of embeddings for `sample`) in fp32
    and bf16; bf16 wins only when it is at least 15% faster and every cosine stays >= 0.999."""
    import torch

    def timed(dtype) -> tuple[float, "torch.Tensor"]:
        run(dtype)  # warm-up: first calls pay for kernel selection
        start = time.perf_counter()
        out = run(dtype)
        return time.perf_counter() - start, out.float()

    try:
        t32, ref = timed(torch.float32)
        t16, low = timed(torch.bfloat16)
    except (RuntimeError, TypeError):
        return "fp32"  # no bf16 kernels for this model or CPU
    cosine = torch.nn.functional.cosine_similarity(ref, low, dim=1).min().item()
    return "bf16" if t16 < 0.85 * t32 and cosine >= min_cosine else "fp32"
