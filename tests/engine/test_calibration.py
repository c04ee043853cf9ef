"""Thresholds that calibrate themselves: where chance similarity ends, per model and library."""
import json

import numpy as np
import pytest

from lookalike.engine import Library
from lookalike.engine.cli import main
from lookalike.engine.dedup import calibrate
from lookalike.engine.embedding.registry import spec
from lookalike.engine.parts import calibrations
from helpers import photo, save


def unrelated_with_copies(photos=1000, dim=64, copies=20, seed=3):
    """Random unit vectors (unrelated pictures) and `copies` planted near-copies of some."""
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((photos, dim)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    planted = v[:copies] + 0.15 * rng.standard_normal((copies, dim)).astype(np.float32) / np.sqrt(dim)
    planted /= np.linalg.norm(planted, axis=1, keepdims=True)
    return np.vstack([v, planted]), np.array([*range(photos), *range(copies)])


def test_the_chance_end_of_an_exponential_tail_is_the_level_one_pair_of_the_library_reaches():
    rng = np.random.default_rng(1)
    scale, photos = 0.04, 2000
    scores = rng.exponential(scale, 200_000)
    # 2.5 % copies (as many as the quality benchmark has) must not drag the tail up.
    scores = np.concatenate([scores, rng.uniform(0.6, 1.0, 5000)])
    end, fitted = calibrate.chance_end(scores, photos)
    expected = scale * np.log(photos * (photos - 1) / 2)   # P(score > x) = exp(-x / scale)
    assert fitted == pytest.approx(scale, rel=0.1)
    assert end == pytest.approx(expected, abs=2 * scale)


def test_the_chance_end_lands_beyond_every_unrelated_pair_and_planted_copies_clear_the_near_threshold():
    vectors, labels = unrelated_with_copies()
    scores = calibrate.unrelated_scores(vectors, labels)
    estimate = calibrate.estimate(scores, photos=1000)
    v = vectors[:1000]
    unrelated = (v @ v.T)[np.triu_indices(1000, 1)]
    # Beyond the most similar of the 500k unrelated pairs, but not far beyond (sigma = 1/8).
    assert unrelated.max() < estimate.chance_end < unrelated.max() + 0.25
    assert estimate.near >= estimate.chance_end > estimate.similar
    copies = np.einsum("ij,ij->i", vectors[:20], vectors[1000:])
    assert (copies > estimate.near).all()
    assert estimate.photos == 1000 and estimate.pairs == 200_000


def test_the_same_pictures_give_the_same_estimate():
    vectors, labels = unrelated_with_copies()
    first = calibrate.estimate(calibrate.unrelated_scores(vectors, labels), photos=1000)
    again = calibrate.estimate(calibrate.unrelated_scores(vectors.copy(), labels.copy()), photos=1000)
    assert first == again


def test_byte_identical_copies_are_never_scored_as_an_unrelated_pair():
    vectors, labels = unrelated_with_copies(photos=60, copies=0)
    doubled = np.vstack([vectors, vectors])
    scores = calibrate.unrelated_scores(doubled, np.concatenate([labels, labels]))
    assert len(scores) == 60 * 59 // 2 and scores.max() < 0.99


def scanned_library(tmp_path, pictures: int, model="phash", **open_args):
    folder = tmp_path / "photos"
    for i in range(pictures):
        save(photo(i, size=(160, 120)), folder / f"p{i:03d}.png")
    library = Library.open(tmp_path / "lib", **open_args)
    library.settings.text_search = False
    library.add_folder(folder)
    library.scan(model=model)
    return library, folder


def test_a_library_of_a_few_photos_keeps_the_fixed_defaults_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setitem(calibrations.CHOICE, "phash", "calibrated")
    library, _ = scanned_library(tmp_path, 6)
    with library:
        c = library.calibration("phash")
        assert (c.source, c.chance_end, c.near, c.similar) == ("fixed", None, spec("phash").near, spec("phash").similar)
        assert c.photos == 6
        assert "too few photos to calibrate (6; 50 needed)" in c.sentence
        assert library.thresholds("phash") == {"near": c.near, "similar": c.similar}


def test_your_thresholds_win_over_calibrated_and_fixed_ones(tmp_path, monkeypatch):
    monkeypatch.setitem(calibrations.CHOICE, "phash", "calibrated")
    library, _ = scanned_library(tmp_path, 60)
    with library:
        assert library.calibration("phash").source == "calibrated"
        library.settings.thresholds["phash"] = {"near": 0.8}
        c = library.calibration("phash")
        assert (c.source, c.near) == ("yours", 0.8) and c.similar <= 0.8
        assert library.thresholds("phash")["near"] == 0.8
        assert "near duplicates from 0.80, your setting" in c.sentence


def test_the_calibration_is_kept_until_the_library_grows_by_a_tenth_and_is_the_same_each_time(tmp_path, monkeypatch):
    library, folder = scanned_library(tmp_path, 60)
    runs = []
    real = calibrate.estimate
    monkeypatch.setattr(calibrate, "estimate", lambda *a, **k: runs.append(1) or real(*a, **k))
    with library:
        first = library.calibration("phash")
        assert first.photos == 60 and first.chance_end is not None and len(runs) == 1
        assert library.calibration("phash", refresh=True) == first and len(runs) == 2
        for i in range(60, 64):   # a few more photos: the stored calibration still holds
            save(photo(i, size=(160, 120)), folder / f"p{i:03d}.png")
        library.scan(model="phash")
        assert library.calibration("phash") == first and len(runs) == 2
        for i in range(64, 72):   # a fifth more than when it was made: sampled again
            save(photo(i, size=(160, 120)), folder / f"p{i:03d}.png")
        library.scan(model="phash")
        assert library.calibration("phash").photos == 72 and len(runs) == 3
    with Library.open(tmp_path / "lib") as reopened:   # kept on disk, derived
        assert reopened.calibration("phash").photos == 72 and len(runs) == 3
    (tmp_path / "lib" / calibrations.FILE).write_text("{damaged")
    with Library.open(tmp_path / "lib") as reopened:
        assert reopened.calibration("phash").photos == 72 and len(runs) == 4


def test_grouping_uses_the_thresholds_calibrated_on_the_library_and_the_cli_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(calibrations.CHOICE, "phash", "calibrated")
    library, folder = scanned_library(tmp_path, 60)
    save(photo(3, size=(160, 120)).resize((320, 240)), folder / "p003 large.png")
    with library:
        library.scan(model="phash")
        c = library.calibration("phash")
        assert c.source == "calibrated" and c.photos == 61 and c.pairs == 61 * 60 // 2
        assert c.similar < c.chance_end == c.near < spec("phash").near
        assert library.thresholds("phash") == {"near": c.near, "similar": c.similar}
        assert c.sentence == (f"chance similarity ends near {c.chance_end:.2f} here (1,830 pairs of 61 photos); "
                              f"near duplicates from {c.near:.2f}, similar photos from {c.similar:.2f}")
        near = library.duplicates(tier="near", model="phash")
        assert [sorted(f.path.rsplit("/", 1)[1] for f in g.files) for g in near] == [["p003 large.png", "p003.png"]]
    lib = ["--library", str(tmp_path / "lib")]
    assert main([*lib, "calibrate", "--model", "phash", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == c.to_dict()
    assert main([*lib, "duplicates", "--model", "phash", "--json"]) == 0
    used = json.loads(capsys.readouterr().out)["thresholds"]
    assert (used["source"], used["near"], used["similar"], used["threshold"]) == ("calibrated", c.near, c.similar, None)
    assert main([*lib, "calibrate", "--model", "phash"]) == 0
    assert capsys.readouterr().out == f"phash: {c.sentence}.\n"


def test_a_model_whose_unrelated_photos_look_alike_keeps_its_defaults_and_says_why(tmp_path, model_dir, hf_home):
    # The tests' DINOv2 has random weights: every photo's vector points the same way.
    library, _ = scanned_library(tmp_path, 50, model="dinov2-small", model_dir=str(model_dir))
    with library:
        c = library.calibration("dinov2-small")
        assert (c.source, c.near, c.similar) == ("fixed", spec("dinov2-small").near, spec("dinov2-small").similar)
        assert c.chance_end >= 0.99 and c.photos == 50
        assert c.sentence.startswith("unrelated photos reach any similarity by chance here (1,225 pairs of 50 photos)")
