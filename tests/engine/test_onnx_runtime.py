"""The CPU path through ONNX Runtime: the image tower exported once, checked against torch,
int8 kept only where it agrees, damaged or unwritable caches handled (tiny random models)."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lookalike.engine import Library
from lookalike.engine.embedding import loader, onnx_export, onnx_runtime
from helpers import edited_copy, photo, save

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture()
def models(tmp_path, model_dir, monkeypatch):
    """A private copy of the tiny models, so each test starts without a cached export."""
    copy = tmp_path / "models"
    shutil.copytree(model_dir, copy, ignore=shutil.ignore_patterns("onnx"))
    monkeypatch.setenv("LOOKALIKE_DATA", str(tmp_path / "data"))
    monkeypatch.delenv(onnx_runtime.RUNTIME_ENV, raising=False)
    return copy


def pictures(count=10):
    return [photo(seed) for seed in range(count)]


def cosines(a, b):
    return (a * b).sum(axis=1)


def fixed_rates(monkeypatch, **rates):
    """Makes the timing say what the test needs, so the choice does not hang on load noise."""
    monkeypatch.setattr(onnx_runtime, "_rates", lambda candidates, pixels: {
        name: rates[name.replace("-", "_")] for name in candidates})


def test_the_export_is_written_once_and_the_next_load_reuses_it(models, monkeypatch):
    exports = []
    real = onnx_export.export_tower
    monkeypatch.setattr(onnx_export, "export_tower", lambda *a: exports.append(a[-1]) or real(*a))
    first = loader.load("dinov2-small", str(models), device="cpu", precision="onnx-fp32")
    [path] = exports
    assert path.parent == models / "facebook" / "dinov2-small" / "onnx"
    written = path.stat().st_mtime_ns
    second = loader.load("dinov2-small", str(models), device="cpu", precision="onnx-fp32")
    assert len(exports) == 1 and path.stat().st_mtime_ns == written
    assert first.precision == second.precision == "onnx-fp32"
    assert not list(path.parent.glob(".*.tmp"))


@pytest.mark.parametrize("name", ["dinov2-small", "clip-b32"])
def test_onnx_fp32_vectors_agree_with_torch(models, name):
    torch_model = loader.load(name, str(models), device="cpu", precision="fp32")
    onnx_model = loader.load(name, str(models), device="cpu", precision="onnx-fp32")
    assert torch_model.precision == "fp32" and onnx_model.precision == "onnx-fp32"
    images = pictures(6)
    assert cosines(torch_model.embed_images(images), onnx_model.embed_images(images)).min() >= 0.999


def test_the_first_load_checks_onnx_and_the_first_batch_of_photos_decides(models, monkeypatch):
    fixed_rates(monkeypatch, torch=10.0, onnx_fp32=20.0, onnx_int8=30.0)
    model = loader.load("dinov2-small", str(models), device="cpu")
    assert model.precision == "onnx-fp32" and model._onnx.pending  # fp32 agreed; waiting
    model.embed_images(pictures(onnx_runtime.DECIDE_MIN_BATCH))
    assert model.precision == "onnx-int8"
    assert "onnx-int8" in model.describe()
    monkeypatch.setattr(onnx_runtime, "_rates", lambda *a: pytest.fail("measured again"))
    again = loader.load("dinov2-small", str(models), device="cpu")
    assert again.precision == "onnx-int8" and not again._onnx.pending  # remembered


def test_int8_is_refused_when_it_disagrees_with_fp32_on_the_photos(models, monkeypatch):
    fixed_rates(monkeypatch, torch=10.0, onnx_fp32=20.0, onnx_int8=30.0)
    monkeypatch.setattr(onnx_runtime, "INT8_AGREEMENT", 1.01)  # no int8 can pass
    model = loader.load("dinov2-small", str(models), device="cpu")
    assert model.calibrate(pictures(4)) == "onnx-fp32"
    assert "int8 refused" in model._onnx.report["why"]


def test_int8_is_kept_when_it_agrees_and_is_fastest(models, monkeypatch):
    fixed_rates(monkeypatch, torch=10.0, onnx_fp32=20.0, onnx_int8=30.0)
    model = loader.load("clip-b32", str(models), device="cpu")
    assert model.calibrate(pictures(4)) == "onnx-int8"
    assert model._onnx.report["int8_cosine"] >= onnx_runtime.INT8_AGREEMENT


def test_torch_stays_when_it_is_the_fastest_accurate_path(models, monkeypatch):
    fixed_rates(monkeypatch, torch=50.0, onnx_fp32=20.0, onnx_int8=30.0)
    model = loader.load("dinov2-small", str(models), device="cpu")
    assert model.calibrate(pictures(4)) in ("fp32", "bf16")  # torch, at its measured precision
    assert model.embed_images(pictures(2)).shape == (2, model.dim)


def test_onnx_is_not_used_when_its_fp32_disagrees_with_torch(models, monkeypatch):
    monkeypatch.setattr(onnx_runtime, "FP32_AGREEMENT", 1.01)
    model = loader.load("dinov2-small", str(models), device="cpu")
    assert model.precision in ("fp32", "bf16") and model._onnx.choice == "torch"
    assert "disagreed" in model._onnx.report["why"]


def test_a_truncated_cached_export_is_exported_again(models):
    first = loader.load("dinov2-small", str(models), device="cpu", precision="onnx-fp32")
    path = first._onnx.files.fp32
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    second = loader.load("dinov2-small", str(models), device="cpu", precision="onnx-fp32")
    assert path.stat().st_size == len(whole)
    images = pictures(3)
    assert cosines(first.embed_images(images), second.embed_images(images)).min() > 0.9999


def test_new_weights_get_a_new_export(models):
    folder = models / "facebook" / "dinov2-small"
    before = onnx_export.weights_key(folder)
    weights = folder / "model.safetensors"
    os.utime(weights, ns=(weights.stat().st_atime_ns, weights.stat().st_mtime_ns + 10**9))
    assert onnx_export.weights_key(folder) != before


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux file modes and capabilities")
def test_a_read_only_model_folder_puts_the_export_in_the_data_folder(models, tmp_path):
    from .test_cli import without_root_file_powers

    folder = models / "facebook" / "dinov2-small"
    folder.chmod(0o555)
    code = ("import sys; from pathlib import Path; from lookalike.engine.embedding import onnx_export;"
            "print(onnx_export.cache_folder(Path(sys.argv[1]), 'facebook/dinov2-small'))")
    try:
        out = subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True, text=True,
                             env=dict(os.environ, LOOKALIKE_DATA=str(tmp_path / "data")),
                             preexec_fn=without_root_file_powers, cwd=REPO)
    finally:
        folder.chmod(0o755)
    assert out.returncode == 0, out.stderr
    assert Path(out.stdout.strip()) == tmp_path / "data" / "models" / "onnx" / "facebook" / "dinov2-small"
    assert not (folder / "onnx").exists()


def test_a_hugging_face_cache_snapshot_is_left_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("LOOKALIKE_DATA", str(tmp_path / "data"))
    snapshot = tmp_path / "hub" / "models--facebook--dinov2-small" / "snapshots" / "abc"
    snapshot.mkdir(parents=True)
    assert onnx_export.cache_folder(snapshot, "facebook/dinov2-small").is_relative_to(tmp_path / "data")
    assert not (snapshot / "onnx").exists()


def test_onnx_vectors_give_the_same_duplicate_groups_as_torch(models, tmp_path, monkeypatch, hf_home):
    photos = tmp_path / "photos"
    for seed in range(5):
        save(photo(seed), photos / f"{seed}.jpg", quality=92)
        save(photo(seed).resize((160, 120)), photos / f"{seed}-small.png")
    save(edited_copy(photo(1)), photos / "1-edited.jpg")
    found = {}
    for runtime in ("torch", "onnx-int8"):
        monkeypatch.setenv(onnx_runtime.RUNTIME_ENV, runtime)
        with Library.open(tmp_path / runtime, model_dir=str(models)) as library:
            library.settings.text_search = False
            library.add_folder(photos)
            library.scan(model="dinov2-small")
            assert library.embedder("dinov2-small").precision.startswith("onnx") == (runtime != "torch")
            found[runtime] = sorted(sorted(os.path.basename(f.path) for f in g.files)
                                    for g in library.duplicates(tier="similar", model="dinov2-small"))
    assert found["torch"] and found["onnx-int8"] == found["torch"]


def test_patch_tokens_still_come_from_torch_when_onnx_embeds(models):
    model = loader.load("dinov2-small", str(models), device="cpu", precision="onnx-int8")
    assert model.precision == "onnx-int8"
    tokens = model.patch_tokens(photo(3, size=(280, 140)))
    cols, rows = model.patch_grid(280, 140)
    assert tokens.shape == (rows, cols, model.dim) and np.isfinite(tokens).all()


def test_the_runtime_can_be_forced_from_the_environment(models, monkeypatch):
    monkeypatch.setenv(onnx_runtime.RUNTIME_ENV, "torch")
    assert loader.load("dinov2-small", str(models), device="cpu").precision in ("fp32", "bf16")
    monkeypatch.setenv(onnx_runtime.RUNTIME_ENV, "onnx-int8")
    assert loader.load("dinov2-small", str(models), device="cpu").precision == "onnx-int8"


def test_a_decision_made_on_another_machine_is_measured_again(models, monkeypatch):
    fixed_rates(monkeypatch, torch=10.0, onnx_fp32=20.0, onnx_int8=30.0)
    model = loader.load("dinov2-small", str(models), device="cpu")
    model.calibrate(pictures(4))
    monkeypatch.setattr(onnx_export, "machine", lambda: "another host x86_64 x64")
    again = loader.load("dinov2-small", str(models), device="cpu")
    assert again._onnx.pending and again.precision == "onnx-fp32"


@pytest.mark.parametrize("name", ["dinov2-small", "clip-b32"])
def test_the_gpu_branch_runs_fp16_on_torch_without_onnx_and_agrees_with_fp32(models, name, monkeypatch):
    """No GPU is lent to CI: the branch GPUs take (fp16 torch, no export, no runtime choice)
    runs here with the CPU standing in for the GPU."""
    from lookalike.engine.embedding import torch_models

    exports = []
    monkeypatch.setattr(onnx_export, "export_tower", lambda *a: exports.append(a))
    reference = loader.load(name, str(models), device="cpu", precision="fp32")
    monkeypatch.setattr(torch_models, "HALF_DEVICES", ("cuda", "mps", "cpu"))
    half = loader.load(name, str(models), device="cpu")
    assert half.precision == "fp16" and exports == []
    images = pictures(6)
    vectors = half.embed_images(images)
    assert vectors.dtype == np.float32 and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert cosines(reference.embed_images(images), vectors).min() >= 0.99
