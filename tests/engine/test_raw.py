"""RAW photos: the embedded preview when it is large enough, a real demosaic otherwise, upright
either way, with the camera's metadata, a readable reason when the file is bad, and the whole
way through a scan into the catalog and a thumbnail."""
import os

import numpy as np
import pytest
from PIL import Image

from lookalike.engine import Library
from lookalike.engine.scanning.decode import DecodeError, decode
from lookalike.engine.scanning.raw import RAW_EXTENSIONS, decode_raw, is_raw
from lookalike.engine.scanning.walk import IMAGE_EXTENSIONS, walk
from helpers import photo
from rawfiles import write_dng

pytest.importorskip("rawpy")
pytest.importorskip("pyexiv2")
pytest.importorskip("pidng")

RED, GREEN, BLUE, WHITE = (220, 40, 40), (40, 200, 60), (40, 40, 220), (235, 235, 235)


def quadrants(size=(128, 96), colours=(RED, GREEN, BLUE, WHITE)) -> Image.Image:
    """A clearly asymmetric picture: four differently coloured quadrants (top left, top
    right, bottom left, bottom right), so every rotation and mirror looks different."""
    w, h = size
    pixels = np.zeros((h, w, 3), np.uint8)
    for (top, left), colour in zip(((0, 0), (0, 1), (1, 0), (1, 1)), colours):
        pixels[top * h // 2:(top + 1) * h // 2, left * w // 2:(left + 1) * w // 2] = colour
    return Image.fromarray(pixels)


def quadrant_colours(picture: Image.Image) -> list[str]:
    """The dominant colour of each quadrant (top left, top right, bottom left, bottom right),
    named: 'red', 'green', 'blue', 'white', or 'other'."""
    w, h = picture.size
    names = []
    for top, left in ((0, 0), (0, 1), (1, 0), (1, 1)):
        # The middle of each quadrant: demosaicing blurs the edges between them.
        box = (left * w // 2 + w // 8, top * h // 2 + h // 8, (left + 1) * w // 2 - w // 8, (top + 1) * h // 2 - h // 8)
        r, g, b = np.asarray(picture.convert("RGB").crop(box)).reshape(-1, 3).mean(axis=0)
        if min(r, g, b) > 170:
            names.append("white")
        elif r > g + 60 and r > b + 60:
            names.append("red")
        elif g > r + 60 and g > b + 60:
            names.append("green")
        elif b > r + 60 and b > g + 60:
            names.append("blue")
        else:
            names.append("other")
    return names


UPRIGHT = ["red", "green", "blue", "white"]
# The preview is a different picture from the mosaic, so what comes back shows which was read.
PREVIEW = ["white", "blue", "green", "red"]


def preview_picture(size) -> Image.Image:
    return quadrants(size, colours=(WHITE, BLUE, GREEN, RED))


def test_raw_extensions_are_recognised_in_any_case():
    assert {".cr2", ".cr3", ".nef", ".arw", ".dng", ".orf", ".raf", ".rw2"} <= RAW_EXTENSIONS
    assert RAW_EXTENSIONS <= IMAGE_EXTENSIONS
    assert is_raw("/photos/IMG_0001.CR2") and is_raw("a.Nef") and is_raw("b.dng")
    assert not is_raw("c.jpg") and not is_raw("d.tiff") and not is_raw("nef")


def test_the_mosaic_written_for_these_tests_demosaics_back_into_its_picture(tmp_path):
    path = write_dng(tmp_path / "plain.dng", quadrants())
    decoded = decode(path)
    assert decoded.image.size == (128, 96) and decoded.image.mode == "RGB"
    assert quadrant_colours(decoded.image) == UPRIGHT


def test_a_dng_with_a_full_size_preview_is_decoded_from_the_preview(tmp_path):
    path = write_dng(tmp_path / "previewed.dng", quadrants((128, 96)), preview=preview_picture((124, 92)))
    decoded = decode(path)
    assert quadrant_colours(decoded.image) == PREVIEW
    assert decoded.image.size == (124, 92)
    assert (decoded.width, decoded.height, decoded.format) == (128, 96, "DNG")  # the RAW's own size


def test_a_dng_with_a_large_preview_is_decoded_from_the_preview_for_a_smaller_request(tmp_path):
    path = write_dng(tmp_path / "previewed.dng", quadrants((256, 192)), preview=preview_picture((128, 96)))
    decoded = decode(path, min_side=64)
    assert quadrant_colours(decoded.image) == PREVIEW
    assert min(decoded.image.size) >= 64
    assert (decoded.width, decoded.height) == (256, 192)


def test_a_preview_too_small_for_the_request_gives_way_to_a_demosaic(tmp_path):
    path = write_dng(tmp_path / "small preview.dng", quadrants((256, 192)), preview=preview_picture((64, 48)))
    assert quadrant_colours(decode(path, min_side=48).image) == PREVIEW
    decoded = decode(path, min_side=80)
    assert quadrant_colours(decoded.image) == UPRIGHT
    assert decoded.image.size == (128, 96)  # half size still covers 80 pixels
    assert quadrant_colours(decode(path).image) == UPRIGHT  # a full-size request never takes it


def test_a_demosaic_runs_at_full_size_when_half_size_would_fall_short_of_the_request(tmp_path):
    path = write_dng(tmp_path / "plain.dng", quadrants((128, 96)))
    assert decode(path, min_side=32).image.size == (64, 48)
    assert decode(path, min_side=60).image.size == (128, 96)


def test_a_preview_shaped_unlike_the_sensor_is_not_used(tmp_path):
    """A letterboxed or cropped preview is not the photo, however large it is."""
    path = write_dng(tmp_path / "letterboxed.dng", quadrants((128, 96)), preview=preview_picture((256, 96)))
    assert quadrant_colours(decode(path, min_side=48).image) == UPRIGHT


@pytest.mark.parametrize("orientation, expected, size", [
    (1, UPRIGHT, (128, 96)),
    (3, ["white", "blue", "green", "red"], (128, 96)),     # 180 degrees
    (6, ["blue", "red", "white", "green"], (96, 128)),     # stored sideways, shown 90 clockwise
    (8, ["green", "white", "red", "blue"], (96, 128)),     # shown 90 counter-clockwise
    (2, ["green", "red", "white", "blue"], (128, 96)),     # mirrored left to right
    (5, ["red", "blue", "green", "white"], (96, 128)),     # transposed
])
def test_orientation_is_applied_alike_to_the_preview_and_to_the_demosaic(tmp_path, orientation, expected, size):
    sensor = quadrants((128, 96))
    demosaiced = decode(write_dng(tmp_path / "plain.dng", sensor, orientation=orientation))
    # The preview is the same picture here, so both paths must turn it the same way.
    previewed = decode(write_dng(tmp_path / "previewed.dng", sensor, preview=sensor, orientation=orientation))
    assert quadrant_colours(demosaiced.image) == expected and demosaiced.image.size == size
    assert quadrant_colours(previewed.image) == expected and previewed.image.size == size
    assert (demosaiced.width, demosaiced.height) == (previewed.width, previewed.height) == size


def test_orientation_matches_what_pillow_does_for_a_jpeg_with_the_same_exif(tmp_path):
    from PIL import ImageOps

    sensor = quadrants((128, 96))
    for orientation in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = orientation
        sensor.save(tmp_path / "same.jpg", exif=exif, quality=95)
        with Image.open(tmp_path / "same.jpg") as jpeg:
            expected = quadrant_colours(ImageOps.exif_transpose(jpeg))
        raw = write_dng(tmp_path / f"o{orientation}.dng", sensor, preview=sensor, orientation=orientation)
        assert quadrant_colours(decode(raw).image) == expected, orientation


def test_capture_time_camera_and_gps_are_read_from_a_raw(tmp_path):
    path = write_dng(tmp_path / "tagged.dng", quadrants(), taken_at="2024:05:01 10:00:00",
                     make="Canon", model="Canon EOS R5", gps=(52.52, 13.40))
    decoded = decode(path)
    assert decoded.taken_at == "2024-05-01T10:00:00"
    assert decoded.camera == "Canon EOS R5"  # the model already names the make
    assert decoded.has_gps and decoded.exif_fields > 10
    plain = decode(write_dng(tmp_path / "plain.dng", quadrants(), make="NIKON CORPORATION", model="Z 6"))
    assert (plain.taken_at, plain.camera, plain.has_gps) == (None, "NIKON CORPORATION Z 6", False)
    assert plain.exif_fields < decoded.exif_fields


def test_a_raw_always_takes_the_raw_path_never_pillows(tmp_path):
    """Pillow reads a TIFF-based RAW as its little TIFF preview; a RAW extension goes to LibRaw,
    and a plain TIFF named like a RAW is reported, not shown as a thumbnail."""
    decoded = decode(write_dng(tmp_path / "plain.dng", quadrants()))
    assert decoded.format == "DNG"
    photo(1, size=(64, 48)).save(tmp_path / "looks like a tiff.nef", format="TIFF")
    with pytest.raises(DecodeError, match="not a RAW format LibRaw can read"):
        decode(str(tmp_path / "looks like a tiff.nef"))


def test_a_raw_other_than_dng_is_cataloged_as_raw(tmp_path):
    """The format the keep-best rule ranks first: 'RAW' for camera formats, 'DNG' for DNG."""
    write_dng(tmp_path / "camera.dng", quadrants())
    os.rename(tmp_path / "camera.dng", tmp_path / "camera.NEF")  # LibRaw reads by content
    assert decode(str(tmp_path / "camera.NEF")).format == "RAW"


def test_bad_raw_files_give_a_readable_reason(tmp_path):
    (tmp_path / "empty.nef").write_bytes(b"")
    whole = open(write_dng(tmp_path / "whole.dng", quadrants((256, 192))), "rb").read()
    (tmp_path / "truncated.dng").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "garbage.cr2").write_bytes(b"not a photo at all " * 200)
    reasons = {}
    for name in ("empty.nef", "truncated.dng", "garbage.cr2", "missing.arw"):
        with pytest.raises(DecodeError) as caught:
            decode(str(tmp_path / name))
        reasons[name] = str(caught.value)
    assert reasons == {
        "empty.nef": "empty file (0 bytes)",
        "truncated.dng": "truncated or corrupt RAW data",
        "garbage.cr2": "not a RAW format LibRaw can read",
        "missing.arw": "vanished during the scan",
    }


def test_a_raw_in_place_of_a_pipe_is_refused_without_waiting(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    os.mkfifo(tmp_path / "pipe.dng")
    with pytest.raises(DecodeError, match="not a regular file"):
        decode_raw(str(tmp_path / "pipe.dng"))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads everything")
def test_an_unreadable_raw_says_permission_denied(tmp_path):
    path = write_dng(tmp_path / "locked.dng", quadrants())
    os.chmod(path, 0)
    try:
        with pytest.raises(DecodeError, match="permission denied"):
            decode(path)
    finally:
        os.chmod(path, 0o644)


def test_a_raw_claiming_more_pixels_than_pillow_would_decode_is_refused(tmp_path, monkeypatch):
    path = write_dng(tmp_path / "huge.dng", quadrants((128, 96)), preview=quadrants((128, 96)))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 128 * 96 // 2 - 1)
    with pytest.raises(DecodeError, match="decompression bomb"):
        decode(path)


def test_the_walk_lists_raw_files_whatever_the_case_of_their_extension(tmp_path):
    for name in ("a.dng", "b.cr2", "c.NEF", "d.Arw", "e.txt", "f.xmp"):
        (tmp_path / name).write_bytes(b"x")
    found = sorted(os.path.basename(f.path) for f in walk([(1, str(tmp_path))]).files)
    assert found == ["a.dng", "b.cr2", "c.NEF", "d.Arw"]


def test_the_walk_does_not_load_libraw_or_exiv2():
    import subprocess
    import sys

    code = ("import sys\nimport lookalike.engine.scanning.walk\n"
            "print(sorted(m for m in ('rawpy', 'pyexiv2') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_scanned_raw_is_cataloged_with_its_details_and_gets_a_thumbnail(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    write_dng(photos / "IMG_0001.dng", quadrants((192, 128)), preview=preview_picture((96, 64)),
              taken_at="2023:12:24 18:05:09", orientation=6, make="Leica Camera AG", model="Q2")
    (photos / "broken.cr2").write_bytes(b"")
    with Library.open(tmp_path / "lib") as library:
        library.add_folder(photos)
        summary = library.scan(model="phash")
        assert (summary.added, summary.failed) == (2, 1)
        assert dict((os.path.basename(p), r) for p, r in summary.errors)["broken.cr2"] == "empty file (0 bytes)"
        records = {os.path.basename(r.path): r for r in library.catalog.all_files()}
        raw = records["IMG_0001.dng"]
        assert (raw.format, raw.width, raw.height, raw.error) == ("DNG", 128, 192, None)
        assert (raw.taken_at, raw.camera) == ("2023-12-24T18:05:09", "Leica Camera AG Q2")
        [shown] = [p for p in library.photos() if p.path.endswith("IMG_0001.dng")]
        thumb = library.thumbnail(shown, 64)
        with Image.open(thumb) as picture:
            picture.load()
            assert max(picture.size) == 64 and picture.size[1] > picture.size[0]  # upright
            assert quadrant_colours(picture) == ["green", "white", "red", "blue"]  # the preview, turned
