"""The desktop app end to end, as a person uses it (offscreen, tiny or real models)."""
import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMessageBox, QPushButton

from lookalike.desktop.dialogs.clean_dialog import CleanDialog
from lookalike.desktop.dialogs.missing_model_dialog import MissingModelDialog
from helpers import photo, save, tree_hashes

from .conftest import wait_for_scan, when_modal


def test_first_start_with_no_folders_shows_one_call_to_action(open_window):
    window = open_window()
    assert window.pages.currentWidget() is window.welcome
    buttons = [b.text() for b in window.welcome.findChildren(QPushButton)]
    assert buttons == ["Add a photo folder…"] and not window.nav.isEnabled()


def test_add_folder_index_review_clean_to_trash_and_undo(qtbot, open_window, sample_photos):
    before = tree_hashes(sample_photos)
    window = open_window()
    with qtbot.waitSignal(window.scan_finished, timeout=60000) as scanned:
        window.add_folder(str(sample_photos))
    assert scanned.args[0].added == 5 and window.pages.currentWidget() is window.duplicates
    view = window.duplicates
    qtbot.waitUntil(lambda: len(view.pairs) == 2, timeout=10000)
    grouped = sorted(sorted(os.path.basename(f.path) for f in g.files) for g, _ in view.pairs)
    assert grouped == [["shot0 small.jpg", "shot0.png"], ["shot1 copy.png", "shot1.png"]]
    assert "2 groups" in view.summary.text()
    keeper_cards = [c for c in view.cards if c.badge.text().startswith("★")]
    assert len(keeper_cards) == 1 and keeper_cards[0].mark == "keep"

    when_modal(lambda dialog: dialog.findChild(QPushButton, "") and _continue(dialog))
    when_modal(lambda box: box.button(QMessageBox.StandardButton.Yes).click(), timeout_ms=40000)
    view.clean_up()
    qtbot.waitUntil(lambda: view.undo_bar.isVisible(), timeout=30000)
    assert "Moved to the trash: 2 photos" in view.undo_bar.text.text()
    assert len(tree_hashes(sample_photos)) == 3

    view.undo()
    qtbot.waitUntil(lambda: "Restored 2 photos" in view.undo_bar.text.text(), timeout=30000)
    assert tree_hashes(sample_photos) == before
    wait_for_scan(qtbot, window)  # the restored photos come back into the library
    qtbot.waitUntil(lambda: len(view.pairs) == 2, timeout=10000)


def _continue(dialog):
    assert isinstance(dialog, CleanDialog) and dialog.trash.isChecked()
    next(b for b in dialog.findChildren(QPushButton) if b.text() == "Continue…").click()
    return True


def test_keyboard_review_toggles_marks_and_they_persist(qtbot, open_window, sample_photos):
    window = open_window()
    window.library.add_folder(sample_photos)
    window._show_folders_or_welcome()
    window.request_scan()
    wait_for_scan(qtbot, window)
    view = window.duplicates
    qtbot.waitUntil(lambda: len(view.cards) == 2, timeout=10000)
    assert view.current_card() is view.cards[0]
    qtbot.keyClick(view.cards[0], Qt.Key.Key_Right)
    second = view.cards[1]
    assert view.current_card() is second and second.mark == "remove"
    qtbot.keyClick(second, Qt.Key.Key_Delete)
    assert second.mark == "keep"
    qtbot.waitUntil(lambda: window.library.marks().get(second.file.file_id) == "keep", timeout=10000)
    qtbot.keyClick(second, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: window.library.marks().get(second.file.file_id) == "remove", timeout=10000)


def test_text_search_returns_scored_results(qtbot, open_window, sample_photos):
    window = open_window()
    window.add_folder(str(sample_photos))
    wait_for_scan(qtbot, window)
    [find] = [a for a in window.actions() if a.shortcut().matches(QKeySequence(QKeySequence.StandardKey.Find))
              == QKeySequence.SequenceMatch.ExactMatch]
    find.trigger()  # what Ctrl+F does
    assert window.pages.currentWidget() is window.search and window.focusWidget() is window.search.field
    qtbot.keyClicks(window.search.field, "a red car")
    qtbot.keyClick(window.search.field, Qt.Key.Key_Return)
    model = window.search.grid.grid_model
    qtbot.waitUntil(lambda: model.rowCount() == 5, timeout=20000)
    assert model.scores == sorted(model.scores, reverse=True)
    assert "0." in model.data(model.index(0))


