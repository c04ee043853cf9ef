"""Clean-up never loses a photo: every action is journaled, verified and undoable."""
import os

import pytest

from lookalike.engine import Library
from lookalike.engine.actions import cleanup as actions
from lookalike.engine.errors import LookalikeError
from helpers import photo, save, tree_hashes

from .conftest import crash_mid_batch


def test_trash_then_undo_restores_every_file_byte_for_byte(scanned, private_trash):
    library, photos = scanned
    before = tree_hashes(photos)
    assert library.mark_proposals() == (3, 4)
    report = library.clean(library.plan_clean("trash"))
    assert len(report.done) == 4 and report.bytes_freed > 0
    assert len(os.listdir(private_trash / "files")) == 4
    assert sorted(os.listdir(photos / "copies")) == []
    undone = library.undo()
    assert len(undone.done) == 4 and undone.skipped == []
    assert tree_hashes(photos) == before
    assert os.listdir(private_trash / "files") == []


def test_move_keeps_relative_paths_never_overwrites_and_undoes(scanned, tmp_path):
    library, photos = scanned
    before = tree_hashes(photos)
    target = tmp_path / "moved"
    save(photo(99), target / "photos" / "copies" / "p1 small.jpg")  # already there: must survive
    library.mark_proposals()
    report = library.clean(library.plan_clean("move", target=str(target)))
    assert len(report.done) == 4
    moved = tree_hashes(target)
    assert "photos/copies/p1 small.jpg" in moved and "photos/copies/p1 small (1).jpg" in moved
    library.undo()
    assert tree_hashes(photos) == before
    assert list(tree_hashes(target)) == ["photos/copies/p1 small.jpg"]


def test_hardlinks_only_replace_byte_identical_copies_and_undo_makes_them_independent(scanned):
    library, photos = scanned
    before = tree_hashes(photos)
    library.mark_proposals()
    plan = library.plan_clean("hardlink")
    assert [os.path.basename(i.path) for i in plan.items] == ["p0 exact.png"]
    assert sum("not byte-identical" in reason for _, reason in plan.skipped) == 3
    library.clean(plan)
    assert os.path.samefile(photos / "p0.png", photos / "copies" / "p0 exact.png")
    library.undo()
    assert not os.path.samefile(photos / "p0.png", photos / "copies" / "p0 exact.png")
    assert tree_hashes(photos) == before


def test_a_group_never_loses_its_last_file(scanned):
    library, photos = scanned
    everything = [p for p in photos.rglob("*") if p.is_file()]
    library.mark(everything, "remove")
    plan = library.plan_clean("trash")
    assert len(plan.items) == 4  # every group keeps its proposed keeper
    assert sum("never loses its last file" in reason for _, reason in plan.skipped) == 3


def test_reference_folders_are_never_touched_whatever_the_marks(scanned):
    library, photos = scanned
    library.add_reference_folder(photos / "copies")
    library.mark_proposals()
    plan = library.plan_clean("trash")
    assert all("/copies/" not in item.path for item in plan.items)
    with pytest.raises(LookalikeError, match="reference folder"):
        library.mark([photos / "copies" / "p2 small.jpg"], "remove")


def test_marks_survive_a_reopen_and_a_rescan_but_not_a_change_to_the_file(scanned, tmp_path):
    library, photos = scanned
    library.mark([photos / "copies" / "p1 small.jpg", photos / "copies" / "p2 small.jpg"], "remove")
    library.close()
    reopened = Library.open(tmp_path / "lib")
    reopened.scan()
    assert len(reopened.marks()) == 2
    changed = photos / "copies" / "p2 small.jpg"
    save(photo(50).resize((200, 150)), changed, quality=80)
    os.utime(changed, ns=(1, 1))
    reopened.scan()
    assert len(reopened.marks()) == 1
    reopened.close()


def test_a_file_changed_after_the_scan_is_skipped_and_reported(scanned):
    library, photos = scanned
    library.mark_proposals()
    plan = library.plan_clean("trash")
    victim = plan.items[0].path
    with open(victim, "ab") as fh:
        fh.write(b"edited")
    report = library.clean(plan)
    assert (victim, "changed since the scan; skipped (scan again to review it)") in report.skipped
    assert os.path.exists(victim) and len(report.done) == 3


def test_a_destination_that_refuses_writes_fails_per_file_and_the_journal_stays_true(scanned, tmp_path):
    library, photos = scanned
    before = tree_hashes(photos)
    target = tmp_path / "readonly"
    target.mkdir()
    library.mark_proposals()
    plan = library.plan_clean("move", target=str(target))
    real_move = actions._move_verified

    def read_only(source, destination, digest):
        raise PermissionError(13, "Permission denied")

    actions._move_verified = read_only
    try:
        report = library.clean(plan)
    finally:
        actions._move_verified = real_move
    assert report.done == [] and len(report.skipped) == 4
    assert all(reason == "permission denied" for _, reason in report.skipped)
    [(batch, counts)] = library.history()
    assert counts == {"failed": 4} and batch.state == "done"
    assert tree_hashes(photos) == before


def test_a_crash_mid_batch_is_detected_at_next_open_and_can_be_rolled_back(scanned, tmp_path, monkeypatch):
    library, photos = scanned
    before = tree_hashes(photos)
    library.mark_proposals()
    plan = library.plan_clean("trash")
    calls = []

    def crash(path):
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt("power cut")  # after the 2nd file moved, before the journal knew

    monkeypatch.setattr(actions, "_between_steps", crash)
    with pytest.raises(KeyboardInterrupt):
        library.clean(plan)
    library.close()
    monkeypatch.setattr(actions, "_between_steps", lambda path: None)
    reopened = Library.open(tmp_path / "lib")
    assert [b.state for b in reopened.interrupted()] == ["running"]
    with pytest.raises(LookalikeError, match="interrupted"):
        reopened.clean(plan)
    report = reopened.recover("rollback")
    assert len(report.done) == 2 and reopened.interrupted() == []
    assert tree_hashes(photos) == before
    reopened.close()


def test_a_crash_mid_batch_can_also_be_completed(scanned, tmp_path, monkeypatch):
    library, photos = scanned
    library.mark_proposals()
    plan = library.plan_clean("trash")
    crash_mid_batch(library, plan, monkeypatch)
    report = library.recover("complete")
    assert len(report.done) == 3
    [(batch, counts)] = library.history()
    assert batch.state == "done" and counts == {"done": 4}
    library.undo()
    assert len([p for p in photos.rglob("*") if p.is_file()]) == 7


def test_no_photo_goes_missing_across_every_action_and_its_undo(scanned, tmp_path):
    """Whatever a test run does, every photo ends where it began, with the same bytes."""
    library, photos = scanned
    before = tree_hashes(photos)
    for action, target in (("trash", None), ("move", str(tmp_path / "out")), ("hardlink", None)):
        library.scan()
        library.mark_proposals()
        library.clean(library.plan_clean(action, target=target))
        library.undo()
        assert tree_hashes(photos) == before, action
    assert [b.state for b, _ in library.history()] == ["undone"] * 3
