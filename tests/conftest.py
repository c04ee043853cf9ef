import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).parent))

from helpers import build_tiny_clip, build_tiny_dinov2  # noqa: E402


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory) -> Path:
    """A model folder holding tiny random-weight DINOv2 and CLIP, laid out as users lay
    out real ones: DIR/facebook/dinov2-small/, DIR/openai/clip-vit-base-patch32/."""
    root = tmp_path_factory.mktemp("models")
    build_tiny_dinov2(root)
    build_tiny_clip(root)
    return root


@pytest.fixture()
def hf_home(tmp_path, monkeypatch) -> Path:
    """An empty Hugging Face cache, so no real cached weights leak into a test."""
    home = tmp_path / "hf"
    monkeypatch.setenv("HF_HOME", str(home))
    monkeypatch.setenv("HF_HUB_CACHE", str(home / "hub"))
    import huggingface_hub.constants as constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(home / "hub"))
    return home


@pytest.fixture(autouse=True)
def private_trash(tmp_path, monkeypatch) -> Path:
    """Every test's trash is its own folder (on the same filesystem as its photos): no test
    ever touches the real trash."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "Trash"


@pytest.fixture()
def library_dir(tmp_path) -> Path:
    return tmp_path / "library"


@pytest.fixture()
def photos(tmp_path) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    return folder