def test_text_search_without_clip_offers_its_download_and_a_scan_follows_when_it_arrives(
        qtbot, open_window, sample_photos, tmp_path, monkeypatch):
    window = open_window(model="phash", model_dir_=str(tmp_path / "no-models"))
    fetched = []
    monkeypatch.setattr(window.library, "download_model",   # the network stays out of tests
                        lambda name, on_progress=None, cancel=None: fetched.append(name) or "/models/clip")
    window.add_folder(str(sample_photos))
    wait_for_scan(qtbot, window)
    window.search.field.setText("beach")
    window.search.search_text()
    qtbot.waitUntil(lambda: "needs the CLIP model" in window.search.status.text(), timeout=10000)
    assert "Preferences" not in window.search.status.text() and "scan again" not in window.search.status.text()
    button = window.search.fix.button
    qtbot.waitUntil(lambda: button.isVisibleTo(window.search) and "MB)" in button.text(), timeout=10000)
    assert button.text().startswith("Download CLIP (") and fetched == []   # nothing fetched before the click
    with qtbot.waitSignal(window.scan_finished, timeout=60000):   # the library embeds what it lacks
        button.click()
    assert fetched == ["clip-b32"] and "being indexed" in window.search.fix.note.text()


def test_a_photo_copied_into_a_watched_folder_shows_up_and_a_deleted_one_leaves(qtbot, open_window, sample_photos):
    window = open_window(model="phash")
    window.add_folder(str(sample_photos))
    wait_for_scan(qtbot, window)
    grid = window.photos.grid.grid_model
    qtbot.waitUntil(lambda: grid.rowCount() == 5, timeout=10000)
    scans, full_scan = [], window.library.scan
    window.library.scan = lambda **kw: scans.append(kw.get("changed")) or full_scan(**kw)
    save(photo(77), sample_photos / "new arrival.jpg")
    qtbot.waitUntil(lambda: grid.rowCount() == 6, timeout=15000)
    assert any(p.path.endswith("new arrival.jpg") for p in grid.photos)
    # The watcher's scan covered only what changed, not the whole library.
    assert scans and all(c is not None for c in scans)
    assert any(path.endswith("new arrival.jpg") for path in scans[0])
    (sample_photos / "shot2.png").unlink()
    qtbot.waitUntil(lambda: grid.rowCount() == 5, timeout=15000)


def test_pausing_watching_holds_changes_until_resumed(qtbot, open_window, sample_photos):
    window = open_window(model="phash")
    window.add_folder(str(sample_photos))
    wait_for_scan(qtbot, window)
    window.pause_action.setChecked(True)
    save(photo(78), sample_photos / "while paused.jpg")
    qtbot.wait(1500)
    assert window.runner.idle and window.watch_label.text() == "Watching paused"
    assert len(window.library.photos()) == 5
    window.pause_action.setChecked(False)
    qtbot.waitUntil(lambda: len(window.library.photos()) == 6, timeout=15000)


def test_cancel_mid_scan_leaves_a_library_that_reopens(qtbot, open_window, tmp_path):
    folder = tmp_path / "many"
    for i in range(40):
        save(photo(i, size=(640, 480)), folder / f"{i:02}.jpg")
    window = open_window(model="dinov2-small")
    window.library.add_folder(folder)
    window._show_folders_or_welcome()
    window.request_scan()
    qtbot.waitUntil(lambda: window.job_status.isVisible(), timeout=10000)
    window.job_status.cancel_button.click()
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=30000)
    assert "cancelled" in window.statusBar().currentMessage() or window.last_summary is not None
    library_dir = window.library.path
    window.close()
    window.library.close()
    reopened = open_window(model=None, library_dir=library_dir)
    assert reopened.library.catalog.check() == "ok"
    reopened.request_scan()
    summary = wait_for_scan(qtbot, reopened)
    assert summary.failed == 0 and len(reopened.library.photos()) == 40


