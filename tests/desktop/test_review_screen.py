"""The review screen shows the right picture and the right marks, and the app closes at once."""
import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from helpers import save

from .conftest import LongGrouping, wait_for_scan


def _plain(colour, path):
    from PIL import Image

    return save(Image.new("RGB", (120, 90), colour), path)


def _centre(pixmap):
    image = pixmap.toImage()
    colour = image.pixelColor(image.width() // 2, image.height() // 2)
    return colour.red(), colour.green(), colour.blue()


def test_a_photo_that_takes_a_deleted_photos_catalog_id_shows_its_own_picture(qtbot, open_window, tmp_path):
    folder = tmp_path / "photos"
    _plain((220, 30, 30), folder / "cat.png")
    window = open_window(model="phash")
    window.add_folder(str(folder))
    wait_for_scan(qtbot, window)
    grid = window.photos.grid.grid_model
    qtbot.waitUntil(lambda: grid.rowCount() == 1, timeout=10000)
    [cat] = grid.photos
    qtbot.waitUntil(lambda: window.loader.pixmap(cat, 160) is not None, timeout=10000)
    assert _centre(window.loader.pixmap(cat, 160))[0] > 180, _centre(window.loader.pixmap(cat, 160))  # red: the cat

    (folder / "cat.png").unlink()
    window.request_scan()
    wait_for_scan(qtbot, window)
    _plain((30, 30, 220), folder / "Kite-crop.png")
    window.request_scan()
    wait_for_scan(qtbot, window)
    qtbot.waitUntil(lambda: grid.rowCount() == 1 and grid.photos[0].path.endswith("Kite-crop.png"), timeout=10000)
    [kite] = grid.photos
    assert kite.file_id == cat.file_id   # SQLite handed the freed id to the new photo
    qtbot.waitUntil(lambda: window.loader.pixmap(kite, 160) is not None, timeout=10000)
    red, _green, blue = _centre(grid.data(grid.index(0), Qt.ItemDataRole.DecorationRole))
    assert blue > 180 and red < 80                                # the kite's own blue, not the cat


def test_showing_similar_scenes_marks_only_the_copies_the_near_tier_marks(qtbot, open_window, sample_photos):
    window = open_window(model="phash")
    window.library.settings.thresholds["phash"] = {"similar": -1.0}  # every photo is a similar scene
    window.add_folder(str(sample_photos))
    wait_for_scan(qtbot, window)
    view = window.duplicates
    qtbot.waitUntil(lambda: view.pairs and window.runner.idle, timeout=10000)
    copies = sorted(fid for fid, m in view.marks.items() if m == "remove")
    assert len(copies) == 2   # the resized copy and the byte-identical copy
    view.tier.setCurrentIndex(view.tier.findData("similar"))
    qtbot.waitUntil(lambda: any(g.tier == "similar" for g, _ in view.pairs), timeout=10000)
    qtbot.waitUntil(lambda: window.runner.idle, timeout=10000)
    similar = [f.file_id for g, _ in view.pairs if g.tier == "similar" for f in g.files]
    assert len(similar) >= 5   # all five photos in one scene
    # Distinct pictures of the scene stay kept; the copies among them are offered as before.
    assert sorted(fid for fid in similar if view.marks.get(fid) == "remove") == copies


def test_after_swapping_keep_and_remove_the_badge_follows_the_mark(qtbot, open_window, sample_photos):
    window = open_window(model="phash")
    window.add_folder(str(sample_photos))
    wait_for_scan(qtbot, window)
    view = window.duplicates
    qtbot.waitUntil(lambda: len(view.cards) == 2, timeout=10000)
    keeper = next(c for c in view.cards if c.mark == "keep")
    other = next(c for c in view.cards if c is not keeper)
    assert "Kept" in keeper.badge.text()
    keeper.toggle()
    other.toggle()
    assert keeper.mark == "remove" and other.mark == "keep"
    assert "Kept" not in keeper.badge.text() and "removal" in keeper.badge.text()
    assert "Kept" in other.badge.text() and not other.badge.isHidden()
    title = view.detail_title.text()   # the heading follows the marks too
    assert f"keep {other.file.path}" in title and "1 marked for removal" in title


def test_undo_with_nothing_to_undo_says_so_plainly_without_a_traceback(qtbot, open_window, sample_photos):
    window = open_window(model="phash")
    window.add_folder(str(sample_photos))
    wait_for_scan(qtbot, window)
    window.duplicates.undo()   # what a second click on Undo does once the batch is restored
    qtbot.waitUntil(lambda: _notice(window) is not None, timeout=10000)
    box = _notice(window)
    assert box.text() == "There is nothing to undo." and box.detailedText() == ""
    box.close()


def test_after_a_complete_undo_the_undo_button_is_gone(qtbot, open_window, sample_photos):
    window = open_window(model="phash")
    window.add_folder(str(sample_photos))
    wait_for_scan(qtbot, window)
    view = window.duplicates
    qtbot.waitUntil(lambda: view.pairs and window.runner.idle, timeout=10000)
    window.library.mark_proposals()
    view._cleaned(window.library.clean(window.library.plan_clean("trash")))
    assert view.undo_bar.button.isVisible()
    view.undo()
    qtbot.waitUntil(lambda: "Restored" in view.undo_bar.text.text(), timeout=10000)
    assert not view.undo_bar.button.isVisible()


def _notice(window):
    boxes = [b for b in window.findChildren(QMessageBox, "errorNotice") if b.isVisible()]
    return boxes[0] if boxes else None


def test_preferences_ok_without_edits_leaves_the_settings_file_byte_identical(qtbot, open_window):
    from lookalike.desktop.dialogs.preferences_dialog import PreferencesDialog

    window = open_window(model="sscd")
    window.library.save_settings()
    path = window.library.path / "settings.json"
    before = path.read_bytes()
    dialog = PreferencesDialog(window.library, window, devices=["cpu"])
    dialog._accept()
    dialog.apply(window.library)
    assert path.read_bytes() == before
    assert window.library.thresholds("sscd") == {"near": 0.35, "similar": 0.25}


def test_closing_during_a_long_regroup_cancels_it_and_closes_within_two_seconds(qtbot, open_window, sample_photos):
    window = open_window(model="phash")
    window.add_folder(str(sample_photos))
    wait_for_scan(qtbot, window)
    long_grouping = LongGrouping(result=[])
    window.library.duplicates = long_grouping
    view = window.duplicates
    view.refresh()
    qtbot.waitUntil(long_grouping.started.is_set, timeout=10000)
    qtbot.waitUntil(lambda: "verifying" in window.job_status.label.text(), timeout=10000)
    assert "groups" not in view.summary.text()   # no stale group count while regrouping
    began = time.monotonic()
    window.close()
    assert time.monotonic() - began < 2.0 and not window.isVisible()
    assert long_grouping.ended.wait(2.0)    # the regroup itself stopped, not just the window


def test_a_regroup_that_left_look_alike_pairs_unchecked_says_so_beside_the_groups(qtbot, open_window, sample_photos):
    from lookalike.engine.jobs import Progress

    window = open_window(model="phash")
    window.add_folder(str(sample_photos))
    wait_for_scan(qtbot, window)
    note = "2000 look-alike pairs count as similar, not near, without a geometric check"

    def grouping(on_progress=None, cancel=None, **_kw):
        on_progress(Progress("verifying", 3000, 3000, 1.0, note))
        return []

    window.library.duplicates = grouping
    window.duplicates.refresh()
    qtbot.waitUntil(lambda: note in window.duplicates.summary.text(), timeout=10000)
