"""Clean-up with --merge-metadata: the keeper first receives what only its removed copies carry
(in its sidecar, or in the file itself), through the journal: undo gives back every byte, a
crash leaves a batch recovery finishes or rolls back, and a failed merge keeps the copies."""
import json
import os

import pytest

from lookalike.engine import Library
from lookalike.engine.actions import metadata
from lookalike.engine.actions.xmp import MetadataError
from lookalike.engine.cli import main
from helpers import photo, save, tree_hashes
from .conftest import crash_mid_batch
from .test_metadata_merge import EIFFEL, exif

pytest.importorskip("pyexiv2")


@pytest.fixture()
def copies(tmp_path):
    """A large JPEG without metadata (the keeper by resolution) and a small copy of it that
    carries the capture date, GPS and camera; a second picture whose copies carry nothing."""
    photos = tmp_path / "photos"
    save(photo(3, size=(480, 360)), photos / "big.jpg", quality=92)
    small = photos / "phone" / "small.jpg"
    small.parent.mkdir(parents=True)
    photo(3, size=(480, 360)).resize((240, 180)).save(small, "JPEG", quality=85, exif=_exif())
    save(photo(5, size=(400, 300)), photos / "other.png")
    save(photo(5, size=(400, 300)).resize((200, 150)), photos / "other small.jpg", quality=85)
    library = Library.open(tmp_path / "lib")
    library.add_folder(photos)
    library.scan(model="sscd")
    library.mark_proposals()
    yield library, photos
    library.close()


def _exif():
    return exif(taken_at="2019:07:14 10:31:05", gps=EIFFEL, make="Canon", model="EOS 80D")


def _originals(library):
    folder = library.path / "merge-originals"
    return sorted(os.listdir(folder)) if folder.exists() else []


def test_sidecar_merge_gives_the_keeper_the_copys_date_and_gps_and_undo_restores_every_byte(copies):
    library, photos = copies
    before = tree_hashes(photos)
    plan = library.plan_clean("trash", merge_metadata="sidecar")
    [step] = plan.merges
    assert step.plan.keeper == str(photos / "big.jpg") and step.path == str(photos / "big.jpg.xmp")
    assert any(line.startswith("capture date 2019-07-14 10:31:05 from small.jpg") for line in step.plan.lines)
    assert any(line.startswith("GPS 48.85837, 2.29448") for line in step.plan.lines)
    report = library.clean(plan)
    assert report.merged == [str(photos / "big.jpg")] and not report.failed
    assert not (photos / "phone" / "small.jpg").exists()
    got = metadata.read(photos / "big.jpg")
    assert got.taken_at == "2019-07-14T10:31:05" and got.gps[:2] == pytest.approx(EIFFEL, abs=1e-5)
    assert (got.make, got.model) == ("Canon", "EOS 80D")
    assert tree_hashes(photos)["big.jpg"] == before["big.jpg"]   # the photo itself is untouched
    library.undo()
    assert tree_hashes(photos) == before    # the sidecar the merge made is gone, the copy is back
    assert _originals(library) == []


def test_in_file_merge_keeps_the_original_bytes_and_undo_puts_them_back(copies):
    library, photos = copies
    before = tree_hashes(photos)
    keeper = photos / "big.jpg"
    plan = library.plan_clean("trash", merge_metadata="file")
    assert [s.mode for s in plan.merges] == ["file"] and plan.merges[0].path == str(keeper)
    report = library.clean(plan)
    assert not report.skipped and not (photos / "phone" / "small.jpg").exists()
    assert tree_hashes(photos)["big.jpg"] != before["big.jpg"]
    assert metadata.read(keeper).taken_at == "2019-07-14T10:31:05"
    assert not (photos / "big.jpg.xmp").exists()
    assert len(_originals(library)) == 1
    record = library.catalog.file_by_path(str(keeper))
    assert record.size == keeper.stat().st_size   # the catalog follows: no stale row, no rescan
    assert library.scan(model="sscd").embedded == 0
    library.undo()
    assert tree_hashes(photos) == before and _originals(library) == []
    assert library.catalog.file_by_path(str(keeper)).size == keeper.stat().st_size