def test_the_missing_model_dialog_offers_a_way_on(qtbot, open_window, sample_photos, tmp_path):
    window = open_window(model="dinov2-small", model_dir_=str(tmp_path / "no-models"))
    seen = {}

    def answer(dialog):
        seen["dialog"] = isinstance(dialog, MissingModelDialog)
        seen["download enabled"] = dialog.buttons["download"].isEnabled()   # no setting to hunt for first
        seen["names its size"] = "MB)" in dialog.buttons["download"].text()
        dialog.buttons["phash"].click()

    when_modal(answer)
    window.add_folder(str(sample_photos))
    summary = wait_for_scan(qtbot, window)
    assert seen == {"dialog": True, "download enabled": True, "names its size": True}
    assert window.library.settings.model == "phash" and summary.added == 5


def test_window_geometry_persists_per_library(qtbot, open_window, sample_photos):
    window = open_window()
    window.library.add_folder(sample_photos)
    window._show_folders_or_welcome()  # the duplicates page (and its splitter) is on screen
    window.resize(1111, 777)
    splitter = window.duplicates.splitter
    qtbot.waitUntil(lambda: sum(splitter.sizes()) > 800, timeout=5000)
    splitter.setSizes([333, sum(splitter.sizes()) - 333])
    before = splitter.sizes()
    library_dir = window.library.path
    window.close()
    window.library.close()
    again = open_window(library_dir=library_dir)
    assert (again.width(), again.height()) == (1111, 777)
    qtbot.waitUntil(lambda: again.duplicates.splitter.sizes() == before, timeout=5000)
    assert abs(before[0] - 333) <= 10  # the handle takes a few pixels; the rest is restored exactly


def test_errors_are_one_sentence_notices_with_details_on_demand(qtbot, open_window, tmp_path):
    from lookalike.desktop.dialogs.notice import show_error

    window = open_window()
    try:
        raise ValueError("internal detail")
    except ValueError as exc:
        exc.details = "Traceback (most recent call last): ..."
        box = show_error(window, "Oops", exc)
    assert "Your photos and library are unchanged" in box.text()
    assert "Traceback" not in box.text() and "Traceback" in box.detailedText()
    box.close()


def test_preferences_change_the_model_thresholds_presets_and_reference_folders(qtbot, open_window, sample_photos):
    from lookalike.desktop.dialogs.preferences_dialog import PreferencesDialog

    window = open_window()
    qtbot.waitUntil(lambda: window.devices is not None, timeout=20000)
    dialog = PreferencesDialog(window.library, window, devices=window.devices)
    assert "CPU" in dialog._detected()
    dialog.model.setCurrentIndex(dialog.model.findData("phash"))
    dialog.near.setValue(0.8)
    dialog.presets["phone"] = [{"rule": "formats", "order": ["HEIF", "JPEG"]}]
    dialog.references.append(str(sample_photos / "copies"))
    dialog._accept()
    dialog.apply(window.library)
    settings = window.library.settings
    assert settings.model == "phash"
    assert settings.thresholds["phash"]["near"] == 0.8 and window.library.thresholds("phash")["near"] == 0.8
    assert window.library.presets()["phone"][0]["order"] == ["HEIF", "JPEG"]
    assert window.library.reference_folders() == [str(sample_photos / "copies")]


def test_the_photo_grid_asks_only_for_the_thumbnails_on_screen_among_100k(qtbot, open_window):
    from lookalike.engine.results import Photo

    window = open_window()
    requested = []
    window.loader.pixmap = lambda photo, size: requested.append(photo.file_id)
    grid = window.photos.grid
    window.nav.setEnabled(True)
    window.nav.setCurrentRow(1)
    photos = [Photo(i, f"/p/{i:06}.jpg", 4000, 3000, 1, "JPEG", None, f"h{i}", None) for i in range(100_000)]
    grid.grid_model.set_photos(photos)
    qtbot.waitUntil(lambda: len(requested) > 0, timeout=5000)

    def at_the_bottom():   # the layout runs in batches: scroll again until the last batch is in
        grid.scrollToBottom()
        return max(requested) > 99_000   # the rows now on screen were asked for
    qtbot.waitUntil(at_the_bottom, timeout=5000)
    assert 0 < len(set(requested)) < 400
