"""Crashes in undo, in cross-device copies and in rollbacks lose nothing and leave nothing behind.

Some tests kill a real child process with SIGKILL at the worst moment (no finally blocks, no
clean close); others raise where a crash would stop the program. "Cross-device" is simulated by
making os.rename refuse (EXDEV) between the photos and the move-to folder, as a real second
drive would.
"""
import errno
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lookalike.engine import Library
from lookalike.engine.actions import recovery
from helpers import photo, save, tree_hashes

from .conftest import crash_mid_batch

REPO = Path(__file__).resolve().parents[2]


def cross_device(target: Path):
    """An os.rename that refuses to cross between `target` and anywhere else."""
    real = os.rename
    prefix = str(target) + os.sep

    def rename(src, dst, *args, **kwargs):
        if str(src).startswith(prefix) != str(dst).startswith(prefix):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real(src, dst, *args, **kwargs)

    return rename


CHILD_PRELUDE = """
import errno, os, signal, sys
from lookalike.engine import Library
from lookalike.engine.actions import cleanup as actions, trash

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def cross_device(target):
    real, prefix = os.rename, target + os.sep
    def rename(src, dst, *a, **k):
        if str(src).startswith(prefix) != str(dst).startswith(prefix):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real(src, dst, *a, **k)
    os.rename = rename

def die_mid_copy():
    real = os.sendfile
    def sendfile(out_fd, in_fd, offset, count):
        real(out_fd, in_fd, offset, min(count, 4096))
        die()
    os.sendfile = sendfile
"""


def killed(library_dir: Path, body: str) -> None:
    """Runs `body` in a child process that kills itself with SIGKILL; checks that it did."""
    script = CHILD_PRELUDE + textwrap.dedent(body)
    env = dict(os.environ, PYTHONPATH=str(REPO), LIBRARY=str(library_dir))
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr


def leftovers(*folders: Path) -> list[str]:
    return [name for folder in folders if folder.exists()
            for _, _, names in os.walk(folder) for name in names if name.startswith(".lookalike-")]


def test_kill_9_mid_undo_then_undo_again_puts_every_file_back_byte_for_byte(scanned, tmp_path):
    library, photos = scanned
    before = tree_hashes(photos)
    library.mark_proposals()
    library.clean(library.plan_clean("trash"))
    library.close()
    killed(tmp_path / "lib", """
        real, restored = trash.restore, []
        def restore_then_die(where, original):
            real(where, original)      # the file is back; the journal does not know yet
            restored.append(original)
            if len(restored) == 2:
                die()
        trash.restore = restore_then_die
        Library.open(os.environ["LIBRARY"]).undo()
    """)
    reopened = Library.open(tmp_path / "lib")
    report = reopened.undo()
    assert report.skipped == [] and len(report.done) == 3  # the first one was journaled
    assert tree_hashes(photos) == before
    [(batch, counts)] = reopened.history()
    assert batch.state == "undone" and counts == {"undone": 4}
    reopened.close()


@pytest.mark.parametrize("action", ["trash", "move", "hardlink"])
def test_an_undo_stopped_after_restoring_a_file_completes_on_the_next_undo(scanned, tmp_path, monkeypatch, action):
    library, photos = scanned
    before = tree_hashes(photos)
    target = str(tmp_path / "moved") if action == "move" else None
    library.mark_proposals()
    library.clean(library.plan_clean(action, target=target))
    real = recovery._restore

    def restore_then_stop(action_, entry):
        real(action_, entry)
        raise KeyboardInterrupt("power cut")  # the file is back, the journal not yet

    monkeypatch.setattr(recovery, "_restore", restore_then_stop)
    with pytest.raises(KeyboardInterrupt):
        library.undo()
    monkeypatch.setattr(recovery, "_restore", real)
    report = library.undo()
    assert report.skipped == []
    assert tree_hashes(photos) == before
    assert [b.state for b, _ in library.history()] == ["undone"]
    if target:
        assert tree_hashes(Path(target)) == {}


def test_kill_9_mid_copy_of_a_cross_device_move_leaves_no_partial_file_at_any_photo_name(scanned, tmp_path):
    library, photos = scanned
    before = tree_hashes(photos)
    target = tmp_path / "other-drive"
    library.mark_proposals()
    plan = library.plan_clean("move", target=str(target))
    library.close()
    killed(tmp_path / "lib", f"""
        cross_device({str(target)!r})
        die_mid_copy()
        library = Library.open(os.environ["LIBRARY"])
        library.clean(library.plan_clean("move", target={str(target)!r}))
    """)
    destinations = [Path(item.destination) for item in plan.items]
    assert not any(d.exists() for d in destinations)  # a partial copy only ever had a hidden name
    reopened = Library.open(tmp_path / "lib")
    reopened.recover("rollback")
    assert tree_hashes(photos) == before
    assert tree_hashes(target) == {} and leftovers(target, photos) == []
    reopened.close()


def test_kill_9_mid_copy_of_a_cross_device_undo_leaves_no_truncated_photo(scanned, tmp_path, monkeypatch):
    library, photos = scanned
    before = tree_hashes(photos)
    target = tmp_path / "other-drive"
    library.mark_proposals()
    with monkeypatch.context() as patch:
        patch.setattr(os, "rename", cross_device(target))
        report = library.clean(library.plan_clean("move", target=str(target)))
    assert len(report.done) == 4
    library.close()
    killed(tmp_path / "lib", f"""
        cross_device({str(target)!r})
        die_mid_copy()
        Library.open(os.environ["LIBRARY"]).undo()
    """)
    now = tree_hashes(photos)
    assert all(now[name] == digest for name, digest in before.items() if name in now)
    assert set(now) <= set(before) | {n for n in now if os.path.basename(n).startswith(".lookalike-")}
    reopened = Library.open(tmp_path / "lib")
    monkeypatch.setattr(os, "rename", cross_device(target))
    report = reopened.undo()
    assert report.skipped == [] and len(report.done) == 4
    assert tree_hashes(photos) == before and tree_hashes(target) == {}
    reopened.close()


