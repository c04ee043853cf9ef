"""Burst-aware near tier: copies align under one similarity transform, other shots do not."""

import pytest
from PIL import ImageOps

from lookalike.engine import Library
from lookalike.engine.dedup.verify import Verifier
from helpers import edited_copy, other_viewpoint, save, smooth_photo, texture


@pytest.fixture()
def files(tmp_path):
    scene = texture(1)
    return {"original": save(scene, tmp_path / "original.png"),
            "copy": save(edited_copy(scene), tmp_path / "copy.jpg"),
            "viewpoint": save(other_viewpoint(scene), tmp_path / "viewpoint.png"),
            "mirror": save(ImageOps.mirror(scene), tmp_path / "mirror.png"),
            "other": save(texture(2), tmp_path / "other.png"),
            "smooth": save(smooth_photo(1, size=(640, 480)), tmp_path / "smooth.png"),
            "smooth copy": save(smooth_photo(1, size=(640, 480)).resize((320, 240)), tmp_path / "smooth copy.png")}


def test_an_edited_copy_verifies_as_a_copy(files):
    verdict = Verifier().check(str(files["original"]), str(files["copy"]))
    assert verdict.kind == "copy" and verdict.aligned >= 0.7


def test_another_viewpoint_of_the_scene_is_a_different_shot(files):
    assert Verifier().check(str(files["original"]), str(files["viewpoint"])).kind == "different"
    assert Verifier().check(str(files["original"]), str(files["other"])).kind == "different"


def test_a_mirrored_copy_is_recognised_as_a_mirror(files):
    assert Verifier().check(str(files["original"]), str(files["mirror"])).kind == "mirror"


def test_pictures_too_smooth_to_judge_leave_the_decision_to_the_embedding(files):
    assert Verifier().check(str(files["smooth"]), str(files["smooth copy"])).kind == "unsure"


def test_different_shots_drop_to_the_similar_tier_and_verdicts_are_cached(tmp_path, files, monkeypatch):
    from lookalike.engine.dedup import verify

    calls = []
    real = verify.Verifier.check
    monkeypatch.setattr(verify.Verifier, "check", lambda self, a, b: calls.append((a, b)) or real(self, a, b))
    with Library.open(tmp_path / "lib") as library:
        library.add_folder(files["original"].parent)
        library.scan(model="phash")
        # A threshold low enough that every pair is a near candidate: only the check separates them.
        near = library.duplicates(tier="near", threshold=-1.0)
        grouped = {frozenset(f.path.rsplit("/", 1)[1] for f in g.files) for g in near}
        together = [g for g in grouped if "original.png" in g][0]
        assert {"copy.jpg", "mirror.png"} <= together and "viewpoint.png" not in together
        checked = len(calls)
        library.duplicates(tier="near", threshold=-1.0)
        assert checked > 0 and len(calls) == checked  # the second grouping used cached verdicts
        everything = library.duplicates(tier="all", threshold=-1.0)
        assert any({"original.png", "viewpoint.png"} <= {f.path.rsplit("/", 1)[1] for f in g.files}
                   for g in everything)
