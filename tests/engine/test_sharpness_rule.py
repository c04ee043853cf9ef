"""The "sharpness" keep rule end to end: a library proposes the sharp original over a larger
blurred copy, says why, measures each picture once (kept in the catalog by content hash), and
never waits for the library to write that cache."""
import pytest
from PIL import ImageFilter

from lookalike.engine import Library
from lookalike.engine.catalog.quality import FrameQualities
from lookalike.engine.dedup import series
from lookalike.engine.dedup.keep import BUILTIN_PRESETS
from lookalike.engine.lock import WriterLock
from lookalike.engine.parts.proposing import with_best_frames
from lookalike.engine.results import DuplicateFile
from .test_series import scene


@pytest.fixture()
def blurred_copy(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    sharp = scene((1200, 900), seed=11)
    sharp.save(photos / "original.jpg", quality=95)
    sharp.filter(ImageFilter.GaussianBlur(1.5)).resize((1800, 1350)).save(photos / "copy.jpg", quality=95)
    library = Library.open(tmp_path / "lib")
    library.add_folder(photos)
    library.scan(model="sscd")
    yield library, photos
    library.close()


def test_the_sharp_smaller_original_is_kept_over_its_blurred_enlarged_copy(blurred_copy):
    library, photos = blurred_copy
    phases = []
    [(group, proposal)] = library.proposals(on_progress=lambda p: phases.append(p.phase))
    assert {f.path for f in group.files} == {str(photos / "original.jpg"), str(photos / "copy.jpg")}
    assert proposal.keeper.path == str(photos / "original.jpg")
    assert any(f is proposal.keeper for f in group.files)   # the group's own file, measured, not a copy
    assert proposal.reason.startswith("kept: sharper (") and "the fine detail" in proposal.reason
    assert [f.path for f in proposal.remove] == [str(photos / "copy.jpg")]
    assert "measuring sharpness" in phases
    # Resolution first (the old default) would have kept the blurred copy: the rule decides.
    library.save_preset("pixels", [{"rule": "resolution"}, {"rule": "path"}])
    [(_, by_pixels)] = library.proposals("pixels")
    assert by_pixels.keeper.path == str(photos / "copy.jpg")


def test_each_picture_is_measured_once_and_kept_by_content_hash(blurred_copy):
    library, photos = blurred_copy
    library.proposals()
    store = FrameQualities(library.catalog.engine, series.MEASURE)
    hashes = [library.catalog.file_by_path(str(photos / n)).content_hash for n in ("original.jpg", "copy.jpg")]
    assert set(store.get(hashes)) == set(hashes)
    phases = []
    [(_, again)] = library.proposals(on_progress=lambda p: phases.append(p.phase))
    assert "measuring sharpness" not in phases and again.keeper.path == str(photos / "original.jpg")
    # Another way of measuring does not read these values, and its first write empties the table.
    other = FrameQualities(library.catalog.engine, "another measure")
    assert other.get(hashes) == {}
    other.put({hashes[0]: (1.0, 0.0, 1.0)})
    assert store.get(hashes) == {} and set(other.get(hashes)) == {hashes[0]}


def test_measures_are_not_kept_while_another_program_writes_and_nothing_waits(blurred_copy):
    library, _ = blurred_copy
    other = WriterLock(library.path, timeout=0.1)   # a second program's lock on the library
    with other:
        with library.write_lock.try_hold() as held:
            assert held is False
        [(_, proposal)] = library.proposals()
    assert proposal.reason.startswith("kept: sharper")
    assert FrameQualities(library.catalog.engine, series.MEASURE).get(
        [f.content_hash for f in proposal.remove]) == {}
    with library.write_lock.try_hold() as held:
        assert held is True


def _file(fid, digest):
    return DuplicateFile(fid, f"/p/{fid}.jpg", 1.0, "near", 100, 100, 1000, "JPEG", None, None,
                         content_hash=digest)


def test_a_picture_that_cannot_be_measured_is_not_among_the_best_and_one_measure_decides_nothing():
    sharp, soft = series.FrameQuality(1.0, 0.0, 1.0), series.FrameQuality(0.5, 0.0, 1.0)
    files = [_file(1, "a"), _file(2, "b"), _file(3, "c")]
    marked = with_best_frames(files, {"a": sharp, "b": soft})
    assert [f.best_frame for f in marked] == [True, False, False]
    assert marked[2].quality is None
    assert with_best_frames(files, {"a": sharp}) == files


def test_the_default_preset_asks_sharpness_first():
    assert BUILTIN_PRESETS["default"][0] == {"rule": "sharpness"}