def test_a_merge_that_fails_keeps_the_copies_it_would_have_taken_from(copies, monkeypatch):
    library, photos = copies
    plan = library.plan_clean("trash", merge_metadata="sidecar")

    def refuse(plan_):
        raise MetadataError(plan_.keeper, "disk full", "The metadata of big.jpg could not be written: disk full.")

    monkeypatch.setattr(metadata, "write_sidecar", refuse)
    report = library.clean(plan)
    assert report.failed == 1 and report.merged == []
    assert (photos / "phone" / "small.jpg").exists()   # it still holds what it alone carries
    why = dict(report.skipped)[str(photos / "phone" / "small.jpg")]
    assert why.startswith("kept: its metadata could not be copied into") and "disk full" in why
    assert not (photos / "other small.jpg").exists()   # the other group had nothing to merge
    assert _originals(library) == []


@pytest.mark.parametrize("mode", ["rollback", "complete"])
def test_a_crash_right_after_the_merge_leaves_a_batch_recovery_finishes_or_rolls_back(copies, monkeypatch, mode):
    library, photos = copies
    before = tree_hashes(photos)
    plan = library.plan_clean("trash", merge_metadata="file")
    crash_mid_batch(library, plan, monkeypatch)   # dies after writing big.jpg, before the journal says so
    assert tree_hashes(photos)["big.jpg"] != before["big.jpg"]
    library.recover(mode)
    if mode == "rollback":
        assert tree_hashes(photos) == before
    else:
        assert metadata.read(photos / "big.jpg").gps is not None
        assert not (photos / "phone" / "small.jpg").exists()
        library.undo()
        assert tree_hashes(photos) == before
    assert _originals(library) == []


def test_undo_leaves_a_sidecar_the_user_changed_after_the_merge(copies):
    library, photos = copies
    library.clean(library.plan_clean("trash", merge_metadata="sidecar"))
    sidecar = photos / "big.jpg.xmp"
    sidecar.write_text(sidecar.read_text().replace("Canon", "Nikon"))
    report = library.undo()
    assert (photos / "phone" / "small.jpg").exists()   # the removed copy still comes back
    assert sidecar.exists() and "Nikon" in sidecar.read_text()
    assert [p for p, _ in report.skipped] == [str(sidecar)]
    assert "changed after the merge" in dict(report.skipped)[str(sidecar)]


def test_a_keeper_in_a_reference_folder_is_never_written_to(copies):
    library, photos = copies
    (photos / "archive").mkdir()
    os.rename(photos / "big.jpg", photos / "archive" / "big.jpg")
    library.add_reference_folder(photos / "archive")
    library.scan(model="sscd")
    library.clear_marks()
    library.mark_proposals()
    plan = library.plan_clean("trash", merge_metadata="sidecar")
    assert str(photos / "phone" / "small.jpg") in [i.path for i in plan.files]
    assert plan.merges == [] and "reference folder" in dict(plan.notes)[str(photos / "archive" / "big.jpg")]
    library.clean(plan)
    assert os.listdir(photos / "archive") == ["big.jpg"]


def test_clean_merge_metadata_dry_run_says_what_will_be_copied(copies, capsys):
    library, photos = copies
    lib = ["--library", str(library.path)]
    library.close()
    assert main(lib + ["clean", "--trash", "--merge-metadata", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"would copy into {photos / 'big.jpg'} (into its sidecar {photos / 'big.jpg.xmp'}):" in out
    assert "capture date 2019-07-14 10:31:05 from small.jpg" in out and "camera model EOS 80D" in out
    assert "first copying metadata into 1 kept files (dry run: nothing done)" in out
    assert not (photos / "big.jpg.xmp").exists()
    assert main(lib + ["clean", "--trash", "--merge-metadata", "--in-file", "--dry-run", "--json"]) == 0
    [merge] = json.loads(capsys.readouterr().out)["merges"]
    assert merge["mode"] == "file" and merge["fields"]["taken_at"] == "2019-07-14T10:31:05"
    assert main(lib + ["clean", "--trash", "--in-file", "--dry-run"]) != 0
