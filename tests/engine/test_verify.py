"""Burst-aware near tier: copies align under one similarity transform, other shots do not."""
import io

import numpy as np
import pytest
from PIL import Image, ImageOps

from lookalike.engine import Library
from lookalike.engine.dedup.verify import Verifier
from helpers import save, smooth_photo


def texture(seed: int, size=(640, 480)) -> Image.Image:
    """A detailed, photo-like texture with plenty of corners for keypoints."""
    import cv2

    rng = np.random.default_rng(seed)
    noise = rng.integers(0, 255, (size[1] // 4, size[0] // 4, 3)).astype(np.uint8)
    base = cv2.resize(noise, size, interpolation=cv2.INTER_CUBIC)
    for _ in range(40):
        x, y = rng.integers(0, size[0]), rng.integers(0, size[1])
        cv2.rectangle(base, (int(x), int(y)), (int(x + rng.integers(10, 60)), int(y + rng.integers(10, 60))),
                      tuple(int(c) for c in rng.integers(0, 255, 3)), -1)
    return Image.fromarray(base)


def edited_copy(img: Image.Image) -> Image.Image:
    w, h = img.size
    copy = img.rotate(8, resample=Image.BICUBIC).crop((w // 8, h // 8, w - w // 10, h - h // 9))
    copy = copy.resize((copy.width * 3 // 5, copy.height * 3 // 5))
    buf = io.BytesIO()
    copy.save(buf, "JPEG", quality=40)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def other_viewpoint(img: Image.Image) -> Image.Image:
    """The same scene from elsewhere: a perspective change no similarity transform undoes."""
    import cv2

    w, h = img.size
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[w * 0.15, h * 0.05], [w * 0.9, 0], [w, h], [0, h * 0.85]])
    return Image.fromarray(cv2.warpPerspective(np.asarray(img), cv2.getPerspectiveTransform(src, dst), (w, h)))


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
