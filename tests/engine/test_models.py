"""Models load from where users put them, and say clearly when they cannot."""
import shutil

import numpy as np
import pytest

from lookalike.engine.embedding import loader
from lookalike.engine.embedding.device import choose_device, pick_cpu_precision
from lookalike.engine.embedding.registry import spec
from lookalike.engine.errors import ModelUnavailable, UsageError
from helpers import photo


def test_a_model_in_the_model_folder_loads_and_gives_unit_vectors(model_dir, hf_home):
    model = loader.load("dinov2-small", str(model_dir))
    assert model.source.startswith("model folder")
    vectors = model.embed_images([photo(1), photo(2)])
    assert vectors.shape == (2, 32)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_clip_embeds_text_and_images_into_one_space(model_dir, hf_home):
    clip = loader.load("clip-b32", str(model_dir))
    text = clip.embed_text(["a red bicycle", "mountains at dawn"])
    image = clip.embed_images([photo(3)])
    assert text.shape == (2, image.shape[1])
    assert np.allclose(np.linalg.norm(text, axis=1), 1.0, atol=1e-5)


def test_a_model_in_the_hugging_face_cache_is_found_without_a_model_folder(model_dir, hf_home):
    snapshot = hf_home / "hub" / "models--facebook--dinov2-small" / "snapshots" / "0123abc"
    shutil.copytree(model_dir / "facebook" / "dinov2-small", snapshot)
    (snapshot.parents[1] / "refs").mkdir()
    (snapshot.parents[1] / "refs" / "main").write_text("0123abc")
    model = loader.load("dinov2-small", None)
    assert "Hugging Face cache" in model.source
    assert loader.availability("dinov2-small", None)[0]


def test_a_missing_model_names_itself_and_how_to_supply_it(tmp_path, hf_home):
    with pytest.raises(ModelUnavailable) as caught:
        loader.load("dinov2-small", str(tmp_path))
    message = str(caught.value)
    assert "facebook/dinov2-small" in message and "lookalike models download dinov2-small" in message
    assert message.count(".") >= 1 and "\n" not in message


def test_a_requested_download_that_cannot_reach_the_hub_says_so_in_one_sentence(tmp_path, hf_home, monkeypatch):
    from lookalike.engine.embedding import manager

    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # the discard port: nothing listens
    with pytest.raises(ModelUnavailable, match="Downloading clip-b32") as caught:
        manager.download("clip-b32", str(tmp_path))
    assert caught.value.downloadable and "\n" not in str(caught.value)


def test_a_folder_holding_another_kind_of_model_is_refused_clearly(model_dir, tmp_path, hf_home):
    shutil.copytree(model_dir / "openai" / "clip-vit-base-patch32", tmp_path / "facebook" / "dinov2-small")
    with pytest.raises(ModelUnavailable, match="not DINOv2"):
        loader.load("dinov2-small", str(tmp_path))


def test_unknown_names_and_unusable_devices_are_usage_errors():
    with pytest.raises(UsageError, match="Unknown model"):
        spec("resnet")
    with pytest.raises(UsageError):
        choose_device("tpu")
    if "cuda" not in __import__("lookalike.engine.embedding.device", fromlist=["x"]).detected_devices():
        with pytest.raises(UsageError, match="CUDA"):
            choose_device("cuda")


def test_bf16_is_chosen_only_when_faster_and_faithful():
    import time

    import torch

    reference = torch.randn(4, 8)

    def fast_and_faithful(dtype):
        time.sleep(0.02 if dtype == torch.float32 else 0.001)
        return reference.to(dtype)

    def fast_but_wrong(dtype):
        return reference if dtype == torch.float32 else torch.randn(4, 8).to(dtype)

    def faithful_but_slow(dtype):
        time.sleep(0.001 if dtype == torch.float32 else 0.02)
        return reference.to(dtype)

    assert pick_cpu_precision(fast_and_faithful, None) == "bf16"
    assert pick_cpu_precision(fast_but_wrong, None) == "fp32"
    assert pick_cpu_precision(faithful_but_slow, None) == "fp32"


def test_sscd_and_phash_need_no_model_folder():
    assert loader.availability("phash", None) == (True, "built in")
    present, where = loader.availability("sscd", None)
    assert present, "the test environment installs the sscd extra"
    model = loader.load("sscd")
    assert model.dim == 512 and "package" in model.source


def test_models_bundled_with_an_installer_come_after_the_users_own_folder(model_dir, tmp_path, hf_home, monkeypatch):
    monkeypatch.setenv("LOOKALIKE_BUNDLED_MODELS", str(model_dir))
    assert "bundled with the app" in loader.load("dinov2-small", str(tmp_path / "empty")).source
    assert loader.load("dinov2-small", str(model_dir)).source.startswith("model folder")
