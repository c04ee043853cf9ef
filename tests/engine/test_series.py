"""Frame quality and burst series (engine/dedup/series.py) on pictures made here: a detailed
scene, its blurred versions, re-encodes, and a smaller sharp original beside a blurred,
enlarged copy."""
import io

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from lookalike.engine.dedup import series
from lookalike.engine.dedup.series import FrameQuality


def scene(size=(1600, 1200), seed=3) -> Image.Image:
    """Shapes, lines and lettering of many sizes over a smooth gradient: detail at every
    scale, like a photo."""
    rng = np.random.default_rng(seed)
    w, h = size
    ramp = np.linspace(60, 190, w, dtype=np.float32)[None, :, None] * np.ones((h, 1, 3), np.float32)
    img = Image.fromarray(ramp.astype(np.uint8))
    draw = ImageDraw.Draw(img)
    for _ in range(400):
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        r = int(rng.integers(2, 60))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        kind = rng.integers(0, 3)
        if kind == 0:
            draw.ellipse((x, y, x + r, y + r), outline=colour, width=int(rng.integers(1, 4)))
        elif kind == 1:
            draw.line((x, y, x + r * 3, y + int(rng.integers(-r, r + 1))), fill=colour, width=1)
        else:
            draw.text((x, y), "Lookalike 2026", fill=colour)
    return img


def quality(img) -> FrameQuality:
    return series.measure_pixels(series.grey(img))


def jpeg(img, q):
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=q)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


@pytest.fixture(scope="module")
def sharp():
    return scene()


@pytest.mark.parametrize("blur", [1.0, 2.0])
def test_a_blurred_copy_is_clearly_less_sharp_and_not_among_the_best(sharp, blur):
    original, blurred = quality(sharp), quality(sharp.filter(ImageFilter.GaussianBlur(blur)))
    assert series.clearly_sharper(original, blurred)
    assert series.among_best([blurred, original]) == [False, True]
    ranked = series.rank([("blurred", blurred), ("original", original)])
    assert [name for name, _ in ranked] == ["original", "blurred"]


def test_a_smaller_sharp_original_beats_its_blurred_enlarged_copy(sharp):
    small = sharp.resize((1200, 900), Image.LANCZOS)
    enlarged = small.filter(ImageFilter.GaussianBlur(1.2)).resize((2400, 1800), Image.LANCZOS)
    assert series.among_best([quality(enlarged), quality(small)]) == [False, True]


def test_re_encodes_and_a_brighter_copy_tie_with_the_original(sharp):
    from PIL import ImageEnhance

    original = quality(sharp)
    for copy in (jpeg(sharp, 92), jpeg(sharp, 80), ImageEnhance.Brightness(sharp).enhance(1.15)):
        q = quality(copy)
        assert not series.clearly_sharper(original, q) and not series.clearly_sharper(q, original)


def test_noise_does_not_make_a_copy_look_sharper_than_it_is(sharp):
    """The energy that noise explains is taken out of sharpness: without that, sigma-6 noise
    would make this copy look half as sharp again."""
    rng = np.random.default_rng(1)
    noisy = np.clip(np.asarray(sharp, np.float32) + rng.normal(0, 6, (1200, 1600, 1)), 0, 255)
    original, q = quality(sharp), quality(Image.fromarray(noisy.astype(np.uint8)))
    assert q.noise > original.noise * series.NOISIER + series.NOISE_FLOOR
    assert q.sharpness < original.sharpness * 1.15


def test_the_noise_estimate_reads_white_noise_sigma():
    rng = np.random.default_rng(0)
    flat = (0.5 + rng.normal(0, 5 / 255, (512, 512))).astype(np.float32)
    assert series.noise_sigma(flat) * 255 == pytest.approx(5, rel=0.05)


def test_ties_go_to_the_better_exposed_then_the_less_noisy():
    a = FrameQuality(sharpness=1.0, exposure=0.0, noise=5.0)
    b = FrameQuality(sharpness=1.1, exposure=0.0, noise=1.0)
    c = FrameQuality(sharpness=1.2, exposure=0.2, noise=1.0)
    blurred = FrameQuality(sharpness=0.5, exposure=0.0, noise=0.5)
    assert [n for n, _ in series.rank([("a", a), ("c", c), ("blur", blurred), ("b", b)])] == \
        ["b", "c", "a", "blur"]   # then the rest, sharpest first


def test_a_clearly_noisier_frame_is_out_even_when_as_sharp():
    clean, noisy = FrameQuality(1.0, 0.0, 1.0), FrameQuality(1.1, 0.0, 4.5)
    assert series.among_best([clean, noisy]) == [True, False]


class Shot:
    def __init__(self, taken_at):
        self.taken_at = taken_at


def test_a_series_is_capture_times_chained_within_the_gap():
    burst = [Shot("2026-05-01T10:00:00"), Shot("2026-05-01T10:00:01.500"), Shot("2026-05-01T10:00:03")]
    assert series.is_series(burst)
    assert not series.is_series(burst + [Shot("2026-05-01T10:00:09")])
    assert not series.is_series(burst[:2] + [Shot(None)])
    assert not series.is_series(burst[:1])
    assert not series.is_series([Shot("not a date"), Shot("2026-05-01T10:00:00")])
