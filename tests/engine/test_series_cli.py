"""Burst series through the real command: similar frames shot within seconds are listed best
first, and `series --keep-best 1` marks the others for removal (the journal does the rest)."""
import json

import pytest
from PIL import ImageFilter

from lookalike.engine import Library
from lookalike.engine.cli import main
from .test_metadata_merge import exif
from .test_series import scene


@pytest.fixture()
def burst(tmp_path):
    """Three frames of one burst, one second apart: each a slightly different view of one scene
    (the camera moved), the middle one blurred."""
    photos = tmp_path / "photos"
    photos.mkdir()
    big = scene((1400, 1050), seed=5)
    for i, (dx, blur) in enumerate(((0, 0), (60, 2.0), (120, 0))):
        frame = big.crop((dx, 0, dx + 1200, 900))
        if blur:
            frame = frame.filter(ImageFilter.GaussianBlur(blur))
        frame.save(photos / f"IMG_{i}.jpg", quality=92, exif=exif(taken_at=f"2024:05:01 10:00:0{i}"))
    library = Library.open(tmp_path / "lib")
    library.add_folder(photos)
    library.scan(model="sscd")
    library.close()
    return tmp_path, photos


def run(tmp_path, capsys, *words):
    code = main(["--library", str(tmp_path / "lib"), *words])
    return code, capsys.readouterr().out


def test_a_burst_is_listed_best_first_and_keep_best_marks_the_rest(burst, capsys):
    tmp_path, photos = burst
    code, out = run(tmp_path, capsys, "series", "--json")
    assert code == 0
    [found] = json.loads(out)["series"]
    paths = [f["path"] for f in found["frames"]]
    assert sorted(paths) == sorted(str(p) for p in photos.glob("*.jpg"))
    assert paths[-1] == str(photos / "IMG_1.jpg")           # the blurred frame ranks last
    code, out = run(tmp_path, capsys, "series", "--keep-best", "2")
    assert code == 0 and "Marked 1 frames for removal and 2 to keep" in out
    with Library.open(tmp_path / "lib") as library:
        marks = library.marks()
        blurred = library.catalog.file_by_path(str(photos / "IMG_1.jpg")).id
        assert marks[blurred] == "remove" and sorted(marks.values()) == ["keep", "keep", "remove"]
    code, _ = run(tmp_path, capsys, "series", "--keep-best", "0")
    assert code == 2


def test_the_bursts_preset_keeps_the_best_frame_as_a_keep_rule(burst, capsys):
    tmp_path, photos = burst
    code, out = run(tmp_path, capsys, "keep", "--tier", "similar", "--preset", "bursts", "--json")
    assert code == 0
    [group] = json.loads(out)["groups"]
    assert "best frame of a burst series of 3" in group["reason"]
    assert group["keep"] != str(photos / "IMG_1.jpg")
    assert str(photos / "IMG_1.jpg") in group["remove"] and len(group["remove"]) == 2
    code, out = run(tmp_path, capsys, "mark", "--auto", "--tier", "similar", "--preset", "bursts")
    assert code == 0 and "Marked 2 files for removal and 1 to keep" in out


def test_series_keep_n_is_a_rule_a_saved_preset_carries(burst, capsys):
    tmp_path, photos = burst
    assert run(tmp_path, capsys, "presets", "save", "two", "series=2", "sharpness", "path")[0] == 0
    code, out = run(tmp_path, capsys, "keep", "--tier", "similar", "--preset", "two", "--json")
    [group] = json.loads(out)["groups"]
    assert group["remove"] == [str(photos / "IMG_1.jpg")]          # the blurred one, only
    assert "best 2 frames" in group["reason"]
    assert main(["--library", str(tmp_path / "lib"), "presets", "save", "none", "series=0"]) == 2
    assert "at least its best one" in capsys.readouterr().err
    # Without the rule a series is proposed like any group: one keeper, by the chain.
    code, out = run(tmp_path, capsys, "keep", "--tier", "similar", "--json")
    assert code == 0 and all("burst" not in g["reason"] for g in json.loads(out)["groups"])
