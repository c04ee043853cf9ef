"""Seeing why: patch maps by a two-step PCA, match overlays, and `lookalike explain`."""
import json

import numpy as np
import pytest
from PIL import Image, ImageOps

from lookalike.engine import Library
from lookalike.engine.cli.app import main
from lookalike.engine.explain import patchmap
from helpers import edited_copy, photo, save, stereo_pair, texture


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def scene_tokens(seed, rows=12, cols=16, subject=(3, 9, 4, 12), parts=None, dim=24, flip=1.0):
    """Tokens of a made-up photo, shaped as DINOv2's are: subject and background differ most
    (what the first component finds), and the subject's parts differ from each other less."""
    rng = np.random.default_rng(seed)
    prototypes = np.random.default_rng(99).normal(0, 1, (7, dim))
    grid = prototypes[0] + rng.normal(0, 0.15, (rows, cols, dim))
    truth = np.zeros((rows, cols), bool)
    r0, r1, c0, c1 = subject
    truth[r0:r1, c0:c1] = True
    layout = parts if parts is not None else (np.arange(c1 - c0) * 4 // (c1 - c0))[None, :].repeat(r1 - r0, 0)
    for (r, c), part in np.ndenumerate(layout):
        grid[r0 + r, c0 + c] = 4 * prototypes[1] + 1.5 * prototypes[2 + part] + rng.normal(0, 0.15, dim)
    return grid * flip, truth, layout


@pytest.mark.parametrize("flip", [1.0, -1.0])
def test_the_first_component_tells_the_subject_from_the_background_whichever_its_sign(flip):
    grid, truth, _ = scene_tokens(1, flip=flip)
    mask = patchmap.foreground_masks([grid])[0]
    assert (mask == truth).mean() > 0.97


def test_one_pca_for_a_group_gives_the_same_part_the_same_colour_in_every_photo():
    first, truth_1, parts_1 = scene_tokens(1)
    # The second photo shows the same four parts elsewhere and in another order.
    layout = np.array([[3, 3, 2, 2, 1, 1, 0, 0]] * 5)
    second, truth_2, _ = scene_tokens(2, subject=(6, 11, 2, 10), parts=layout)
    maps = patchmap.colour([first, second])
    colour_1 = {p: maps[0].rgb[3:9, 4:12][parts_1 == p].mean(axis=0) for p in range(4)}
    colour_2 = {p: maps[1].rgb[6:11, 2:10][layout == p].mean(axis=0) for p in range(4)}
    for p in range(4):
        assert np.abs(colour_1[p] - colour_2[p]).max() < 0.08
    assert min(np.abs(colour_1[p] - colour_1[q]).max() for p in range(4) for q in range(4) if p != q) > 0.25
    assert not maps[0].rgb[~truth_1].any() and not maps[1].rgb[~truth_2].any()   # background: no colour


def test_a_patch_map_is_the_photos_size_and_its_patches_keep_the_aspect(tmp_path, model_dir, hf_home, monkeypatch):
    wide = save(photo(1, size=(448, 224)), tmp_path / "wide.png")
    tall = save(photo(2, size=(300, 500)), tmp_path / "tall.jpg")
    with Library.open(tmp_path / "lib", model_dir=str(model_dir)) as library:
        maps = library.patch_maps([wide, tall])
        assert [m.patches for m in maps] == [(32, 16), (19, 32)]
        assert [m.layer.size for m in maps] == [(448, 224), (300, 500)] == [m.picture.size for m in maps]
        assert all(0 < m.foreground <= 1 for m in maps)
        cached = sorted((tmp_path / "lib" / "patches" / "dinov2-small").rglob("*.npy"))
        assert len(cached) == 2 and np.load(cached[0]).shape[-1] == 32   # the tiny model's width
        from lookalike.engine.embedding.dinov2 import Dinov2Embedder

        def refuse(*_):
            raise AssertionError("the model ran although the tokens were cached")
        monkeypatch.setattr(Dinov2Embedder, "patch_tokens", refuse)
        again = library.patch_maps([wide, tall])
        assert [np.asarray(m.layer).tobytes() for m in again] == [np.asarray(m.layer).tobytes() for m in maps]


def test_patch_tokens_are_the_last_layer_without_the_cls_token(tmp_path, model_dir, hf_home):
    import torch

    with Library.open(tmp_path / "lib", model_dir=str(model_dir)) as library:
        embedder = library.embedder("dinov2-small", device="cpu")
        picture = photo(3, size=(280, 140))
        tokens = embedder.patch_tokens(picture)
        assert tokens.shape == (16, 32, 32)       # 32 x 16 patches of 14 px for a 2:1 photo
        size = (32 * 14, 16 * 14)
        pixels = torch.from_numpy(embedder.preprocess(picture.resize(size, Image.BICUBIC, reducing_gap=3.0))[None])
        from lookalike.engine.embedding.base import normalise_chw

        pixels = torch.from_numpy(normalise_chw(picture.resize(size, Image.BICUBIC, reducing_gap=3.0),
                                                embedder.mean, embedder.std)[None]).to(embedder._dtype)
        with torch.inference_mode():
            hidden = embedder.model(pixel_values=pixels).last_hidden_state[0].float().numpy()
        assert hidden.shape[0] == 16 * 32 + 1
        np.testing.assert_allclose(tokens.reshape(-1, 32), hidden[1:], atol=1e-4)


def test_explain_writes_a_patch_map_over_or_beside_the_photo(capsys, tmp_path, model_dir, hf_home):
    picture = save(photo(4, size=(420, 280)), tmp_path / "p.png")
    lib = ["--library", str(tmp_path / "lib"), "--model-dir", str(model_dir)]
    code, out, err = run(capsys, *lib, "explain", str(picture), "--out", str(tmp_path / "map.png"))
    assert code == 0 and "32×21 patches" in out, err
    assert Image.open(tmp_path / "map.png").size == (420, 280)
    code, out, _ = run(capsys, *lib, "explain", str(picture), "--beside", "--out", str(tmp_path / "beside.png"),
                       "--json")
    assert code == 0 and json.loads(out)["maps"][0]["patches"] == [32, 21]
    assert Image.open(tmp_path / "beside.png").size == (420 * 2 + 8, 280)
    code, out, _ = run(capsys, *lib, "explain", str(picture), str(picture), str(picture), "--patch-map",
                       "--out", str(tmp_path / "strip.png"), "--json")
    assert code == 0 and len(json.loads(out)["maps"]) == 3


def test_explain_exit_codes_say_what_is_wrong_and_write_nothing(capsys, tmp_path, hf_home):
    picture = save(photo(5), tmp_path / "p.png")
    lib = ["--library", str(tmp_path / "lib"), "--model-dir", str(tmp_path / "no-models")]
    code, out, err = run(capsys, *lib, "explain", str(picture), "--out", str(tmp_path / "m.png"))
    assert code == 3 and out == "" and err.count("\n") == 1 and "facebook/dinov2-small" in err
    code, _, err = run(capsys, *lib, "explain", str(picture), "--model", "sscd", "--out", str(tmp_path / "m.png"))
    assert code == 2 and "DINOv2" in err
    code, _, err = run(capsys, *lib, "explain", str(picture), str(picture), str(picture), "--out",
                       str(tmp_path / "m.png"))
    assert code == 2 and "--patch-map" in err
    code, _, err = run(capsys, *lib, "explain", str(picture), "--out", str(picture))
    assert code == 2 and "already exists" in err and Image.open(picture).size == (320, 240)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8 not really")
    code, _, err = run(capsys, *lib, "explain", str(picture), str(broken), "--out", str(tmp_path / "m.png"))
    assert code == 1 and "broken.jpg" in err and err.count("\n") == 1
    assert not (tmp_path / "m.png").exists()


def green_and_red(path):
    pixels = np.asarray(Image.open(path).convert("RGB")).astype(int)
    r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    return int(((g - r > 60) & (g - b > 20)).sum()), int(((r - g > 60) & (r - b > 60)).sum())


def test_the_match_overlay_of_a_copy_shows_aligned_blocks_and_says_copy(capsys, tmp_path, hf_home):
    scene = texture(1)
    original = save(scene, tmp_path / "original.png")
    copy = save(edited_copy(scene), tmp_path / "copy.jpg")
    lib = ["--library", str(tmp_path / "lib"), "--model-dir", str(tmp_path / "no-models")]   # needs no model
    code, out, err = run(capsys, *lib, "explain", str(original), str(copy), "--out", str(tmp_path / "m.png"),
                         "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["verdict"] == "copy" and result["aligned"] >= 0.55 and result["inliers"] >= 15
    assert result["blocks_aligned"] > 0.55 * result["blocks_counted"] and "turned 8" in result["transform_words"]
    phash = next(s for s in result["similarities"] if s["model"] == "phash")
    assert phash["meaning"].startswith(phash["verdict"]) and "threshold" in phash["meaning"]
    green, red = green_and_red(tmp_path / "m.png")
    assert green > 5 * max(red, 1)
    code, out, _ = run(capsys, *lib, "explain", str(original), str(copy), "--out", str(tmp_path / "m2.png"))
    assert code == 0 and out.startswith("Copy:") and "inliers" in out


def test_the_match_overlay_of_a_stereo_pair_shows_misaligned_blocks_and_says_different(capsys, tmp_path, hf_home):
    left, right = stereo_pair(3)
    a, b = save(left, tmp_path / "left.png"), save(right, tmp_path / "right.png")
    with Library.open(tmp_path / "lib", model_dir=str(tmp_path / "no-models")) as library:
        explained = library.explain_match(a, b)
    assert explained.verdict == "different" and explained.transform is not None
    assert 0.2 < explained.aligned < 0.55 and explained.inliers >= 15
    misaligned = [blk for blk in explained.blocks if not blk.aligned]
    assert len(misaligned) > 0.45 * explained.blocks_counted
    assert explained.words.startswith("Different shots")
    from lookalike.engine.explain.overlay import draw

    draw(explained, left, right).save(tmp_path / "stereo.png")
    green, red = green_and_red(tmp_path / "stereo.png")
    assert red > 0.5 * green > 0


def test_a_mirrored_copy_is_explained_with_the_flip_undone(tmp_path, hf_home):
    scene = texture(2)
    a = save(scene, tmp_path / "a.png")
    b = save(ImageOps.mirror(scene), tmp_path / "b.png")
    with Library.open(tmp_path / "lib", model_dir=str(tmp_path / "no-models")) as library:
        explained = library.explain_match(a, b)
    assert explained.verdict == "mirror" and explained.mirrored and "mirrored" in explained.transform_words
    (t00, t01, t02), (t10, t11, t12) = explained.transform
    for (xa, ya), (xb, yb), fits in zip(explained.points_a, explained.points_b, explained.inlier_flags):
        if fits:   # the transform maps A's points onto B's, in B's own (unflipped) pixels
            assert abs(t00 * xa + t01 * ya + t02 - xb) < 6 and abs(t10 * xa + t11 * ya + t12 - yb) < 6
    assert abs(explained.transform[0][2] - (scene.width - 1)) < 8


def test_details_read_what_a_compare_table_shows_and_survive_broken_files(tmp_path):
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0131] = "Canon", "Canon EOS 350D", "GIMP 2.10"
    exif.get_ifd(0x8769)[0x9003] = "2021:07:14 18:02:33"
    exif.get_ifd(0x8825).update({1: "N", 2: (47.0, 22.0, 35.4), 3: "W", 4: (8.0, 32.0, 24.0)})
    with_exif = tmp_path / "with exif.jpg"
    photo(6, size=(400, 300)).save(with_exif, exif=exif, quality=90)
    stripped = save(photo(6, size=(200, 150)), tmp_path / "stripped.png")
    with Library.open(tmp_path / "lib") as library:
        rich, bare = library.details(with_exif), library.details(stripped)
        assert rich.error is None and rich.value("Camera") == "Canon EOS 350D"
        assert rich.value("Captured") == "2021-07-14 18:02:33" and rich.value("Edited with") == "GIMP 2.10"
        assert rich.value("GPS") == "47.37650° N, 8.54000° W" and rich.value("Resolution").startswith("400 × 300")
        assert bare.value("GPS") == "—" and bare.value("Format") == "PNG"
        broken = tmp_path / "broken.jpg"
        broken.write_bytes(b"\xff\xd8 nothing")
        damaged = library.details(broken)
        assert damaged.error and damaged.value("File size") == "10 bytes" and "unknown format" in damaged.error