def test_rolling_back_a_cross_device_move_killed_just_after_a_copy_leaves_no_stray_copy(scanned, tmp_path):
    library, photos = scanned
    before = tree_hashes(photos)
    target = tmp_path / "other-drive"
    library.mark_proposals()
    library.close()
    killed(tmp_path / "lib", f"""
        cross_device({str(target)!r})
        real_unlink = os.unlink
        def unlink(path, *a, **k):
            if str(path).startswith({str(photos)!r}):
                die()                  # the copy is complete; the original is not removed yet
            return real_unlink(path, *a, **k)
        os.unlink = unlink
        library = Library.open(os.environ["LIBRARY"])
        library.clean(library.plan_clean("move", target={str(target)!r}))
    """)
    assert len(tree_hashes(target)) == 1  # the copy that was made before the kill
    reopened = Library.open(tmp_path / "lib")
    reopened.recover("rollback")
    assert tree_hashes(photos) == before
    assert tree_hashes(target) == {}
    reopened.close()


def test_a_full_disk_mid_copy_leaves_no_partial_file_and_the_original_in_place(scanned, tmp_path, monkeypatch):
    library, photos = scanned
    before = tree_hashes(photos)
    target = tmp_path / "other-drive"
    library.mark_proposals()
    plan = library.plan_clean("move", target=str(target))
    real = os.sendfile

    def disk_full(out_fd, in_fd, offset, count):
        real(out_fd, in_fd, offset, min(count, 4096))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "rename", cross_device(target))
    monkeypatch.setattr(os, "sendfile", disk_full)
    report = library.clean(plan)
    assert report.done == [] and {r for _, r in report.skipped} == {"the disk is full"}
    assert tree_hashes(photos) == before
    assert tree_hashes(target) == {}


def test_a_trash_interrupted_between_its_info_file_and_the_move_leaves_no_orphan_info(scanned, tmp_path,
                                                                                      monkeypatch, private_trash):
    library, photos = scanned
    before = tree_hashes(photos)
    library.mark_proposals()
    plan = library.plan_clean("trash")
    real, calls = os.rename, []

    def rename(src, dst, *args, **kwargs):
        calls.append(src)
        if len(calls) == 3:
            raise KeyboardInterrupt("power cut")  # the .trashinfo is written, the file not moved
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        library.clean(plan)
    monkeypatch.setattr(os, "rename", real)
    assert len(os.listdir(private_trash / "info")) == 3
    library.recover("rollback")
    assert tree_hashes(photos) == before
    assert os.listdir(private_trash / "info") == [] and os.listdir(private_trash / "files") == []


def test_a_hardlink_interrupted_before_its_rename_leaves_no_hidden_link_behind(scanned, monkeypatch):
    library, photos = scanned
    before = tree_hashes(photos)
    library.mark_proposals()
    plan = library.plan_clean("hardlink")
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if os.path.basename(src).startswith(".lookalike-link-"):
            raise KeyboardInterrupt("power cut")  # linked under a hidden name, not renamed yet
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        library.clean(plan)
    monkeypatch.setattr(os, "replace", real)
    assert len(leftovers(photos)) == 1
    library.recover("rollback")
    assert leftovers(photos) == [] and tree_hashes(photos) == before


def test_a_file_that_is_not_ours_at_a_move_destination_is_reported_and_kept(scanned, tmp_path, monkeypatch):
    library, photos = scanned
    target = tmp_path / "moved"
    library.mark_proposals()
    plan = library.plan_clean("move", target=str(target))
    crash_mid_batch(library, plan, monkeypatch)
    stranger = Path(plan.items[1].destination)
    save(photo(77), stranger)  # someone else's file where a planned move would have gone
    report = library.recover("rollback")
    assert stranger.exists()
    assert any(path == str(stranger) and "not ours" in reason for path, reason in report.notes)


@pytest.mark.parametrize("mode", ["rollback", "complete"])
def test_kill_9_mid_sort_into_tag_folders_then_recover_loses_nothing(tmp_path, mode):
    photos = tmp_path / "photos"
    pictures = [save(photo(seed), photos / f"p{seed}.png") for seed in range(8)]
    before = tree_hashes(photos)
    library = Library.open(tmp_path / "lib")
    library.add_folder(photos)
    library.scan(model="phash")
    library.define_tag("sorted", examples=pictures[:3])
    library.correct_tag("sorted", pictures[3:], is_tag=True)
    library.close()
    dest = tmp_path / "dest"
    killed(tmp_path / "lib", f"""
        real, moved = actions._move_verified, []
        def move_then_die(source, destination, digest):
            real(source, destination, digest)   # moved; the journal does not know yet
            moved.append(source)
            if len(moved) == 3:
                die()
        actions._move_verified = move_then_die
        library = Library.open(os.environ["LIBRARY"])
        library.organise(library.plan_organise({str(dest)!r}))
    """)
    reopened = Library.open(tmp_path / "lib")
    assert [b.action for b in reopened.interrupted()] == ["organise"]
    report = reopened.recover(mode)
    assert report.skipped == []
    if mode == "rollback":
        assert tree_hashes(photos) == before and not leftovers(photos, dest)
    else:
        assert sorted(tree_hashes(dest / "sorted").values()) == sorted(before.values())
        assert {p.path for p in reopened.tag_photos("sorted")} == {str(dest / "sorted" / p.name) for p in pictures}
        assert reopened.undo().skipped == [] and tree_hashes(photos) == before
    reopened.close()
